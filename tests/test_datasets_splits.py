"""Split strings: parsing, TFDS-compatible slice resolution, and one-line errors naming the bad string."""

import pytest

from infogan_tf.datasets import DatasetError
from infogan_tf.datasets.splits import parse_split


@pytest.mark.parametrize(
    "text, num_examples, expected",
    [
        ("train", 100, (0, 100)),
        ("test[:9000]", 10_000, (0, 9000)),
        ("test[9000:]", 10_000, (9000, 10_000)),
        ("train[10%:20%]", 60_000, (6000, 12_000)),
        ("train[:-10]", 100, (0, 90)),
        ("train[-25%:]", 8, (6, 8)),
        ("train[:33%]", 10, (0, 3)),  # 3.3 rounds to the closest example, as TFDS does
        ("train[:35%]", 10, (0, 4)),
    ],
)
def test_bounds(text, num_examples, expected):
    assert parse_split(text).bounds(num_examples) == expected


def test_parse_keeps_name_and_text():
    split = parse_split(" test[10%:] ")
    assert (split.name, split.text, split.start, split.stop, split.percent) == ("test", "test[10%:]", 10, None, True)


@pytest.mark.parametrize("text", ["", "train[", "train[1:2:3]", "train[a:]", "train[:]", "train[10%:500]", "tr ain"])
def test_bad_split_strings_are_named(text):
    with pytest.raises(DatasetError, match="bad split") as error:
        parse_split(text)
    assert repr(text) in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("text", ["train[:200]", "train[-101:]", "train[:101%]"])
def test_out_of_range_slices_are_rejected(text):
    with pytest.raises(DatasetError, match="out of range"):
        parse_split(text).bounds(100)


def test_empty_slice_is_rejected():
    with pytest.raises(DatasetError, match="selects no examples"):
        parse_split("train[50:50]").bounds(100)


def test_unavailable_split_lists_available_ones():
    with pytest.raises(DatasetError, match=r"has no split 'validation'.*train, test"):
        parse_split("validation[:5]").check_available(("train", "test"), "mnist")
