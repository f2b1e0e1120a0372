"""Known-answer tests for infogan_tf.evaluation.dci."""

import numpy as np
import pytest

from infogan_tf.evaluation.dci import completeness_from_importance, compute_dci, disentanglement_from_importance

FACTOR_SIZES = (3, 5, 8)


def _factors(rng: np.random.Generator, num: int) -> np.ndarray:
    return np.stack([rng.integers(size, size=num) for size in FACTOR_SIZES], axis=1)


def _perfect_codes(rng: np.random.Generator, factors: np.ndarray) -> np.ndarray:
    """The factors, rescaled and slightly blurred, followed by two pure-noise codes."""
    signal = factors * [1.0, -2.0, 0.5] + 0.05 * rng.normal(size=factors.shape)
    return np.concatenate([signal, rng.normal(size=(len(factors), 2))], axis=1)


@pytest.mark.parametrize("importance", [np.eye(3), 0.3 * np.eye(4), np.vstack([np.diag([1.0, 2.0]), np.zeros((2, 2))])])
def test_diagonal_importance_scores_one(importance):
    assert disentanglement_from_importance(importance) == pytest.approx(1.0)
    assert completeness_from_importance(importance) == pytest.approx(1.0)


def test_uniform_importance_scores_zero():
    importance = np.ones((4, 3))
    assert disentanglement_from_importance(importance) == pytest.approx(0.0, abs=1e-12)
    assert completeness_from_importance(importance) == pytest.approx(0.0, abs=1e-12)


def test_hand_computed_importance():
    # Code 0 is split evenly over both factors (score 0, weight 2/3), code 1 serves factor 1 only (score 1, weight
    # 1/3); symmetrically factor 0 has one code (1, weight 1/3) and factor 1 two equal codes (0, weight 2/3).
    importance = np.array([[1.0, 1.0], [0.0, 1.0]])
    assert disentanglement_from_importance(importance) == pytest.approx(1 / 3)
    assert completeness_from_importance(importance) == pytest.approx(1 / 3)


def test_degenerate_importance():
    assert disentanglement_from_importance(np.zeros((3, 2))) == 0.0
    assert disentanglement_from_importance(np.array([[0.2], [0.8]])) == 1.0
    with pytest.raises(ValueError, match="importance"):
        disentanglement_from_importance(-np.eye(2))


def test_perfect_encoder_is_disentangled_and_informative():
    rng = np.random.default_rng(0)
    train_factors, test_factors = _factors(rng, 1000), _factors(rng, 500)
    result = compute_dci(
        _perfect_codes(rng, train_factors), train_factors, _perfect_codes(rng, test_factors), test_factors, rng
    )
    assert result["disentanglement"] > 0.8
    assert result["completeness"] > 0.8
    assert result["informativeness_test"] > 0.95


def test_random_encoder_is_not_disentangled():
    rng = np.random.default_rng(1)
    train_factors, test_factors = _factors(rng, 1000), _factors(rng, 500)
    result = compute_dci(rng.normal(size=(1000, 5)), train_factors, rng.normal(size=(500, 5)), test_factors, rng)
    assert result["disentanglement"] < 0.1
    assert result["informativeness_test"] < 0.35


def test_deterministic_for_a_seed():
    rng = np.random.default_rng(2)
    factors = _factors(rng, 300)
    codes = _perfect_codes(rng, factors)
    first = compute_dci(codes, factors, codes, factors, np.random.default_rng(7))
    assert first == compute_dci(codes, factors, codes, factors, np.random.default_rng(7))


def test_mismatched_code_dimensions_raise():
    factors = np.zeros((10, 2), int)
    with pytest.raises(ValueError, match="test_codes"):
        compute_dci(np.zeros((10, 3)), factors, np.zeros((10, 4)), factors, np.random.default_rng(0))
