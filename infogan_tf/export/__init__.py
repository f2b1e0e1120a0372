"""Exports a trained run as two TF Serving servables: `export_servables(workdir, export_dir)`.

Layout: `EXPORT_DIR/generator/<version>/` and `EXPORT_DIR/encoder/<version>/` (with a model name `foo`:
`foo_generator/` and `foo_encoder/`), each a SavedModel plus `assets.extra/infogan.json` and, when
tensorflow-serving-api is installed, `assets.extra/tf_serving_warmup_requests`. Signatures are in `signatures.py`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keras
from absl import logging

from infogan_tf import config, latents, workdir
from infogan_tf.export import signatures, writer
from infogan_tf.export.writer import ExportError

__all__ = ["ExportError", "export_servables", "load_model", "read_run"]
FORMAT_VERSION = 1


def read_run(run: workdir.Workdir) -> dict:
    """The run summary, after checking that the workdir holds everything an export needs."""
    if not run.root.is_dir():
        raise ExportError(f"workdir {run.root} does not exist")
    for path in (run.generator, run.encoder, run.run_summary):
        if not path.is_file():
            raise ExportError(f"{path} not found: is {run.root} the --workdir of a finished training run?")
    try:
        summary = json.loads(run.run_summary.read_text())
    except ValueError as error:
        raise ExportError(f"{run.run_summary} is not valid JSON: {error}") from None
    missing = [key for key in ("latent_spec", "image_shape") if key not in summary]
    if missing:
        raise ExportError(f"{run.run_summary} lacks {', '.join(missing)}: was it written by train.py?")
    return summary


def load_model(path: Path) -> keras.Model:
    """Loads a .keras model for inference, turning a corrupt or incompatible file into one line naming it."""
    try:
        return keras.models.load_model(path, compile=False)
    except (OSError, ValueError, TypeError) as error:
        raise ExportError(f"cannot load {path}: {' '.join(str(error).split())[:300]}") from None


def export_servables(
    workdir_path: str | os.PathLike,
    export_dir: str | os.PathLike,
    version: int | None = None,
    model_name: str | None = None,
) -> dict:
    """Writes the run's generator and encoder as a new version of each servable, never overwriting one.

    Args:
        workdir_path: a training run's --workdir (generator.keras, encoder.keras, run_summary.json, flags.cfg).
        export_dir: the folder TF Serving's model base paths point into; created if missing.
        version: the version number of both servables; default one more than the largest existing one, else 1.
        model_name: prefix of the servable names (`<model_name>_generator`); default plain `generator`, `encoder`.

    Returns:
        {"version": int, "generator": path of its version folder, "encoder": path of its version folder}.

    Raises:
        ExportError: naming the missing input, the bad value or the version folder that already exists.
    """
    run = workdir.Workdir(workdir_path)
    summary = read_run(run)
    spec = latents.parse_latent_spec(**{k: summary["latent_spec"][k] for k in ("codes", "noise_dim", "noise_prior")})
    names = writer.servable_names(model_name)
    export_root = Path(export_dir)
    try:
        export_root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"cannot create the export folder {export_root}: {error.strerror}") from None
    if version is None:
        version = writer.next_version(export_root, names.values())
    elif version < 1:
        raise ExportError(f"version {version}: must be a positive integer")
    targets = {kind: export_root / name / str(version) for kind, name in names.items()}
    for target in targets.values():
        if target.exists():
            raise ExportError(f"{target} already exists: choose another version, or leave it out to get the next one")

    models = {"generator": load_model(run.generator), "encoder": load_model(run.encoder)}
    endpoints = {
        "generator": signatures.generator_endpoints(models["generator"], spec),
        "encoder": signatures.encoder_endpoints(models["encoder"], spec),
    }
    flags = config.read_flagfile(run.flags_file) if run.flags_file.exists() else {}
    try:
        trained = run.read_config()
    except config.ConfigError as error:
        raise ExportError(str(error)) from None
    with writer.staging(export_root, targets) as staged:
        for kind, folder in staged.items():
            metadata = {
                "format_version": FORMAT_VERSION,
                "servable": kind,
                "latent_spec": summary["latent_spec"],
                "image_shape": summary["image_shape"],
                "image_range": [0.0, 1.0],
                "dataset": summary.get("dataset"),
                "global_step": summary.get("global_step"),
                "flags": flags,
            }
            if trained is not None:
                metadata["traversal_range"] = trained.traversal_range
            writer.write_version(folder, endpoints[kind], metadata, names[kind])
        writer.commit(staged, targets)
    logging.info("Exported version %d: %s", version, ", ".join(str(target) for target in targets.values()))
    return {"version": version, **{kind: str(target) for kind, target in targets.items()}}
