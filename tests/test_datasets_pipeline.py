"""Name dispatch and the training pipeline: batching, seeding, caching, argument checks, shared preprocessing."""

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from infogan_tf.datasets import (
    DatasetError,
    dataset_info,
    ground_truth_data,
    load_examples,
    preprocessing,
    train_dataset,
)
from infogan_tf.datasets.base import SplitData


@pytest.fixture
def grey_levels_dir(tmp_path):
    """Ten 4x4 images whose grey level (0, 25, ..., 225) identifies them."""
    for level in range(10):
        Image.new("L", (4, 4), level * 25).save(tmp_path / f"{level}.png")
    return tmp_path


def _order(batches: np.ndarray) -> list[int]:
    return np.round(batches[..., 0, 0, 0] * 255 / 25).astype(int).ravel().tolist()


def _first_batches(name: str, seed: int) -> np.ndarray:
    dataset = train_dataset(name, 4, image_size=4, seed=seed, shuffle_buffer=10)
    return np.stack(list(dataset.take(5).as_numpy_iterator()))


def test_seeded_order_is_repeatable_and_covers_each_epoch(grey_levels_dir):
    name = f"folder:{grey_levels_dir}"
    batches = _first_batches(name, seed=3)
    assert batches.shape == (5, 4, 4, 4, 3) and batches.dtype == np.float32
    order = _order(batches)
    assert sorted(order[:10]) == list(range(10)) and sorted(order[10:20]) == list(range(10))
    assert order[:10] != order[10:20]  # reshuffled every epoch
    np.testing.assert_array_equal(batches, _first_batches(name, seed=3))
    assert _order(_first_batches(name, seed=4)) != order


def test_a_batch_larger_than_the_data_is_warned_about(grey_levels_dir, caplog):
    train_dataset(f"folder:{grey_levels_dir}", 4, image_size=4)
    assert "larger than" not in caplog.text
    dataset = train_dataset(f"folder:{grey_levels_dir}", 16, image_size=4)
    assert "--batch_size=16 is larger than" in caplog.text and "10 images" in caplog.text
    assert next(iter(dataset)).shape == (16, 4, 4, 3)


def test_drop_remainder_keeps_static_batch_shape(grey_levels_dir):
    dataset = train_dataset(f"folder:{grey_levels_dir}", 3, split="train[:4]", image_size=4)
    assert dataset.element_spec.shape == (3, 4, 4, 3)
    assert all(batch.shape == (3, 4, 4, 3) for batch in dataset.take(4).as_numpy_iterator())


@pytest.mark.parametrize("source", ["folder", "shapes"])
def test_training_batches_run_without_the_autotune_thread(grey_levels_dir, source):
    # Deleting an iterator waits for that thread's next wake-up (up to a minute): the end of every fit stalled.
    name = f"folder:{grey_levels_dir}" if source == "folder" else "shapes"
    dataset = train_dataset(name, 4, image_size=8)
    assert dataset.options().autotune.enabled is False
    assert next(iter(dataset)).shape[0] == 4


def test_load_examples_is_deterministic(grey_levels_dir):
    examples = load_examples(f"folder:{grey_levels_dir}", "train[2:]", 5, image_size=4)
    assert _order(examples.images) == [2, 3, 4, 5, 6]


def test_caching_only_when_it_fits():
    def split(num_examples, image_shape=(64, 64, 3)):
        return SplitData(tf.data.Dataset.range(1), num_examples, image_shape)

    assert split(60_000, (28, 28, 1)).fits_in_memory() and split(20_000).fits_in_memory()
    assert not split(162_770).fits_in_memory() and not split(None).fits_in_memory()


@pytest.mark.parametrize("name", ["imagenet", "MNIST", "idx", "shapes:", ""])
def test_unknown_name_lists_valid_names(name):
    with pytest.raises(DatasetError, match=r"unknown dataset.*mnist.*shapes.*idx:DIR.*folder:DIR") as error:
        dataset_info(name)
    assert repr(name) in str(error.value)


@pytest.mark.parametrize("name", ["idx:", "folder:"])
def test_prefix_without_directory(name):
    with pytest.raises(DatasetError, match="names no directory"):
        train_dataset(name, 8)


def test_bad_split_is_named():
    with pytest.raises(DatasetError, match="bad split 'train\\[x\\]'"):
        train_dataset("shapes", 8, split="train[x]")


@pytest.mark.parametrize(
    "kwargs", [{"batch_size": 0}, {"batch_size": 2, "shuffle_buffer": 0}, {"batch_size": 2, "image_size": 0}]
)
def test_bad_sizes(kwargs):
    with pytest.raises(ValueError, match="must be a positive integer"):
        train_dataset("shapes", **kwargs)


def test_ground_truth_needs_factors():
    with pytest.raises(
        DatasetError, match="'mnist' has no ground-truth factors; use one of: shapes, dsprites, shapes3d"
    ):
        ground_truth_data("mnist")


def test_preprocessing_same_eagerly_and_in_map():
    image = np.random.default_rng(0).integers(0, 256, (30, 20, 3), dtype=np.uint8)

    def preprocess(x):
        return preprocessing.resize(preprocessing.center_crop_square(preprocessing.to_unit_float(x)), 8)

    eager = preprocess(tf.constant(image)).numpy()
    mapped = next(tf.data.Dataset.from_tensors(image).map(preprocess).as_numpy_iterator())
    np.testing.assert_array_equal(eager, mapped)
    assert eager.shape == (8, 8, 3) and eager.min() >= 0.0 and eager.max() <= 1.0


def test_resize_only_when_asked():
    image = tf.random.stateless_uniform((28, 28, 1), seed=(1, 2))
    assert preprocessing.maybe_resize(image, (28, 28), None) is image
    assert preprocessing.maybe_resize(image, (28, 28), 28) is image
    assert preprocessing.maybe_resize(image, (28, 28), 32).shape == (32, 32, 1)
