import math

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import config, latents, train_lib


def _gan(codes="cat:4", noise_dim=4, precision="float32", **overrides):
    cfg = config.TrainConfig(workdir="unused", codes=codes, noise_dim=noise_dim, precision=precision, **overrides)
    spec = latents.parse_latent_spec(cfg.codes, cfg.noise_dim)
    return train_lib.build_infogan(cfg, spec, (28, 28, 1), replicas=1)


def _images(batch, steps, seed=0):
    data = np.random.RandomState(seed).rand(batch * steps, 28, 28, 1).astype("float32")
    return tf.data.Dataset.from_tensor_slices(data).batch(batch, drop_remainder=True).repeat()


def test_mutual_information_estimate_rises_towards_log_k():
    gan = _gan("cat:4", g_learning_rate=1e-3)
    history = gan.fit(_images(16, 10), steps_per_epoch=50, epochs=3, verbose=0).history
    estimates, mi_losses = history["mi_cat4_0"], history["mi_loss"]
    assert estimates[-1] > 0.8 * math.log(4), estimates
    assert mi_losses[-1] < mi_losses[0]
    assert int(gan.step.numpy()) == 150


def test_train_step_reports_every_metric_and_advances_the_step():
    gan = _gan("cat:3,cont:2,bern:1")
    logs = gan.fit(_images(4, 2), steps_per_epoch=2, epochs=1, verbose=0).history
    expected = {"d_loss", "g_loss", "mi_loss", "d_real", "d_fake", "mi_cat3_0", "mi_cont_0", "mi_cont_1", "mi_bern_0"}
    assert set(logs) == expected
    assert all(np.isfinite(values[-1]) for values in logs.values())
    assert 0.0 < logs["d_real"][-1] < 1.0 and 0.0 < logs["d_fake"][-1] < 1.0


def test_noise_only_gan_trains():
    gan = _gan("", noise_dim=8)
    logs = gan.fit(_images(4, 2), steps_per_epoch=2, epochs=1, verbose=0).history
    assert logs["mi_loss"][-1] == 0.0 and np.isfinite(logs["g_loss"][-1])


@pytest.mark.parametrize("precision", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_steps_are_finite_with_float32_outputs(precision):
    import keras

    keras.mixed_precision.set_global_policy(precision)
    gan = _gan("cat:4,cont:1", precision=precision, categorical_invariance_weight=1.0)
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
    sample = gan.sample_latents(tf.constant(4))
    values = latents.code_values(gan.spec, sample)
    fake = gan(sample)
    loss = gan.categorical_invariance_loss(fake, values).numpy()

    draws = gan.perturbation.sample(4, tf.random.experimental.stateless_fold_in(gan.step_seed(), 1))
    q_params = gan.discriminator(gan.perturbation.apply(fake, draws), training=True)["q_params"].numpy()
    first, second = tf.nn.log_softmax(q_params[:, :3]).numpy(), tf.nn.log_softmax(q_params[:, 4:]).numpy()
    rows = np.arange(4)
    expected = -0.5 * (first[rows, values[0].numpy()] + second[rows, values[2].numpy()])
    np.testing.assert_allclose(loss, expected, rtol=1e-5)


@pytest.mark.parametrize("codes, weight", [("cat:4", 0.0), ("cont:2", 1.0)])
def test_categorical_invariance_adds_nothing_without_weight_or_categorical_code(codes, weight):
    gan = _gan(codes, categorical_invariance_weight=weight)
    sample = gan.sample_latents(tf.constant(2))
    assert gan.categorical_invariance_loss(gan(sample), latents.code_values(gan.spec, sample)) is None


def test_categorical_invariance_enters_the_mi_loss_and_changes_training():
    import keras

    results = []
    for weight in (0.0, 1.0):
        keras.utils.set_random_seed(3)
        gan = _gan("cat:4", seed=5, categorical_invariance_weight=weight)
        logs = gan.fit(_images(4, 2), steps_per_epoch=2, epochs=1, verbose=0).history
        assert all(np.isfinite(values[-1]) for values in logs.values())
        results.append((logs["mi_loss"][-1], gan.generator.get_weights()[0]))
    (plain_mi, plain_weights), (invariant_mi, invariant_weights) = results
    assert invariant_mi > plain_mi + 0.5 * math.log(4)
    assert not np.allclose(plain_weights, invariant_weights)


def test_categorical_invariance_step_compiles_with_xla():
    gan = _gan("cat:4,cont:1", jit_compile=True, categorical_invariance_weight=1.0)
    logs = gan.fit(_images(4, 2), steps_per_epoch=2, epochs=1, verbose=0).history
    assert all(np.isfinite(values[-1]) for values in logs.values())
