"""benchmarks/score_requirements.py: simulated encoders whose codes follow chosen factors with a set correlation."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from absl import app

from infogan_tf.datasets.base import DatasetInfo
from infogan_tf.evaluation.factor_vae import compute_factor_vae_score
from infogan_tf.evaluation.mig import compute_mig

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("score_requirements", ROOT / "benchmarks" / "score_requirements.py")
score_requirements = importlib.util.module_from_spec(spec)
spec.loader.exec_module(score_requirements)

INFO = DatasetInfo("simulated", (1, 1, 1), None, ("shape", "x", "y"), (3, 8, 8))


def _encoder(read, correlation, seed=0):
    return score_requirements.simulated_encoder(INFO, read, correlation, np.random.default_rng(seed))


def test_read_codes_have_the_set_correlation_and_unread_codes_none():
    encoder = _encoder(["x", "y"], 0.8)
    factors = encoder.sample_factors(20_000, np.random.default_rng(1))
    codes = encoder.encode(factors)
    correlations = [np.corrcoef(codes[:, i], factors[:, i])[0, 1] for i in range(3)]
    np.testing.assert_allclose(correlations, [0.0, 0.8, 0.8], atol=0.02)
    np.testing.assert_allclose(codes.std(axis=0), 1.0, atol=0.02)


def test_scores_rise_with_the_correlation():
    factors = _encoder(["x", "y"], 0.0).sample_factors(3_000, np.random.default_rng(2))
    migs = [compute_mig(_encoder(["x", "y"], r).encode(factors), factors)["mig_per_factor"] for r in (0.5, 1.0)]
    assert migs[0][0] < 0.02 and migs[1][0] < 0.02
    assert migs[1][1] > 0.9 and migs[0][1] < 0.2

    def factor_vae(r):
        encoder = _encoder(["shape", "x", "y"], r)
        return compute_factor_vae_score(encoder, encoder.encode, np.random.default_rng(3), num_train=300,
                                        num_eval=200, num_variance_estimate=1_000)["eval_accuracy"]
    assert factor_vae(1.0) == 1.0
    assert factor_vae(0.3) < 0.9


@pytest.mark.parametrize("read, correlation", [(["slant"], 0.5), (["x"], 1.5)])
def test_bad_settings_are_refused_by_name(read, correlation):
    with pytest.raises(app.UsageError, match="slant|1.5"):
        _encoder(read, correlation)


def test_a_correlation_that_is_not_a_number_is_refused_by_name():
    with pytest.raises(app.UsageError, match="0.8,high"):
        score_requirements._correlations(["0.8", "high"])


@pytest.mark.parametrize("noise_codes, follows", [(0, ["x", "y"]), (1, [None, "x", "y"]),
                                                  (3, [None, "x", "y", None, None])])
def test_noise_codes_set_how_many_pure_noise_codes_sit_beside_the_read_ones(noise_codes, follows):
    encoder = score_requirements.simulated_encoder(INFO, ["x", "y"], 0.8, np.random.default_rng(0), noise_codes)
    factors = encoder.sample_factors(20_000, np.random.default_rng(1))
    codes = encoder.encode(factors)
    assert codes.shape == (20_000, len(follows))
    for column, followed in enumerate(follows):
        correlations = [np.corrcoef(codes[:, column], factors[:, k])[0, 1] for k in range(3)]
        expected = [0.8 if name == followed else 0.0 for name in INFO.factor_names]
        np.testing.assert_allclose(correlations, expected, atol=0.03)


def test_without_noise_codes_factor_vae_never_names_an_unread_factor():
    """Exact readings of x and y alone: the classifier names those two and misses every vote for the shape."""
    encoder = score_requirements.simulated_encoder(INFO, ["x", "y"], 1.0, np.random.default_rng(0), 0)
    score = compute_factor_vae_score(encoder, encoder.encode, np.random.default_rng(3), num_train=300, num_eval=300,
                                     num_variance_estimate=1_000)["eval_accuracy"]
    assert abs(score - 2 / 3) < 0.08
