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


@pytest.mark.parametrize("span, expected", [(None, (-2.0, 2.0)), (1.0, (-1.0, 1.0)), (0.5, (-0.5, 0.5))])
def test_traversal_range_sets_a_continuous_codes_columns(span, expected):
    spec = latents.parse_latent_spec("cat:3,cont:2", 2)
    grid = traversal.traversal_latents(spec, 2, rows=3, seed=0, span=span)
    columns = grid[latents.CONTINUOUS][:, 1].reshape(3, -1)
    np.testing.assert_allclose(columns[0], np.linspace(*expected, 9), rtol=1e-6)
    np.testing.assert_array_equal(columns[0], columns[2])
    assert len(np.unique(grid[latents.CONTINUOUS][:, 0])) == 3, "the other code keeps each row's own draw"


@pytest.mark.parametrize("token", ["cat:4", "bern:1"])
def test_traversal_range_leaves_sweeps_without_a_range_alone(token):
    code = latents.parse_latent_spec(token, 2).codes[0]
    np.testing.assert_array_equal(code.sweep_values(0.5), code.sweep_values())
