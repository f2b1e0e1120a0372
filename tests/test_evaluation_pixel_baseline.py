import numpy as np
import pytest

from infogan_tf.datasets import shapes
from infogan_tf.evaluation.mig import compute_mig
from infogan_tf.evaluation.pixel_baseline import centroid_codes


def test_centroid_and_ink_of_a_known_square():
    images = np.zeros((2, 10, 20, 1), np.float32)
    images[0, 2:4, 4:8] = 1.0  # rows 2-3, columns 4-7: centre (6, 3) in pixel units
    codes = centroid_codes(images)
    np.testing.assert_allclose(codes[0], [6.0 / 20, 3.0 / 10, 8 / 200])
    np.testing.assert_allclose(codes[1], [0.5, 0.5, 0.0])  # blank image: centre, no ink


def test_channels_are_summed():
    image = np.zeros((1, 4, 4, 3), np.float32)
    image[0, 1, 1, 0] = image[0, 1, 1, 2] = 0.5
    assert centroid_codes(image)[0] == pytest.approx([1.5 / 4, 1.5 / 4, 1.0 / 16])


def test_baseline_reads_position_off_rendered_sprites():
    factors = np.random.default_rng(0).integers(0, shapes.FACTOR_SIZES, size=(2000, 5))
    codes = centroid_codes(shapes.render(factors, 32).numpy())
    mig = compute_mig(codes, factors)["mig_per_factor"]
    assert mig[3] > 0.5 and mig[4] > 0.5  # x and y
    assert mig[1] > 0.1  # the ink grows with the scale (and differs between shapes of one scale)
    assert mig[2] < 0.05  # orientation is in none of the three
