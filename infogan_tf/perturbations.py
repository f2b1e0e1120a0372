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
    """

    max_rotation_deg: float = 20.0
    max_scale_change: float = 0.1
    max_shift_px: float = 2.0
    stroke_change: bool = True

    def sample(self, batch_size: int | tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        """Random draws [batch_size, 5] in [-1, 1) from a stateless seed; `apply` maps them onto the ranges."""
        return tf.random.stateless_uniform([batch_size, _PARAMS_PER_IMAGE], seed, -1.0, 1.0)

    def apply(self, images: tf.Tensor, draws: tf.Tensor) -> tf.Tensor:
        """Perturbs images [B, H, W, C] with `draws` [B, 5] from `sample`; returns images of the same dtype.

        Pixels that come from outside the frame repeat the nearest edge pixel, i.e. the background.
        """
        angle = draws[:, 0] * self.max_rotation_deg * math.pi / 180.0
        scale = 1.0 + self.max_scale_change * draws[:, 1]
        shift_x = self.max_shift_px * draws[:, 2]
        shift_y = self.max_shift_px * draws[:, 3]
        height, width = images.shape[1], images.shape[2]
        perturbed = tf.raw_ops.ImageProjectiveTransformV3(
            images=tf.cast(images, tf.float32),
            transforms=_inverse_similarity(angle, scale, shift_x, shift_y, height, width),
            output_shape=tf.constant([height, width]),
            interpolation="BILINEAR",
            fill_mode="NEAREST",
            fill_value=0.0,
        )
        if self.stroke_change:
            perturbed = _change_strokes(perturbed, draws[:, 4])
        return tf.cast(perturbed, images.dtype)


def _inverse_similarity(angle, scale, shift_x, shift_y, height: int, width: int) -> tf.Tensor:
    """Per-image transforms [B, 8] mapping output pixels to input pixels (the convention of the TF op) for a
    rotation by `angle` and a zoom by `scale` about the image centre, followed by a shift."""
    cos = tf.cos(angle) / scale
    sin = tf.sin(angle) / scale
    centre_x, centre_y = (width - 1) / 2.0, (height - 1) / 2.0
    offset_x = centre_x - cos * (centre_x + shift_x) + sin * (centre_y + shift_y)
    offset_y = centre_y - sin * (centre_x + shift_x) - cos * (centre_y + shift_y)
    zeros = tf.zeros_like(cos)
    return tf.stack([cos, -sin, offset_x, sin, cos, offset_y, zeros, zeros], axis=1)


def _change_strokes(images: tf.Tensor, draws: tf.Tensor) -> tf.Tensor:
    thicker = tf.nn.max_pool2d(images, ksize=2, strides=1, padding="SAME")
    thinner = -tf.nn.max_pool2d(-images, ksize=2, strides=1, padding="SAME")
    choice = tf.reshape(draws, [-1, 1, 1, 1])
    return tf.where(choice < -1.0 / 3.0, thinner, tf.where(choice > 1.0 / 3.0, thicker, images))
