"""A hand-written encoder for single-sprite images: the sprite's centroid x, y and its ink mass, read off the pixels.

It learns nothing, yet on dSprites-like data it captures position and (through the ink) scale, so a learned
encoder worth shipping must beat it. It goes through the same metric code as the learned encoders.
"""

from __future__ import annotations

import numpy as np

COLUMNS = ("centroid_x", "centroid_y", "ink")


def centroid_codes(images: np.ndarray) -> np.ndarray:
    """float [N, H, W, C] images -> float64 [N, 3]: intensity-weighted centroid (x, y) in [0, 1] and mean intensity.

    A blank image has no centroid; it is put at the centre.
    """
    intensity = np.asarray(images, np.float64).sum(axis=-1)
    _, height, width = intensity.shape
    mass = intensity.sum(axis=(1, 2))
    safe = np.where(mass > 0, mass, 1.0)
    x = np.where(mass > 0, (intensity.sum(axis=1) @ ((np.arange(width) + 0.5) / width)) / safe, 0.5)
    y = np.where(mass > 0, (intensity.sum(axis=2) @ ((np.arange(height) + 0.5) / height)) / safe, 0.5)
    return np.stack([x, y, mass / (height * width)], axis=1)
