"""FactorVAE disentanglement score (Kim & Mnih, 2018, "Disentangling by Factorising", arXiv:1802.05983).

Follows disentanglement_lib's protocol: each training point fixes one random factor across a batch, votes for the
active code dimension of least normalised variance, and a majority-vote classifier maps dimensions to factors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

import numpy as np

# Bounds the images rendered and encoded at once; results do not depend on it.
_MAX_IMAGES_PER_CALL = 1024


class GroundTruthData(Protocol):
    """A dataset whose images are rendered from known discrete factors."""

    factor_sizes: tuple[int, ...]

    def sample_factors(self, num: int, rng: np.random.Generator) -> np.ndarray:
        """Draws factors int [num, F] using only `rng`."""

    def images_from_factors(self, factors: np.ndarray) -> np.ndarray:
        """Renders images float [num, H, W, C] from factors int [num, F]."""


def compute_factor_vae_score(
    ground_truth_data: GroundTruthData,
    representation_fn: Callable[[np.ndarray], np.ndarray],
    rng: np.random.Generator,
    **options: int | float,
) -> dict:
    """Accuracy of the majority-vote classifier from "dimension of least normalised variance" to "fixed factor".

    `representation_fn` maps images [num, H, W, C] to codes [num, D]; `options` are `compute_factor_vae_scores`'s.

    Returns:
        {"train_accuracy", "eval_accuracy", "num_active_dims"}; both accuracies are 0 if no dimension is active.
    """
    return compute_factor_vae_scores(ground_truth_data, {"": representation_fn}, rng, **options)[""]


def compute_factor_vae_scores(
    ground_truth_data: GroundTruthData,
    representation_fns: Mapping[str, Callable[[np.ndarray], np.ndarray]],
    rng: np.random.Generator,
    *,
    batch_size: int = 64,
    num_train: int = 10_000,
    num_eval: int = 5_000,
    num_variance_estimate: int = 10_000,
    prune_threshold: float = 0.05,
) -> dict[str, dict]:
    """The FactorVAE score of several representations, each as it would score alone with the same `rng`, but every
    image rendered once and shown to all of them: rendering usually costs more than encoding, and scoring rivals on
    the same images compares the representations rather than the draws.

    Args:
        ground_truth_data: provides `factor_sizes`, `sample_factors(num, rng)` and `images_from_factors(factors)`.
        representation_fns: {name: function mapping images [num, H, W, C] to codes [num, D]}.
        rng: the only source of randomness.
        batch_size: images per training point; the variance within the batch is what votes.
        num_train: training points (votes) for the classifier.
        num_eval: evaluation points.
        num_variance_estimate: images used for the global per-dimension variances.
        prune_threshold: dimensions with global variance below this fraction of the largest are inactive
            (a relative threshold, so the score does not depend on the codes' scale).

    Returns:
        {name: {"train_accuracy", "eval_accuracy", "num_active_dims"}} in the order of `representation_fns`; both
        accuracies are 0 for a representation with no active dimension.
    """
    if batch_size < 2 or num_variance_estimate < 2:
        raise ValueError(
            f"batch_size and num_variance_estimate must be >= 2, got {batch_size}, {num_variance_estimate}."
        )
    if num_train < 1 or num_eval < 1:
        raise ValueError(f"num_train and num_eval must be positive, got {num_train}, {num_eval}.")

    factors = _sample_factors(ground_truth_data, num_variance_estimate, rng)
    codes = _represent(ground_truth_data, representation_fns, factors)
    global_variances = {name: np.var(values, axis=0, ddof=1) for name, values in codes.items()}
    actives = {name: (variances > 0) & (variances >= prune_threshold * variances.max())
               for name, variances in global_variances.items()}
    scored = {name: fn for name, fn in representation_fns.items() if actives[name].any()}
    results = {name: {"train_accuracy": 0.0, "eval_accuracy": 0.0, "num_active_dims": 0}
               for name in representation_fns}
    if not scored:
        return results

    def votes(num_points: int) -> dict[str, np.ndarray]:
        return _votes(ground_truth_data, scored, rng, batch_size, num_points, global_variances, actives)

    train_votes = votes(num_train)
    eval_votes = votes(num_eval)
    for name in scored:
        classifier = np.argmax(train_votes[name], axis=0)
        results[name] = {
            "train_accuracy": _accuracy(train_votes[name], classifier),
            "eval_accuracy": _accuracy(eval_votes[name], classifier),
            "num_active_dims": int(actives[name].sum()),
        }
    return results


def _sample_factors(ground_truth_data: GroundTruthData, num: int, rng: np.random.Generator) -> np.ndarray:
    """Samples factors int [num, F] as a fresh copy, since callers overwrite columns in place."""
    factors = np.array(ground_truth_data.sample_factors(num, rng))
    expected = (num, len(ground_truth_data.factor_sizes))
    if factors.shape != expected:
        raise ValueError(f"sample_factors must return shape {expected}, got {factors.shape}.")
    return factors


def _represent(
    ground_truth_data: GroundTruthData,
    representation_fns: Mapping[str, Callable[[np.ndarray], np.ndarray]],
    factors: np.ndarray,
) -> dict[str, np.ndarray]:
    """{name: codes float [num, D]} of the images rendered from `factors`, rendered and encoded in chunks to bound
    memory, each chunk once for all representations."""
    chunks = {name: [] for name in representation_fns}
    for start in range(0, len(factors), _MAX_IMAGES_PER_CALL):
        images = ground_truth_data.images_from_factors(factors[start : start + _MAX_IMAGES_PER_CALL])
        for name, representation_fn in representation_fns.items():
            chunks[name].append(np.asarray(representation_fn(images)))
    codes = {name: np.concatenate(parts).astype(np.float64) for name, parts in chunks.items()}
    for values in codes.values():
        if values.ndim != 2 or len(values) != len(factors):
            raise ValueError(f"representation_fn must return codes [{len(factors)}, D], got shape {values.shape}.")
    return codes


def _votes(
    ground_truth_data: GroundTruthData,
    representation_fns: Mapping[str, Callable[[np.ndarray], np.ndarray]],
    rng: np.random.Generator,
    batch_size: int,
    num_points: int,
    global_variances: Mapping[str, np.ndarray],
    actives: Mapping[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """{name: vote counts int [F, active dims]}: how often a dimension had the least normalised variance per fixed
    factor.

    Several points share one encoder call.
    """
    num_factors = len(ground_truth_data.factor_sizes)
    votes = {name: np.zeros((num_factors, int(actives[name].sum())), dtype=np.int64) for name in representation_fns}
    points_per_call = max(1, _MAX_IMAGES_PER_CALL // batch_size)
    for start in range(0, num_points, points_per_call):
        num = min(points_per_call, num_points - start)
        fixed = rng.integers(num_factors, size=num)
        factors = _sample_factors(ground_truth_data, num * batch_size, rng).reshape(num, batch_size, num_factors)
        points = np.arange(num)
        factors[points, :, fixed] = factors[points, 0, fixed][:, np.newaxis]
        codes = _represent(ground_truth_data, representation_fns, factors.reshape(num * batch_size, num_factors))
        for name, values in codes.items():
            active = actives[name]
            local_variances = np.var(values.reshape(num, batch_size, -1), axis=1, ddof=1)[:, active]
            least = np.argmin(local_variances / global_variances[name][active], axis=1)
            np.add.at(votes[name], (fixed, least), 1)
    return votes


def _accuracy(votes: np.ndarray, classifier: np.ndarray) -> float:
    """Share of votes whose factor is the one the classifier assigns to their dimension."""
    return float(votes[classifier, np.arange(votes.shape[1])].sum() / votes.sum())
