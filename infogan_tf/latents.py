"""Latent specification: unstructured noise z plus structured codes c, and sampling from their priors.

The grammar (one place, documented in the README) is a comma-separated list of tokens:

    cat:K                 one categorical code with K categories (uniform prior)
    cont:N[:MOD...]       N continuous codes; MOD in {uniform, normal, fixed_std, learned_std}
                          (prior uniform(-1, 1) by default; Q is a Normal with fixed std 1 unless learned_std)
    bern:N                N Bernoulli(0.5) codes

Every code is one scalar variable, so `cont:2` yields two codes. Batched latents are kept grouped by kind
(`categorical` int32 [B, n_cat], `continuous` float32 [B, n_cont], `bernoulli` float32 [B, n_bern]), the layout that
the generator's inputs and the serving signatures share.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import tensorflow as tf
import tensorflow_probability as tfp

tfd = tfp.distributions

CATEGORICAL = "categorical"
CONTINUOUS = "continuous"
BERNOULLI = "bernoulli"
KINDS = (CATEGORICAL, CONTINUOUS, BERNOULLI)
MAX_CATEGORIES = 1000  # K of cat:K; G's input layer and Q's output layer grow with K
_TOKEN_KINDS = {"cat": CATEGORICAL, "cont": CONTINUOUS, "bern": BERNOULLI}
_PRIORS = ("uniform", "normal")
_CONTINUOUS_MODIFIERS = _PRIORS + ("fixed_std", "learned_std")


class LatentSpecError(ValueError):
    """A latent specification that cannot be parsed or is inconsistent."""


@dataclasses.dataclass(frozen=True)
class Code:
    """One scalar structured code.

    Attributes:
        kind: one of KINDS.
        num_categories: K for a categorical code, else 1.
        prior: "uniform" or "normal" for a continuous code; "uniform" for the others.
        learned_std: whether Q predicts the std of a continuous code (else it is fixed at 1).
    """

    kind: str
    num_categories: int = 1
    prior: str = "uniform"
    learned_std: bool = False

    @property
    def num_q_params(self) -> int:
        """How many numbers Q's head predicts for this code."""
        if self.kind == CATEGORICAL:
            return self.num_categories
        if self.kind == CONTINUOUS:
            return 2 if self.learned_std else 1
        return 1

    @property
    def input_width(self) -> int:
        """How many numbers this code contributes to the generator's input vector."""
        return self.num_categories if self.kind == CATEGORICAL else 1

    def prior_distribution(self) -> tfd.Distribution:
        """The prior p(c) this code is sampled from, as a scalar TFP distribution."""
        if self.kind == CATEGORICAL:
            return tfd.Categorical(logits=tf.zeros([self.num_categories]), dtype=tf.int32)
        if self.kind == BERNOULLI:
            return tfd.Bernoulli(probs=0.5, dtype=tf.float32)
        if self.prior == "normal":
            return tfd.Normal(0.0, 1.0)
        return tfd.Uniform(-1.0, 1.0)

    def prior_entropy(self) -> float:
        """H(c) in nats; H(c) + E log q(c|x) is the per-code mutual-information lower bound."""
        if self.kind == CATEGORICAL:
            return math.log(self.num_categories)
        if self.kind == BERNOULLI:
            return math.log(2.0)
        if self.prior == "normal":
            return 0.5 * math.log(2.0 * math.pi * math.e)
        return math.log(2.0)

    @property
    def name(self) -> str:
        if self.kind == CATEGORICAL:
            return f"cat{self.num_categories}"
        return "cont" if self.kind == CONTINUOUS else "bern"


@dataclasses.dataclass(frozen=True)
class LatentSpec:
    """Noise dimension and prior, plus the structured codes in declaration order."""

    noise_dim: int
    codes: tuple[Code, ...] = ()
    noise_prior: str = "uniform"

    def __post_init__(self):
        if self.noise_dim < 0:
            raise LatentSpecError(f"noise_dim must be >= 0, got {self.noise_dim}")
        if self.noise_prior not in _PRIORS:
            raise LatentSpecError(f"noise prior must be one of {_PRIORS}, got {self.noise_prior!r}")
        if self.noise_dim == 0 and not self.codes:
            raise LatentSpecError("the latent space is empty: give --noise_dim > 0 or at least one code")

    def codes_of(self, kind: str) -> tuple[Code, ...]:
        return tuple(code for code in self.codes if code.kind == kind)

    def count(self, kind: str) -> int:
        return len(self.codes_of(kind))

    @property
    def num_q_params(self) -> int:
        return sum(code.num_q_params for code in self.codes)

    @property
    def input_dim(self) -> int:
        """Width of the generator's concatenated input vector."""
        return self.noise_dim + sum(code.input_width for code in self.codes)

    def code_names(self) -> list[str]:
        """Stable, unique names for metrics: cat10_0, cont_0, cont_1, bern_0 ..."""
        seen: dict[str, int] = {}
        names = []
        for code in self.codes:
            index = seen.get(code.kind, 0)
            seen[code.kind] = index + 1
            names.append(f"{code.name}_{index}")
        return names

    def to_string(self) -> str:
        """The `--codes` string this spec parses from (grouping repeated continuous/Bernoulli codes)."""
        tokens: list[str] = []
        for code in self.codes:
            if code.kind == CATEGORICAL:
                tokens.append(f"cat:{code.num_categories}")
                continue
            prefix = "cont" if code.kind == CONTINUOUS else "bern"
            modifiers = ""
            if code.kind == CONTINUOUS:
                modifiers = f":{code.prior}" + (":learned_std" if code.learned_std else "")
            last = tokens[-1].split(":") if tokens else []
            if last and last[0] == prefix and ":".join(last[2:]) == modifiers.lstrip(":"):
                tokens[-1] = ":".join([prefix, str(int(last[1]) + 1)] + last[2:])
            else:
                tokens.append(f"{prefix}:1{modifiers}")
        return ",".join(tokens)

    def to_json(self) -> dict:
        return {
            "noise_dim": self.noise_dim,
            "noise_prior": self.noise_prior,
            "codes": self.to_string(),
            "code_names": self.code_names(),
            "categorical_sizes": [code.num_categories for code in self.codes_of(CATEGORICAL)],
            "num_continuous": self.count(CONTINUOUS),
            "num_bernoulli": self.count(BERNOULLI),
        }


def parse_codes(text: str) -> tuple[Code, ...]:
    """Parses a `--codes` string such as "cat:10,cont:2" into codes.

    Raises:
        LatentSpecError: naming the first bad token.
    """
    codes: list[Code] = []
    for token in (t.strip() for t in text.split(",")):
        if not token:
            continue
        parts = token.split(":")
        kind = _TOKEN_KINDS.get(parts[0])
        if kind is None or len(parts) < 2:
            raise LatentSpecError(f"bad code token {token!r}: expected cat:K, cont:N[:modifiers] or bern:N")
        try:
            number = int(parts[1])
        except ValueError:
            raise LatentSpecError(f"bad code token {token!r}: {parts[1]!r} is not an integer") from None
        modifiers = parts[2:]
        if kind == CATEGORICAL:
            if number < 2 or modifiers:
                raise LatentSpecError(f"bad code token {token!r}: a categorical code needs cat:K with K >= 2")
            if number > MAX_CATEGORIES:
                raise LatentSpecError(
                    f"bad code token {token!r}: at most {MAX_CATEGORIES} categories (G's input layer and Q's output "
                    "grow with K; a larger K makes checkpoints of gigabytes)"
                )
            codes.append(Code(CATEGORICAL, num_categories=number))
            continue
        if number < 1:
            raise LatentSpecError(f"bad code token {token!r}: the count must be >= 1")
        unknown = [m for m in modifiers if m not in (_CONTINUOUS_MODIFIERS if kind == CONTINUOUS else ())]
        if unknown:
            raise LatentSpecError(f"bad code token {token!r}: unknown modifier {unknown[0]!r}")
        prior = "normal" if "normal" in modifiers else "uniform"
        codes.extend([Code(kind, prior=prior, learned_std="learned_std" in modifiers)] * number)
    return tuple(codes)


def parse_latent_spec(codes: str, noise_dim: int, noise_prior: str = "uniform") -> LatentSpec:
    return LatentSpec(noise_dim=noise_dim, codes=parse_codes(codes), noise_prior=noise_prior)


def _noise_distribution(spec: LatentSpec) -> tfd.Distribution:
    if spec.noise_prior == "normal":
        return tfd.Normal(0.0, 1.0)
    return tfd.Uniform(-1.0, 1.0)


def _stack_codes(values: Sequence[tf.Tensor], batch_size: int, dtype: tf.DType) -> tf.Tensor:
    if not values:
        return tf.zeros([batch_size, 0], dtype)
    return tf.stack(values, axis=1)


def sample_latents(spec: LatentSpec, batch_size: int, seed: tf.Tensor) -> dict[str, tf.Tensor]:
    """Draws a batch from the priors with a stateless seed (shape [2]), so a seed always gives the same batch.

    Returns:
        {"noise": float32 [B, noise_dim], "categorical": int32 [B, n_cat], "continuous": float32 [B, n_cont],
         "bernoulli": float32 [B, n_bern]}.
    """
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int32), num=len(spec.codes) + 1)
    noise = _noise_distribution(spec).sample([batch_size, spec.noise_dim], seed=seeds[0])
    grouped: dict[str, list[tf.Tensor]] = {kind: [] for kind in KINDS}
    for index, code in enumerate(spec.codes):
        grouped[code.kind].append(code.prior_distribution().sample(batch_size, seed=seeds[index + 1]))
    return {
        "noise": noise,
        CATEGORICAL: _stack_codes(grouped[CATEGORICAL], batch_size, tf.int32),
        CONTINUOUS: _stack_codes(grouped[CONTINUOUS], batch_size, tf.float32),
        BERNOULLI: _stack_codes(grouped[BERNOULLI], batch_size, tf.float32),
    }


def code_values(spec: LatentSpec, latents: dict[str, tf.Tensor]) -> list[tf.Tensor]:
    """The value of each code, in spec order: what Q's distributions score with log_prob."""
    columns = {kind: 0 for kind in KINDS}
    values = []
    for code in spec.codes:
        values.append(latents[code.kind][:, columns[code.kind]])
        columns[code.kind] += 1
    return values


def with_code_values(spec: LatentSpec, latents: dict[str, tf.Tensor], values: Sequence[tf.Tensor]) -> dict:
    """`latents` with each code replaced by `values` (spec order): the inverse of `code_values`."""
    batch_size = tf.shape(latents["noise"])[0]
    grouped: dict[str, list[tf.Tensor]] = {kind: [] for kind in KINDS}
    for code, value in zip(spec.codes, values, strict=True):
        grouped[code.kind].append(value)
    dtypes = {CATEGORICAL: tf.int32, CONTINUOUS: tf.float32, BERNOULLI: tf.float32}
    return {**latents, **{kind: _stack_codes(grouped[kind], batch_size, dtypes[kind]) for kind in KINDS}}
