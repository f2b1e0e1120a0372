"""Keras' Adam with each variable's update done by one fused kernel.

Keras 3 writes Adam's update as about ten element-wise ops per variable, each a full pass over the weights. For the
MNIST networks (two 6,272 x 1,024 dense layers) that was 13 % of a CPU training step's op time; TensorFlow's
`ResourceApplyAdam` does the same arithmetic in one pass (docs/RESULTS.md, "Fused Adam and the wait at the end of
`fit`").
"""

from __future__ import annotations

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="infogan_tf")
class FusedAdam(keras.optimizers.Adam):
    """Same hyperparameters, slot variables and checkpoints as `keras.optimizers.Adam`, and the same update:

        m += (g - m)(1 - beta_1);  v += (g^2 - v)(1 - beta_2)
        w -= lr sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon)

    AMSGrad and sparse gradients take Keras' own path.
    """

    def update_step(self, gradient, variable, learning_rate):
        if self.amsgrad or isinstance(gradient, tf.IndexedSlices):
            return super().update_step(gradient, variable, learning_rate)
        dtype = variable.dtype
        step = tf.cast(self.iterations + 1, dtype)
        index = self._get_variable_index(variable)
        beta_1 = tf.cast(self.beta_1, dtype)
        beta_2 = tf.cast(self.beta_2, dtype)
        # Under a distribution strategy `variable` is this device's copy, and the slots' `handle` is too.
        tf.raw_ops.ResourceApplyAdam(
            var=variable.handle,
            m=self._momentums[index].handle,
            v=self._velocities[index].handle,
            beta1_power=tf.pow(beta_1, step),
            beta2_power=tf.pow(beta_2, step),
            lr=tf.cast(learning_rate, dtype),
            beta1=beta_1,
            beta2=beta_2,
            epsilon=tf.cast(self.epsilon, dtype),
            grad=tf.cast(gradient, dtype),
        )
