"""The R1 gradient penalty (Mescheder et al., 2018): D's logit must change slowly around real images.

    loss = 1/2 |d D(x) / d x|^2    per real image x

Minimised by D/Q only. It is the alternative to spectral norm for keeping D smooth: spectral norm bounds every layer,
which keeps D from learning fine features (on sprites, the shape) within a CPU budget, while R1 leaves D's layers
free and only flattens its answer where the real data lies, so G keeps a gradient to follow. Costs one more D pass
over the real batch and its second-order backward; that pass runs in training mode like D's own, so a batch-norm D
also updates its statistics on it and a spectrally normalised one its power iteration.
"""

from __future__ import annotations

import tensorflow as tf

from infogan_tf.regularizers.base import Regularizer, StepContext, Terms


class GradientPenalty(Regularizer):
    """R1 on this replica's real batch; the weight is gamma of the paper's gamma/2 |grad|^2."""

    trains_discriminator = True

    def __init__(self, weight: float):
        super().__init__("r1", weight)

    def terms(self, context: StepContext) -> Terms:
        real = tf.cast(context.real, tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(real)
            logit_sum = tf.reduce_sum(tf.cast(context.discriminator(real, training=True)["logit"], tf.float32))
        grads = tape.gradient(logit_sum, real)
        return Terms(loss=0.5 * tf.reduce_sum(tf.square(grads), axis=[1, 2, 3]))
