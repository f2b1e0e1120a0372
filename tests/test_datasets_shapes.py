"""The procedural `shapes` dataset: dSprites' factor grid, deterministic binary rendering, and ground-truth access."""

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf.datasets import (
    DatasetError,
    dataset_info,
    ground_truth_data,
    load_examples,
    shapes,
    train_dataset,
)
from infogan_tf.datasets.base import factors_to_index, index_to_factors


def _factors(shape=0, scale=5, orientation=0, x=16, y=16):
    return np.array([[shape, scale, orientation, x, y]], np.int64)


def test_factor_grid_is_dsprites():
    info = dataset_info("shapes")
    assert info.factor_names == ("shape", "scale", "orientation", "x_position", "y_position")
    assert info.factor_sizes == (3, 6, 40, 32, 32)
    assert info.image_shape == (64, 64, 1) and info.num_classes is None
    assert shapes.NUM_IMAGES == 737_280
    assert dataset_info("shapes", image_size=32).image_shape == (32, 32, 1)


def test_index_factor_round_trip():
    sizes = shapes.FACTOR_SIZES
    index = np.array([0, 1, 32, 1024, 40_960, 245_760, shapes.NUM_IMAGES - 1])
    factors = index_to_factors(index, sizes)
    assert factors[1].tolist() == [0, 0, 0, 0, 1]  # y varies fastest
    assert factors[5].tolist() == [1, 0, 0, 0, 0]  # shape varies slowest
    assert factors[-1].tolist() == [2, 5, 39, 31, 31]
    np.testing.assert_array_equal(factors_to_index(factors, sizes), index)
    np.testing.assert_array_equal(index_to_factors(tf.constant(index), sizes).numpy(), factors)
    np.testing.assert_array_equal(factors_to_index(tf.constant(factors), sizes).numpy(), index)


@pytest.mark.parametrize("image_size", [32, 64])
def test_images_are_binary_non_empty_and_inside_the_frame(image_size):
    # Largest sprites at the extreme positions, all shapes, several orientations.
    factors = np.array([[s, 5, o, x, y] for s in range(3) for o in (0, 5, 13) for x in (0, 31) for y in (0, 31)])
    images = shapes.render(factors, image_size).numpy()
    assert images.shape == (len(factors), image_size, image_size, 1) and images.dtype == np.float32
    assert set(np.unique(images)) == {0.0, 1.0}
    assert (images.sum(axis=(1, 2, 3)) > 0).all()
    border = np.concatenate([images[:, 0], images[:, -1], images[:, :, 0], images[:, :, -1]], axis=1)
    assert not border.any()


def test_factors_change_the_image():
    base = shapes.render(_factors(), 64).numpy()[0]
    for changed in (_factors(shape=1), _factors(shape=2), _factors(scale=4), _factors(x=17), _factors(y=15)):
        assert (shapes.render(changed, 64).numpy()[0] != base).any()
    # Moving right moves the mass right, moving down moves it down.
    left, right = shapes.render(np.concatenate([_factors(x=0), _factors(x=31)]), 64).numpy()
    top, bottom = shapes.render(np.concatenate([_factors(y=0), _factors(y=31)]), 64).numpy()
    columns, rows = np.arange(64)[None, :, None], np.arange(64)[:, None, None]
    assert (left * columns).sum() / left.sum() < 20 and (right * columns).sum() / right.sum() > 44
    assert (top * rows).sum() / top.sum() < 20 and (bottom * rows).sum() / bottom.sum() > 44


def test_rendering_is_deterministic_and_same_in_map():
    factors = index_to_factors(np.arange(0, shapes.NUM_IMAGES, 9973), shapes.FACTOR_SIZES)
    eager = shapes.render(factors, 64).numpy()
    np.testing.assert_array_equal(eager, shapes.render(factors, 64).numpy())
    mapped = tf.data.Dataset.from_tensors(factors).map(lambda f: shapes.render(f, 64))
    np.testing.assert_array_equal(eager, next(mapped.as_numpy_iterator()))


def test_load_examples_is_a_fixed_sample_covering_every_factor():
    examples = load_examples("shapes", "train", 1000, image_size=32)
    assert examples.images.shape == (1000, 32, 32, 1) and examples.labels is None
    assert examples.factors.dtype == np.int64 and examples.factors.shape == (1000, 5)
    assert [len(np.unique(column)) for column in examples.factors.T] == list(shapes.FACTOR_SIZES)
    again = load_examples("shapes", "train", 10, image_size=32)
    np.testing.assert_array_equal(again.factors, examples.factors[:10])
    np.testing.assert_array_equal(again.images, examples.images[:10])
    sliced = load_examples("shapes", "train[5:]", 3, image_size=32)
    np.testing.assert_array_equal(sliced.factors, examples.factors[5:8])


def test_ground_truth_matches_load_examples():
    examples = load_examples("shapes", "train", 64, image_size=48)
    data = ground_truth_data("shapes", image_size=48)
    assert (data.factor_names, data.factor_sizes, data.image_shape) == (
        shapes.FACTOR_NAMES,
        shapes.FACTOR_SIZES,
        (48, 48, 1),
    )
    np.testing.assert_array_equal(data.images_from_factors(examples.factors), examples.images)


def test_ground_truth_sampling():
    data = ground_truth_data("shapes")
    factors = data.sample_factors(500, np.random.default_rng(0))
    assert factors.dtype == np.int64 and factors.shape == (500, 5)
    assert (factors >= 0).all() and (factors < np.array(shapes.FACTOR_SIZES)).all()
    np.testing.assert_array_equal(factors, data.sample_factors(500, np.random.default_rng(0)))
    images = data.images_from_factors(factors[:4])
    assert images.shape == (4, 64, 64, 1) and images.dtype == np.float32
    with pytest.raises(ValueError, match="out of range"):
        data.images_from_factors(np.array([[3, 0, 0, 0, 0]]))


def test_train_dataset_is_seeded():
    def first_batches(seed):
        dataset = train_dataset("shapes", 8, image_size=16, seed=seed, shuffle_buffer=100)
        return np.stack(list(dataset.take(3).as_numpy_iterator()))

    batches = first_batches(1)
    assert batches.shape == (3, 8, 16, 16, 1) and batches.dtype == np.float32
    assert set(np.unique(batches)) == {0.0, 1.0}
    np.testing.assert_array_equal(batches, first_batches(1))
    assert (batches != first_batches(2)).any()


def test_only_train_split():
    with pytest.raises(DatasetError, match="no split 'test'"):
        train_dataset("shapes", 8, split="test")
