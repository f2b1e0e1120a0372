"""Known-answer tests for infogan_tf.evaluation.factor_vae on a tiny synthetic ground-truth dataset."""

from collections.abc import Callable

import numpy as np
import pytest

from infogan_tf.evaluation.factor_vae import compute_factor_vae_score, compute_factor_vae_scores

FAST = {"batch_size": 32, "num_train": 300, "num_eval": 200, "num_variance_estimate": 1000}


class _EmbeddedFactors:
    """Four discrete factors; an "image" is a fixed random nonlinear embedding of them into a 4x4x1 array."""

    factor_sizes = (3, 4, 5, 6)

    def __init__(self) -> None:
        self.embedding = np.random.default_rng(0).normal(size=(len(self.factor_sizes), 16))

    def sample_factors(self, num: int, rng: np.random.Generator) -> np.ndarray:
        return np.stack([rng.integers(size, size=num) for size in self.factor_sizes], axis=1)

    def images_from_factors(self, factors: np.ndarray) -> np.ndarray:
        return np.sinh(self.normalise(factors) @ self.embedding).reshape(-1, 4, 4, 1)

    def normalise(self, factors: np.ndarray) -> np.ndarray:
        return factors / (np.array(self.factor_sizes) - 1.0)


def _perfect_encoder(data: _EmbeddedFactors, num_noise_dims: int = 2) -> Callable[[np.ndarray], np.ndarray]:
    """Inverts the embedding, rescales each factor differently and appends pure-noise dimensions."""
    noise = np.random.default_rng(1)
    inverse = np.linalg.pinv(data.embedding)

    def encode(images: np.ndarray) -> np.ndarray:
        factors = np.arcsinh(images.reshape(len(images), -1)) @ inverse
        return np.concatenate([factors * [1.0, -2.0, 1.5, 3.0], noise.normal(size=(len(images), num_noise_dims))], 1)

    return encode


def _random_encoder(num_dims: int = 6) -> Callable[[np.ndarray], np.ndarray]:
    noise = np.random.default_rng(2)
    return lambda images: noise.normal(size=(len(images), num_dims))


def test_perfect_encoder_scores_near_one():
    data = _EmbeddedFactors()
    result = compute_factor_vae_score(data, _perfect_encoder(data), np.random.default_rng(0), **FAST)
    assert result["eval_accuracy"] > 0.9
    assert result["train_accuracy"] > 0.9
    assert result["num_active_dims"] == 6


def test_random_encoder_scores_near_chance():
    data = _EmbeddedFactors()
    result = compute_factor_vae_score(data, _random_encoder(), np.random.default_rng(0), **FAST)
    assert abs(result["eval_accuracy"] - 1 / len(data.factor_sizes)) < 0.12


def test_low_variance_dimensions_are_pruned():
    data = _EmbeddedFactors()
    encode = _perfect_encoder(data)

    def encode_with_collapsed_dim(images: np.ndarray) -> np.ndarray:
        codes = encode(images)
        return np.concatenate([codes, 1e-3 * codes[:, :1]], axis=1)

    result = compute_factor_vae_score(data, encode_with_collapsed_dim, np.random.default_rng(0), **FAST)
    assert result["num_active_dims"] == 6
    assert result["eval_accuracy"] > 0.9


def test_no_active_dimension_scores_zero():
    data = _EmbeddedFactors()
    result = compute_factor_vae_score(data, lambda images: np.ones((len(images), 3)), np.random.default_rng(0), **FAST)
    assert result == {"train_accuracy": 0.0, "eval_accuracy": 0.0, "num_active_dims": 0}


def test_deterministic_for_a_seed():
    data = _EmbeddedFactors()
    first = compute_factor_vae_score(data, _random_encoder(), np.random.default_rng(5), **FAST)
    second = compute_factor_vae_score(data, _random_encoder(), np.random.default_rng(5), **FAST)
    assert first == second


def test_representation_of_wrong_shape_raises():
    data = _EmbeddedFactors()
    with pytest.raises(ValueError, match="representation_fn"):
        compute_factor_vae_score(data, lambda images: np.ones(len(images)), np.random.default_rng(0), **FAST)


def test_batch_of_one_raises():
    data = _EmbeddedFactors()
    with pytest.raises(ValueError, match="batch_size"):
        compute_factor_vae_score(data, _random_encoder(), np.random.default_rng(0), batch_size=1)


class _CountingRenders(_EmbeddedFactors):
    """Counts the images it renders."""

    def __init__(self) -> None:
        super().__init__()
        self.rendered = 0

    def images_from_factors(self, factors: np.ndarray) -> np.ndarray:
        self.rendered += len(factors)
        return super().images_from_factors(factors)


def test_several_representations_score_as_alone_on_images_rendered_once():
    def rivals(data):
        return {"perfect": _perfect_encoder(data), "random": _random_encoder(),
                "constant": lambda images: np.ones((len(images), 3))}

    shared = _CountingRenders()
    together = compute_factor_vae_scores(shared, rivals(shared), np.random.default_rng(4), **FAST)
    for name in ("perfect", "random", "constant"):
        alone = _CountingRenders()
        assert together[name] == compute_factor_vae_score(alone, rivals(alone)[name], np.random.default_rng(4), **FAST)
    assert list(together) == ["perfect", "random", "constant"]
    assert together["perfect"]["eval_accuracy"] > 0.9 and together["constant"]["num_active_dims"] == 0
    single = _CountingRenders()
    compute_factor_vae_score(single, _random_encoder(), np.random.default_rng(4), **FAST)
    assert shared.rendered == single.rendered
