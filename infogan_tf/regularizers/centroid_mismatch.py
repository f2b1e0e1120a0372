"""Distances between images that compare only where their ink lies (and, for the second, how large it is).

    centroid_mismatch(a, b) = 1 - exp(-|centroid(a) - centroid(b)|^2 / (4 sigma^2))

is exactly what `blurred_mismatch` gives two point objects at those centroids, blurred by the same sigma: 0 for
one place, 1 for places far apart. It is blind to the objects' size and shape, so a term built on it ties the
place of what G draws and nothing else.

    footprint_mismatch(a, b) = 1 - exp(-|centroid(a) - centroid(b)|^2 / (4 sigma^2)
                                       - ln(rms_radius(a) / rms_radius(b))^2 / (4 SIZE_TOLERANCE^2)
                                       - ln(area_radius(a) / area_radius(b))^2 / (4 SIZE_TOLERANCE^2))

also compares two measures of the object's size: the ink's RMS radius about its centroid and the radius of a disc
of the ink's area (its mass). Each alone can be gamed: a few stray pixels far out inflate the RMS radius of a small
drawing, a faint large drawing has the area of a small one. Both follow the size, hardly the shape: on the built-in
sprites one scale step changes each by 9-20 %; the three shapes at one scale differ by at most 9 % in RMS radius
and 17 % in area radius, so a change of size mostly costs more than a change of shape. A term built on it ties
place and size and leaves the shape (and orientation) as good as free.

Pixels count by their squared intensity in both.
"""

from __future__ import annotations

from typing import NamedTuple

import tensorflow as tf

# In ln(radius). On the 64 px sprites, at one place, one scale step costs 0.17-0.57 (the more at small sizes), two
# shapes at one scale 0.01-0.31 (ellipse against heart the most), a turn nothing.
SIZE_TOLERANCE = 0.15
_RADIUS_FLOOR = 0.5  # px, added in quadrature: keeps the log finite for a blank or one-pixel drawing
_MASS_FLOOR = 1.0  # px of full ink, for the same reason


def ink_centroid(weights: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """Per image of pixel weights [B, H, W]: their centroid's column and row in pixels, and whether it is blank.

    A blank image (all weights 0) has the frame's centre. Differentiable in the weights elsewhere.
    """
    height, width = weights.shape[1], weights.shape[2]
    rows, cols = tf.meshgrid(tf.range(height, dtype=tf.float32), tf.range(width, dtype=tf.float32), indexing="ij")
    mass = tf.reduce_sum(weights, axis=[1, 2])
    blank = mass <= 1e-6
    safe_mass = tf.where(blank, 1.0, mass)
    centre_x = tf.where(blank, (width - 1) / 2.0, tf.reduce_sum(weights * cols, axis=[1, 2]) / safe_mass)
    centre_y = tf.where(blank, (height - 1) / 2.0, tf.reduce_sum(weights * rows, axis=[1, 2]) / safe_mass)
    return centre_x, centre_y, blank


def ink_spread(weights: tf.Tensor, centre_x: tf.Tensor, centre_y: tf.Tensor, blank: tf.Tensor) -> tf.Tensor:
    """Per image of pixel weights [B, H, W]: the weighted mean squared distance from the given centre in px^2 (the
    squared RMS radius); 0 for a blank image."""
    height, width = weights.shape[1], weights.shape[2]
    rows, cols = tf.meshgrid(tf.range(height, dtype=tf.float32), tf.range(width, dtype=tf.float32), indexing="ij")
    safe_mass = tf.where(blank, 1.0, tf.reduce_sum(weights, axis=[1, 2]))
    squared = tf.square(cols - centre_x[:, None, None]) + tf.square(rows - centre_y[:, None, None])
    return tf.reduce_sum(weights * squared, axis=[1, 2]) / safe_mass


def centroid_mismatch(first: tf.Tensor, second: tf.Tensor, blur_fraction: float) -> tf.Tensor:
    """float32 [B] mismatch of the centroids of images [B, H, W, C]; sigma is `blur_fraction` of the image width."""
    first_ink, second_ink = _Ink.of(first), _Ink.of(second)
    return 1.0 - tf.exp(-_place_exponent(first_ink, second_ink, blur_fraction))


def footprint_mismatch(first: tf.Tensor, second: tf.Tensor, blur_fraction: float) -> tf.Tensor:
    """float32 [B] mismatch of the centroids, RMS radii and areas of images [B, H, W, C]; sigma as in
    `centroid_mismatch`."""
    first_ink, second_ink = _Ink.of(first), _Ink.of(second)
    return 1.0 - tf.exp(-_place_exponent(first_ink, second_ink, blur_fraction) - _size_exponent(first_ink, second_ink))


class _Ink(NamedTuple):
    """One batch of drawings as the mismatches see them: squared-intensity weights [B, H, W] and their centroid."""

    weights: tf.Tensor
    x: tf.Tensor
    y: tf.Tensor
    blank: tf.Tensor

    @classmethod
    def of(cls, images: tf.Tensor) -> _Ink:
        weights = _squared_intensity(images)
        return cls(weights, *ink_centroid(weights))


def _place_exponent(first: _Ink, second: _Ink, blur_fraction: float) -> tf.Tensor:
    """|centroid distance|^2 / (4 sigma^2), sigma being `blur_fraction` of the image width (at least 0.5 px)."""
    sigma = max(blur_fraction * int(first.weights.shape[2]), 0.5)
    squared_distance = tf.square(first.x - second.x) + tf.square(first.y - second.y)
    return squared_distance / (4.0 * sigma * sigma)


def _size_exponent(first: _Ink, second: _Ink) -> tf.Tensor:
    """(ln of the RMS radii's ratio)^2 + (ln of the area radii's ratio)^2, over 4 SIZE_TOLERANCE^2. The ratios are
    taken on squared radii (spread, area) so a blank or one-pixel drawing has a bounded gradient."""
    first_spread = ink_spread(first.weights, first.x, first.y, first.blank)
    second_spread = ink_spread(second.weights, second.x, second.y, second.blank)
    rms_ratio = 0.5 * tf.math.log((first_spread + _RADIUS_FLOOR ** 2) / (second_spread + _RADIUS_FLOOR ** 2))
    area_ratio = 0.5 * tf.math.log((tf.reduce_sum(first.weights, axis=[1, 2]) + _MASS_FLOOR)
                                   / (tf.reduce_sum(second.weights, axis=[1, 2]) + _MASS_FLOOR))
    return (tf.square(rms_ratio) + tf.square(area_ratio)) / (4.0 * SIZE_TOLERANCE * SIZE_TOLERANCE)


def _squared_intensity(images: tf.Tensor) -> tf.Tensor:
    """Each pixel weighted by its squared intensity, so a faint haze over the frame hardly moves the centroid: with
    plain intensity G can keep a drawing's centroid in place while drawing the object elsewhere."""
    return tf.square(tf.reduce_sum(tf.cast(images, tf.float32), axis=-1))
