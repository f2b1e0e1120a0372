"""A distance between images that compares only where their ink lies: their centroids.

    mismatch(a, b) = 1 - exp(-|centroid(a) - centroid(b)|^2 / (4 sigma^2))

is exactly what `blurred_mismatch` gives two point objects at those centroids, blurred by the same sigma: 0 for
one place, 1 for places far apart. Pixels count by their squared intensity. It is blind to the objects' size and
shape, so a term built on it ties the place of what G draws and nothing else.
"""

from __future__ import annotations

import tensorflow as tf


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


def centroid_mismatch(first: tf.Tensor, second: tf.Tensor, blur_fraction: float) -> tf.Tensor:
    """float32 [B] mismatch of the centroids of images [B, H, W, C]; sigma is `blur_fraction` of the image width."""
    width = int(first.shape[2])
    sigma = max(blur_fraction * width, 0.5)
    first_x, first_y, _ = ink_centroid(_squared_intensity(first))
    second_x, second_y, _ = ink_centroid(_squared_intensity(second))
    squared_distance = tf.square(first_x - second_x) + tf.square(first_y - second_y)
    return 1.0 - tf.exp(-squared_distance / (4.0 * sigma * sigma))


def _squared_intensity(images: tf.Tensor) -> tf.Tensor:
    """Each pixel weighted by its squared intensity, so a faint haze over the frame hardly moves the centroid: with
    plain intensity G can keep a drawing's centroid in place while drawing the object elsewhere."""
    return tf.square(tf.reduce_sum(tf.cast(images, tf.float32), axis=-1))
