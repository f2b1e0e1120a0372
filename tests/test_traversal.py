"""Traversal grids and their animated GIFs: the GIF's frames are the grid's columns."""

import io

import numpy as np
import pytest
from PIL import Image, ImageSequence

from infogan_tf import latents, traversal

ROWS, HEIGHT = 2, 28


def images_of(code):
    """Distinct images per column (each filled with its column's grey level), row-major like a traversal."""
    columns = len(code.sweep_values())
    levels = np.repeat(np.linspace(0.0, 1.0, columns)[None, :], ROWS, axis=0).reshape(-1)
    return np.broadcast_to(levels[:, None, None, None], (ROWS * columns, HEIGHT, HEIGHT, 1)).astype(np.float32), columns


@pytest.mark.parametrize("token, frames_of", [("cat:4", lambda c: c), ("bern:1", lambda c: c),
                                              ("cont:1", lambda c: 2 * c - 2)])
def test_the_gif_shows_each_column_in_turn(token, frames_of):
    code = latents.parse_latent_spec(token, 2).codes[0]
    images, columns = images_of(code)
    gif = Image.open(io.BytesIO(traversal.gif_bytes(images, ROWS, code)))
    frames = [np.asarray(frame.convert("L")) for frame in ImageSequence.Iterator(gif)]
    assert len(frames) == frames_of(columns) and gif.info["loop"] == 0
    scale = 2  # 28 px images are doubled so the animation is big enough to see
    assert frames[0].shape == ((HEIGHT + 2) * scale, (ROWS * (HEIGHT + 1) + 1) * scale)
    grid = traversal.tile(images, ROWS)
    for index, frame in enumerate(frames[:columns]):
        expected = grid[1 + HEIGHT // 2, 1 + index * (HEIGHT + 1) + HEIGHT // 2, 0]
        assert abs(int(frame[(1 + HEIGHT // 2) * scale, (1 + HEIGHT // 2) * scale]) - int(expected)) <= 2
    if code.kind == latents.CONTINUOUS:
        np.testing.assert_array_equal(frames[columns], frames[columns - 2])  # it sweeps back
