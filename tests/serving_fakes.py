"""A loopback stand-in for TF Serving's REST API and the export metadata of its models, shared by the serving tests.

The stand-in answers the documented formats: metadata as TF Serving prints a SignatureDefMap (int64 sizes as strings),
`{"outputs": [...]}` for the single-output generator, `{"outputs": {...}}` for the encoder, and `{"error": ...}` with
HTTP 400/404.
"""

from __future__ import annotations

import http.server
import json
import re
from typing import Any

import numpy as np

NOISE_DIM, NUM_CATEGORIES, NUM_CONTINUOUS = 4, 10, 2
IMAGE_SHAPE = [6, 5, 1]  # H != W catches swapped axes.
CODES = {"categorical": ("DT_INT32", [-1, 1]), "continuous": ("DT_FLOAT", [-1, NUM_CONTINUOUS])}
IMAGES = {"images": ("DT_FLOAT", [-1, *IMAGE_SHAPE])}
SIGNATURES = {
    "generator": {
        "serving_default": ({"noise": ("DT_FLOAT", [-1, NOISE_DIM]), **CODES}, IMAGES),
        "sample": ({"seed": ("DT_INT64", [-1]), **CODES}, IMAGES),
    },
    "encoder": {
        "serving_default": (
            IMAGES,
            {
                "categorical": ("DT_INT32", [-1, 1]),
                "categorical_probs": ("DT_FLOAT", [-1, NUM_CATEGORIES]),
                "continuous": ("DT_FLOAT", [-1, NUM_CONTINUOUS]),
                "realness": ("DT_FLOAT", [-1]),
            },
        )
    },
}
_NUMPY_DTYPES = {"DT_FLOAT": "float32", "DT_INT32": "int32", "DT_INT64": "int64"}
_PATH = re.compile(r"^/v1/models/(?P<name>[^/:]+)(/versions/\d+|/labels/[^/:]+)?(?P<verb>/metadata|:predict)$")


def signature_def_json(name: str) -> dict[str, Any]:
    """A servable's SignatureDefMap entries as TF Serving's JSON prints them."""

    def tensors(specs: dict[str, tuple[str, list[int]]], prefix: str) -> dict[str, Any]:
        return {
            key: {
                "dtype": dtype,
                "tensor_shape": {"dim": [{"size": str(size), "name": ""} for size in shape], "unknown_rank": False},
                "name": f"{prefix}_{key}:0",
            }
            for key, (dtype, shape) in specs.items()
        }

    return {
        signature: {
            "inputs": tensors(inputs, signature),
            "outputs": tensors(outputs, "StatefulPartitionedCall"),
            "method_name": "tensorflow/serving/predict",
            "defaults": {},
        }
        for signature, (inputs, outputs) in SIGNATURES[name].items()
    }


def fake_outputs(name: str, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Deterministic stand-in models: the generator paints category k as gray (k + 0.5) / 10, the encoder inverts it."""
    if name == "generator":
        categorical = inputs["categorical"]
        if categorical.min() < 0 or categorical.max() >= NUM_CATEGORIES:
            bad = int(categorical[(categorical < 0) | (categorical >= NUM_CATEGORIES)][0])
            node = "\n\t [[{{node one_hot}}]]"  # TF's multi-line error layout
            raise ValueError(f"input 'categorical': indices[0] = {bad} is not in [0, {NUM_CATEGORIES}){node}")
        shade = (categorical[:, 0] + 0.5) / NUM_CATEGORIES
        return {"images": np.broadcast_to(shade[:, None, None, None], (len(shade), *IMAGE_SHAPE)).astype(np.float32)}
    mean = inputs["images"].reshape(len(inputs["images"]), -1).mean(axis=1)
    categorical = np.clip((mean * NUM_CATEGORIES).astype(np.int32), 0, NUM_CATEGORIES - 1)
    return {
        "categorical": categorical[:, None],
        "categorical_probs": np.eye(NUM_CATEGORIES, dtype=np.float32)[categorical],
        "continuous": np.stack([mean, -mean], axis=1).astype(np.float32),
        "realness": mean.astype(np.float32),
    }


class FakeServing(http.server.ThreadingHTTPServer):
    """Loopback TF Serving REST stand-in that records every request it gets."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[str, str, Any]] = []

    @property
    def url(self) -> str:
        """Base URL of the stand-in, as the client's --url takes it."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def predicts(self) -> list[dict[str, Any]]:
        """The JSON bodies of the :predict requests, in order."""
        return [body for method, _, body in self.requests if method == "POST"]


class _Handler(http.server.BaseHTTPRequestHandler):
    server: FakeServing

    def log_message(self, *args: Any) -> None:
        """Keeps pytest output clean."""

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _route(self, method: str) -> None:
        """Serves metadata and :predict like TF Serving, with its error format for unknown models and bad inputs."""
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.server.requests.append((method, self.path, body))
        match = _PATH.match(self.path)
        if not match or match["name"] not in SIGNATURES:
            return self._reply(404, {"error": f"Servable not found for request: Latest({self.path})"})
        name = match["name"]
        if match["verb"] == "/metadata" and method == "GET":
            spec = {"name": name, "signature_name": "", "version": "1"}
            signature_defs = {"@type": "type.googleapis.com/tensorflow.serving.SignatureDefMap"}
            signature_defs["signature_def"] = signature_def_json(name)
            return self._reply(200, {"model_spec": spec, "metadata": {"signature_def": signature_defs}})
        inputs_spec, outputs_spec = SIGNATURES[name][body.get("signature_name") or "serving_default"]
        inputs = {k: np.asarray(body["inputs"][k], _NUMPY_DTYPES[dtype]) for k, (dtype, _) in inputs_spec.items()}
        try:
            outputs = {k: v.tolist() for k, v in fake_outputs(name, inputs).items()}
        except ValueError as error:
            return self._reply(400, {"error": str(error)})
        self._reply(200, {"outputs": outputs["images"] if len(outputs_spec) == 1 else outputs})

    def do_GET(self) -> None:
        """Metadata requests."""
        self._route("GET")

    def do_POST(self) -> None:
        """Predict requests."""
        self._route("POST")


def infogan_json(servable: str) -> dict[str, Any]:
    """An infogan.json as the export writes it, for the stand-in models."""

    def specs(tensors: dict[str, tuple[str, list[int]]]) -> dict[str, Any]:
        return {k: {"dtype": _NUMPY_DTYPES[dtype], "shape": shape} for k, (dtype, shape) in tensors.items()}

    return {
        "format_version": 1,
        "servable": servable,
        "latent_spec": {
            "noise_dim": NOISE_DIM,
            "noise_prior": "uniform",
            "codes": f"cat:{NUM_CATEGORIES},cont:{NUM_CONTINUOUS}:uniform",
            "code_names": [f"cat{NUM_CATEGORIES}_0", "cont_0", "cont_1"],
            "categorical_sizes": [NUM_CATEGORIES],
            "num_continuous": NUM_CONTINUOUS,
            "num_bernoulli": 0,
        },
        "image_shape": IMAGE_SHAPE,
        "image_range": [0.0, 1.0],
        "signatures": {
            name: {"inputs": specs(inputs), "outputs": specs(outputs)}
            for name, (inputs, outputs) in SIGNATURES[servable].items()
        },
    }
