"""SynchronizedBatchNormalization: exact statistics where Keras' one-pass variance cancels, and a plain BN otherwise."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from infogan_tf.batch_norm import SynchronizedBatchNormalization


def _features(offset: float) -> np.ndarray:
    """Two features of spread 0.01: one around 0, one around `offset`."""
    spread = np.random.RandomState(0).randn(256, 2) * 0.01
    return (spread + [0.0, offset]).astype("float32")


def test_variance_is_exact_for_a_large_mean():
    features = _features(300.0)
    truth = features.astype("float64").var(axis=0)
    layer = SynchronizedBatchNormalization()
    layer.build(features.shape)
    mean, variance = layer._moments(tf.constant(features), None)
    np.testing.assert_allclose(variance, truth, rtol=1e-3)
    np.testing.assert_allclose(mean, features.astype("float64").mean(axis=0), rtol=1e-6)
    keras_layer = keras.layers.BatchNormalization(synchronized=True)
    keras_layer.build(features.shape)
    _, keras_variance = keras_layer._moments(tf.constant(features), None)
    assert abs(float(keras_variance[1]) - truth[1]) > 0.1 * truth[1], "the one-pass form this layer replaces"


def test_training_output_and_gradient_match_plain_batch_norm():
    features = tf.constant(_features(3.0))
    synced, plain = SynchronizedBatchNormalization(), keras.layers.BatchNormalization()
    for layer in (synced, plain):
        layer.build(features.shape)
    results = []
    for layer in (synced, plain):
        with tf.GradientTape() as tape:
            tape.watch(features)
            out = layer(features, training=True)
            loss = tf.reduce_sum(tf.sin(out * 3.0))
        results.append((out.numpy(), tape.gradient(loss, features).numpy(), layer.moving_variance.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)


def test_saved_model_file_round_trip(tmp_path):
    model = keras.Sequential([keras.Input((2,)), SynchronizedBatchNormalization(momentum=0.9)])
    model(_features(3.0), training=True)
    path = tmp_path / "bn.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.layers[0], SynchronizedBatchNormalization)
    assert loaded.layers[0].momentum == pytest.approx(0.9)
    np.testing.assert_allclose(loaded(_features(3.0)), model(_features(3.0)), rtol=1e-6)
