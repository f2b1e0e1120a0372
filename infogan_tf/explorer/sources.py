"""Where the explorer's models come from: an export folder, a workdir, or a running TF Serving.

All three end up behind `infogan_serving`'s `ServingClient` protocol, so generating and encoding (request building,
validation, output checks) run through the same code the TF Serving client uses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import tensorflow as tf

from infogan_serving import client as serving_client
from infogan_serving import transports
from infogan_serving.client import ClientError, ModelInfo, ModelTarget, Signature, TensorSpec
from infogan_tf.code_kinds import CONTINUOUS_RANGE

DEFAULT_CONTINUOUS_RANGE = CONTINUOUS_RANGE[1]  # --traversal_range's default, for exports that do not record theirs

SignatureFunction = Callable[..., Mapping[str, tf.Tensor]]


@dataclasses.dataclass(frozen=True)
class ModelSource:
    """A generator and an encoder ready to query, with what the page needs to draw its controls.

    `continuous_range` R: the sliders span -R..R, the range the run's traversal grids swept (`--traversal_range`), so
    the page shows what the grids show and no further than the run's author judged the codes to mean something.
    """

    client: serving_client.ServingClient
    generator: ModelTarget
    generator_info: ModelInfo
    encoder: ModelTarget
    encoder_info: ModelInfo
    description: str
    continuous_range: float = DEFAULT_CONTINUOUS_RANGE


class InProcessClient:
    """`ServingClient` over signature functions in this process (a loaded SavedModel, or a workdir's models)."""

    def __init__(self, servables: Mapping[str, tuple[ModelInfo, Mapping[str, SignatureFunction]]]):
        self._servables = dict(servables)

    def metadata(self, target: ModelTarget) -> ModelInfo:
        return self._servables[target.name][0]

    def predict(self, target: ModelTarget, signature_name: str, signature: Signature,
                inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        function = self._servables[target.name][1][signature_name]
        try:
            outputs = function(**{name: tf.constant(value) for name, value in inputs.items()})
        except (tf.errors.InvalidArgumentError, ValueError, TypeError) as error:
            raise ClientError(serving_client.one_line(getattr(error, "message", error))) from None
        return {name: value.numpy() for name, value in outputs.items()}


def _newest_version(servable_dir: Path) -> Path:
    versions = [child for child in servable_dir.iterdir() if child.name.isdigit()] if servable_dir.is_dir() else []
    if not versions:
        raise ClientError(f"{servable_dir}: no export version folder (is it an infogan-export folder?)")
    return max(versions, key=lambda child: int(child.name))


def from_export(export_dir: str | Path, model_name: str | None = None) -> ModelSource:
    """The newest version of each servable in an `infogan-export` folder, loaded in this process."""
    root = Path(export_dir)
    prefix = f"{model_name}_" if model_name else ""
    servables = {}
    for kind in ("generator", "encoder"):
        version = _newest_version(root / f"{prefix}{kind}")
        info = serving_client.load_metadata_file(version)
        try:
            loaded = tf.saved_model.load(str(version))
        except (OSError, ValueError, tf.errors.OpError) as error:
            raise ClientError(f"cannot load the SavedModel {version}: {serving_client.one_line(error)}") from None
        servables[kind] = (info, dict(loaded.signatures), version)
    client = InProcessClient({kind: (info, functions) for kind, (info, functions, _) in servables.items()})
    versions = {kind: version for kind, (_, _, version) in servables.items()}
    generator_info = servables["generator"][0]
    return ModelSource(client, ModelTarget("generator"), generator_info, ModelTarget("encoder"),
                       servables["encoder"][0], f"export {versions['generator']} + {versions['encoder']}",
                       _continuous_range(generator_info))


def _continuous_range(info: ModelInfo) -> float:
    return info.traversal_range or DEFAULT_CONTINUOUS_RANGE


def _info_from_endpoints(endpoints: Mapping, servable: str, latent_spec: dict) -> ModelInfo:
    signatures = {
        name: Signature(
            inputs={key: TensorSpec(spec.dtype.name, tuple(spec.shape.as_list()))
                    for key, spec in endpoint.input_signature.items()},
            outputs={},
        )
        for name, endpoint in endpoints.items()
    }
    image_shape = signatures["serving_default"].inputs.get("images")
    return ModelInfo(signatures=signatures, servable=servable,
                     categorical_sizes=tuple(latent_spec["categorical_sizes"]),
                     noise_prior=latent_spec["noise_prior"],
                     image_shape=tuple(image_shape.shape[1:]) if image_shape else None)


def from_workdir(workdir_path: str | Path) -> ModelSource:
    """A finished run's Keras models behind the export's own signature functions, without writing an export."""
    from infogan_tf import config, export, latents, workdir
    from infogan_tf.export import signatures

    run = workdir.Workdir(workdir_path)
    try:
        summary = export.read_run(run)
        models = {kind: export.load_model(getattr(run, kind)) for kind in ("generator", "encoder")}
        trained = run.read_config()
    except (export.ExportError, config.ConfigError) as error:
        raise ClientError(str(error)) from None
    latent = summary["latent_spec"]
    spec = latents.parse_latent_spec(latent["codes"], latent["noise_dim"], latent["noise_prior"])
    endpoints = {"generator": signatures.generator_endpoints(models["generator"], spec),
                 "encoder": signatures.encoder_endpoints(models["encoder"], spec)}
    servables = {}
    for kind, kind_endpoints in endpoints.items():
        info = _info_from_endpoints(kind_endpoints, kind, spec.to_json())
        functions = {name: _keyword_function(endpoint) for name, endpoint in kind_endpoints.items()}
        servables[kind] = (info, functions)
    return ModelSource(InProcessClient(servables), ModelTarget("generator"), servables["generator"][0],
                       ModelTarget("encoder"), servables["encoder"][0],
                       f"workdir {run.root} (step {summary.get('global_step')})",
                       trained.traversal_range if trained else DEFAULT_CONTINUOUS_RANGE)


def _keyword_function(endpoint) -> SignatureFunction:
    """The endpoint as a traced function of keyword tensors, like a loaded SavedModel's signatures."""
    traced = tf.function(endpoint.function, input_signature=[endpoint.input_signature])
    return lambda **inputs: traced(inputs)


def from_server(url: str, metadata: str | None = None, model_name: str | None = None,
                timeout: float = 30.0) -> ModelSource:
    """A running TF Serving (REST); `metadata` (an export's generator folder) supplies the category counts."""
    client = transports.make_client(url, None, timeout)
    prefix = f"{model_name}_" if model_name else ""
    generator, encoder = ModelTarget(f"{prefix}generator"), ModelTarget(f"{prefix}encoder")
    generator_info = serving_client.load_model_info(client, generator, metadata, "generator")
    if generator_info.categorical_sizes is None and generator_info.signature("sample").width("categorical"):
        raise ClientError("the server's metadata lacks the category counts: pass --metadata=<export>/generator")
    encoder_info = client.metadata(encoder)
    return ModelSource(client, generator, generator_info, encoder, encoder_info, f"TF Serving at {url}",
                       _continuous_range(generator_info))
