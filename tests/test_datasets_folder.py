"""folder:DIR: recursive, sorted PNG/JPEG listing, RGB resize, and DatasetErrors naming unusable paths."""

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from infogan_tf.datasets import DatasetError, dataset_info, folder, load_examples, train_dataset


def _save(path, colour, size=(12, 8), mode="RGB"):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, colour).save(path)


@pytest.fixture
def image_dir(tmp_path):
    _save(tmp_path / "b.png", (255, 0, 0))
    _save(tmp_path / "a.jpg", (0, 0, 255), size=(20, 30))
    _save(tmp_path / "sub" / "c.PNG", 128, mode="L")
    (tmp_path / "notes.txt").write_text("not an image")
    return tmp_path


def test_info(image_dir):
    assert dataset_info(f"folder:{image_dir}") == dataset_info(f"folder:{image_dir}", image_size=64)
    info = dataset_info(f"folder:{image_dir}", image_size=16)
    assert (info.image_shape, info.num_classes, info.factor_names) == ((16, 16, 3), None, ())


def test_load_examples_sorted_rgb_resized(image_dir):
    examples = load_examples(f"folder:{image_dir}", "train", image_size=8)
    assert examples.images.shape == (3, 8, 8, 3) and examples.images.dtype == np.float32
    assert examples.labels is None and examples.factors is None
    # Sorted paths: a.jpg (blue), b.png (red), sub/c.PNG (grey, expanded to RGB).
    np.testing.assert_allclose(examples.images[0].mean((0, 1)), [0, 0, 1], atol=0.02)
    np.testing.assert_allclose(examples.images[1], np.broadcast_to([1.0, 0.0, 0.0], (8, 8, 3)), atol=1e-6)
    np.testing.assert_allclose(examples.images[2], np.full((8, 8, 3), 128 / 255), atol=1e-6)


def test_slices(image_dir):
    examples = load_examples(f"folder:{image_dir}", "train[1:]", image_size=4)
    assert examples.images.shape == (2, 4, 4, 3)
    np.testing.assert_allclose(examples.images[0, 0, 0], [1, 0, 0], atol=1e-6)


def test_train_dataset(image_dir):
    batch = next(iter(train_dataset(f"folder:{image_dir}", 5, image_size=8)))
    assert batch.shape == (5, 8, 8, 3) and batch.dtype == tf.float32
    assert float(tf.reduce_min(batch)) >= 0.0 and float(tf.reduce_max(batch)) <= 1.0


def test_preprocess_same_eagerly_and_in_map(image_dir):
    path = str(image_dir / "a.jpg")
    eager = folder.preprocess(tf.constant(path), 8).numpy()
    mapped = next(tf.data.Dataset.from_tensors(path).map(lambda p: folder.preprocess(p, 8)).as_numpy_iterator())
    np.testing.assert_array_equal(eager, mapped)


def test_unreadable_image_is_named(image_dir):
    bad = image_dir / "sub" / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n this is not a png")
    with pytest.raises(DatasetError, match="cannot decode image") as error:
        train_dataset(f"folder:{image_dir}", 2)
    assert str(bad) in str(error.value) and "\n" not in str(error.value)
    # Evaluating on the files before it does not need it.
    assert load_examples(f"folder:{image_dir}", "train", 2).images.shape[0] == 2


def test_truncated_jpeg_is_named(tmp_path):
    _save(tmp_path / "a.jpg", (10, 200, 30), size=(64, 64))
    data = (tmp_path / "a.jpg").read_bytes()
    (tmp_path / "a.jpg").write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError, match=r"a\.jpg"):
        dataset_info(f"folder:{tmp_path}")


def test_missing_and_empty_folders(tmp_path):
    with pytest.raises(DatasetError, match="no such directory"):
        dataset_info(f"folder:{tmp_path / 'absent'}")
    (tmp_path / "notes.txt").write_text("no images here")
    with pytest.raises(DatasetError, match=r"holds no \.png/\.jpg/\.jpeg images") as error:
        train_dataset(f"folder:{tmp_path}", 2)
    assert str(tmp_path) in str(error.value)


def test_only_train_split(image_dir):
    with pytest.raises(DatasetError, match="no split 'test'"):
        load_examples(f"folder:{image_dir}", "test")
