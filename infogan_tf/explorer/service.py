"""What the explorer's page may ask, checked and answered: a model's controls, images from codes, codes from an image.

Every limit is here (codes within the traversal range, batch, seed, upload size and pixels), and every refusal is a
`BadRequest` whose one-line message the page shows as it is.
"""

from __future__ import annotations

import base64
import io
import math
import threading
from collections.abc import Mapping
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from infogan_serving import client as serving_client
from infogan_tf.explorer.sources import ModelSource

MAX_GRID = 64
MAX_SEED = 2**31 - 1
MAX_UPLOAD_BYTES = 4 << 20
MAX_UPLOAD_SIDE = 4096
GRID_COLUMNS = 8


class BadRequest(ValueError):
    """A request the page (or a caller) can fix; the message names the field and the allowed values."""


def _png_data_url(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _integer(request: Mapping[str, Any], name: str, low: int, high: int, default: int) -> int:
    value = request.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f"{name}: expected a whole number from {low} to {high}, got {value!r}")
    return value


def _numbers(request: Mapping[str, Any], name: str, count: int) -> list[float]:
    values = request.get(name, [])
    if not isinstance(values, list) or len(values) != count:
        raise BadRequest(f"{name}: expected a list of {count} value(s), one per {name} code, got {values!r}")
    for index, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise BadRequest(f"{name} code {index + 1}: expected a number, got {value!r}")
    return [float(value) for value in values]


class ExplorerService:
    """Answers the page's requests from one model source; model calls are serialised (one CPU-bound call at a time)."""

    def __init__(self, source: ModelSource):
        self.source = source
        self._sample = source.generator_info.signature("sample")
        self._lock = threading.Lock()

    def model(self) -> dict:
        """The controls to draw: a selector per categorical code, a slider per continuous, a toggle per Bernoulli."""
        info = self.source.generator_info
        return {
            "description": self.source.description,
            "image_shape": list(self.source.encoder_info.image_shape or ()),
            "categorical_sizes": list(info.categorical_sizes or ()),
            "num_continuous": self._sample.width("continuous"),
            "num_bernoulli": self._sample.width("bernoulli"),
            "continuous_range": self.source.continuous_range,
            "max_grid": MAX_GRID,
            "max_seed": MAX_SEED,
            "max_upload_bytes": MAX_UPLOAD_BYTES,
        }

    def generate(self, request: Mapping[str, Any]) -> dict:
        """{"image": PNG data URL of seed `seed`, "grid": the images of seeds seed ... seed+grid-1}."""
        if not isinstance(request, Mapping):
            raise BadRequest("expected a JSON object with categorical, continuous, bernoulli, seed and grid")
        sizes = list(self.source.generator_info.categorical_sizes or ())
        categorical = _numbers(request, "categorical", len(sizes))
        for index, (value, size) in enumerate(zip(categorical, sizes)):
            if not value.is_integer() or not 0 <= value < size:
                raise BadRequest(f"categorical code {index + 1}: expected a category from 0 to {size - 1}, "
                                 f"got {value:g}")
        continuous = _numbers(request, "continuous", self._sample.width("continuous"))
        span = self.source.continuous_range
        for index, value in enumerate(continuous):
            if abs(value) > span:
                raise BadRequest(f"continuous code {index + 1}: {value:g} is outside [-{span:g}, {span:g}]")
        bernoulli = _numbers(request, "bernoulli", self._sample.width("bernoulli"))
        for index, value in enumerate(bernoulli):
            if value not in (0.0, 1.0):
                raise BadRequest(f"bernoulli code {index + 1}: expected 0 or 1, got {value:g}")
        seed = _integer(request, "seed", 0, MAX_SEED, 0)
        grid = _integer(request, "grid", 1, MAX_GRID, 1)
        with self._lock:
            images = serving_client.generate(
                self.source.client, self.source.generator, self.source.generator_info, "sample", num=grid,
                seed=seed, categorical=[int(value) for value in categorical] or None,
                continuous=continuous or None, bernoulli=bernoulli or None,
            )
        return {
            "image": _png_data_url(serving_client.image_grid(images[:1], 1)),
            "grid": _png_data_url(serving_client.image_grid(images, GRID_COLUMNS)),
            "seeds": [seed, seed + grid - 1],
        }

    def encode(self, data: bytes) -> dict:
        """The codes the encoder reads from one uploaded image (any size up to the limit, resized like the client)."""
        if not data:
            raise BadRequest("no image received: choose a PNG or JPEG file")
        if len(data) > MAX_UPLOAD_BYTES:
            raise BadRequest(f"the image is {len(data)} bytes; the explorer takes up to {MAX_UPLOAD_BYTES} bytes")
        try:
            with Image.open(io.BytesIO(data)) as probe:
                width, height = probe.size
                probe.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise BadRequest("not an image this explorer can read: send a PNG, JPEG, GIF or BMP file") from None
        if not (1 <= width <= MAX_UPLOAD_SIDE and 1 <= height <= MAX_UPLOAD_SIDE):
            raise BadRequest(f"the image is {width}x{height} pixels; the explorer takes up to "
                             f"{MAX_UPLOAD_SIDE}x{MAX_UPLOAD_SIDE}")
        info = self.source.encoder_info
        images = serving_client.load_images([io.BytesIO(data)], info.image_shape)
        with self._lock:
            outputs = serving_client.predict(self.source.client, self.source.encoder, info, "serving_default",
                                             {"images": images})
        record = {name: np.asarray(value[0]).tolist() for name, value in sorted(outputs.items())}
        record["input"] = _png_data_url(serving_client.image_grid(images, 1))
        return record
