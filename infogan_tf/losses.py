"""The InfoGAN objective as pure functions of logits and TFP distributions.

All functions return per-example losses [B] in float32, so the caller decides how to reduce them (under a
distribution strategy: sum / global batch).
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf
import tensorflow_probability as tfp

from infogan_tf import latents

tfd = tfp.distributions


def discriminator_loss(real_logits: tf.Tensor, fake_logits: tf.Tensor) -> tf.Tensor:
    """Standard GAN discriminator loss, -log D(x) - log(1 - D(G(z))) (Goodfellow et al. 2014, eq. 1)."""
    real_logits = tf.cast(real_logits, tf.float32)
    fake_logits = tf.cast(fake_logits, tf.float32)
    real = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones_like(real_logits), logits=real_logits)
    fake = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros_like(fake_logits), logits=fake_logits)
    return real + fake


def generator_loss(fake_logits: tf.Tensor) -> tf.Tensor:
    """Non-saturating generator loss, -log D(G(z)) (Goodfellow et al. 2014, section 3)."""
    fake_logits = tf.cast(fake_logits, tf.float32)
    return tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones_like(fake_logits), logits=fake_logits)


def mutual_information_loss(
    distributions: Sequence[tfd.Distribution], code_values: Sequence[tf.Tensor], weights: Sequence[float]
) -> tf.Tensor:
    """-sum_k lambda_k log Q(c_k | G(z, c)): the negative of the variational lower bound L_I (Chen et al. 2016, eq. 5).

    H(c) is constant and omitted. Each distribution is a batch of scalar distributions over one code.

    Returns:
        float32 [B] per-example loss.
    """
    if not (len(distributions) == len(code_values) == len(weights)):
        raise ValueError(
            f"got {len(distributions)} distributions, {len(code_values)} code values and {len(weights)} weights"
        )
    terms = [-weight * tf.cast(dist.log_prob(value), tf.float32)
             for dist, value, weight in zip(distributions, code_values, weights)]
    return tf.add_n(terms)


def mutual_information_estimates(
    spec: latents.LatentSpec, distributions: Sequence[tfd.Distribution], code_values: Sequence[tf.Tensor]
) -> list[tf.Tensor]:
    """Per-code lower bound H(c_k) + E log Q(c_k | x) in nats; reaches ln K for a perfectly recovered Cat(K)."""
    return [code.prior_entropy() + tf.reduce_mean(tf.cast(dist.log_prob(value), tf.float32))
            for code, dist, value in zip(spec.codes, distributions, code_values)]
