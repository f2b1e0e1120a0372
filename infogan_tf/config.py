"""The training configuration: every knob of a run in one flag-free object (train.py fills it from flags)."""

from __future__ import annotations

import dataclasses
import os
import typing
from collections.abc import Iterable
from pathlib import Path

STRATEGIES = ("auto", "default", "mirrored", "multi_worker")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")


class ConfigError(ValueError):
    """A configuration value that cannot work; the message names it."""


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Defaults are the paper's MNIST setting (Chen et al. 2016, App. C) on the built-in `shapes` data."""

    workdir: str
    dataset: str = "shapes"
    data_dir: str | None = None
    image_size: int | None = None
    train_split: str = "train"
    codes: str = "cat:10,cont:2"
    noise_dim: int = 62
    noise_prior: str = "uniform"
    batch_size: int = 64
    train_steps: int = 5000
    steps_per_epoch: int = 500
    d_learning_rate: float = 2e-4
    g_learning_rate: float = 1e-3
    adam_beta1: float = 0.5
    adam_beta2: float = 0.999
    mi_weight_categorical: float = 1.0
    mi_weight_continuous: float = 1.0
    mi_weight_bernoulli: float = 1.0
    batch_norm: bool = True
    d_batch_norm: bool = True
    spectral_norm: bool = False
    leaky_slope: float = 0.1
    joint_discriminator_batch: bool = False
    categorical_invariance_weight: float = 0.0
    invariance_rotation_deg: float = 20.0
    invariance_scale_change: float = 0.1
    invariance_shift_px: float = 2.0
    invariance_canonical_pose: bool = False
    contrastive_weight: float = 0.0
    contrastive_start_step: int = 0
    contrastive_gap: float = 0.0
    contrastive_learning_rate: float = 2e-3
    contrastive_spectral_norm: bool = False
    g_steps_per_d_step: int = 1
    strategy: str = "auto"
    precision: str = "float32"
    jit_compile: bool = False
    seed: int = 0
    shuffle_buffer: int = 10_000
    checkpoint_every_steps: int = 500
    keep_checkpoints: int = 3
    traversal_rows: int = 8
    verbose: str | int = "auto"

    def __post_init__(self):
        object.__setattr__(self, "verbose", _keras_verbosity(self.verbose))
        if self.strategy not in STRATEGIES:
            raise ConfigError(f"strategy must be one of {STRATEGIES}, got {self.strategy!r}")
        if self.precision not in PRECISIONS:
            raise ConfigError(f"precision must be one of {PRECISIONS}, got {self.precision!r}")
        if self.categorical_invariance_weight < 0:
            raise ConfigError(f"categorical_invariance_weight must be >= 0, got {self.categorical_invariance_weight}")
        if not 0 <= self.invariance_rotation_deg <= 180:
            raise ConfigError(f"invariance_rotation_deg must be in [0, 180], got {self.invariance_rotation_deg}")
        if not 0 <= self.invariance_scale_change < 1:
            raise ConfigError(f"invariance_scale_change must be in [0, 1), got {self.invariance_scale_change}")
        if self.invariance_shift_px < 0:
            raise ConfigError(f"invariance_shift_px must be >= 0, got {self.invariance_shift_px}")
        if self.contrastive_weight < 0:
            raise ConfigError(f"contrastive_weight must be >= 0, got {self.contrastive_weight}")
        if self.contrastive_start_step < 0:
            raise ConfigError(f"contrastive_start_step must be >= 0, got {self.contrastive_start_step}")
        if not 0 <= self.contrastive_gap <= 2:
            raise ConfigError(f"contrastive_gap must be in [0, 2], got {self.contrastive_gap}")
        positive = ("batch_size", "train_steps", "steps_per_epoch", "checkpoint_every_steps", "keep_checkpoints",
                    "g_steps_per_d_step")
        for name in positive:
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be >= 1, got {getattr(self, name)}")

    def mi_weights(self) -> dict[str, float]:
        return {
            "categorical": self.mi_weight_categorical,
            "continuous": self.mi_weight_continuous,
            "bernoulli": self.mi_weight_bernoulli,
        }


def _keras_verbosity(value: str | int) -> str | int:
    """Keras takes "auto" or the int 0, 1, 2; a flagfile or a caller may give "2", which Keras would read as "auto"."""
    if value == "auto":
        return value
    if str(value) in ("0", "1", "2") and not isinstance(value, bool):
        return int(value)
    raise ConfigError(f"verbose must be 'auto', 0, 1 or 2, got {value!r}")


def read_flagfile(path: str | os.PathLike) -> dict[str, str]:
    """`--name=value` lines of a flagfile (as train.py writes to WORKDIR/flags.cfg) -> {name: value text}.

    `#` comments and blank lines are skipped; nested `--flagfile=` lines are read in place (paths relative to the
    working directory). Later lines win, as in absl.
    """
    return parse_flag_lines(Path(path).read_text().splitlines(), source=str(path))


def parse_flag_lines(lines: Iterable[str], source: str = "flags") -> dict[str, str]:
    """`--name=value` texts -> {name: value text}; `--name` / `--noname` boolean forms become "true" / "false"."""
    values: dict[str, str] = {}
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith("--"):
            raise ConfigError(f"{source}: line {raw!r} is not of the form --name=value")
        name, sep, value = line[2:].partition("=")
        if name == "flagfile":
            values.update(read_flagfile(value))
        elif sep:
            values[name] = value
        elif name.startswith("no") and name[2:] in _FIELD_TYPES:
            values[name[2:]] = "false"
        else:
            values[name] = "true"
    return values


def to_flags_text(config: TrainConfig) -> str:
    """The config as `--name=value` lines (WORKDIR/flags.cfg's form), so a run made from Python repeats from flags."""
    lines = []
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if value is None:
            continue
        if isinstance(value, bool):
            lines.append(f"--{'' if value else 'no'}{field.name}")
        else:
            lines.append(f"--{field.name}={value}")
    return "".join(f"{line}\n" for line in lines)


def config_from_flags(values: dict[str, str], **overrides) -> TrainConfig:
    """Builds a TrainConfig from flag texts (unknown names, such as --cpu_devices, are ignored) plus overrides."""
    fields = {}
    for name, text in values.items():
        if name in _FIELD_TYPES:
            fields[name] = _convert(name, text)
    fields.update(overrides)
    return TrainConfig(**fields)


def _convert(name: str, text: str):
    kind = _FIELD_TYPES[name]
    if text in ("", "None") and name in _OPTIONAL_FIELDS:
        return None
    try:
        if kind is bool:
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError(text)
            return text.lower() in ("true", "1")
        return kind(text)
    except ValueError:
        raise ConfigError(f"--{name}={text}: expected {kind.__name__}") from None


def _base_type(annotation):
    args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    return args[0] if args else annotation


_HINTS = typing.get_type_hints(TrainConfig)
_FIELD_TYPES = {name: _base_type(hint) for name, hint in _HINTS.items()}
_OPTIONAL_FIELDS = {name for name, hint in _HINTS.items() if type(None) in typing.get_args(hint)}
