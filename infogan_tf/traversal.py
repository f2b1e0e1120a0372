"""Latent traversals: vary one code across the columns, keep everything else fixed per row, tile into one image.

Categorical codes sweep every category, continuous codes sweep -2..2 (beyond the uniform prior's support, which is
where the paper shows rotation and width appear), Bernoulli codes show 0 and 1.
"""

from __future__ import annotations

import io

import keras
import numpy as np
import tensorflow as tf
from PIL import Image

from infogan_tf import latents, networks

CONTINUOUS_RANGE = (-2.0, 2.0)
CONTINUOUS_STEPS = 9


def sweep_values(code: latents.Code) -> np.ndarray:
    """The values one code takes across the columns of its traversal."""
    if code.kind == latents.CATEGORICAL:
        return np.arange(code.num_categories)
    if code.kind == latents.BERNOULLI:
        return np.array([0.0, 1.0], np.float32)
    return np.linspace(*CONTINUOUS_RANGE, CONTINUOUS_STEPS).astype(np.float32)


def traversal_latents(spec: latents.LatentSpec, code_index: int, rows: int, seed: int) -> dict[str, np.ndarray]:
    """Latents for a rows x len(sweep) grid, row-major: row r keeps noise and the other codes of sample r."""
    code = spec.codes[code_index]
    values = sweep_values(code)
    base = latents.sample_latents(spec, rows, tf.constant([seed, 0]))
    grid = {name: np.repeat(value.numpy(), len(values), axis=0) for name, value in base.items()}
    column = sum(1 for other in spec.codes[:code_index] if other.kind == code.kind)
    grid[code.kind][:, column] = np.tile(values, rows)
    return grid


def tile(images: np.ndarray, rows: int, padding: int = 1) -> np.ndarray:
    """[rows*cols, H, W, C] in [0, 1] -> one uint8 [rows*(H+p)+p, cols*(W+p)+p, C] image with a white grid."""
    count, height, width, channels = images.shape
    cols = count // rows
    canvas = np.ones((rows * (height + padding) + padding, cols * (width + padding) + padding, channels), np.float32)
    for index, image in enumerate(images):
        r, c = divmod(index, cols)
        top, left = padding + r * (height + padding), padding + c * (width + padding)
        canvas[top : top + height, left : left + width] = image
    return (np.clip(canvas, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def traversal_grid(generator: keras.Model, spec: latents.LatentSpec, code_index: int, rows: int, seed: int = 0):
    """The uint8 traversal image of one code."""
    grid = traversal_latents(spec, code_index, rows, seed)
    images = generator(networks.generator_inputs(spec, grid), training=False)
    return tile(np.asarray(images, np.float32), rows)


def png_bytes(image: np.ndarray) -> bytes:
    pil = Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image)
    buffer = io.BytesIO()
    pil.save(buffer, format="PNG")
    return buffer.getvalue()
