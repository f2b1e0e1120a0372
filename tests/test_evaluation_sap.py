"""Known-answer tests for infogan_tf.evaluation.sap."""

import numpy as np
import pytest

from infogan_tf.evaluation.sap import compute_sap

FACTOR_SIZES = (2, 3, 4)


def _factors(rng: np.random.Generator, num: int) -> np.ndarray:
    return np.stack([rng.integers(size, size=num) for size in FACTOR_SIZES], axis=1)


def _perfect_codes(rng: np.random.Generator, factors: np.ndarray) -> np.ndarray:
    """The factors, rescaled, followed by two pure-noise codes."""
    return np.concatenate([factors * [1.0, -2.0, 1.5], rng.normal(size=(len(factors), 2))], axis=1)


def test_perfect_encoder_scores_high():
    rng = np.random.default_rng(0)
    train_factors, test_factors = _factors(rng, 1000), _factors(rng, 500)
    result = compute_sap(
        _perfect_codes(rng, train_factors), train_factors, _perfect_codes(rng, test_factors), test_factors
    )
    # A single linear one-vs-rest classifier separates 2 and 3 values perfectly but not the middle values of 4.
    assert result["sap"] > 0.45


def test_binary_factors_score_exactly_one_minus_chance():
    factors = np.tile(np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), (50, 1))
    assert compute_sap(factors.astype(float), factors, factors.astype(float), factors)["sap"] == pytest.approx(0.5)


def test_random_encoder_scores_near_zero():
    rng = np.random.default_rng(1)
    train_factors, test_factors = _factors(rng, 1000), _factors(rng, 500)
    assert compute_sap(rng.normal(size=(1000, 5)), train_factors, rng.normal(size=(500, 5)), test_factors)["sap"] < 0.05


def test_deterministic():
    rng = np.random.default_rng(2)
    factors = _factors(rng, 300)
    codes = _perfect_codes(rng, factors) + rng.normal(size=(300, 5))
    assert compute_sap(codes, factors, codes, factors) == compute_sap(codes, factors, codes, factors)


@pytest.mark.parametrize(
    "train_codes, train_factors, message",
    [
        (np.zeros((10, 3)), np.zeros((9, 2), int), "train_codes"),
        (np.zeros((10, 3)), np.zeros((10, 2)), "train_factors"),
        (np.zeros((10, 3)), np.zeros((10, 2), int), "more than one value"),
    ],
)
def test_invalid_arguments_raise(train_codes, train_factors, message):
    with pytest.raises(ValueError, match=message):
        compute_sap(train_codes, train_factors, np.zeros((4, 3)), np.zeros((4, 2), int))
