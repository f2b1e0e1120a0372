"""Writing servables into a TF Serving base path: versions, all-or-nothing renames, metadata and warmup requests.

A version is written into a hidden, non-numeric folder next to the servables and renamed into place once complete,
so a server polling the export folder never loads half a SavedModel.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf
from absl import logging
from tensorflow.core.protobuf import saved_model_pb2
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

from infogan_tf import workdir
from infogan_tf.export.signatures import Endpoint

ASSETS_EXTRA = "assets.extra"
METADATA_FILE = "infogan.json"
WARMUP_FILE = "tf_serving_warmup_requests"
WARMUP_BATCH_SIZES = (1, 8)
_MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class ExportError(Exception):
    """An export that cannot be written as asked; the message names the path or value to fix."""


def servable_names(model_name: str | None) -> dict[str, str]:
    """{"generator": ..., "encoder": ...}: the plain names, or `<model_name>_generator` and `<model_name>_encoder`."""
    if not model_name:
        return {"generator": "generator", "encoder": "encoder"}
    if not _MODEL_NAME.fullmatch(model_name):
        raise ExportError(
            f"model name {model_name!r}: use letters, digits, '_', '-' and '.', starting with a letter "
            "or digit (it becomes a folder name and part of the server's URLs)"
        )
    return {kind: f"{model_name}_{kind}" for kind in ("generator", "encoder")}


def next_version(export_dir: Path, servables: Iterable[str]) -> int:
    """One more than the largest numeric version of any of the servables, so a pair exported together shares it."""
    versions = [
        int(child.name)
        for servable in servables
        if (export_dir / servable).is_dir()
        for child in (export_dir / servable).iterdir()
        if child.name.isdigit()
    ]
    return max(versions, default=0) + 1


@contextlib.contextmanager
def staging(export_dir: Path, targets: Mapping[str, Path]) -> Iterator[dict[str, Path]]:
    """Temporary folders (one per target) inside `export_dir`, removed on exit: committed ones are gone by then.

    Inside `export_dir` keeps the final rename on one file system; the `.tmp-` prefix is not a number, so TF Serving
    ignores these folders. mkdtemp makes them private (0700), but the server may run as another user: 0755.
    """
    staged: dict[str, Path] = {}
    try:
        for kind, target in targets.items():
            staged[kind] = Path(tempfile.mkdtemp(prefix=f".tmp-{target.parent.name}-{target.name}-", dir=export_dir))
            staged[kind].chmod(0o755)
    except OSError as error:
        for folder in staged.values():
            folder.rmdir()
        raise ExportError(f"cannot write into the export folder {export_dir}: {error.strerror}") from None
    try:
        yield staged
    finally:
        for folder in staged.values():
            shutil.rmtree(folder, ignore_errors=True)


def commit(staged: Mapping[str, Path], targets: Mapping[str, Path]) -> None:
    """Renames each complete version into place, which TF Serving sees as one atomic appearance."""
    for kind, folder in staged.items():
        target = targets[kind]
        target.parent.mkdir(exist_ok=True)
        try:
            os.rename(folder, target)
        except OSError as error:
            raise ExportError(f"cannot move the finished export to {target}: {error.strerror}") from None


def read_signatures(saved_model_dir: Path) -> dict[str, dict[str, Any]]:
    """Signature name -> inputs/outputs with numpy dtype names and shapes (-1 = any), read back from saved_model.pb.

    Reading what was written, rather than what was asked for, keeps infogan.json equal to what TF Serving reports.
    """
    saved_model = saved_model_pb2.SavedModel()
    saved_model.ParseFromString((saved_model_dir / "saved_model.pb").read_bytes())

    def specs(tensors: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """TensorInfo protos -> the JSON form serving/infogan_client.py reads."""
        return {
            name: {"dtype": tf.dtypes.as_dtype(info.dtype).name, "shape": [dim.size for dim in info.tensor_shape.dim]}
            for name, info in sorted(tensors.items())
        }

    return {
        name: {"inputs": specs(definition.inputs), "outputs": specs(definition.outputs)}
        for name, definition in sorted(saved_model.meta_graphs[0].signature_def.items())
        if not name.startswith("__")
    }


def _warmup_inputs(inputs: Mapping[str, Mapping[str, Any]], batch_size: int) -> dict[str, np.ndarray]:
    """Valid inputs of one batch size: zeros (category 0, Bernoulli 0, a black image) and seeds 0..B-1."""
    arrays = {}
    for name, spec in inputs.items():
        shape = [batch_size, *spec["shape"][1:]]
        arrays[name] = np.arange(batch_size, dtype=spec["dtype"]) if name == "seed" else np.zeros(shape, spec["dtype"])
    return arrays


def write_warmup(version_dir: Path, servable: str, signatures: Mapping[str, Mapping[str, Any]]) -> bool:
    """Writes a few PredictionLog records per signature, which TF Serving replays before it routes traffic.

    Returns False (and logs why) without tensorflow-serving-api, whose protos the records are.
    """
    try:
        from tensorflow_serving.apis import model_pb2, predict_pb2, prediction_log_pb2
    except ImportError:
        logging.info(
            "No warmup requests for %s: tensorflow-serving-api is not installed (pip install '.[serving]')", version_dir
        )
        return False
    path = version_dir / ASSETS_EXTRA / WARMUP_FILE
    path.parent.mkdir(exist_ok=True)
    with tf.io.TFRecordWriter(str(path)) as records:
        for signature_name, signature in signatures.items():
            for batch_size in WARMUP_BATCH_SIZES:
                request = predict_pb2.PredictRequest(
                    model_spec=model_pb2.ModelSpec(name=servable, signature_name=signature_name)
                )
                for name, array in _warmup_inputs(signature["inputs"], batch_size).items():
                    request.inputs[name].CopyFrom(tf.make_tensor_proto(array))
                log = prediction_log_pb2.PredictionLog(predict_log=prediction_log_pb2.PredictLog(request=request))
                records.write(log.SerializeToString())
    return True


def frozen_signature(endpoint: Endpoint) -> tf.types.experimental.PolymorphicFunction:
    """The endpoint as a graph function whose weights are constants instead of variables.

    A servable's weights never change. As constants, a batch-1 generator call in a TF1 session took about half the
    time of the variable-backed graph on CPU, with identical outputs (docs/RESULTS.md, "Weights as constants").
    It takes and returns the endpoint's dict, so signature keys, tensor names and `keras.layers.TFSMLayer` calls
    stay the same.
    """
    traced = tf.function(endpoint.function).get_concrete_function(endpoint.input_signature)
    frozen = convert_variables_to_constants_v2(traced)
    names = sorted(traced.structured_outputs)  # the order in which the frozen graph returns them

    @tf.function(input_signature=[endpoint.input_signature])
    def served(inputs: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        return dict(zip(names, tf.nest.flatten(frozen(*tf.nest.flatten(inputs)))))

    return served


def write_version(
    version_dir: Path, endpoints: Mapping[str, Endpoint], metadata: Mapping[str, Any], servable: str
) -> None:
    """One complete version: the SavedModel, `assets.extra/infogan.json` (with its signatures) and warmup requests."""
    module = tf.Module()
    for name, endpoint in endpoints.items():
        setattr(module, name, frozen_signature(endpoint))  # as an attribute too, for TFSMLayer's call_endpoint
    tf.saved_model.save(module, str(version_dir), signatures={name: getattr(module, name) for name in endpoints})
    signatures = read_signatures(version_dir)
    workdir.atomic_write_json(version_dir / ASSETS_EXTRA / METADATA_FILE, {**metadata, "signatures": signatures})
    write_warmup(version_dir, servable, signatures)
