"""A distance between images that still points the way when they do not overlap: blur both, then compare.

    mismatch(a, b) = |blur(a) - blur(b)|^2 / (|blur(a)|^2 + |blur(b)|^2)

lies in [0, 2], is 0 for a match and 1 for blurred images that do not overlap; the normalisation makes it blind to
how much ink the images carry overall. The blur widens the basin, so an object a few pixels off still says which
way to move.
"""

from __future__ import annotations

import math

import tensorflow as tf

_EPSILON = 1e-6


def blurred_mismatch(first: tf.Tensor, second: tf.Tensor, blur_fraction: float) -> tf.Tensor:
    """float32 [B] mismatch of images [B, H, W, C]; the blur's sigma is `blur_fraction` of the image width."""
    sigma = max(blur_fraction * int(first.shape[2]), 0.5)
    first = gaussian_blur(tf.cast(first, tf.float32), sigma)
    second = gaussian_blur(tf.cast(second, tf.float32), sigma)
    error = tf.reduce_sum(tf.square(first - second), axis=[1, 2, 3])
    energy = tf.reduce_sum(tf.square(first) + tf.square(second), axis=[1, 2, 3])
    return error / (energy + _EPSILON)


def gaussian_blur(images: tf.Tensor, sigma: float) -> tf.Tensor:
    """Separable Gaussian blur of float32 images [B, H, W, C] with zero padding; the kernel spans +-3 sigma."""
    radius = max(1, int(math.ceil(3.0 * sigma)))
    offsets = tf.range(-radius, radius + 1, dtype=tf.float32)
    kernel = tf.exp(-0.5 * tf.square(offsets / sigma))
    kernel /= tf.reduce_sum(kernel)
    channels = int(images.shape[-1])
    rows = tf.tile(tf.reshape(kernel, [-1, 1, 1, 1]), [1, 1, channels, 1])
    cols = tf.tile(tf.reshape(kernel, [1, -1, 1, 1]), [1, 1, channels, 1])
    blurred = tf.nn.depthwise_conv2d(images, rows, [1, 1, 1, 1], "SAME")
    return tf.nn.depthwise_conv2d(blurred, cols, [1, 1, 1, 1], "SAME")
