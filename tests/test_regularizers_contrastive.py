import keras
import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import config, latents, networks, train_lib
from infogan_tf.config import ConfigError
from infogan_tf.regularizers import Contrastive, sample_pairs

SEED = tf.constant([3, 7])


def _values(spec, sampled):
    return np.stack([np.asarray(v, np.float64) for v in latents.code_values(spec, sampled)], axis=1)


@pytest.mark.parametrize("codes", ["cont:5", "cat:3,cont:2", "bern:2,cat:4,cont:1:normal", "cat:2,cat:2"])
def test_pairs_share_the_noise_and_exactly_one_code(codes):
    spec = latents.parse_latent_spec(codes, noise_dim=3)
    first, second, shared = sample_pairs(spec, 512, SEED)
    np.testing.assert_array_equal(first["noise"].numpy(), second["noise"].numpy())
    equal = _values(spec, first) == _values(spec, second)
    np.testing.assert_array_equal(equal.sum(axis=1), np.ones(512))
    np.testing.assert_array_equal(np.argmax(equal, axis=1), shared.numpy())
    assert sorted(set(shared.numpy())) == list(range(len(spec.codes)))  # every code gets shared


@pytest.mark.parametrize("codes", ["cat:3,cont:2", "bern:1,cont:1:normal"])
def test_pairs_without_shared_noise_draw_their_own_and_still_share_exactly_one_code(codes):
    spec = latents.parse_latent_spec(codes, noise_dim=3)
    first, second, shared = sample_pairs(spec, 512, SEED, shared_noise=False)
    assert not np.isclose(first["noise"].numpy(), second["noise"].numpy()).all(axis=1).any()
    equal = _values(spec, first) == _values(spec, second)
    np.testing.assert_array_equal(equal.sum(axis=1), np.ones(512))
    np.testing.assert_array_equal(np.argmax(equal, axis=1), shared.numpy())
    reference_first, _, reference_shared = sample_pairs(spec, 512, SEED)
    np.testing.assert_array_equal(first["noise"].numpy(), reference_first["noise"].numpy())
    np.testing.assert_array_equal(shared.numpy(), reference_shared.numpy())


def test_pairs_without_shared_noise_work_without_noise_dims():
    spec = latents.parse_latent_spec("cat:3,cont:2", noise_dim=0)
    first, second, _ = sample_pairs(spec, 16, SEED, shared_noise=False)
    assert {name: value.shape for name, value in first.items()} == {name: value.shape for name, value in second.items()}
    assert second["noise"].shape == (16, 0)


def test_pairs_keep_the_gap_and_the_prior_range():
    spec = latents.parse_latent_spec("cont:3", noise_dim=2)
    first, second, shared = sample_pairs(spec, 1000, SEED, gap=0.5)
    a, b = _values(spec, first), _values(spec, second)
    not_shared = np.arange(3)[None, :] != shared.numpy()[:, None]
    assert np.abs(a - b)[not_shared].min() >= 0.5 - 1e-6
    assert a.min() >= -1.0 and a.max() <= 1.0 and b.min() >= -1.0 and b.max() <= 1.0


def test_pairs_follow_the_seed():
    spec = latents.parse_latent_spec("cat:3,cont:2", noise_dim=2)
    one, two = sample_pairs(spec, 8, SEED), sample_pairs(spec, 8, SEED)
    np.testing.assert_array_equal(one[2].numpy(), two[2].numpy())
    np.testing.assert_array_equal(one[1]["continuous"].numpy(), two[1]["continuous"].numpy())
    other = sample_pairs(spec, 8, tf.constant([3, 8]))
    assert not np.array_equal(one[1]["continuous"].numpy(), other[1]["continuous"].numpy())


def test_needs_two_codes_and_a_gap_within_the_prior():
    with pytest.raises(ConfigError, match="at least two codes"):
        Contrastive(latents.parse_latent_spec("cont:1", 2), weight=1.0)
    with pytest.raises(ConfigError, match="gap must be in"):
        Contrastive(latents.parse_latent_spec("cont:2", 2), weight=1.0, gap=3.0)


def test_the_term_is_on_from_its_start_step_until_its_end_step():
    spec = latents.parse_latent_spec("cont:2", 2)
    bounded = Contrastive(spec, weight=1.0, start_step=3, end_step=7)
    assert [step for step in range(10) if bounded.active_at(step)] == [3, 4, 5, 6]
    assert bounded.switch_steps() == (3, 7)
    endless = Contrastive(spec, weight=1.0, start_step=3)
    assert [step for step in range(10) if endless.active_at(step)] == [3, 4, 5, 6, 7, 8, 9]
    assert endless.switch_steps() == (3,)
    with pytest.raises(ConfigError, match="contrastive end step must come after its start step 3, got 3"):
        Contrastive(spec, weight=1.0, start_step=3, end_step=3)


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_the_head_takes_spectral_norm_only_when_asked(spectral_norm):
    spec = latents.parse_latent_spec("cont:2", 2)
    term = Contrastive(spec, weight=1.0, spectral_norm=spectral_norm)
    term.build(spec, (28, 28, 1), networks.NetworkOptions(spectral_norm=True), keras.optimizers.Adam)
    kinds = {type(layer).__name__ for layer in term.network.layers}
    assert ("SpectralConv2D" in kinds) == spectral_norm and ("Conv2D" in kinds) != spectral_norm
    assert type(term.network.get_layer("shared_code_logits")).__name__ == "Dense"


def _toy_generator(spec):
    """Each continuous code sets the brightness of its own quarter of the image: which code a pair shares is
    visible, so H can learn it."""
    codes = keras.Input((spec.count(latents.CONTINUOUS),), name="continuous")
    noise = keras.Input((spec.noise_dim,), name="noise")
    masks = np.zeros((4, 28, 28, 1), "float32")
    for quarter, (rows, cols) in enumerate([(0, 0), (0, 14), (14, 0), (14, 14)]):
        masks[quarter, rows:rows + 14, cols:cols + 14] = 1.0
    masks = keras.ops.convert_to_tensor(masks[: spec.count(latents.CONTINUOUS)])
    images = keras.layers.Lambda(lambda c: keras.ops.einsum("bk,khwc->bhwc", (c + 1.0) / 2.0, masks))(codes)
    return keras.Model({"noise": noise, "continuous": codes}, images)


@pytest.mark.slow
def test_the_pair_discriminator_learns_which_code_a_pair_shares():
    spec = latents.parse_latent_spec("cont:4", noise_dim=2)
    generator = _toy_generator(spec)
    term = Contrastive(spec, weight=1.0, gap=0.5, learning_rate=1e-3)
    options = networks.NetworkOptions(batch_norm=False)
    term.build(spec, (28, 28, 1), options, lambda rate: keras.optimizers.Adam(rate))
    term.build_optimizer()
    gan = train_lib.InfoGAN(spec, generator, networks.build_discriminator(spec, (28, 28, 1), options),
                            regularizers=[term])

    @tf.function
    def train(step):
        gan.step.assign(step)
        fake = tf.zeros([32, 28, 28, 1])
        with tf.GradientTape() as tape:
            no_reading = {"q_params": tf.zeros([32, spec.num_q_params])}  # the term reads no real images
            result = term.terms(gan.step_context(fake, fake, no_reading, gan.sample_latents(tf.constant(32))))
            loss = tf.reduce_mean(result.own_loss)
        variables = term.network.trainable_variables
        term.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return tf.reduce_mean(result.metrics["accuracy"])

    accuracies = [float(train(tf.constant(step, tf.int64))) for step in range(150)]
    assert accuracies[0] < 0.6  # chance is 0.25
    assert np.mean(accuracies[-10:]) > 0.9, accuracies[-10:]


def _gan(**overrides):
    cfg = config.TrainConfig(workdir="unused", codes="cat:3,cont:2", noise_dim=4, **overrides)
    spec = latents.parse_latent_spec(cfg.codes, cfg.noise_dim)
    return train_lib.build_infogan(cfg, spec, (28, 28, 1), replicas=1)


def _images(batch, steps):
    data = np.random.RandomState(0).rand(batch * steps, 28, 28, 1).astype("float32")
    return tf.data.Dataset.from_tensor_slices(data).batch(batch, drop_remainder=True).repeat()


def test_term_trains_g_and_h_but_not_d():
    # After one step D has seen the same fakes with and without the term, so only G and H may differ.
    results = {}
    for weight in (0.0, 1.0):
        keras.utils.set_random_seed(3)
        gan = _gan(contrastive_weight=weight, seed=5)
        logs = gan.fit(_images(4, 1), steps_per_epoch=1, epochs=1, verbose=0).history
        results[weight] = (logs, gan)
    (plain_logs, plain), (logs, gan) = results[0.0], results[1.0]
    (term,) = gan.regularizers
    assert {"contrastive_loss", "contrastive_accuracy"} <= set(logs) and "contrastive_loss" not in plain_logs
    assert int(term.optimizer.iterations.numpy()) == 1
    assert np.isfinite(logs["contrastive_loss"][-1]) and 0.0 <= logs["contrastive_accuracy"][-1] <= 1.0
    assert logs["g_loss"][-1] > plain_logs["g_loss"][-1]
    # Adam's first step moves every weight by about the learning rate (2e-4); rounding noise stays far below it.
    for a, b in zip(plain.discriminator.get_weights(), gan.discriminator.get_weights()):
        np.testing.assert_allclose(a, b, atol=2e-5)
    assert not np.allclose(plain.generator.get_weights()[0], gan.generator.get_weights()[0])


@pytest.mark.parametrize("precision", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_with_the_term_stays_finite(precision):
    keras.mixed_precision.set_global_policy(precision)
    gan = _gan(contrastive_weight=1.0, precision=precision, g_steps_per_d_step=2)
    logs = gan.fit(_images(8, 3), steps_per_epoch=3, epochs=1, verbose=0).history
    assert all(np.isfinite(values[-1]) for values in logs.values())
    (term,) = gan.regularizers
    assert all(np.isfinite(w).all() for w in term.network.get_weights() + gan.generator.get_weights())
