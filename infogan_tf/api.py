"""The library as Python functions, for notebooks and scripts: train, evaluate and export without any flags.

    import infogan_tf
    run = infogan_tf.train("quickstart", workdir="runs/quickstart", train_steps=200)
    metrics = infogan_tf.evaluate(run.workdir, num_examples=1000)
    infogan_tf.export_servables(run.workdir, "exports")

Each is the call the command-line programs make, so a run made here is the same run `infogan-train` makes: it writes
WORKDIR/flags.cfg, resumes from its checkpoints, and exports and evaluates alike. Errors are the library's own
exceptions (`ConfigError`, `DatasetError`, ...), each with a one-line message.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any


@dataclasses.dataclass(frozen=True)
class TrainedRun:
    """What `train` returns: the workdir, the trained Keras models as saved there, and the run summary."""

    workdir: Path
    generator: Any
    encoder: Any
    summary: dict


def resolve_config(config=None, **overrides):
    """A TrainConfig from a shipped config's name, a flagfile's path or a TrainConfig, with keyword overrides."""
    from infogan_tf import config as config_lib
    from infogan_tf import named_configs

    if isinstance(config, config_lib.TrainConfig):
        return dataclasses.replace(config, **overrides)
    values = config_lib.parse_flag_lines(named_configs.config_flags(config)) if config is not None else {}
    unknown = sorted(set(overrides) - {field.name for field in dataclasses.fields(config_lib.TrainConfig)})
    if unknown:
        raise config_lib.ConfigError(f"unknown training options: {', '.join(unknown)}")
    if "workdir" not in overrides and "workdir" not in values:
        raise config_lib.ConfigError("train needs a workdir: train(..., workdir='runs/name')")
    return config_lib.config_from_flags(values, **overrides)


def train(config=None, *, callbacks: Sequence = (), **overrides) -> TrainedRun:
    """Trains (or resumes) a run; `config` is a shipped config's name ("quickstart"), a flagfile or a TrainConfig.

    Keyword arguments override single options (`workdir=`, `train_steps=`, ...); `callbacks` are Keras callbacks
    called during `fit` next to the library's own.
    """
    import keras

    from infogan_tf import config as config_lib
    from infogan_tf import train_lib, workdir

    resolved = resolve_config(config, **overrides)
    summary = train_lib.train(resolved, flags_text=config_lib.to_flags_text(resolved), extra_callbacks=callbacks)
    run_dir = workdir.Workdir(resolved.workdir)
    return TrainedRun(
        workdir=run_dir.root,
        generator=keras.models.load_model(run_dir.generator),
        encoder=keras.models.load_model(run_dir.encoder),
        summary=summary,
    )


def evaluate(workdir: str | os.PathLike, **options) -> dict:
    """Scores a finished run as `infogan-evaluate` does (writes metrics.json and report.html); returns the metrics.

    Options: dataset, data_dir, split, num_examples, seed.
    """
    from infogan_tf.evaluation import runner

    return runner.evaluate_workdir(workdir, **options)


def export_servables(workdir: str | os.PathLike, export_dir: str | os.PathLike, version: int | None = None,
                     model_name: str | None = None) -> dict:
    """Exports a finished run for TF Serving as `infogan-export` does; returns the written version and folders."""
    from infogan_tf import export

    return export.export_servables(workdir, export_dir, version, model_name)
