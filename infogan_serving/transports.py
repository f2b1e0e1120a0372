"""TF Serving transports for the InfoGAN client: REST through urllib, gRPC through tensorflow-serving-api.

Both return the same `ModelInfo` and output arrays, so `infogan_serving.client` does not care which one it talks
to. Only the gRPC one imports TensorFlow, and only when it is created.
"""

from __future__ import annotations

import importlib.metadata
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

import numpy as np
from infogan_serving.client import (
    ClientError,
    ModelInfo,
    ModelTarget,
    ServingClient,
    Signature,
    info_from_server_metadata,
    one_line,
)


def predict_request_body(signature_name: str, inputs: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """The columnar ("inputs") JSON body of `:predict`: inputs need not share one row layout that way."""
    return {"signature_name": signature_name, "inputs": {name: array.tolist() for name, array in inputs.items()}}


def parse_predict_response(body: Mapping[str, Any], signature: Signature) -> dict[str, np.ndarray]:
    """Reads `{"outputs": {...}}`, or `{"outputs": [...]}` which TF Serving sends for a single-output signature."""
    if "outputs" not in body:
        raise ClientError(f"unexpected response without 'outputs': {one_line(json.dumps(body))[:200]}")
    outputs = body["outputs"]
    if not isinstance(outputs, dict):
        if len(signature.outputs) != 1:
            raise ClientError(f"got one unnamed output, but the signature has {sorted(signature.outputs)}")
        outputs = {next(iter(signature.outputs)): outputs}
    parsed = {}
    for name, value in outputs.items():
        try:
            parsed[name] = np.asarray(value, dtype=signature.outputs[name].dtype if name in signature.outputs else None)
        except (TypeError, ValueError):
            raise ClientError(f"output {name!r} of the reply is not a rectangular array of numbers") from None
    return parsed


class RestClient:
    """TF Serving's REST API (port 8501 by default) through urllib, so no extra dependency is needed."""

    def __init__(self, url: str, timeout: float = 30.0):
        self.url = url.rstrip("/")
        self.timeout = timeout

    def model_url(self, target: ModelTarget) -> str:
        """`/v1/models/<name>[/versions/<n> | /labels/<label>]`, the prefix of every per-model endpoint."""
        url = f"{self.url}/v1/models/{urllib.parse.quote(target.name)}"
        if target.version is not None:
            return f"{url}/versions/{target.version}"
        if target.label:
            return f"{url}/labels/{urllib.parse.quote(target.label)}"
        return url

    def _call(self, url: str, payload: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """GETs (or POSTs JSON) and decodes the answer; HTTP errors become the server's `error` message."""
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            text = error.read().decode(errors="replace")
            try:
                text = json.loads(text)["error"]
            except (ValueError, KeyError, TypeError):
                pass
            raise ClientError(f"server answered HTTP {error.code} for {url}: {one_line(text)}") from None
        except (urllib.error.URLError, OSError) as error:
            raise ClientError(f"cannot reach {url}: {one_line(getattr(error, 'reason', error))}") from None
        except ValueError as error:
            raise ClientError(f"{url} did not answer JSON: {one_line(error)}") from None

    def metadata(self, target: ModelTarget) -> ModelInfo:
        """`GET .../metadata`: the signatures, from which the input layout follows."""
        return info_from_server_metadata(self._call(f"{self.model_url(target)}/metadata"))

    def predict(
        self, target: ModelTarget, signature_name: str, signature: Signature, inputs: Mapping[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        """`POST ...:predict` with columnar inputs; outputs come back as arrays of the signature's dtypes."""
        body = self._call(f"{self.model_url(target)}:predict", predict_request_body(signature_name, inputs))
        return parse_predict_response(body, signature)


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def serving_api_install_command() -> str:
    """The pip command that installs the tensorflow-serving-api of the installed TensorFlow's minor version.

    tensorflow-serving-api X.Y requires tensorflow>=X.Y, so an unpinned install upgrades TensorFlow underneath the user.
    """
    try:
        series = f"=={_minor(importlib.metadata.version('tensorflow'))}.*"
    except importlib.metadata.PackageNotFoundError:
        series = ""
    return f"pip install 'tensorflow-serving-api{series}'"


def check_serving_api_matches_tensorflow() -> None:
    """Refuses a tensorflow-serving-api of another minor version than TensorFlow's: their protos can disagree."""
    serving, tensorflow = (importlib.metadata.version(name) for name in ("tensorflow-serving-api", "tensorflow"))
    if _minor(serving) != _minor(tensorflow):
        raise ClientError(f"tensorflow-serving-api {serving} does not match TensorFlow {tensorflow}: "
                          f"{serving_api_install_command()}")


class GrpcClient:
    """TF Serving's gRPC PredictionService (port 8500 by default), through the tensorflow-serving-api package."""

    def __init__(self, address: str, timeout: float = 30.0):
        try:
            import grpc
            import tensorflow as tf
            from google.protobuf import json_format
            from tensorflow_serving.apis import get_model_metadata_pb2, predict_pb2, prediction_service_pb2_grpc
        except ImportError:
            raise ClientError(f"--grpc needs tensorflow-serving-api: {serving_api_install_command()}") from None
        check_serving_api_matches_tensorflow()
        self._grpc, self._tf, self._json_format = grpc, tf, json_format
        self._metadata_pb2, self._predict_pb2 = get_model_metadata_pb2, predict_pb2
        self.address, self.timeout = address, timeout
        # A batch of images easily passes gRPC's default 4 MB message limit.
        channel = grpc.insecure_channel(address, options=[("grpc.max_receive_message_length", 64 << 20)])
        self._stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)

    def _set_spec(self, request: Any, target: ModelTarget, signature_name: str = "") -> None:
        """Fills the request's ModelSpec the way the REST URL names a model, version or label."""
        request.model_spec.name = target.name
        request.model_spec.signature_name = signature_name
        if target.version is not None:
            request.model_spec.version.value = target.version
        elif target.label:
            request.model_spec.version_label = target.label

    def _call(self, method: Any, request: Any) -> Any:
        """Calls one RPC; RPC errors become the server's message in one line."""
        try:
            return method(request, timeout=self.timeout)
        except self._grpc.RpcError as error:
            details = one_line(error.details())
            raise ClientError(f"gRPC {error.code().name} from {self.address}: {details}") from None

    def metadata(self, target: ModelTarget) -> ModelInfo:
        """GetModelMetadata, converted to the REST JSON form so that both transports share one parser."""
        request = self._metadata_pb2.GetModelMetadataRequest(metadata_field=["signature_def"])
        self._set_spec(request, target)
        response = self._call(self._stub.GetModelMetadata, request)
        signature_defs = self._metadata_pb2.SignatureDefMap()
        response.metadata["signature_def"].Unpack(signature_defs)
        as_json = self._json_format.MessageToDict(signature_defs, preserving_proto_field_name=True)
        return info_from_server_metadata({"metadata": {"signature_def": as_json}})

    def predict(
        self, target: ModelTarget, signature_name: str, signature: Signature, inputs: Mapping[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        """Predict with TensorProtos; the signature is not needed here since outputs come back named and typed."""
        request = self._predict_pb2.PredictRequest()
        self._set_spec(request, target, signature_name)
        for name, array in inputs.items():
            request.inputs[name].CopyFrom(self._tf.make_tensor_proto(array))
        response = self._call(self._stub.Predict, request)
        return {name: self._tf.make_ndarray(proto) for name, proto in response.outputs.items()}


def make_client(url: str, grpc_address: str | None = None, timeout: float = 30.0) -> ServingClient:
    """gRPC when an address is given (smaller messages for big batches), else REST."""
    return GrpcClient(grpc_address, timeout) if grpc_address else RestClient(url, timeout)
