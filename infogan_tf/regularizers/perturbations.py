"""Small random changes of pose and stroke, for the categorical-invariance regulariser.

A categorical code should name what survives a slight rotation, rescaling, shift or change of stroke width (on
MNIST: the digit), not a style that the continuous codes already carry. InfoGAN alone has no such preference, and
on MNIST it often splits 4s and 9s by slant or thickness instead of by digit. Asking Q to read the categorical code
through these changes removes that option. Every operation is differentiable, so G is trained through it too.
"""

from __future__ import annotations

import dataclasses
import math

import tensorflow as tf

from infogan_tf.regularizers.centroid_mismatch import ink_centroid, ink_spread

_PARAMS_PER_IMAGE = 5


@dataclasses.dataclass(frozen=True)
class Perturbation:
    """Ranges of the random changes; each image draws its own values uniformly within them.

    Attributes:
        max_rotation_deg: rotation about the centre, in [-max, max] degrees.
        max_scale_change: zoom factor in [1 - max, 1 + max].
        max_shift_px: shift in [-max, max] pixels along each axis.
        stroke_change: a third of the images get a 2x2 maximum filter (thicker bright strokes), a third a 2x2
            minimum filter (thinner), a third neither.
        canonical_pose: before the random changes, move each image's intensity centroid to the centre and zoom it
            so that its intensity's RMS radius about the centroid is an eighth of the width. For one bright object
            on a dark background (sprites, digits) its position and size then carry no information, so a
            categorical code read through the perturbation cannot name them. Rotation and zoom then turn about
            the centroid; centroid and radius are not differentiated.
    """

    max_rotation_deg: float = 20.0
    max_scale_change: float = 0.1
    max_shift_px: float = 2.0
    stroke_change: bool = True
    canonical_pose: bool = False

    def sample(self, batch_size: int | tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        """Random draws [batch_size, 5] in [-1, 1) from a stateless seed; `apply` maps them onto the ranges."""
        return tf.random.stateless_uniform([batch_size, _PARAMS_PER_IMAGE], seed, -1.0, 1.0)

    def apply(self, images: tf.Tensor, draws: tf.Tensor) -> tf.Tensor:
        """Perturbs images [B, H, W, C] with `draws` [B, 5] from `sample`; returns images of the same dtype.

        Pixels that come from outside the frame repeat the nearest edge pixel, i.e. the background.
        """
        dtype = images.dtype
        angle = draws[:, 0] * self.max_rotation_deg * math.pi / 180.0
        scale = 1.0 + self.max_scale_change * draws[:, 1]
        shift_x = self.max_shift_px * draws[:, 2]
        shift_y = self.max_shift_px * draws[:, 3]
        images = tf.cast(images, tf.float32)
        pivot_x, pivot_y, size_zoom = _canonical_pose(images) if self.canonical_pose else (None, None, 1.0)
        perturbed = _rotate_zoom_shift(images, angle, scale * size_zoom, shift_x, shift_y, pivot_x, pivot_y)
        if self.stroke_change:
            perturbed = _change_strokes(perturbed, draws[:, 4])
        return tf.cast(perturbed, dtype)


def _canonical_pose(images: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """Per image: intensity centroid (x, y) in pixels and the zoom that brings the RMS radius to width / 8.

    A blank image keeps the frame's centre and zoom 1.
    """
    width = images.shape[2]
    intensity = tf.stop_gradient(tf.reduce_sum(images, axis=-1))
    centre_x, centre_y, blank = ink_centroid(intensity)
    radius = tf.sqrt(ink_spread(intensity, centre_x, centre_y, blank))
    zoom = tf.where(blank | (radius < 1e-3), 1.0, (width / 8.0) / tf.maximum(radius, 1e-3))
    return centre_x, centre_y, zoom


def _rotate_zoom_shift(images: tf.Tensor, angle, scale, shift_x, shift_y, pivot_x=None, pivot_y=None) -> tf.Tensor:
    """Rotates by `angle` and zooms by `scale` about the pivot (default: the image centre), puts the pivot at the
    image centre, then shifts; bilinear, per image.

    Written with gathers rather than TF's ImageProjectiveTransform op, which XLA cannot compile.
    """
    height, width = images.shape[1], images.shape[2]
    rows, cols = tf.meshgrid(tf.range(height, dtype=tf.float32), tf.range(width, dtype=tf.float32), indexing="ij")
    centre_y, centre_x = (height - 1) / 2.0, (width - 1) / 2.0
    cos = tf.reshape(tf.cos(angle) / scale, [-1, 1, 1])
    sin = tf.reshape(tf.sin(angle) / scale, [-1, 1, 1])
    from_x = cols - centre_x - tf.reshape(shift_x, [-1, 1, 1])
    from_y = rows - centre_y - tf.reshape(shift_y, [-1, 1, 1])
    pivot_x = centre_x if pivot_x is None else tf.reshape(pivot_x, [-1, 1, 1])
    pivot_y = centre_y if pivot_y is None else tf.reshape(pivot_y, [-1, 1, 1])
    source_x = tf.clip_by_value(cos * from_x - sin * from_y + pivot_x, 0.0, width - 1.0)
    source_y = tf.clip_by_value(sin * from_x + cos * from_y + pivot_y, 0.0, height - 1.0)
    left, top = tf.floor(source_x), tf.floor(source_y)
    weight_x, weight_y = (source_x - left)[..., None], (source_y - top)[..., None]
    flat = tf.reshape(images, [tf.shape(images)[0], height * width, images.shape[3]])

    def pixels(y, x):
        index = tf.cast(tf.minimum(y, height - 1.0), tf.int32) * width + tf.cast(tf.minimum(x, width - 1.0), tf.int32)
        return tf.reshape(tf.gather(flat, tf.reshape(index, [tf.shape(images)[0], -1]), batch_dims=1),
                          tf.shape(images))

    upper = (1.0 - weight_x) * pixels(top, left) + weight_x * pixels(top, left + 1.0)
    lower = (1.0 - weight_x) * pixels(top + 1.0, left) + weight_x * pixels(top + 1.0, left + 1.0)
    return (1.0 - weight_y) * upper + weight_y * lower


def _change_strokes(images: tf.Tensor, draws: tf.Tensor) -> tf.Tensor:
    thicker = tf.nn.max_pool2d(images, ksize=2, strides=1, padding="SAME")
    thinner = -tf.nn.max_pool2d(-images, ksize=2, strides=1, padding="SAME")
    choice = tf.reshape(draws, [-1, 1, 1, 1])
    return tf.where(choice < -1.0 / 3.0, thinner, tf.where(choice > 1.0 / 3.0, thicker, images))
