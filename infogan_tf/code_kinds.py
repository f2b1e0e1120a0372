"""The kinds of structured code, one class each: everything that differs between categorical, continuous and
Bernoulli codes lives here.

A kind owns its `--codes` token, its prior, its Q distribution and number of Q parameters, how it enters G's input
vector, how the encoder reads it out, its traversal and factor values, its checks on serving inputs and its dtype.
Defining a subclass of `CodeKind` with a new `name` registers it: `--codes` parses its token, the generator and
the servables get an input group of that name, and the loss scores it through `log_prob`. Nothing outside this
module asks which kind a code is.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import ClassVar

import keras
import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp
from scipy import stats

tfd = tfp.distributions

MAX_CATEGORIES = 1000  # K of cat:K; G's input layer and Q's output layer grow with K
PRIORS = ("uniform", "normal")
CONTINUOUS_RANGE = (-2.0, 2.0)  # traversals sweep beyond the uniform prior, where the paper shows rotation and width
CONTINUOUS_STEPS = 9
_MIN_STD = 1e-2


class LatentSpecError(ValueError):
    """A latent specification that cannot be parsed or is inconsistent."""


@dataclasses.dataclass(frozen=True)
class Code:
    """One scalar structured code; `kind` names its `CodeKind`, which every behaviour below delegates to.

    Attributes:
        kind: the kind's name, e.g. "categorical" (also the name of its input group in G and the servables).
        num_categories: K for a categorical code, else 1.
        prior: "uniform" or "normal" for a continuous code; "uniform" for the others.
        learned_std: whether Q predicts the std of a continuous code (else it is fixed at 1).
    """

    kind: str
    num_categories: int = 1
    prior: str = "uniform"
    learned_std: bool = False

    @property
    def kind_type(self) -> CodeKind:
        return kind_named(self.kind)

    @property
    def nominal(self) -> bool:
        """Whether the values are unordered labels (scored by matched accuracy, not correlation)."""
        return self.kind_type.nominal

    @property
    def num_q_params(self) -> int:
        """How many numbers Q's head predicts for this code."""
        return self.kind_type.num_q_params(self)

    @property
    def input_width(self) -> int:
        """How many numbers this code contributes to the generator's input vector."""
        return self.kind_type.input_width(self)

    @property
    def name(self) -> str:
        """The stem of the code's metric name: cat10, cont, bern."""
        return self.kind_type.metric_stem(self)

    def prior_distribution(self) -> tfd.Distribution:
        """The prior p(c) this code is sampled from, as a scalar TFP distribution."""
        return self.kind_type.prior(self)

    def prior_entropy(self) -> float:
        """H(c) in nats; H(c) + E log q(c|x) is the per-code mutual-information lower bound."""
        return self.kind_type.prior_entropy(self)

    def q_distribution(self, params: tf.Tensor) -> tfd.Distribution:
        """Q's batch distribution of this code from its slice [B, num_q_params] of Q's parameters."""
        return self.kind_type.q_distribution(self, params)

    def sweep_values(self, span: float | None = None) -> np.ndarray:
        """The values the code takes across the columns of its traversal; `span` (> 0) makes a continuous code sweep
        -span..span instead of CONTINUOUS_RANGE and leaves the other kinds' sweeps as they are."""
        if span is None:
            return self.kind_type.sweep_values(self)
        return self.kind_type.sweep_values_within(self, span)

    def factor_grid(self, bins: int) -> np.ndarray:
        """The values the code takes as a discrete ground-truth factor of generated images."""
        return self.kind_type.factor_grid(self, bins)


class CodeKind:
    """The behaviour of one kind of code. Subclasses set the class attributes and override what differs."""

    name: ClassVar[str]  # input/output group name: G's input, the servables' tensors, batched latents
    token: ClassVar[str]  # the `--codes` token prefix
    dtype: ClassVar[tf.DType] = tf.float32  # of the group's tensors
    nominal: ClassVar[bool] = False
    modifiers: ClassVar[tuple[str, ...]] = ()
    gif_frame_ms: ClassVar[int] = 700
    gif_round_trip: ClassVar[bool] = False  # a traversal GIF that glides there and back instead of jumping
    extra_outputs: ClassVar[tuple[str, ...]] = ()  # encoder outputs beyond the group itself
    groups_repeats: ClassVar[bool] = True  # equal consecutive codes share one token (`cont:2`): the number counts
    usage: ClassVar[str]  # the token's syntax, for error messages

    _registry: ClassVar[dict[str, CodeKind]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.name in CodeKind._registry:
            raise ValueError(f"code kind {cls.name!r} is already defined")
        CodeKind._registry[cls.name] = cls()

    def parse(self, token: str, number: int, modifiers: Sequence[str]) -> list[Code]:
        """The codes of one `--codes` token `<token>:<number>[:modifiers]` (default: `number` equal codes)."""
        if number < 1:
            raise LatentSpecError(f"bad code token {token!r}: the count must be >= 1")
        self._check_modifiers(token, modifiers)
        return [Code(self.name)] * number

    def _check_modifiers(self, token: str, modifiers: Sequence[str]) -> None:
        unknown = [m for m in modifiers if m not in self.modifiers]
        if unknown:
            raise LatentSpecError(f"bad code token {token!r}: unknown modifier {unknown[0]!r}")

    def token_of(self, code: Code, count: int) -> str:
        """The token of `count` equal consecutive codes; `count` is always 1 for a kind whose number is no count."""
        return f"{self.token}:{count}"

    def metric_stem(self, code: Code) -> str:
        return self.token

    def num_q_params(self, code: Code) -> int:
        return 1

    def input_width(self, code: Code) -> int:
        return 1

    def prior(self, code: Code) -> tfd.Distribution:
        raise NotImplementedError

    def prior_entropy(self, code: Code) -> float:
        raise NotImplementedError

    def q_distribution(self, code: Code, params: tf.Tensor) -> tfd.Distribution:
        raise NotImplementedError

    def generator_input(self, values, codes: Sequence[Code], dtype):
        """This kind's input group [B, n] -> its part of G's input vector, as Keras ops."""
        return keras.ops.cast(values, dtype)

    def readout(self, dist: tfd.Distribution) -> tf.Tensor:
        """What the encoder reports for one code: Q's mean (for a Bernoulli code, its probability of a 1)."""
        return tf.cast(dist.mean(), self.dtype)

    def extra_readouts(self, dists: Sequence[tfd.Distribution], batch: tf.Tensor) -> dict[str, tf.Tensor]:
        return {}

    def sweep_values(self, code: Code) -> np.ndarray:
        raise NotImplementedError

    def sweep_values_within(self, code: Code, span: float) -> np.ndarray:
        """The sweep when traversals are asked to span -span..span: kinds without a range keep their own sweep."""
        return self.sweep_values(code)

    def factor_grid(self, code: Code, bins: int) -> np.ndarray:
        return self.sweep_values(code)

    def recovery(self, truth: np.ndarray, reading: np.ndarray) -> dict[str, float]:
        """How well the encoder's readings match the true values on generated images."""
        return {"accuracy": float(np.mean(reading == truth))}

    def apart(self, code: Code, first: tf.Tensor, second: tf.Tensor, gap: float, seed: tf.Tensor):
        """Values of one code for two images that must not share it (InfoGAN-CR's pairs)."""
        raise NotImplementedError

    def input_checks(self, group: str, tensor: tf.Tensor, codes: dict[str, Code]) -> list[tf.Operation]:
        """Range checks on a served input group; `codes` maps code names to codes in column order."""
        return []


class Categorical(CodeKind):
    name = "categorical"
    token = "cat"
    dtype = tf.int32
    nominal = True
    gif_frame_ms = 600
    extra_outputs = ("categorical_probs",)
    groups_repeats = False  # cat:K is one code of K categories
    usage = "cat:K"

    def parse(self, token, number, modifiers):
        if number < 2 or modifiers:
            raise LatentSpecError(f"bad code token {token!r}: a categorical code needs cat:K with K >= 2")
        if number > MAX_CATEGORIES:
            raise LatentSpecError(
                f"bad code token {token!r}: at most {MAX_CATEGORIES} categories (G's input layer and Q's output "
                "grow with K; a larger K makes checkpoints of gigabytes)"
            )
        return [Code(self.name, num_categories=number)]

    def token_of(self, code, count):
        return f"{self.token}:{code.num_categories}"

    def metric_stem(self, code):
        return f"cat{code.num_categories}"

    def num_q_params(self, code):
        return code.num_categories

    def input_width(self, code):
        return code.num_categories

    def prior(self, code):
        return tfd.Categorical(logits=tf.zeros([code.num_categories]), dtype=tf.int32)

    def prior_entropy(self, code):
        return math.log(code.num_categories)

    def q_distribution(self, code, params):
        return tfd.Categorical(logits=params, dtype=tf.int32)

    def generator_input(self, values, codes, dtype):
        parts = [keras.ops.one_hot(values[:, column], code.num_categories, dtype=dtype)
                 for column, code in enumerate(codes)]
        return keras.ops.concatenate(parts, axis=-1)

    def readout(self, dist):
        return tf.cast(dist.mode(), tf.int32)

    def extra_readouts(self, dists, batch):
        probs = [dist.probs_parameter() for dist in dists]
        return {"categorical_probs": tf.concat(probs, axis=1) if probs else tf.zeros([batch, 0], tf.float32)}

    def sweep_values(self, code):
        return np.arange(code.num_categories)

    def apart(self, code, first, second, gap, seed):
        offset = tf.random.stateless_uniform(tf.shape(first), seed, 1, code.num_categories, dtype=tf.int32)
        return first, (first + offset) % code.num_categories

    def input_checks(self, group, tensor, codes):
        checks = []
        for column, (code_name, code) in enumerate(codes.items()):
            indices = tensor[:, column]
            size = code.num_categories
            valid = tf.reduce_all(tf.logical_and(indices >= 0, indices < size))
            message = f"input {group}, column {column} (code {code_name}): indices must be in [0, {size}); got"
            checks.append(tf.debugging.Assert(valid, [message, indices]))
        return checks


class Continuous(CodeKind):
    name = "continuous"
    token = "cont"
    modifiers = PRIORS + ("fixed_std", "learned_std")
    gif_frame_ms = 120
    gif_round_trip = True
    usage = "cont:N[:modifiers]"

    def parse(self, token, number, modifiers):
        codes = super().parse(token, number, modifiers)
        prior = "normal" if "normal" in modifiers else "uniform"
        return [dataclasses.replace(code, prior=prior, learned_std="learned_std" in modifiers) for code in codes]

    def token_of(self, code, count):
        return f"{self.token}:{count}:{code.prior}" + (":learned_std" if code.learned_std else "")

    def num_q_params(self, code):
        return 2 if code.learned_std else 1

    def prior(self, code):
        if code.prior == "normal":
            return tfd.Normal(0.0, 1.0)
        return tfd.Uniform(-1.0, 1.0)

    def prior_entropy(self, code):
        if code.prior == "normal":
            return 0.5 * math.log(2.0 * math.pi * math.e)
        return math.log(2.0)

    def q_distribution(self, code, params):
        if code.learned_std:
            return tfd.Normal(loc=params[:, 0], scale=tf.nn.softplus(params[:, 1]) + _MIN_STD)
        return tfd.Normal(loc=params[:, 0], scale=1.0)

    def sweep_values(self, code):
        return self.sweep_values_within(code, CONTINUOUS_RANGE[1])

    def sweep_values_within(self, code, span):
        return np.linspace(-span, span, CONTINUOUS_STEPS).astype(np.float32)

    def factor_grid(self, code, bins):
        """`bins` prior quantile midpoints."""
        midpoints = (np.arange(bins) + 0.5) / bins
        if code.prior == "normal":
            return stats.norm.ppf(midpoints)
        return 2.0 * midpoints - 1.0

    def recovery(self, truth, reading):
        return {"r2": float(1.0 - np.mean((truth - reading) ** 2) / max(np.var(truth), 1e-12))}

    def apart(self, code, first, second, gap, seed):
        if gap <= 0.0:
            return first, second
        if code.prior == "uniform":
            first, second = first * (1.0 - gap / 2.0), second * (1.0 - gap / 2.0)
        sign = tf.where(first > second, 1.0, -1.0)
        return first + sign * gap / 2.0, second - sign * gap / 2.0


class Bernoulli(CodeKind):
    name = "bernoulli"
    token = "bern"
    usage = "bern:N"

    def prior(self, code):
        return tfd.Bernoulli(probs=0.5, dtype=tf.float32)

    def prior_entropy(self, code):
        return math.log(2.0)

    def q_distribution(self, code, params):
        return tfd.Bernoulli(logits=params[:, 0], dtype=tf.float32)

    def sweep_values(self, code):
        return np.array([0.0, 1.0], np.float32)

    def recovery(self, truth, reading):
        return {"accuracy": float(np.mean((reading > 0.5) == (truth > 0.5)))}

    def apart(self, code, first, second, gap, seed):
        return first, 1.0 - first

    def input_checks(self, group, tensor, codes):
        valid = tf.reduce_all(tf.logical_or(tf.equal(tensor, 0.0), tf.equal(tensor, 1.0)))
        return [tf.debugging.Assert(valid, [f"input {group}: values must be 0 or 1; got", tensor])]


def all_kinds() -> tuple[CodeKind, ...]:
    """Every kind, in definition order: the order of the groups in G's input vector."""
    return tuple(CodeKind._registry.values())


def grouped_by_kind(codes: Sequence[Code], items: Sequence | None = None) -> dict[str, list]:
    """`items` (default: the codes themselves), one per code, grouped by the code's kind; every kind is a key, in
    definition order, so that each group keeps its codes' column order."""
    groups: dict[str, list] = {kind.name: [] for kind in all_kinds()}
    for code, item in zip(codes, codes if items is None else items, strict=True):
        groups[code.kind].append(item)
    return groups


def kind_named(name: str) -> CodeKind:
    return CodeKind._registry[name]


def kind_of_token(token: str) -> CodeKind | None:
    return next((kind for kind in all_kinds() if kind.token == token), None)
