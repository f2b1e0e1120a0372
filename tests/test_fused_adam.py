"""FusedAdam makes the updates Keras' Adam makes, keeps its slots and checkpoints, and is what training uses."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import runtime
from infogan_tf.fused_adam import FusedAdam

HYPERPARAMETERS = {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-6}


def _weights_after_steps(optimizer: keras.optimizers.Optimizer, steps: int = 4) -> list[np.ndarray]:
    rng = np.random.RandomState(1)
    variables = [keras.Variable(rng.randn(3, 5).astype("float32")), keras.Variable(rng.randn(5).astype("float32"))]

    @tf.function
    def apply(grads):
        optimizer.apply_gradients(zip(grads, variables))

    for _ in range(steps):
        apply([tf.constant(rng.randn(*v.shape).astype("float32")) for v in variables])
    return [v.numpy() for v in variables] + [state.numpy() for state in optimizer.variables]


def test_updates_weights_and_slots_as_keras_adam():
    fused = _weights_after_steps(FusedAdam(**HYPERPARAMETERS))
    reference = _weights_after_steps(keras.optimizers.Adam(**HYPERPARAMETERS))
    assert len(fused) == len(reference) == 2 + 6  # weights; step, learning rate and two slots per weight
    for mine, theirs in zip(fused, reference):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6, atol=1e-7)


def test_amsgrad_takes_keras_path_with_same_result():
    fused = _weights_after_steps(FusedAdam(amsgrad=True, **HYPERPARAMETERS))
    reference = _weights_after_steps(keras.optimizers.Adam(amsgrad=True, **HYPERPARAMETERS))
    for mine, theirs in zip(fused, reference):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6, atol=1e-7)


def test_checkpoint_written_by_keras_adam_restores_into_fused_adam(tmp_path):
    weights = keras.Variable(np.ones((2, 2), "float32"))
    keras_adam = keras.optimizers.Adam(**HYPERPARAMETERS)
    keras_adam.apply_gradients([(tf.fill((2, 2), 0.5), weights)])
    path = tf.train.Checkpoint(optimizer=keras_adam, weights=weights).write(str(tmp_path / "ckpt"))

    restored_weights = keras.Variable(np.zeros((2, 2), "float32"))
    fused = FusedAdam(**HYPERPARAMETERS)
    fused.build([restored_weights])
    tf.train.Checkpoint(optimizer=fused, weights=restored_weights).read(path).assert_consumed()
    assert int(fused.iterations.numpy()) == 1
    for mine, theirs in zip(fused.variables, keras_adam.variables):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


@pytest.mark.parametrize("policy", ["float32", "mixed_bfloat16", "mixed_float16"])
def test_training_optimizers_are_fused_under_every_precision(policy):
    optimizer = runtime.make_optimizer(1e-3, 0.5, 0.999, policy)
    inner = optimizer.inner_optimizer if isinstance(optimizer, keras.optimizers.LossScaleOptimizer) else optimizer
    assert isinstance(inner, FusedAdam)
    assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer) == (policy == "mixed_float16")


def test_loss_scaled_updates_match_keras_adam():
    fused = _weights_after_steps(keras.optimizers.LossScaleOptimizer(FusedAdam(**HYPERPARAMETERS)))
    reference = _weights_after_steps(keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(**HYPERPARAMETERS)))
    for mine, theirs in zip(fused, reference):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6, atol=1e-7)


def test_config_round_trips():
    optimizer = FusedAdam(**HYPERPARAMETERS)
    restored = keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
    assert isinstance(restored, FusedAdam)
    assert restored.beta_1 == 0.5 and restored.epsilon == 1e-6


def test_a_training_step_moves_the_networks_as_keras_adam_does(monkeypatch):
    """One InfoGAN step (D/Q and G updates, invariance term on) from the same weights and data, float32."""
    from infogan_tf import config, latents, train_lib

    cfg = config.TrainConfig(workdir="unused", codes="cat:4,cont:1", noise_dim=4, batch_size=8, network_width=0.25,
                             categorical_invariance_weight=1.0)
    spec = latents.parse_latent_spec(cfg.codes, cfg.noise_dim)
    images = tf.data.Dataset.from_tensor_slices(np.random.RandomState(0).rand(8, 28, 28, 1).astype("float32"))

    def trained(optimizer_class, start=None):
        monkeypatch.setattr(runtime, "FusedAdam", optimizer_class)
        gan = train_lib.build_infogan(cfg, spec, (28, 28, 1), replicas=1)
        if start is not None:
            gan.set_weights(start)
        before = [w.copy() for w in gan.get_weights()]
        gan.fit(images.batch(8), epochs=1, verbose=0)
        assert isinstance(gan.d_optimizer, optimizer_class)
        return before, gan.get_weights()

    start, reference = trained(keras.optimizers.Adam)
    _, fused = trained(FusedAdam, start)
    moved = [not np.array_equal(before, after) for before, after in zip(start, reference)]
    assert sum(moved) > len(moved) // 2
    for mine, theirs in zip(fused, reference):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-6)
