"""Known-answer tests for infogan_tf.evaluation.mig."""

import numpy as np
import pytest

from infogan_tf.evaluation.mig import compute_mig

FACTOR_SIZES = (3, 5, 7, 10)


def _factors(rng: np.random.Generator, num: int = 3000) -> np.ndarray:
    return np.stack([rng.integers(size, size=num) for size in FACTOR_SIZES], axis=1)


def test_perfect_encoder_scores_near_one():
    rng = np.random.default_rng(0)
    factors = _factors(rng)
    codes = np.concatenate([factors * [0.5, -2.0, 1.0, 0.1] + 3.0, rng.normal(size=(len(factors), 2))], axis=1)
    result = compute_mig(codes, factors)
    assert result["mig"] > 0.8
    assert len(result["mig_per_factor"]) == len(FACTOR_SIZES)


def test_random_encoder_scores_near_zero():
    rng = np.random.default_rng(1)
    factors = _factors(rng)
    assert compute_mig(rng.normal(size=(len(factors), 6)), factors)["mig"] < 0.1


def test_balanced_independent_factors_give_exactly_one():
    factors = np.tile(np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), (25, 1))
    assert compute_mig(factors.astype(float), factors)["mig"] == pytest.approx(1.0)


def test_constant_factor_is_skipped():
    factors = np.tile(np.array([[0, 0, 4], [0, 1, 4], [1, 0, 4], [1, 1, 4]]), (25, 1))
    result = compute_mig(factors[:, :2].astype(float), factors)
    assert result["mig"] == pytest.approx(1.0)
    assert np.isnan(result["mig_per_factor"][2])


def test_deterministic():
    rng = np.random.default_rng(2)
    factors = _factors(rng, 500)
    codes = factors + rng.normal(size=factors.shape)
    assert compute_mig(codes, factors) == compute_mig(codes, factors)


@pytest.mark.parametrize(
    "codes, factors, message",
    [
        (np.zeros((5, 2)), np.zeros((4, 2), int), "codes"),
        (np.zeros((0, 2)), np.zeros((0, 2), int), "codes"),
        (np.zeros((5, 2)), np.zeros((5, 2)), "factors"),
        (np.full((5, 2), np.nan), np.zeros((5, 2), int), "codes"),
        (np.zeros((5, 2)), np.zeros((5, 2), int), "more than one value"),
    ],
)
def test_invalid_arguments_raise(codes, factors, message):
    with pytest.raises(ValueError, match=message):
        compute_mig(codes, factors)
