"""Batch normalisation whose statistics cover the global batch under a `tf.distribute` strategy.

Keras' `BatchNormalization(synchronized=True)` all-reduces the sum and the sum of squares and takes the variance as
E[x^2] - E[x]^2. In float32 that difference loses most of its digits for a feature whose mean is large against its
spread, so the variance (and every gradient through it) carries rounding noise far above float32's; a mirrored step
then drifts away from the one-device step it should equal. Here the mean is all-reduced first and the variance is the
all-reduced mean squared deviation from it, the two-pass form `tf.nn.moments` uses on one device.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

from infogan_tf.spectral_norm import PACKAGE

_SUM = tf.distribute.ReduceOp.SUM


@keras.saving.register_keras_serializable(package=PACKAGE)
class SynchronizedBatchNormalization(layers.BatchNormalization):
    """Drop-in for `BatchNormalization(synchronized=True)`; identical at inference and on one replica."""

    def _moments(self, inputs, mask):
        context = tf.distribute.get_replica_context()
        if mask is not None or context is None:
            return super()._moments(inputs, mask)
        axes = self._reduction_axes
        count = context.all_reduce(_SUM, tf.reduce_sum(tf.ones_like(inputs), axis=axes, keepdims=True))
        mean = context.all_reduce(_SUM, tf.reduce_sum(inputs, axis=axes, keepdims=True)) / count
        squared_deviation = tf.reduce_sum(tf.math.squared_difference(inputs, mean), axis=axes, keepdims=True)
        variance = context.all_reduce(_SUM, squared_deviation) / count
        return tf.squeeze(mean, axes), tf.squeeze(variance, axes)
