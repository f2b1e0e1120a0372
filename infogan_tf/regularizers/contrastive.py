"""InfoGAN-CR's contrastive regulariser (Lin et al., ICML 2020, eq. 4).

Pairs of generated images share the noise and exactly one code c_i, i drawn uniformly over the codes; every other
code is drawn independently (optionally at least `gap` apart for continuous codes; categorical and Bernoulli codes
always differ). A second discriminator H, D's trunk over the two images stacked on channels, predicts i with a
softmax. H minimises the cross-entropy, and so does G, weighted: a change of one code must then be recognisable as
that code's change, which pushes each code towards one factor of the images. With `shared_noise=False` (not in the
reference) each image of a pair draws its own noise, so a pair only looks alike in what c_i sets if the noise does
not set it too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import keras
import tensorflow as tf

from infogan_tf import latents, networks
from infogan_tf.config import ConfigError
from infogan_tf.regularizers.base import Regularizer, StepContext, Terms

_SEED_STREAM = 2


def sample_pairs(
    spec: latents.LatentSpec, batch_size: int | tf.Tensor, seed: tf.Tensor, gap: float = 0.0,
    shared_noise: bool = True,
) -> tuple[dict, dict, tf.Tensor]:
    """Two batches of latents; row r of both shares the code `shared[r]` and no other code.

    Args:
        gap: continuous codes that are not shared lie at least this far apart; uniform codes are first drawn from
            the prior shrunk by gap / 2 at both ends and then pushed apart by gap / 2 each, as in the reference.
        shared_noise: row r of both batches also shares the noise (the reference); otherwise each draws its own.

    Returns:
        (first, second, shared): two latent dicts like `latents.sample_latents` returns, and int32 [B] indices.
    """
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int32), num=3 + len(spec.codes))
    first = latents.sample_latents(spec, batch_size, seeds[0])
    other_latents = latents.sample_latents(spec, batch_size, seeds[1])
    other = latents.code_values(spec, other_latents)
    shared = tf.random.stateless_uniform([batch_size], seeds[2], 0, len(spec.codes), dtype=tf.int32)
    first_values, second_values = [], []
    for index, (code, value) in enumerate(zip(spec.codes, latents.code_values(spec, first))):
        apart_first, apart_second = code.kind_type.apart(code, value, other[index], gap, seeds[3 + index])
        is_shared = tf.equal(shared, index)
        first_values.append(tf.where(is_shared, value, apart_first))
        second_values.append(tf.where(is_shared, value, apart_second))
    return (latents.with_code_values(spec, first, first_values),
            latents.with_code_values(spec, first if shared_noise else other_latents, second_values), shared)


class Contrastive(Regularizer):
    """G and the pair discriminator H minimise H's cross-entropy on which code a pair shares."""

    trains_generator = True
    metric_names = ("accuracy",)

    def __init__(self, spec: latents.LatentSpec, weight: float, start_step: int = 0, end_step: int | None = None,
                 gap: float = 0.0, learning_rate: float = 2e-3, spectral_norm: bool = False,
                 shared_noise: bool = True):
        super().__init__("contrastive", weight, start_step, end_step)
        if len(spec.codes) < 2:
            raise ConfigError("the contrastive term needs at least two codes in --codes (a pair shares one of them)")
        if not 0.0 <= gap <= 2.0:
            raise ConfigError(f"contrastive gap must be in [0, 2] (the width of the uniform prior), got {gap}")
        self.gap = float(gap)
        self.learning_rate = float(learning_rate)
        self.spectral_norm = bool(spectral_norm)
        self.shared_noise = bool(shared_noise)

    def build(self, spec: latents.LatentSpec, image_shape: tuple[int, int, int], options: networks.NetworkOptions,
              make_optimizer: Callable[[float], keras.optimizers.Optimizer]) -> None:
        # H shares D's batch-norm choice; spectral norm is its own, since a spectrally normalised H learns slowly.
        options = dataclasses.replace(options, spectral_norm=self.spectral_norm)
        self.network = networks.build_pair_discriminator(len(spec.codes), image_shape, options)
        self.optimizer = make_optimizer(self.learning_rate)

    def terms(self, context: StepContext) -> Terms:
        seed = tf.random.experimental.stateless_fold_in(context.seed, _SEED_STREAM)
        first, second, shared = sample_pairs(context.spec, context.global_batch, seed, self.gap,
                                             self.shared_noise)
        first, second = ({name: context.replica_slice(value) for name, value in half.items()}
                         for half in (first, second))
        shared = context.replica_slice(shared)
        both = {name: tf.concat([first[name], second[name]], axis=0)
                for name in networks.generator_input_specs(context.spec)}
        images = context.generator(both, training=True)
        first_images, second_images = tf.split(images, 2, axis=0)
        logits = self.network(tf.concat([first_images, second_images], axis=-1), training=True)
        cross_entropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=shared, logits=logits)
        correct = tf.cast(tf.equal(tf.argmax(logits, axis=-1, output_type=tf.int32), shared), tf.float32)
        return Terms(loss=cross_entropy, own_loss=cross_entropy, metrics={"accuracy": correct})
