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
    """One more D/Q pass per step, over the perturbed fakes: all of them, or every `every_nth` one.

    A subset costs that share of the extra pass. Its per-example loss is spread over the batch rescaled (zero for the
    fakes left out), so the term's mean, and its weight's meaning, stay those of the whole batch. Rows are picked by
    their index in the replica's batch, so when the per-replica batch divides by `every_nth` a step on N replicas
    perturbs the same fakes as the one-device step.
    """

    trains_discriminator = True
    trains_generator = True

    def __init__(self, spec: latents.LatentSpec, weight: float, perturbation: Perturbation | None = None,
                 every_nth: int = 1):
        super().__init__("categorical_invariance", weight)
        if every_nth < 1:
            raise ConfigError(f"categorical_invariance every_nth must be >= 1, got {every_nth}")
        self.every_nth = int(every_nth)
        self.codes = [index for index, code in enumerate(spec.codes) if code.nominal]
        if not self.codes:
            raise ConfigError("the categorical-invariance term needs at least one categorical code in --codes")
        self.perturbation = perturbation or Perturbation()

    def terms(self, context: StepContext) -> Terms:
        seed = tf.random.experimental.stateless_fold_in(context.seed, _SEED_STREAM)
        draws = context.replica_slice(self.perturbation.sample(context.global_batch, seed))
        step = self.every_nth
        fakes = context.fake[::step]
        perturbed = context.discriminator(self.perturbation.apply(fakes, draws[::step]), training=True)
        dists = distributions.code_distributions(context.spec, perturbed["q_params"])
        loss = losses.mutual_information_loss(
            [dists[i] for i in self.codes], [context.code_values[i][::step] for i in self.codes],
            [1.0] * len(self.codes),
        )
        if step == 1:
            return Terms(loss=loss)
        batch = tf.shape(context.fake)[0]
        rescaled = loss * tf.cast(batch, loss.dtype) / tf.cast(tf.shape(fakes)[0], loss.dtype)
        rows = tf.range(0, batch, step)[:, None]
        return Terms(loss=tf.scatter_nd(rows, rescaled, [batch]))
