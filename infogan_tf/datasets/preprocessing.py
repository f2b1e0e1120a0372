"""Image preprocessing shared by the sources, written in TF ops so it runs the same eagerly and inside tf.data.map."""

from __future__ import annotations

import tensorflow as tf


def to_unit_float(image: tf.Tensor) -> tf.Tensor:
    """uint8 [H, W, C] in [0, 255] -> float32 in [0, 1], the range the generator's sigmoid output lives in."""
    return tf.cast(image, tf.float32) / 255.0


def center_crop(image: tf.Tensor, height: int, width: int) -> tf.Tensor:
    """Crops the central height x width window (CelebA's face region, or a square out of a photo)."""
    offset_y = (tf.shape(image)[0] - height) // 2
    offset_x = (tf.shape(image)[1] - width) // 2
    return image[offset_y : offset_y + height, offset_x : offset_x + width]


def center_crop_square(image: tf.Tensor) -> tf.Tensor:
    """Crops the largest central square, so resizing keeps the aspect ratio of arbitrary photos."""
    side = tf.minimum(tf.shape(image)[0], tf.shape(image)[1])
    return center_crop(image, side, side)


def resize(image: tf.Tensor, size: int) -> tf.Tensor:
    """Resizes a float [H, W, C] image in [0, 1] to size x size.

    Antialiased bilinear filtering avoids aliasing when shrinking large photos; its weights are non-negative, so
    the clip only removes float rounding.
    """
    resized = tf.image.resize(image, [size, size], method="bilinear", antialias=True)
    return tf.clip_by_value(resized, 0.0, 1.0)


def maybe_resize(image: tf.Tensor, natural_size: tuple[int, int], size: int | None) -> tf.Tensor:
    """Resizes only when a size other than the dataset's natural (H, W) was asked for, keeping native pixels exact."""
    if size is None or (size, size) == tuple(natural_size):
        return image
    return resize(image, size)
