"""Known-answer tests for infogan_tf.evaluation.image_quality."""

import numpy as np
import pytest
import scipy.linalg

from infogan_tf.evaluation.image_quality import class_purity, frechet_distance, kernel_inception_distance


def _with_exact_moments(rng: np.random.Generator, mean: np.ndarray, cov: np.ndarray, num: int = 500) -> np.ndarray:
    """Samples whose sample mean and (ddof=1) covariance equal `mean` and `cov` exactly."""
    white = rng.normal(size=(num, len(mean)))
    white -= white.mean(axis=0)
    white = white @ np.linalg.inv(np.linalg.cholesky(np.cov(white, rowvar=False))).T
    return white @ np.linalg.cholesky(cov).T + mean


def test_frechet_distance_of_a_set_with_itself_is_zero():
    features = np.random.default_rng(0).normal(size=(300, 8))
    assert frechet_distance(features, features) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_grows_with_mean_shift():
    features = np.random.default_rng(1).normal(size=(300, 8))
    distances = [frechet_distance(features, features + shift) for shift in (0.5, 1.0, 2.0)]
    # Equal covariances: only the squared mean difference remains, 8 * shift**2.
    assert distances == pytest.approx([2.0, 8.0, 32.0])


def test_frechet_distance_matches_gaussian_closed_form():
    rng = np.random.default_rng(2)
    mean_a, mean_b = np.zeros(3), np.array([1.0, -2.0, 0.5])
    rotation = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    eigenvalues = np.array([0.25, 1.0, 4.0])
    features_a = _with_exact_moments(rng, mean_a, np.eye(3))
    features_b = _with_exact_moments(rng, mean_b, rotation @ np.diag(eigenvalues) @ rotation.T)
    # With cov_a = I: |mu_a - mu_b|^2 + sum_i (1 - sqrt(lambda_i))^2 = 5.25 + (0.25 + 0 + 1).
    expected = np.sum((mean_a - mean_b) ** 2) + np.sum((1.0 - np.sqrt(eigenvalues)) ** 2)
    assert frechet_distance(features_a, features_b) == pytest.approx(expected, rel=1e-6)


def test_frechet_distance_matches_the_sqrtm_formula():
    rng = np.random.default_rng(6)
    features_a = rng.normal(size=(400, 6)) @ rng.normal(size=(6, 6))
    features_b = np.tanh(rng.normal(size=(300, 6)) @ rng.normal(size=(6, 6))) + 0.3
    cov_a, cov_b = np.cov(features_a, rowvar=False), np.cov(features_b, rowvar=False)
    mean_difference = features_a.mean(axis=0) - features_b.mean(axis=0)
    sqrt_product = scipy.linalg.sqrtm(cov_a @ cov_b).real
    expected = mean_difference @ mean_difference + np.trace(cov_a + cov_b - 2.0 * sqrt_product)
    assert frechet_distance(features_a, features_b) == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_with_singular_covariance_is_finite():
    rng = np.random.default_rng(3)
    assert np.isfinite(frechet_distance(rng.normal(size=(5, 16)), rng.normal(size=(5, 16))))


def test_kid_is_near_zero_for_one_distribution_and_positive_for_shifted():
    rng = np.random.default_rng(4)
    features_a, features_b = rng.normal(size=(1000, 16)), rng.normal(size=(1000, 16))
    same = kernel_inception_distance(features_a, features_b, subset_size=500, rng=rng)
    shifted = kernel_inception_distance(features_a, features_b + 0.5, subset_size=500, rng=rng)
    assert abs(same["kid_mean"]) < 0.02
    assert shifted["kid_mean"] > 0.5
    assert shifted["kid_mean"] > 10 * shifted["kid_std"]


def test_kid_deterministic_for_a_seed():
    rng = np.random.default_rng(5)
    features_a, features_b = rng.normal(size=(200, 4)), rng.normal(size=(150, 4))
    first = kernel_inception_distance(features_a, features_b, rng=np.random.default_rng(9))
    assert first == kernel_inception_distance(features_a, features_b, rng=np.random.default_rng(9))


def test_class_purity_known_assignment():
    code_values = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2])
    predicted_classes = np.array([3, 3, 3, 5, 1, 1, 1, 7, 4])
    result = class_purity(code_values, predicted_classes)
    assert result["purity_per_value"] == pytest.approx([0.75, 1.0, 0.5])
    assert result["purity"] == pytest.approx(0.75)
    assert result["majority_class_per_value"] == [3, 1, 4]  # the tie at code value 2 goes to the smaller class
    assert result["code_values"] == [0, 1, 2]


@pytest.mark.parametrize(
    "features_a, features_b, message",
    [
        (np.zeros((10, 3)), np.zeros((10, 4)), "features_b"),
        (np.zeros((1, 3)), np.zeros((10, 3)), "features_a"),
        (np.zeros(10), np.zeros((10, 3)), "features_a"),
    ],
)
def test_invalid_features_raise(features_a, features_b, message):
    with pytest.raises(ValueError, match=message):
        frechet_distance(features_a, features_b)
    with pytest.raises(ValueError, match=message):
        kernel_inception_distance(features_a, features_b, rng=np.random.default_rng(0))


def test_class_purity_mismatched_lengths_raise():
    with pytest.raises(ValueError, match="predicted_classes"):
        class_purity(np.zeros(4, int), np.zeros(3, int))
