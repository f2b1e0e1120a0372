import numpy as np
import pytest
import tensorflow as tf

from infogan_tf.regularizers.blurred_mismatch import blurred_mismatch, gaussian_blur


def test_blur_keeps_the_mass_and_matches_a_direct_convolution():
    image = np.zeros([1, 15, 15, 1], np.float32)
    image[0, 7, 7, 0] = 1.0
    blurred = gaussian_blur(tf.constant(image), sigma=1.5).numpy()[0, :, :, 0]
    offsets = np.arange(-7, 8)
    profile = np.exp(-0.5 * (offsets / 1.5) ** 2)
    profile[np.abs(offsets) > 5] = 0.0  # the kernel spans +-ceil(3 sigma) = +-5 px
    expected = np.outer(profile, profile) / profile.sum() ** 2
    np.testing.assert_allclose(blurred, expected, atol=1e-6)
    assert blurred.sum() == pytest.approx(1.0, abs=1e-5)


def _square(row: int, col: int, brightness: float = 1.0) -> np.ndarray:
    image = np.zeros([1, 28, 28, 1], np.float32)
    image[0, row:row + 4, col:col + 4, 0] = brightness
    return image


def test_mismatch_is_zero_for_a_match_one_without_overlap_and_grows_with_distance():
    def mismatch(first, second):
        return float(blurred_mismatch(tf.constant(first), tf.constant(second), blur_fraction=1.0 / 14.0)[0])

    assert mismatch(_square(10, 10), _square(10, 10)) == pytest.approx(0.0, abs=1e-6)
    assert mismatch(_square(2, 2), _square(20, 20)) == pytest.approx(1.0, abs=1e-3)
    assert 0.0 < mismatch(_square(10, 10), _square(10, 12)) < mismatch(_square(10, 10), _square(10, 15)) < 1.0
    # normalised: what counts is how the two images differ relative to their ink, not how bright both are
    assert mismatch(_square(10, 10, 0.5), _square(10, 10, 1.0)) == pytest.approx(
        mismatch(_square(10, 10, 0.1), _square(10, 10, 0.2)), rel=1e-4)
