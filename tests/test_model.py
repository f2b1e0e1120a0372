import math

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import config, latents, train_lib
from infogan_tf.regularizers import Perturbation


def _gan(codes="cat:4", noise_dim=4, precision="float32", **overrides):
    cfg = config.TrainConfig(workdir="unused", codes=codes, noise_dim=noise_dim, precision=precision, **overrides)
    spec = latents.parse_latent_spec(cfg.codes, cfg.noise_dim)
    return train_lib.build_infogan(cfg, spec, (28, 28, 1), replicas=1)


def _images(batch, steps, seed=0):
    data = np.random.RandomState(seed).rand(batch * steps, 28, 28, 1).astype("float32")
    return tf.data.Dataset.from_tensor_slices(data).batch(batch, drop_remainder=True).repeat()


def test_mutual_information_estimate_rises_towards_log_k():
    """20 steps are enough on random images; benchmarks/mi_learning.py runs the longer learning check."""
    gan = _gan("cat:4", g_learning_rate=1e-3)
    history = gan.fit(_images(16, 10), steps_per_epoch=10, epochs=2, verbose=0).history
    estimates, mi_losses = history["mi_cat4_0"], history["mi_loss"]
    assert estimates[-1] > 0.8 * math.log(4), estimates
    assert mi_losses[-1] < mi_losses[0]
    assert int(gan.step.numpy()) == 20


def test_train_step_reports_every_metric_and_advances_the_step():
    gan = _gan("cat:3,cont:2,bern:1")
    logs = gan.fit(_images(4, 2), steps_per_epoch=2, epochs=1, verbose=0).history
    expected = {"d_loss", "g_loss", "mi_loss", "d_real", "d_fake", "pixel_std_real", "pixel_std_fake", "mi_cat3_0",
                "mi_cont_0", "mi_cont_1", "mi_bern_0"}
    assert set(logs) == expected
    assert all(np.isfinite(values[-1]) for values in logs.values())
    assert 0.0 < logs["d_real"][-1] < 1.0 and 0.0 < logs["d_fake"][-1] < 1.0
    real = np.concatenate(list(_images(4, 2).take(2).as_numpy_iterator()))
    np.testing.assert_allclose(logs["pixel_std_real"][-1], real.reshape(8, -1).std(axis=1).mean(), rtol=1e-4)


def test_g_steps_per_d_step_updates_g_that_many_times():
    gan = _gan("cat:3,cont:1", g_steps_per_d_step=2, real_reconstruction_weight=1.0)
    before = gan.generator.get_weights()
    gan.fit(_images(4, 3), steps_per_epoch=3, epochs=1, verbose=0)
    assert int(gan.step.numpy()) == 3
    assert int(gan.d_optimizer.iterations.numpy()) == 3 and int(gan.g_optimizer.iterations.numpy()) == 6
    assert not np.allclose(before[0], gan.generator.get_weights()[0])


def test_noise_only_gan_trains():
    gan = _gan("", noise_dim=8)
    logs = gan.fit(_images(4, 2), steps_per_epoch=2, epochs=1, verbose=0).history
    assert logs["mi_loss"][-1] == 0.0 and np.isfinite(logs["g_loss"][-1])


@pytest.mark.parametrize("precision", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_steps_are_finite_with_float32_outputs(precision):
    import keras

    keras.mixed_precision.set_global_policy(precision)
    gan = _gan("cat:4,cont:1", precision=precision, categorical_invariance_weight=1.0, real_reconstruction_weight=1.0,
               r1_weight=1.0, categorical_swap_weight=1.0)
    logs = gan.fit(_images(8, 3), steps_per_epoch=3, epochs=1, verbose=0).history
    assert all(np.isfinite(values[-1]) for values in logs.values())
    sample = latents.sample_latents(gan.spec, 2, tf.constant([0, 0]))
    assert gan(sample).dtype == "float32"
    assert all(np.isfinite(w).all() for w in gan.generator.get_weights())


def test_same_seed_same_training():
    weights = []
    for _ in range(2):
        import keras

        keras.utils.set_random_seed(3)
        gan = _gan("cat:4", seed=5)
        gan.fit(_images(4, 3), steps_per_epoch=3, epochs=1, verbose=0)
        weights.append(gan.generator.get_weights())
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)


def test_joint_discriminator_batch_trains_and_differs_from_separate_batches():
    import keras

    weights = []
    for joint in (False, True):
        keras.utils.set_random_seed(3)
        gan = _gan("cat:4", seed=5, joint_discriminator_batch=joint)
        logs = gan.fit(_images(4, 2), steps_per_epoch=2, epochs=1, verbose=0).history
        assert all(np.isfinite(values[-1]) for values in logs.values())
        weights.append(gan.discriminator.get_weights()[0])
    assert np.abs(weights[0] - weights[1]).max() > 0


def test_categorical_invariance_loss_is_log_q_of_the_categorical_codes_on_perturbed_images():
    gan = _gan("cat:3,cont:1,cat:2", categorical_invariance_weight=0.5)
    (term,) = gan.regularizers
    sample = gan.sample_latents(tf.constant(4))
    values = latents.code_values(gan.spec, sample)
    fake = gan(sample)
    loss = term.terms(gan.step_context(fake, fake, gan.discriminator(fake), sample)).loss.numpy()

    draws = term.perturbation.sample(4, tf.random.experimental.stateless_fold_in(gan.step_seed(), 1))
    q_params = gan.discriminator(term.perturbation.apply(fake, draws), training=True)["q_params"].numpy()
    first, second = tf.nn.log_softmax(q_params[:, :3]).numpy(), tf.nn.log_softmax(q_params[:, 4:]).numpy()
    rows = np.arange(4)
    expected = -(first[rows, values[0].numpy()] + second[rows, values[2].numpy()])
    np.testing.assert_allclose(loss, expected, rtol=1e-5)


def test_categorical_invariance_on_a_share_of_the_batch_perturbs_every_nth_fake_and_keeps_the_mean():
    gan = _gan("cat:3,cont:1", categorical_invariance_weight=1.0, invariance_batch_fraction=0.5)
    (term,) = gan.regularizers
    assert term.every_nth == 2
    sample = gan.sample_latents(tf.constant(6))
    values = latents.code_values(gan.spec, sample)
    fake = gan(sample)
    loss = term.terms(gan.step_context(fake, fake, gan.discriminator(fake), sample)).loss.numpy()

    draws = term.perturbation.sample(6, tf.random.experimental.stateless_fold_in(gan.step_seed(), 1))
    q_params = gan.discriminator(term.perturbation.apply(fake[::2], draws[::2]), training=True)["q_params"].numpy()
    log_q = tf.nn.log_softmax(q_params[:, :3]).numpy()
    picked = -log_q[np.arange(3), values[0].numpy()[::2]]
    assert loss.shape == (6,)
    np.testing.assert_array_equal(loss[1::2], 0.0)
    np.testing.assert_allclose(loss[::2], 2.0 * picked, rtol=1e-5)
    np.testing.assert_allclose(loss.mean(), picked.mean(), rtol=1e-5)


def test_categorical_invariance_takes_its_perturbation_ranges_from_the_config():
    gan = _gan("cat:4", categorical_invariance_weight=1.0, invariance_rotation_deg=180.0, invariance_scale_change=0.3,
               invariance_shift_px=6.0)
    (term,) = gan.regularizers
    assert term.perturbation == Perturbation(max_rotation_deg=180.0, max_scale_change=0.3, max_shift_px=6.0)


@pytest.mark.parametrize("codes, weight", [("cat:4", 0.0), ("cont:2", 1.0)])
def test_categorical_invariance_adds_nothing_without_weight_or_categorical_code(codes, weight):
    gan = _gan(codes, categorical_invariance_weight=weight)
    assert gan.regularizers == []
    logs = gan.fit(_images(4, 1), steps_per_epoch=1, epochs=1, verbose=0).history
    assert "categorical_invariance_loss" not in logs


def test_categorical_invariance_is_logged_as_itself_and_changes_training():
    import keras

    results = []
    for weight in (0.0, 1.0):
        keras.utils.set_random_seed(3)
        gan = _gan("cat:4", seed=5, categorical_invariance_weight=weight)
        logs = gan.fit(_images(4, 2), steps_per_epoch=2, epochs=1, verbose=0).history
        assert all(np.isfinite(values[-1]) for values in logs.values())
        results.append((logs, gan.generator.get_weights()[0]))
    (plain_logs, plain_weights), (invariant_logs, invariant_weights) = results
    assert "categorical_invariance_loss" not in plain_logs
    assert invariant_logs["categorical_invariance_loss"][-1] > 0.5 * math.log(4)
    # mi_loss is the paper's term alone; the invariance term reaches D/Q's and G's losses.
    assert abs(invariant_logs["mi_loss"][-1] - plain_logs["mi_loss"][-1]) < 0.5 * math.log(4)
    assert invariant_logs["d_loss"][-1] > plain_logs["d_loss"][-1] + 0.5 * math.log(4)
    assert not np.allclose(plain_weights, invariant_weights)


@pytest.mark.slow
def test_categorical_invariance_step_compiles_with_xla():
    gan = _gan("cat:4,cont:1", jit_compile=True, categorical_invariance_weight=1.0)
    logs = gan.fit(_images(4, 2), steps_per_epoch=2, epochs=1, verbose=0).history
    assert all(np.isfinite(values[-1]) for values in logs.values())
