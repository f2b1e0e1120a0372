"""The categorical-invariance term: Q must read each categorical code through a small random perturbation of G(z, c).

    loss = -sum_k log Q(c_k | T(G(z, c)))    over the categorical codes, T a random `Perturbation`

Minimised by D/Q and G. The MI term alone is satisfied by any partition Q can read off G's images; on MNIST it often
splits 4s and 9s by slant or stroke. A category told apart from its neighbour by such a style no longer survives T,
so the term favours partitions that do, such as the digits. Continuous and Bernoulli codes are read from the
unperturbed images only, so a rotation code keeps its meaning.
"""

from __future__ import annotations

import tensorflow as tf

from infogan_tf import distributions, latents, losses
from infogan_tf.config import ConfigError
from infogan_tf.regularizers.base import Regularizer, StepContext, Terms
from infogan_tf.regularizers.perturbations import Perturbation

_SEED_STREAM = 1


class CategoricalInvariance(Regularizer):
    """One more D/Q pass per step, over the perturbed fakes."""

    trains_discriminator = True
    trains_generator = True

    def __init__(self, spec: latents.LatentSpec, weight: float, perturbation: Perturbation | None = None):
        super().__init__("categorical_invariance", weight)
        self.codes = [index for index, code in enumerate(spec.codes) if code.nominal]
        if not self.codes:
            raise ConfigError("the categorical-invariance term needs at least one categorical code in --codes")
        self.perturbation = perturbation or Perturbation()

    def terms(self, context: StepContext) -> Terms:
        seed = tf.random.experimental.stateless_fold_in(context.seed, _SEED_STREAM)
        draws = context.replica_slice(self.perturbation.sample(context.global_batch, seed))
        perturbed = context.discriminator(self.perturbation.apply(context.fake, draws), training=True)
        dists = distributions.code_distributions(context.spec, perturbed["q_params"])
        loss = losses.mutual_information_loss(
            [dists[i] for i in self.codes], [context.code_values[i] for i in self.codes], [1.0] * len(self.codes)
        )
        return Terms(loss=loss)
