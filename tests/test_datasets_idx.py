"""idx:DIR: IDX parsing (raw and gzipped), splits, and DatasetErrors that name the offending file."""

import gzip
import struct

import numpy as np
import pytest

from infogan_tf.datasets import DatasetError, dataset_info, load_examples, train_dataset


def _idx_bytes(array: np.ndarray) -> bytes:
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def _write(path, data: bytes) -> None:
    if path.suffix == ".gz":
        with gzip.open(path, "wb") as stream:
            stream.write(data)
    else:
        path.write_bytes(data)


def _write_split(directory, prefix: str, images: np.ndarray, labels: np.ndarray, gz: bool) -> None:
    ext = ".gz" if gz else ""
    _write(directory / f"{prefix}-images-idx3-ubyte{ext}", _idx_bytes(images))
    _write(directory / f"{prefix}-labels-idx1-ubyte{ext}", _idx_bytes(labels))


def _data(num: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (num, 6, 5), dtype=np.uint8), rng.integers(0, 10, num, dtype=np.uint8)


@pytest.fixture(params=[True, False], ids=["gz", "raw"])
def idx_dir(request, tmp_path):
    _write_split(tmp_path, "train", *_data(12, seed=1), gz=request.param)
    _write_split(tmp_path, "t10k", *_data(7, seed=2), gz=request.param)
    return tmp_path


def test_info_reads_header(idx_dir):
    info = dataset_info(f"idx:{idx_dir}")
    assert (info.image_shape, info.num_classes, info.factor_names) == ((6, 5, 1), 10, ())
    assert dataset_info(f"idx:{idx_dir}", image_size=8).image_shape == (8, 8, 1)


@pytest.mark.parametrize("split, prefix, seed", [("train", "train", 1), ("test", "t10k", 2)])
def test_load_examples_matches_file_contents(idx_dir, split, prefix, seed):
    images, labels = _data(12 if split == "train" else 7, seed)
    examples = load_examples(f"idx:{idx_dir}", split)
    assert examples.images.dtype == np.float32 and examples.images.shape == (len(images), 6, 5, 1)
    np.testing.assert_allclose(examples.images[..., 0], images / 255.0, atol=1e-7)
    assert examples.labels.dtype == np.int64 and examples.labels.tolist() == labels.tolist()
    assert examples.factors is None


def test_slices_and_num_examples(idx_dir):
    images, labels = _data(12, seed=1)
    examples = load_examples(f"idx:{idx_dir}", "train[25%:]", 5)
    assert examples.labels.tolist() == labels[3:8].tolist()
    np.testing.assert_allclose(examples.images[..., 0], images[3:8] / 255.0, atol=1e-7)


def test_train_dataset_batches(idx_dir):
    batches = list(train_dataset(f"idx:{idx_dir}", 4, split="test[:5]", image_size=8).take(3).as_numpy_iterator())
    assert all(b.shape == (4, 8, 8, 1) and b.dtype == np.float32 for b in batches)
    assert all(b.min() >= 0.0 and b.max() <= 1.0 for b in batches)


def test_num_classes_grows_with_labels(tmp_path):
    images, _ = _data(3, seed=0)
    _write_split(tmp_path, "train", images, np.array([0, 25, 3], np.uint8), gz=False)
    assert dataset_info(f"idx:{tmp_path}").num_classes == 26


def test_missing_split_says_what_exists(tmp_path):
    _write_split(tmp_path, "t10k", *_data(4, seed=0), gz=True)
    with pytest.raises(DatasetError, match=r"no train-images-idx3-ubyte\[\.gz\].*found t10k-\*.*'test") as error:
        train_dataset(f"idx:{tmp_path}", 2)
    assert "\n" not in str(error.value)
    assert dataset_info(f"idx:{tmp_path}").image_shape == (6, 5, 1)  # a test-only directory is still usable


def test_missing_labels_file_is_named(tmp_path):
    _write_split(tmp_path, "train", *_data(4, seed=0), gz=False)
    (tmp_path / "train-labels-idx1-ubyte").unlink()
    with pytest.raises(DatasetError, match="no train-labels-idx1-ubyte"):
        load_examples(f"idx:{tmp_path}", "train")


def test_empty_or_missing_directory(tmp_path):
    with pytest.raises(DatasetError, match="holds no"):
        dataset_info(f"idx:{tmp_path}")
    with pytest.raises(DatasetError, match="no such directory"):
        dataset_info(f"idx:{tmp_path / 'absent'}")


def test_unknown_split(idx_dir):
    with pytest.raises(DatasetError, match="no split 'validation'"):
        load_examples(f"idx:{idx_dir}", "validation")


@pytest.mark.parametrize(
    "corrupt, match",
    [
        (lambda data: data[:-3], "truncated or corrupt"),
        (lambda data: data + b"\x00", "truncated or corrupt"),
        (lambda data: data[:10], "header is incomplete"),
        (lambda data: b"\x01" + data[1:], "bad magic number"),
        (lambda data: data[:2] + b"\x0d" + data[3:], "element type 0x0d"),
        (lambda data: data[:3] + b"\x02" + data[4:], "has 2 dimensions, expected 3"),
    ],
)
def test_corrupt_images_file_is_named(tmp_path, corrupt, match):
    images, labels = _data(4, seed=0)
    _write_split(tmp_path, "train", images, labels, gz=False)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(corrupt(path.read_bytes()))
    with pytest.raises(DatasetError, match=match) as error:
        load_examples(f"idx:{tmp_path}", "train")
    assert str(path) in str(error.value)


def test_truncated_gzip_is_named(tmp_path):
    _write_split(tmp_path, "train", *_data(40, seed=0), gz=True)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(DatasetError, match="cannot read IDX file") as error:
        load_examples(f"idx:{tmp_path}", "train")
    assert str(path) in str(error.value)


def test_count_mismatch_names_both_files(tmp_path):
    images, labels = _data(4, seed=0)
    _write_split(tmp_path, "train", images, labels[:3], gz=False)
    with pytest.raises(DatasetError, match=r"holds 4 images but .*train-labels-idx1-ubyte holds 3 labels"):
        train_dataset(f"idx:{tmp_path}", 2)
