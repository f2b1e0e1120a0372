"""Latent specification: unstructured noise z plus structured codes c, and sampling from their priors.

The grammar (one place, documented in the README) is a comma-separated list of tokens:

    cat:K                 one categorical code with K categories (uniform prior)
    cont:N[:MOD...]       N continuous codes; MOD in {uniform, normal, fixed_std, learned_std}
                          (prior uniform(-1, 1) by default; Q is a Normal with fixed std 1 unless learned_std)
    bern:N                N Bernoulli(0.5) codes

Each kind is a class in `code_kinds`. Every code is one scalar variable, so `cont:2` yields two codes. Batched
latents are kept grouped by kind
(`categorical` int32 [B, n_cat], `continuous` float32 [B, n_cont], `bernoulli` float32 [B, n_bern]), the layout that
the generator's inputs and the serving signatures share.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import tensorflow as tf
import tensorflow_probability as tfp

from infogan_tf import code_kinds
from infogan_tf.code_kinds import (
    MAX_CATEGORIES,
    PRIORS,
    Code,
    LatentSpecError,
    all_kinds,
    grouped_by_kind,
    kind_of_token,
)

tfd = tfp.distributions

# The input/output group names of the built-in kinds, as the servables and the metadata name them.
CATEGORICAL = code_kinds.Categorical.name
CONTINUOUS = code_kinds.Continuous.name
BERNOULLI = code_kinds.Bernoulli.name
__all__ = ["BERNOULLI", "CATEGORICAL", "CONTINUOUS", "MAX_CATEGORIES", "Code", "LatentSpec", "LatentSpecError",
           "code_values", "parse_codes", "parse_latent_spec", "sample_latents", "with_code_values"]


@dataclasses.dataclass(frozen=True)
class LatentSpec:
    """Noise dimension and prior, plus the structured codes in declaration order."""

    noise_dim: int
    codes: tuple[Code, ...] = ()
    noise_prior: str = "uniform"

    def __post_init__(self):
        if self.noise_dim < 0:
            raise LatentSpecError(f"noise_dim must be >= 0, got {self.noise_dim}")
        if self.noise_prior not in PRIORS:
            raise LatentSpecError(f"noise prior must be one of {PRIORS}, got {self.noise_prior!r}")
        if self.noise_dim == 0 and not self.codes:
            raise LatentSpecError("the latent space is empty: give --noise_dim > 0 or at least one code")

    def codes_of(self, kind: str) -> tuple[Code, ...]:
        return tuple(grouped_by_kind(self.codes).get(kind, ()))

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
        runs: list[list] = []  # [code, count] per token
        for code in self.codes:
            if runs and runs[-1][0] == code and code.kind_type.groups_repeats:
                runs[-1][1] += 1
            else:
                runs.append([code, 1])
        return ",".join(code.kind_type.token_of(code, count) for code, count in runs)

    def named_codes(self, kind: str) -> dict[str, Code]:
        """Code name -> code for the codes of one kind, in the column order of its input group."""
        names = grouped_by_kind(self.codes, self.code_names()).get(kind, ())
        return dict(zip(names, self.codes_of(kind), strict=True))

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
        kind = kind_of_token(parts[0])
        if kind is None or len(parts) < 2:
            *others, last = [kind.usage for kind in all_kinds()]
            raise LatentSpecError(f"bad code token {token!r}: expected {', '.join(others)} or {last}")
        try:
            number = int(parts[1])
        except ValueError:
            raise LatentSpecError(f"bad code token {token!r}: {parts[1]!r} is not an integer") from None
        codes.extend(kind.parse(token, number, parts[2:]))
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


def _grouped(spec: LatentSpec, values: Sequence[tf.Tensor], batch_size) -> dict[str, tf.Tensor]:
    """Per-code values [B] (spec order) -> one [B, n] tensor per kind, in the kind's dtype ([B, 0] if absent)."""
    groups = grouped_by_kind(spec.codes, values)
    return {kind.name: _stack_codes(groups[kind.name], batch_size, kind.dtype) for kind in all_kinds()}


def sample_latents(spec: LatentSpec, batch_size: int, seed: tf.Tensor) -> dict[str, tf.Tensor]:
    """Draws a batch from the priors with a stateless seed (shape [2]), so a seed always gives the same batch.

    Returns:
        {"noise": float32 [B, noise_dim], "categorical": int32 [B, n_cat], "continuous": float32 [B, n_cont],
         "bernoulli": float32 [B, n_bern]} (one group per code kind).
    """
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int32), num=len(spec.codes) + 1)
    noise = _noise_distribution(spec).sample([batch_size, spec.noise_dim], seed=seeds[0])
    values = [code.prior_distribution().sample(batch_size, seed=seeds[index + 1])
              for index, code in enumerate(spec.codes)]
    return {"noise": noise, **_grouped(spec, values, batch_size)}


def code_values(spec: LatentSpec, latents: dict[str, tf.Tensor]) -> list[tf.Tensor]:
    """The value of each code, in spec order: what Q's distributions score with log_prob."""
    columns: dict[str, int] = {}
    values = []
    for code in spec.codes:
        column = columns.get(code.kind, 0)
        values.append(latents[code.kind][:, column])
        columns[code.kind] = column + 1
    return values


def with_code_values(spec: LatentSpec, latents: dict[str, tf.Tensor], values: Sequence[tf.Tensor]) -> dict:
    """`latents` with each code replaced by `values` (spec order): the inverse of `code_values`."""
    return {**latents, **_grouped(spec, values, tf.shape(latents["noise"])[0])}
