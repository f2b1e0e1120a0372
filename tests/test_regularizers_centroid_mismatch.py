import math

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf.regularizers.blurred_mismatch import blurred_mismatch
from infogan_tf.regularizers.centroid_mismatch import (
    SIZE_TOLERANCE,
    centroid_mismatch,
    footprint_mismatch,
    ink_centroid,
    ink_spread,
)

BLUR = 1.0 / 14.0  # sigma 2 px at 28 px


def _rectangle(row: int, col: int, height: int, width: int, brightness: float = 1.0) -> np.ndarray:
    image = np.zeros([1, 28, 28, 1], np.float32)
    image[0, row:row + height, col:col + width, 0] = brightness
    return image


def _square(row: int, col: int, side: int = 4, brightness: float = 1.0) -> np.ndarray:
    return _rectangle(row, col, side, side, brightness)


def _mismatch(first, second) -> float:
    return float(centroid_mismatch(tf.constant(first), tf.constant(second), BLUR)[0])


def test_centroid_is_the_weighted_mean_and_a_blank_image_sits_at_the_centre():
    weights = (_square(3, 10, side=4) + _square(20, 20, side=2, brightness=0.5))[..., 0]
    x, y, blank = ink_centroid(tf.constant(np.concatenate([weights, np.zeros_like(weights)])))
    mass = 16.0 + 4 * 0.5
    assert float(x[0]) == pytest.approx((16 * 11.5 + 2 * 20.5) / mass, abs=1e-4)
    assert float(y[0]) == pytest.approx((16 * 4.5 + 2 * 20.5) / mass, abs=1e-4)
    assert (float(x[1]), float(y[1])) == (13.5, 13.5)
    assert blank.numpy().tolist() == [False, True]


def test_a_faint_haze_moves_the_centroid_far_less_than_by_plain_intensity():
    sprite = _square(4, 4)
    hazy = sprite.copy()
    hazy[0, 14:, 14:, 0] += 0.1  # 196 px of haze: as much plain intensity as 20 px of ink, squared as 2 px

    def shift(weights_of):
        x0, y0, _ = ink_centroid(tf.constant(weights_of(sprite)))
        x1, y1, _ = ink_centroid(tf.constant(weights_of(hazy)))
        return math.hypot(float(x1[0] - x0[0]), float(y1[0] - y0[0]))

    squared, plain = shift(lambda image: image[..., 0] ** 2), shift(lambda image: image[..., 0])
    assert squared == pytest.approx(math.hypot(15, 15) * 1.96 / 17.96, rel=1e-3)
    assert plain > 4 * squared
    expected = 1.0 - math.exp(-squared ** 2 / 16.0)
    assert _mismatch(sprite, hazy) == pytest.approx(expected, abs=1e-4)


def test_mismatch_follows_the_distance_between_centroids_exactly():
    # 3 px apart along x at sigma 2 px: 1 - exp(-9 / 16)
    assert _mismatch(_square(10, 10), _square(10, 13)) == pytest.approx(1.0 - math.exp(-9.0 / 16.0), abs=1e-5)
    assert _mismatch(_square(2, 2), _square(20, 20)) == pytest.approx(1.0, abs=1e-6)


def test_mismatch_ignores_size_and_brightness_where_the_blurred_image_does_not():
    small, large = _square(12, 12, side=2), _square(10, 10, side=6, brightness=0.3)  # one centre, 13 px
    assert _mismatch(small, large) == pytest.approx(0.0, abs=1e-6)
    assert float(blurred_mismatch(tf.constant(small), tf.constant(large), BLUR)[0]) > 0.1


def test_mismatch_of_two_points_equals_their_blurred_mismatch():
    first, second = np.zeros([1, 56, 56, 1], np.float32), np.zeros([1, 56, 56, 1], np.float32)
    first[0, 28, 24, 0], second[0, 28, 29, 0] = 1.0, 1.0
    blurred = float(blurred_mismatch(tf.constant(first), tf.constant(second), BLUR / 2)[0])
    centroids = float(centroid_mismatch(tf.constant(first), tf.constant(second), BLUR / 2)[0])
    assert centroids == pytest.approx(blurred, abs=0.01)


def test_gradient_moves_the_ink_towards_the_other_centroid():
    moving = tf.Variable(_square(10, 6) + 0.01)
    target = tf.constant(_square(10, 16))
    with tf.GradientTape() as tape:
        loss = centroid_mismatch(moving, target, BLUR)[0]
    gradient = tape.gradient(loss, moving).numpy()[0, :, :, 0]
    assert np.isfinite(gradient).all()
    assert gradient[:, 20:].mean() < 0.0 < gradient[:, :6].mean()  # descent adds ink on the target's side


def _footprint(first, second) -> float:
    return float(footprint_mismatch(tf.constant(first), tf.constant(second), BLUR)[0])


def test_spread_is_the_squared_rms_radius_and_zero_for_a_blank_image():
    weights = np.concatenate([_square(5, 5, side=6), np.zeros([1, 28, 28, 1], np.float32)])[..., 0]
    x, y, blank = ink_centroid(tf.constant(weights))
    spread = ink_spread(tf.constant(weights), x, y, blank).numpy()
    assert spread[0] == pytest.approx(2 * (6 ** 2 - 1) / 12.0, abs=1e-4)  # each axis: variance of 0..5
    assert spread[1] == 0.0


def test_footprint_ignores_orientation_but_not_size():
    # One centre, one RMS radius, one area, turned a quarter.
    horizontal, vertical = _rectangle(12, 8, 3, 9), _rectangle(9, 11, 9, 3)
    assert _footprint(horizontal, vertical) == pytest.approx(0.0, abs=1e-6)
    assert float(blurred_mismatch(tf.constant(horizontal), tf.constant(vertical), BLUR)[0]) > 0.1
    small, large = _square(12, 12, side=2), _square(10, 10, side=6)  # one centre, radius 0.71 against 2.42 px
    rms_ratio = 0.5 * math.log((35 / 6 + 0.25) / (0.5 + 0.25))
    area_ratio = 0.5 * math.log((36 + 1) / (4 + 1))
    expected = 1.0 - math.exp(-(rms_ratio ** 2 + area_ratio ** 2) / (4 * SIZE_TOLERANCE ** 2))
    assert _footprint(small, large) == pytest.approx(expected, abs=1e-5)
    assert _footprint(small, large) > 0.9
    assert _mismatch(small, large) == pytest.approx(0.0, abs=1e-6)


def test_footprint_sees_the_size_through_strays_and_faint_ink():
    small, large = _square(12, 12, side=3), _square(10, 10, side=7)  # one centre
    strayed = small.copy()
    strayed[0, 8, 9, 0] = strayed[0, 18, 17, 0] = 1.0  # RMS radius 2.92 px, the large square's 2.83: area tells
    faint_large = _square(10, 10, side=7, brightness=0.6)  # squared area 17.6 px, the small square's 9: RMS tells
    assert _footprint(strayed, large) > 0.9
    assert _footprint(faint_large, small) > 0.9


def test_footprint_of_two_drawings_of_one_size_is_their_centroid_mismatch():
    first, second = _square(10, 10), _square(10, 13)
    assert _footprint(first, second) == pytest.approx(_mismatch(first, second), abs=1e-6)


def test_footprint_gradient_is_finite_for_blank_and_one_pixel_drawings():
    dot = np.zeros([1, 28, 28, 1], np.float32)
    dot[0, 14, 14, 0] = 1.0
    for drawing in (np.zeros([1, 28, 28, 1], np.float32), dot):
        moving = tf.Variable(drawing)
        with tf.GradientTape() as tape:
            loss = footprint_mismatch(moving, tf.constant(_square(10, 10, side=6)), BLUR)[0]
        assert np.isfinite(float(loss))
        assert np.isfinite(tape.gradient(loss, moving).numpy()).all()
