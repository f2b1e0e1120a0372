import keras
import numpy as np
import pytest
import tensorflow as tf

from infogan_tf.spectral_norm import SpectralConv2D, SpectralDense


def _layer(kind):
    if kind == "dense":
        return SpectralDense(6), np.random.RandomState(0).rand(4, 10).astype("float32")
    return SpectralConv2D(5, 4, strides=2, padding="same"), np.random.RandomState(0).rand(2, 8, 8, 3).astype("float32")


@pytest.mark.parametrize("kind", ["dense", "conv"])
def test_power_iteration_brings_the_top_singular_value_to_one(kind):
    layer, inputs = _layer(kind)
    layer(inputs)
    layer.kernel.assign(layer.kernel * 3.0)
    for _ in range(40):
        layer(inputs, training=True)
    kernel = layer.normalized_kernel(training=False).numpy()
    top = np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]
    assert top == pytest.approx(1.0, abs=1e-3)
    raw = np.linalg.svd(layer.kernel.numpy().reshape(-1, kernel.shape[-1]), compute_uv=False)[0]
    assert raw > 1.5  # the stored kernel itself is left as the optimizer made it


@pytest.mark.parametrize("kind", ["dense", "conv"])
def test_gradient_flows_through_the_normalisation(kind):
    # W / sigma(W) does not change when W is scaled, so the true gradient is orthogonal to W; a gradient that
    # skipped the division would not be.
    layer, inputs = _layer(kind)
    layer(inputs)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(layer(inputs, training=True)))
    grad = tape.gradient(loss, layer.kernel).numpy()
    kernel = layer.kernel.numpy()
    cosine = np.sum(grad * kernel) / (np.linalg.norm(grad) * np.linalg.norm(kernel))
    assert abs(cosine) < 1e-4


def test_only_training_calls_move_the_power_vector():
    layer, inputs = _layer("dense")
    layer(inputs)
    before = layer.power_vector.numpy().copy()
    layer(inputs, training=False)
    np.testing.assert_array_equal(layer.power_vector.numpy(), before)
    layer(inputs, training=True)
    assert not np.allclose(layer.power_vector.numpy(), before)


def test_saved_model_reloads_with_its_power_vectors(tmp_path):
    images = keras.Input((8, 8, 3))
    outputs = SpectralDense(3)(keras.layers.Flatten()(SpectralConv2D(4, 4, strides=2, padding="same")(images)))
    model = keras.Model(images, outputs)
    inputs = np.random.RandomState(1).rand(2, 8, 8, 3).astype("float32")
    for _ in range(3):
        model(inputs, training=True)
    model.save(tmp_path / "m.keras")
    reloaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(reloaded(inputs).numpy(), model(inputs).numpy())
    assert [w.name for w in reloaded.weights].count("power_vector") == 2


def test_mixed_precision_computes_in_half_and_stays_finite():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    layer, inputs = _layer("conv")
    outputs = layer(inputs, training=True)
    assert outputs.dtype == "bfloat16"
    assert layer.kernel.dtype == "float32" and layer.power_vector.dtype == "float32"
    assert np.isfinite(outputs.numpy().astype("float32")).all()
