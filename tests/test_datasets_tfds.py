"""TFDS names under `tfds.testing.mock_data` (offline): preprocessing, labels/factors, and one-line load errors."""

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from infogan_tf.datasets import (
    DatasetError,
    dataset_info,
    ground_truth_data,
    load_examples,
    tfds_source,
    train_dataset,
)
from infogan_tf.datasets.base import DatasetInfo, SplitData
from infogan_tf.datasets.ground_truth import TfdsGroundTruth

EXPECTED = {  # name: (image shape, num classes, number of factors)
    "mnist": ((28, 28, 1), 10, 0),
    "fashion_mnist": ((28, 28, 1), 10, 0),
    "svhn_cropped": ((32, 32, 3), 10, 0),
    "celeb_a": ((64, 64, 3), None, 0),
    "dsprites": ((64, 64, 1), None, 5),
    "shapes3d": ((64, 64, 3), None, 6),
}


@pytest.fixture
def mock_tfds():
    with tfds.testing.mock_data(num_examples=6):
        yield


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_info_needs_no_data(name):
    shape, num_classes, num_factors = EXPECTED[name]
    info = dataset_info(name)
    assert (info.image_shape, info.num_classes, len(info.factor_names), len(info.factor_sizes)) == (
        shape,
        num_classes,
        num_factors,
        num_factors,
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_load_examples(mock_tfds, name):
    shape, num_classes, num_factors = EXPECTED[name]
    examples = load_examples(name, "train", 4)
    assert examples.images.shape == (4, *shape) and examples.images.dtype == np.float32
    assert examples.images.min() >= 0.0 and examples.images.max() <= 1.0
    if num_classes:
        assert examples.labels.dtype == np.int64 and ((examples.labels >= 0) & (examples.labels < num_classes)).all()
    else:
        assert examples.labels is None
    if num_factors:
        sizes = np.array(dataset_info(name).factor_sizes)
        assert examples.factors.shape == (4, num_factors) and examples.factors.dtype == np.int64
        assert ((examples.factors >= 0) & (examples.factors < sizes)).all()
    else:
        assert examples.factors is None


@pytest.mark.parametrize("name", ["mnist", "celeb_a"])
def test_train_dataset(mock_tfds, name):
    batches = list(train_dataset(name, 4, image_size=16).take(3).as_numpy_iterator())
    assert all(b.shape == (4, 16, 16, EXPECTED[name][0][2]) and b.dtype == np.float32 for b in batches)
    assert all(b.min() >= 0.0 and b.max() <= 1.0 for b in batches)


def test_dsprites_images_are_binary(mock_tfds):
    assert set(np.unique(load_examples("dsprites", "train").images)) <= {0.0, 1.0}


def test_celeb_a_takes_the_central_crop():
    image = np.random.default_rng(0).integers(0, 256, (218, 178, 3), dtype=np.uint8)
    example = tfds_source.preprocess_fn("celeb_a", image_size=140)({"image": tf.constant(image)})
    np.testing.assert_allclose(example["image"].numpy(), image[39:179, 19:159] / 255.0, atol=1e-7)
    assert tfds_source.preprocess_fn("celeb_a")({"image": tf.constant(image)})["image"].shape == (64, 64, 3)


@pytest.mark.parametrize("name, image_size", [("celeb_a", None), ("shapes3d", 32), ("dsprites", None), ("mnist", 20)])
def test_preprocessing_same_eagerly_and_in_map(name, image_size):
    rng = np.random.default_rng(1)
    features = {"image": rng.integers(0, 256, tfds_source.TFDS_DATASETS[name].stored_shape, dtype=np.uint8)}
    features.update({f"label_{factor}": np.int64(1) for factor in tfds_source.TFDS_DATASETS[name].factor_sizes})
    features["label"] = np.int64(3)
    preprocess = tfds_source.preprocess_fn(name, image_size)
    eager = preprocess({key: tf.constant(value) for key, value in features.items()})
    mapped = next(tf.data.Dataset.from_tensors(features).map(preprocess).as_numpy_iterator())
    assert eager.keys() == mapped.keys()
    for key in eager:
        np.testing.assert_array_equal(eager[key].numpy(), mapped[key])


def test_download_failure_becomes_one_line_error(monkeypatch, tmp_path):
    def offline_load(*args, **kwargs):
        raise ConnectionError("Max retries exceeded with url\n(Caused by NameResolutionError)")

    monkeypatch.setattr(tfds, "load", offline_load)
    with pytest.raises(DatasetError) as error:
        train_dataset("mnist", 8, data_dir=str(tmp_path))
    message = str(error.value)
    assert "\n" not in message
    assert "could not download/prepare TFDS dataset 'mnist'" in message and str(tmp_path) in message
    assert "ConnectionError: Max retries exceeded" in message and "--data_dir" in message


@pytest.mark.parametrize("name, split", [("dsprites", "test"), ("mnist", "validation"), ("celeb_a", "extra")])
def test_unknown_split_is_rejected_before_loading(monkeypatch, name, split):
    monkeypatch.setattr(tfds, "load", lambda *a, **k: pytest.fail("tfds.load must not be called"))
    with pytest.raises(DatasetError, match=f"no split '{split}'"):
        load_examples(name, split)


def test_ground_truth_grid_undoes_the_stored_order(monkeypatch):
    sizes = (2, 3)
    order = np.array([4, 0, 5, 2, 1, 3])  # TFDS stores examples shuffled
    factors = np.stack([order // 3, order % 3], axis=1)
    images = (order[:, None, None, None] / 255.0 * np.ones((1, 2, 2, 1))).astype(np.float32)
    split = SplitData(tf.data.Dataset.from_tensor_slices({"image": images, "factors": factors}), 6, (2, 2, 1))
    monkeypatch.setattr(tfds_source, "load_split", lambda *args: split)
    data = TfdsGroundTruth(DatasetInfo("dsprites", (2, 2, 1), None, ("a", "b"), sizes), None, None)
    looked_up = data.images_from_factors(np.array([[0, 0], [1, 2], [0, 2]]))
    np.testing.assert_array_equal(looked_up[:, 0, 0, 0] * 255.0, [0, 5, 2])


def test_incomplete_factor_dataset_is_rejected(mock_tfds):
    with pytest.raises(DatasetError, match="covers only 6 of its 737280 factor combinations"):
        ground_truth_data("dsprites").images_from_factors(np.zeros((1, 5), np.int64))
