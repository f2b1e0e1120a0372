"""A generator seen as ground-truth data: its own codes are the factors of the images it draws.

This is what tells the two failure modes apart. If the encoder recovers the codes from G's images (and separates
them: MIG and FactorVAE on these self-labelled fakes) but not the true factors from real images, Q does not
transfer; if it does neither, G has not tied its codes to separable factors. ModelCentrality (InfoGAN-CR, Lin et
al. 2020, section 5) scores one run's encoder on another run's self-labelled fakes in the same way.

Continuous codes are discretised into `bins` values of equal prior mass (for a uniform prior: equal-width cells,
each represented by its centre), so a "fixed" continuous code is one exact value, as the FactorVAE score needs.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from infogan_tf import latents, networks
from infogan_tf.evaluation import inference
from infogan_tf.evaluation.factor_vae import compute_factor_vae_score
from infogan_tf.evaluation.mig import compute_mig
from infogan_tf.evaluation.protocol import Protocol

DEFAULT_BINS = 20
_GENERATE_BATCH = 256


class GeneratedGroundTruth:
    """Images G draws from factor indices (one per code); the noise comes from a generator seeded once, so the
    same calls in the same order give the same images."""

    def __init__(self, generator: keras.Model, spec: latents.LatentSpec, seed: int, bins: int = DEFAULT_BINS):
        if not spec.codes:
            raise ValueError("a generator without structured codes has no factors")
        self.generator = generator
        self.spec = spec
        self.factor_names = tuple(spec.code_names())
        self.grids = [code.factor_grid(bins) for code in spec.codes]
        self.factor_sizes = tuple(len(grid) for grid in self.grids)
        self._noise_rng = np.random.default_rng([seed, 7])

    def sample_factors(self, num: int, rng: np.random.Generator) -> np.ndarray:
        return rng.integers(0, self.factor_sizes, size=(num, len(self.factor_sizes)), dtype=np.int64)

    def latents_from_factors(self, factors: np.ndarray) -> dict[str, tf.Tensor]:
        """G's inputs for factor indices [N, codes]: code values from the grids, fresh noise from the prior."""
        values = [tf.constant(grid[factors[:, index]], code.kind_type.dtype)
                  for index, (code, grid) in enumerate(zip(self.spec.codes, self.grids))]
        noise_shape = (len(factors), self.spec.noise_dim)
        if self.spec.noise_prior == "normal":
            noise = self._noise_rng.standard_normal(noise_shape)
        else:
            noise = self._noise_rng.uniform(-1.0, 1.0, noise_shape)
        return latents.with_code_values(self.spec, {"noise": tf.constant(noise, tf.float32)}, values)

    def images_from_factors(self, factors: np.ndarray) -> np.ndarray:
        factors = np.asarray(factors, np.int64)
        images = []
        for start in range(0, len(factors), _GENERATE_BATCH):
            batch = self.latents_from_factors(factors[start:start + _GENERATE_BATCH])
            inputs = networks.generator_inputs(self.spec, batch)
            images.append(np.asarray(inference.run(self.generator, inputs), np.float32))
        return np.concatenate(images)


def self_labelled_scores(
    data: GeneratedGroundTruth, representation, protocol: Protocol, seed: int
) -> dict:
    """MIG and FactorVAE score of `representation` (images -> code columns) on `data`'s images, `data`'s codes as
    the factors, with the protocol's sample counts."""
    rng = np.random.default_rng([seed, 8])
    factors = data.sample_factors(protocol.factor_train, rng)
    mig = compute_mig(representation(data.images_from_factors(factors)), factors, num_bins=protocol.mig_bins)
    factor_vae = compute_factor_vae_score(
        data, representation, np.random.default_rng([seed, 9]), batch_size=protocol.factor_vae_batch,
        num_train=protocol.factor_vae_train, num_eval=protocol.factor_vae_eval,
        num_variance_estimate=protocol.factor_vae_variance, prune_threshold=protocol.factor_vae_prune,
    )
    return {"mig": mig["mig"], "mig_per_code": mig["mig_per_factor"], "factor_vae": factor_vae}


def code_recovery(spec: latents.LatentSpec, sampled: dict[str, np.ndarray], encoded: dict[str, np.ndarray]) -> dict:
    """How well the encoder reads each code back from G(z, c): R^2 of Q's mean for a continuous code, accuracy of
    the argmax (categorical) or of p > 0.5 (Bernoulli) otherwise (the code's kind decides)."""
    truths = latents.code_values(spec, sampled)
    readings = latents.code_values(spec, encoded)
    return {
        name: code.kind_type.recovery(np.asarray(truth, np.float64), np.asarray(reading, np.float64))
        for code, name, truth, reading in zip(spec.codes, spec.code_names(), truths, readings, strict=True)
    }
