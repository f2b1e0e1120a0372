"""Spectrally normalised convolution and dense layers (Miyato et al. 2018), as InfoGAN-CR's discriminators use them.

The layer computes with W / sigma(W), sigma estimated by one power iteration per training call, and gradients flow
through the division, as in the paper. (Keras' `SpectralNormalization` wrapper instead overwrites the kernel with
its normalised value, so gradients skip the division, and it assigns to the kernel inside the replica context,
which MirroredStrategy refuses.) The power-iteration vector is a non-trainable weight that every replica updates
identically; `only_first_replica` aggregation makes that legal under a distribution strategy.
"""

from __future__ import annotations

import keras
from keras import layers, ops

PACKAGE = "infogan_tf"  # the name every custom Keras object of this package is registered under


class _SpectralKernel:
    """Power iteration shared by both layer types; mixed in before the Keras layer that owns `kernel`."""

    def build(self, input_shape):
        super().build(input_shape)
        self.power_vector = self.add_weight(
            shape=(1, self.kernel.shape[-1]),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
            trainable=False,
            aggregation="only_first_replica",
            name="power_vector",
        )

    def normalized_kernel(self, training: bool) -> keras.KerasTensor:
        """W / sigma(W) in float32; in training the power-iteration vector moves one step closer to W's top one."""
        kernel = ops.cast(self.kernel, "float32")
        matrix = ops.reshape(kernel, (-1, kernel.shape[-1]))
        u = ops.cast(self.power_vector, "float32")
        v = _unit(ops.matmul(u, ops.transpose(matrix)))
        u = ops.stop_gradient(_unit(ops.matmul(v, matrix)))
        v = ops.stop_gradient(v)
        if training:
            self.power_vector.assign(u)
        sigma = ops.sum(ops.matmul(v, matrix) * u)
        return kernel / sigma

    # Conv2D and Dense save only kernel and bias; the plain Layer methods save every weight, the vector included.
    def save_own_variables(self, store) -> None:
        layers.Layer.save_own_variables(self, store)

    def load_own_variables(self, store) -> None:
        layers.Layer.load_own_variables(self, store)


def _unit(vector):
    return vector / (ops.sqrt(ops.sum(ops.square(vector))) + 1e-12)


@keras.saving.register_keras_serializable(package=PACKAGE)
class SpectralConv2D(_SpectralKernel, layers.Conv2D):
    """`Conv2D` computing with its spectrally normalised kernel."""

    def call(self, inputs, training=False):
        kernel = ops.cast(self.normalized_kernel(training), self.compute_dtype)
        outputs = self.convolution_op(inputs, kernel)
        if self.use_bias:
            outputs = ops.add(outputs, ops.reshape(self.bias, (1, 1, 1, self.filters)))
        return self.activation(outputs) if self.activation is not None else outputs


@keras.saving.register_keras_serializable(package=PACKAGE)
class SpectralDense(_SpectralKernel, layers.Dense):
    """`Dense` computing with its spectrally normalised kernel."""

    def call(self, inputs, training=False):
        outputs = ops.matmul(inputs, ops.cast(self.normalized_kernel(training), self.compute_dtype))
        if self.use_bias:
            outputs = ops.add(outputs, self.bias)
        return self.activation(outputs) if self.activation is not None else outputs
