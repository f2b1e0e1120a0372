"""The training configuration: every knob of a run in one flag-free object (train.py fills it from flags)."""

from __future__ import annotations

import dataclasses
import os
import typing
from collections.abc import Iterable
from pathlib import Path

STRATEGIES = ("auto", "default", "mirrored", "multi_worker")
PRECISIONS = ("auto", "float32", "mixed_float16", "mixed_bfloat16")


class ConfigError(ValueError):
    """A configuration value that cannot work; the message names it."""


def _is_reciprocal(fraction: float) -> bool:
    return abs(1.0 / fraction - round(1.0 / fraction)) < 1e-6


def option(default, help: str, *, choices: tuple | None = None, lower: float | None = None,
           upper: float | None = None):
    """A TrainConfig field with everything its command-line flag needs: default, help text, choices or bounds.

    `infogan-train` derives its flags from these fields, so a training option is defined in this one place.
    """
    return dataclasses.field(default=default, metadata={"help": help, "choices": choices, "lower": lower,
                                                        "upper": upper})


def required(help: str):
    """A TrainConfig field without a default (its flag is required)."""
    return dataclasses.field(metadata={"help": help, "choices": None, "lower": None, "upper": None})


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Defaults are the paper's MNIST setting (Chen et al. 2016, App. C) on the built-in `shapes` data."""

    workdir: str = required("Run folder: checkpoints, samples, TensorBoard logs, models, run summary.")
    dataset: str = option("shapes", "mnist | fashion_mnist | svhn_cropped | celeb_a | dsprites | shapes3d (TFDS), "
        "shapes (built-in), idx:DIR (MNIST-format files), folder:DIR (PNG/JPEG).")
    data_dir: str | None = option(None, "TFDS data_dir (where TFDS datasets are downloaded and prepared).")
    image_size: int | None = option(None, "Resize images to this square size (28, 32 or 64); default: the data's own.")
    train_split: str = option("train", "Split to train on, TFDS syntax, e.g. train, test[:9000].")
    codes: str = option("cat:10,cont:2", "Structured codes: comma list of cat:K, cont:N[:normal][:learned_std], "
        "bern:N.")
    noise_dim: int = option(62, "Dimension of the unstructured noise z.", lower=0)
    noise_prior: str = option("uniform", "Prior of z.", choices=("uniform", "normal"))
    batch_size: int = option(64, "Global batch size (split across replicas).", lower=1)
    train_steps: int = option(5000, "Total training steps (one D and one G update each).", lower=1)
    steps_per_epoch: int = option(500, "Steps between summaries and traversal grids.", lower=1)
    d_learning_rate: float = option(2e-4, "Adam learning rate of D/Q.")
    g_learning_rate: float = option(1e-3, "Adam learning rate of G.")
    adam_beta1: float = option(0.5, "Adam beta_1.")
    adam_beta2: float = option(0.999, "Adam beta_2.")
    mi_weights: str = option("", "lambda of the MI term per code kind, KIND:VALUE comma-separated (e.g. "
        "categorical:1,continuous:0.1); a kind not listed keeps its --mi_weight_<kind> value, 1 by default.")
    mi_weight_categorical: float = option(1.0, "lambda of categorical codes (same as --mi_weights=categorical:V).")
    mi_weight_continuous: float = option(1.0, "lambda of continuous codes (same as --mi_weights=continuous:V).")
    mi_weight_bernoulli: float = option(1.0, "lambda of Bernoulli codes (same as --mi_weights=bernoulli:V).")
    batch_norm: bool = option(True, "Batch normalisation in G and D/Q.")
    d_batch_norm: bool = option(True, "Batch normalisation in D/Q (and the contrastive head); off with --batch_norm "
        "off. --nod_batch_norm keeps it in G only, as InfoGAN-CR does.")
    spectral_norm: bool = option(False, "Spectral normalisation of every layer of D/Q (and of the contrastive head but "
        "its output layer), as InfoGAN-CR does.")
    q_head_spectral_norm: bool = option(True, "With --spectral_norm, normalise Q's head layers too, as InfoGAN-CR "
        "does; off, Q's head is unconstrained and learns a subtle factor such as a sprite's shape much sooner.")
    leaky_slope: float = option(0.1, "Negative slope of D's leaky ReLUs.")
    network_width: float = option(1.0, "Scale of every hidden layer's width (units, filters) in G, D/Q and the "
        "contrastive head; 1 = the published networks. Narrow nets (e.g. 0.125) train and save fast, for smoke runs.",
        lower=0.01)
    joint_discriminator_batch: bool = option(False, "Pass real and fake images through D as one batch (needed for "
        "sparse images such as dSprites: with separate batches, batch norm hides their difference in brightness).")
    categorical_invariance_weight: float = option(0.0, "lambda of log Q(c_cat | perturbed G(z, c)): categorical codes "
        "must survive a small random rotation, zoom, shift and stroke change (0 = off, the paper's objective).",
        lower=0.0)
    invariance_rotation_deg: float = option(20.0, "Largest rotation of that perturbation, in degrees.", lower=0.0,
                                            upper=180.0)
    invariance_scale_change: float = option(0.1, "Largest zoom of that perturbation, as a fraction (0.1: 0.9x to "
        "1.1x).", lower=0.0, upper=0.99)
    invariance_shift_px: float = option(2.0, "Largest shift of that perturbation along each axis, in pixels.",
                                        lower=0.0)
    invariance_canonical_pose: bool = option(False, "Before that perturbation, centre each image on its intensity "
        "centroid and zoom it to a fixed spread, so the categorical codes cannot name position or size (one object on "
        "a dark background: sprites, digits).")
    invariance_batch_fraction: float = option(1.0, "Share of each batch's fakes that term perturbs and passes "
        "through D/Q again (1/n: every n-th fake; the loss is rescaled to the same mean), to cut its cost.",
        lower=0.01, upper=1.0)
    real_reconstruction_weight: float = option(0.0, "lambda of the real-image reconstruction term: G drawing Q's "
        "reading of a real image must match that image (blurred), which calibrates Q on real images; trains D/Q only "
        "(0 = off).", lower=0.0)
    categorical_swap_weight: float = option(0.0, "lambda of the categorical swap term: the same noise and "
        "continuous codes drawn with another category must land in the same place (blurred), so every category "
        "shares one frame of the continuous codes; trains G only; for data whose classes share one pose "
        "distribution, such as sprites (0 = off).", lower=0.0)
    categorical_swap_match: str = option("image", "What that term compares: image = the two drawings, blurred "
        "(a category may change only what the blur hides); position = only their ink centroids (a category may "
        "change the object's size or shape, not its place); footprint = their centroids and the ink's size "
        "(RMS radius and area: a category may change the object's shape or orientation, not its place or size).",
        choices=("image", "position", "footprint"))
    r1_weight: float = option(0.0, "gamma of the R1 gradient penalty on D at real images, gamma/2 |dD(x)/dx|^2: "
        "keeps a D without spectral norm smooth where the data lies; trains D/Q only (0 = off).", lower=0.0)
    contrastive_weight: float = option(0.0, "lambda of InfoGAN-CR's contrastive term for G: a pair discriminator H "
        "must tell which code two generated images share (0 = off).", lower=0.0)
    contrastive_start_step: int = option(0, "Step from which the contrastive term (and H's training) is on; "
        "InfoGAN-CR's progressive schedule switches it on late.", lower=0)
    contrastive_end_step: int = option(0, "Step from which the contrastive term (and H's training) is off again, "
        "after --contrastive_start_step; 0 = never. Lets G keep training without H's pull once the codes are "
        "placed (on sprites G stops drawing under that pull, after 1,500 to 3,000 steps).", lower=0)
    contrastive_gap: float = option(0.0, "Smallest distance between the values of a continuous code that a pair does "
        "not share.", lower=0.0, upper=2.0)
    contrastive_learning_rate: float = option(2e-3, "Adam learning rate of H.")
    contrastive_spectral_norm: bool = option(False, "Spectral norm on H's layers but its output, as InfoGAN-CR does; "
        "such an H needs tens of thousands of steps to learn.")
    contrastive_shared_noise: bool = option(True, "A pair's two images share the noise, as InfoGAN-CR does; with "
        "--nocontrastive_shared_noise each draws its own, so the term also works against the noise moving what a "
        "code sets.")
    g_steps_per_d_step: int = option(1, "G updates per D/Q update (InfoGAN-CR makes 2).", lower=1)
    strategy: str = option("auto", "auto = MirroredStrategy when more than one GPU is visible.", choices=STRATEGIES)
    precision: str = option("auto", "Keras mixed-precision policy; auto = mixed_bfloat16 on CPUs with native bf16 and "
        "on GPUs of compute capability 8.0+, mixed_float16 on 7.x, else float32.", choices=PRECISIONS)
    jit_compile: bool = option(False, "Compile the train step with XLA (single replica only).")
    steps_per_execution: int = option(1, "Train steps per call of the compiled step (Keras' steps_per_execution): "
        "logs and callbacks then reach the host once per call, which keeps a GPU busy. Checkpoints, samples and the "
        "divergence stop still happen at their exact steps (a call is shortened where one is due).", lower=1)
    seed: int = option(0, "Seed of latents, shuffling and initial weights.")
    shuffle_buffer: int = option(10_000, "Shuffle buffer size.", lower=1)
    checkpoint_every_steps: int = option(500, "Checkpoint period in steps.", lower=1)
    keep_checkpoints: int = option(3, "How many checkpoints to keep.", lower=1)
    traversal_rows: int = option(8, "Rows (noise samples) per traversal grid.", lower=1)
    traversal_range: float = option(
        2.0, "Continuous codes sweep -R..R across a traversal grid's columns. The uniform prior spans -1..1; beyond "
        "it G extrapolates, where the paper shows rotation and width, and where short runs draw artefacts.",
        lower=0.01)
    verbose: str | int = option("auto", "Keras progress output.", choices=("auto", "0", "1", "2"))
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
        if not 0 < self.invariance_batch_fraction <= 1 or not _is_reciprocal(self.invariance_batch_fraction):
            raise ConfigError("invariance_batch_fraction must be 1/n for a whole n (1, 0.5, 0.25, ...), got "
                              f"{self.invariance_batch_fraction}")
        parse_mi_weights(self.mi_weights)
        if self.contrastive_weight < 0:
            raise ConfigError(f"contrastive_weight must be >= 0, got {self.contrastive_weight}")
        if self.contrastive_start_step < 0:
            raise ConfigError(f"contrastive_start_step must be >= 0, got {self.contrastive_start_step}")
        if self.contrastive_end_step < 0:
            raise ConfigError(f"contrastive_end_step must be >= 0, got {self.contrastive_end_step}")
        if self.contrastive_end_step and self.contrastive_end_step <= self.contrastive_start_step:
            raise ConfigError(f"contrastive_end_step must be after contrastive_start_step "
                              f"({self.contrastive_start_step}) or 0, got {self.contrastive_end_step}")
        if not 0 <= self.contrastive_gap <= 2:
            raise ConfigError(f"contrastive_gap must be in [0, 2], got {self.contrastive_gap}")
        positive = ("batch_size", "train_steps", "steps_per_epoch", "checkpoint_every_steps", "keep_checkpoints",
                    "g_steps_per_d_step")
        for name in positive:
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be >= 1, got {getattr(self, name)}")

    def mi_weight_by_kind(self) -> dict[str, float]:
        """lambda of every registered code kind: --mi_weights where it names the kind, else the kind's own
        --mi_weight_<kind> flag where one exists, else 1.

        Raises:
            ConfigError: for a kind in --mi_weights that no code kind has.
        """
        from infogan_tf import code_kinds  # imports TensorFlow, which a config alone does not need

        known = [kind.name for kind in code_kinds.all_kinds()]
        listed = parse_mi_weights(self.mi_weights)
        unknown = sorted(set(listed) - set(known))
        if unknown:
            raise ConfigError(f"mi_weights names the unknown code kind {unknown[0]!r}; kinds: {', '.join(known)}")
        aliases = {kind: getattr(self, f"mi_weight_{kind}", 1.0) for kind in known}
        for kind, weight in listed.items():
            if aliases[kind] != 1.0 and aliases[kind] != weight:
                raise ConfigError(f"--mi_weights sets {kind} to {weight:g} but --mi_weight_{kind}={aliases[kind]:g}: "
                                  "give one of them")
        return {**aliases, **listed}


def parse_mi_weights(text: str) -> dict[str, float]:
    """"categorical:1,continuous:0.1" -> {"categorical": 1.0, "continuous": 0.1}; each kind once, lambda >= 0."""
    weights: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        kind, sep, value = item.partition(":")
        try:
            weight = float(value)
        except ValueError:
            weight = None
        if not sep or not kind or weight is None or not weight >= 0:
            raise ConfigError(f"mi_weights: {item!r} is not KIND:VALUE with a lambda >= 0 (e.g. continuous:0.1)")
        if kind in weights:
            raise ConfigError(f"mi_weights names {kind!r} twice")
        weights[kind] = weight
    return weights


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


def to_json(config: TrainConfig) -> dict:
    """Every field by name: WORKDIR/config.json, what export and evaluation rebuild a run's config from."""
    return dataclasses.asdict(config)


def from_json(data: dict, **overrides) -> TrainConfig:
    """The inverse of `to_json`; keys this version does not know are ignored, missing ones take their defaults."""
    if not isinstance(data, dict):
        raise ConfigError(f"a config must be a JSON object, got {type(data).__name__}")
    known = {field.name for field in dataclasses.fields(TrainConfig)}
    return TrainConfig(**{**{key: value for key, value in data.items() if key in known}, **overrides})


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


def field_type(name: str) -> type:
    """The plain type of a TrainConfig field: str, int, float or bool (`int | None` gives int)."""
    return _FIELD_TYPES[name]
_OPTIONAL_FIELDS = {name for name, hint in _HINTS.items() if type(None) in typing.get_args(hint)}
