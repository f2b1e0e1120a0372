"""`shapes`: an offline, procedural stand-in for dSprites with exactly its factor grid, rendered on the fly.

Factors (dSprites order, first slowest): shape 3 (square, ellipse, heart), scale 6 (0.5..1), orientation 40
(0..2pi, endpoint excluded so all 40 differ), x_position 32 and y_position 32 (0..1). Images are binary, drawn by
testing each pixel centre against an implicit shape function, so any image follows from its factor indices alone
and the 737,280 images never need to exist at once.
"""

from __future__ import annotations

import functools

import numpy as np
import tensorflow as tf

from infogan_tf.datasets.base import DatasetInfo, SplitData, index_to_factors
from infogan_tf.datasets.splits import Split

FACTOR_NAMES = ("shape", "scale", "orientation", "x_position", "y_position")
FACTOR_SIZES = (3, 6, 40, 32, 32)
SHAPE_NAMES = ("square", "ellipse", "heart")
NUM_IMAGES = int(np.prod(FACTOR_SIZES))
DEFAULT_SIZE = 64

_SCALES = np.linspace(0.5, 1.0, FACTOR_SIZES[1], dtype=np.float32)
_ORIENTATIONS = np.linspace(0.0, 2 * np.pi, FACTOR_SIZES[2], endpoint=False, dtype=np.float32)
_POSITIONS = np.linspace(0.0, 1.0, FACTOR_SIZES[3], dtype=np.float32)
# Radius, as a fraction of the frame, of the circle enclosing a sprite of scale 1 (a 16 px square at 64 px, close
# to dSprites). Sprite centres stay a little further than that from the border, so every sprite lies fully inside
# the frame with a background gap of at least one pixel down to 32 px images.
_SPRITE_RADIUS = 0.18
_CENTRE_MARGIN = 0.2
_SQUARE_HALF_SIDE = 0.7  # corners at radius 0.99: the square fits its enclosing circle
_ELLIPSE_AXES = (1.0, 0.5)
# The heart curve (x^2 + y^2 - 1)^3 = x^2 y^3 has its centroid at y ~ 0.3 and reaches 1.3 from it.
_HEART_SCALE, _HEART_SHIFT = 1.3, 0.3
_BATCH = 256
_ORDER_SEED = 20_160_601


def _inside_square(u: tf.Tensor, v: tf.Tensor) -> tf.Tensor:
    return tf.maximum(tf.abs(u), tf.abs(v)) <= _SQUARE_HALF_SIDE


def _inside_ellipse(u: tf.Tensor, v: tf.Tensor) -> tf.Tensor:
    return tf.square(u / _ELLIPSE_AXES[0]) + tf.square(v / _ELLIPSE_AXES[1]) <= 1.0


def _inside_heart(u: tf.Tensor, v: tf.Tensor) -> tf.Tensor:
    # Image rows grow downwards, so v is negated to keep the heart upright at orientation 0.
    x, y = _HEART_SCALE * u, _HEART_SHIFT - _HEART_SCALE * v
    return tf.pow(tf.square(x) + tf.square(y) - 1.0, 3) - tf.square(x) * tf.pow(y, 3) <= 0.0


def render(factors: tf.Tensor | np.ndarray, image_size: int = DEFAULT_SIZE) -> tf.Tensor:
    """Draws int [B, 5] factor indices as binary float32 [B, image_size, image_size, 1] images, all at once.

    Pixel centres are mapped into each sprite's frame (translated, rotated, divided by its radius) where the three
    implicit shapes are tested; the sprite's own shape is then picked per image.
    """
    shape, scale, orientation, x_position, y_position = tf.unstack(tf.cast(factors, tf.int64), axis=-1)
    radius = tf.gather(_SCALES, scale) * _SPRITE_RADIUS
    angle = tf.gather(_ORIENTATIONS, orientation)
    travel = 1.0 - 2.0 * _CENTRE_MARGIN
    centre_x = _CENTRE_MARGIN + tf.gather(_POSITIONS, x_position) * travel
    centre_y = _CENTRE_MARGIN + tf.gather(_POSITIONS, y_position) * travel
    pixels = (tf.range(image_size, dtype=tf.float32) + 0.5) / image_size
    dx = pixels[None, None, :] - centre_x[:, None, None]  # [B, 1, W]
    dy = pixels[None, :, None] - centre_y[:, None, None]  # [B, H, 1]
    cos, sin = tf.cos(angle)[:, None, None], tf.sin(angle)[:, None, None]
    radius = radius[:, None, None]
    u = (cos * dx + sin * dy) / radius
    v = (cos * dy - sin * dx) / radius
    inside = tf.stack([_inside_square(u, v), _inside_ellipse(u, v), _inside_heart(u, v)], axis=1)
    return tf.cast(tf.gather(inside, shape, batch_dims=1), tf.float32)[..., None]


def render_indices(indices: tf.Tensor, image_size: int) -> tf.Tensor:
    """Flat grid indices [B] -> images, for pipelines that shuffle indices and render after batching."""
    return render(index_to_factors(indices, FACTOR_SIZES), image_size)


def info(image_size: int | None = None) -> DatasetInfo:
    size = image_size or DEFAULT_SIZE
    return DatasetInfo("shapes", (size, size, 1), None, FACTOR_NAMES, FACTOR_SIZES)


@functools.lru_cache(maxsize=1)
def example_order() -> np.ndarray:
    """The fixed seeded permutation of all grid indices that defines the "train" split's order.

    Any prefix is then a uniform sample of the grid (the first 1000 images cover every factor value), and slices
    such as train[:50%] are random halves rather than a few shapes and scales.
    """
    order = np.random.default_rng(_ORDER_SEED).permutation(NUM_IMAGES)
    order.flags.writeable = False
    return order


def _split_indices(split: Split) -> np.ndarray:
    split.check_available(("train",), "shapes")
    start, stop = split.bounds(NUM_IMAGES)
    return example_order()[start:stop]


def load_split(split: Split, image_size: int | None = None) -> SplitData:
    """The split's images and factors in the fixed order, rendered a batch at a time."""
    size = image_size or DEFAULT_SIZE
    indices = _split_indices(split)

    def render_batch(batch: tf.Tensor) -> dict:
        factors = index_to_factors(batch, FACTOR_SIZES)
        return {"image": render(factors, size), "factors": factors}

    examples = tf.data.Dataset.from_tensor_slices(indices).batch(_BATCH).map(render_batch).unbatch()
    return SplitData(examples=examples, num_examples=len(indices), image_shape=(size, size, 1))


def train_dataset(
    split: Split, batch_size: int, image_size: int | None = None, seed: int = 0, shuffle_buffer: int = 10_000
) -> tf.data.Dataset:
    """Endless shuffled batches of images, rendered after batching so the work is vectorised.

    Shuffling starts from the fixed random order rather than from 0..N-1, so even a small buffer mixes all shapes
    and scales from the first batch.
    """
    size = image_size or DEFAULT_SIZE
    indices = tf.data.Dataset.from_tensor_slices(_split_indices(split))
    batches = indices.shuffle(shuffle_buffer, seed=seed).repeat().batch(batch_size, drop_remainder=True)
    images = batches.map(lambda batch: render_indices(batch, size), num_parallel_calls=tf.data.AUTOTUNE)
    return images.prefetch(tf.data.AUTOTUNE)
