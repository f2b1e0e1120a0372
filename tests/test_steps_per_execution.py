"""Several train steps per compiled call: checkpoints, summaries, samples and the divergence stop keep their steps."""

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf
from tiny_run import tiny_config

from infogan_tf import callbacks, config, latents, train_lib, workdir


@pytest.mark.parametrize("per_call, start, steps, every, size", [
    (4, 0, 8, 4, 4),
    (4, 0, 8, 2, 2),
    (4, 2, 6, 4, 2),
    (3, 0, 8, 4, 1),
    (1, 0, 8, 4, 1),
    (8, 16, 16, 8, 8),
])
def test_execution_size_divides_the_call_the_checkpoint_period_and_the_start(per_call, start, steps, every, size):
    cfg = config.TrainConfig(workdir="w", steps_per_execution=per_call, checkpoint_every_steps=every)
    assert train_lib.execution_size(cfg, start, steps) == size


def _layout(run: workdir.Workdir) -> dict:
    return {
        "checkpoints": sorted(path.name for path in run.checkpoints.glob("ckpt-*.index")),
        "history": [row["step"] for row in run.read_history()],
        "samples": sorted(path.name for path in run.samples.glob("*.png")),
    }


@pytest.fixture(scope="module")
def step_by_step(tmp_path_factory) -> config.TrainConfig:
    """A 4-step run, one step per call: what every batched run is compared with."""
    cfg = tiny_config(tmp_path_factory.mktemp("one"), train_steps=4, seed=3)
    assert train_lib.train(cfg)["global_step"] == 4
    return cfg


@pytest.mark.parametrize("per_call", [2, 3])
def test_a_run_with_several_steps_per_call_writes_what_a_step_by_step_run_writes(tmp_path, step_by_step, per_call):
    batched = dataclasses.replace(step_by_step, workdir=str(tmp_path / "many" / "run"), steps_per_execution=per_call)
    assert train_lib.train(batched)["global_step"] == 4
    one, many = workdir.Workdir(step_by_step.workdir), workdir.Workdir(batched.workdir)
    assert _layout(many) == _layout(one)
    assert _layout(one)["checkpoints"] == ["ckpt-2.index", "ckpt-4.index"]
    # A step missed or repeated moves almost every weight by about G's learning rate (1e-3, Adam); the kernels'
    # thread scheduling on a busy CPU leaves rounding differences of a few 1e-6 in a handful of weights.
    for a, b in zip(keras.models.load_model(one.generator).get_weights(),
                    keras.models.load_model(many.generator).get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=5e-5)


@pytest.mark.parametrize("per_call", [1, 4])
def test_divergence_is_reported_at_the_step_whose_loss_first_became_non_finite(per_call):
    cfg = config.TrainConfig(workdir="unused", codes="cat:3", noise_dim=4, precision="float32",
                             steps_per_execution=per_call)
    spec = latents.parse_latent_spec(cfg.codes, cfg.noise_dim)
    gan = train_lib.build_infogan(cfg, spec, (28, 28, 1), replicas=1)
    images = np.random.RandomState(0).rand(8 * 4, 28, 28, 1).astype("float32")
    images[16:24] = np.nan  # the third batch: step 3
    guard = callbacks.DivergenceGuard()
    gan.fit(tf.data.Dataset.from_tensor_slices(images).batch(8), steps_per_epoch=4, epochs=1, verbose=0,
            callbacks=[guard], shuffle=False)
    assert guard.diverged is not None and guard.diverged.endswith("at step 3"), guard.diverged
    assert int(gan.step.numpy()) == (4 if per_call == 4 else 3)  # the stop comes at the end of the call
