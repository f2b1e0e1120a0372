"""A finished run read back from its workdir: models, latent spec, summary, resolved flags and training history."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import keras

# Importing encoder and networks registers the custom layers that load_model needs to read the .keras files.
from infogan_tf import config, encoder, latents, networks, workdir  # noqa: F401
from infogan_tf.messages import first_line


class EvaluationError(ValueError):
    """An evaluation that cannot run as asked; the message is one line naming the bad input."""


@dataclasses.dataclass(frozen=True)
class LoadedRun:
    """Everything evaluation reads from a workdir.

    Attributes:
        root: the workdir.
        summary: run_summary.json.
        train_config: the run's flags.cfg as a TrainConfig, or None when the workdir has no flags file.
        spec: the latent spec the models were trained with.
        generator: G, images in [0, 1].
        encoder: images -> {categorical, categorical_probs, continuous, bernoulli, realness}.
        history: history.jsonl, one entry per step (the last one written when a resumed run repeated a step).
    """

    root: Path
    summary: dict
    train_config: config.TrainConfig | None
    spec: latents.LatentSpec
    generator: keras.Model
    encoder: keras.Model
    history: list[dict]

    @property
    def global_step(self) -> int:
        return int(self.summary.get("global_step", 0))

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.summary["image_shape"])


def load_run(path: str | os.PathLike) -> LoadedRun:
    """Reads a trained workdir.

    Raises:
        EvaluationError: naming the workdir or the file that is missing or unreadable.
        config.ConfigError: for a malformed config.json or flags.cfg.
    """
    run_dir = workdir.Workdir(path)
    if not run_dir.root.is_dir():
        raise EvaluationError(f"workdir {run_dir.root} does not exist")
    for required in (run_dir.run_summary, run_dir.generator, run_dir.encoder):
        if not required.is_file():
            raise EvaluationError(f"{required} is missing: train the run first (python train.py --workdir=...)")
    summary = run_dir.read_summary()
    if "latent_spec" not in summary or "image_shape" not in summary:
        raise EvaluationError(f"{run_dir.run_summary} lacks latent_spec/image_shape: it was not written by train.py")
    spec_json = summary["latent_spec"]
    train_config = run_dir.read_config()
    by_step = {entry["step"]: entry for entry in run_dir.read_history()}
    return LoadedRun(
        root=run_dir.root,
        summary=summary,
        train_config=train_config,
        spec=latents.parse_latent_spec(spec_json["codes"], spec_json["noise_dim"], spec_json["noise_prior"]),
        generator=_load_model(run_dir.generator),
        encoder=_load_model(run_dir.encoder),
        history=[by_step[step] for step in sorted(by_step)],
    )


def _load_model(path: Path) -> keras.Model:
    """keras.models.load_model with a one-line error naming the file."""
    try:
        return keras.models.load_model(path)
    except (OSError, ValueError, TypeError) as error:
        raise EvaluationError(f"cannot load {path}: {first_line(error)}") from error
