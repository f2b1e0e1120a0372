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
    np.testing.assert_allclose(result["information"], [[1.0, 0.0, np.nan], [0.0, 1.0, np.nan]], atol=1e-12)


def test_the_information_table_shows_a_second_code_taking_a_factors_gap_down():
    """A code that reads which half of the frame x is in tells ln 2 / ln 8 = 1/3 of x, and x's MIG is its own code's
    cell minus that one."""
    x = np.tile(np.arange(8), 50)
    factors = np.stack([x, np.repeat(np.arange(2), 200)], axis=1)
    codes = np.stack([x.astype(float), (x >= 4).astype(float), factors[:, 1].astype(float)], axis=1)
    result = compute_mig(codes, factors)
    information = np.array(result["information"])
    np.testing.assert_allclose(information[:, 0], [1.0, 1 / 3, 0.0], atol=1e-12)  # H(x) = ln 8, the half: ln 2
    assert result["mig_per_factor"][0] == pytest.approx(2 / 3)


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
