"""Latent traversals: vary one code across the columns, keep everything else fixed per row, tile into one image.

Categorical codes sweep every category, continuous codes sweep -2..2 (beyond the uniform prior's support, which is
where the paper shows rotation and width appear) or -span..span when asked (`--traversal_range`), Bernoulli codes
show 0 and 1. The same images also make an animated GIF: one frame per swept value, the rows side by side, so the
code moves while the rest stays fixed.
"""

from __future__ import annotations

import io

import keras
import numpy as np
import tensorflow as tf
from PIL import Image

from infogan_tf import latents, networks


def traversal_latents(spec: latents.LatentSpec, code_index: int, rows: int, seed: int,
                      span: float | None = None) -> dict[str, np.ndarray]:
    """Latents for a rows x len(sweep) grid, row-major: row r keeps noise and the other codes of sample r."""
    code = spec.codes[code_index]
    values = code.sweep_values(span)
    base = latents.sample_latents(spec, rows, tf.constant([seed, 0]))
    grid = {name: np.repeat(value.numpy(), len(values), axis=0) for name, value in base.items()}
    column = list(spec.named_codes(code.kind)).index(spec.code_names()[code_index])
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


def traversal_images(generator: keras.Model, spec: latents.LatentSpec, code_index: int, rows: int,
                     seed: int = 0, span: float | None = None) -> np.ndarray:
    """float32 [rows * len(sweep), H, W, C] images of one code's traversal, row-major."""
    grid = traversal_latents(spec, code_index, rows, seed, span)
    return np.asarray(generator(networks.generator_inputs(spec, grid), training=False), np.float32)


_MIN_GIF_IMAGE_PIXELS = 56


def gif_bytes(images: np.ndarray, rows: int, code: latents.Code) -> bytes:
    """The traversal as an animated GIF: frame j shows every row's image at the j-th swept value, side by side."""
    count, height = images.shape[:2]
    columns = count // rows
    order = list(range(columns))
    if code.kind_type.gif_round_trip:
        order += order[-2:0:-1]  # there and back, so the loop does not jump
    scale = max(1, -(-_MIN_GIF_IMAGE_PIXELS // height))
    frames = []
    for column in order:
        strip = tile(images[column::columns], 1)
        frame = Image.fromarray(strip[..., 0] if strip.shape[-1] == 1 else strip)
        frames.append(frame.resize((frame.width * scale, frame.height * scale), Image.NEAREST))
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=code.kind_type.gif_frame_ms,
                   loop=0)
    return buffer.getvalue()


def png_bytes(image: np.ndarray) -> bytes:
    pil = Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image)
    buffer = io.BytesIO()
    pil.save(buffer, format="PNG")
    return buffer.getvalue()
