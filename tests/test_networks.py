import keras
import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import config, encoder, latents, networks
from infogan_tf.spectral_norm import SpectralConv2D, SpectralDense

SPECS = ["cat:10", "cont:2", "cat:10,cont:2", "bern:3", "cat:3,cont:1:learned_std,bern:1"]


@pytest.mark.parametrize("size, channels", [(28, 1), (32, 3), (64, 1)])
@pytest.mark.parametrize("codes", SPECS)
def test_output_shapes(size, channels, codes):
    spec = latents.parse_latent_spec(codes, 5)
    generator = networks.build_generator(spec, (size, size, channels))
    discriminator = networks.build_discriminator(spec, (size, size, channels))
    sample = latents.sample_latents(spec, 3, tf.constant([0, 0]))
    images = generator(networks.generator_inputs(spec, sample))
    assert images.shape == (3, size, size, channels) and images.dtype == "float32"
    assert float(tf.reduce_min(images)) >= 0.0 and float(tf.reduce_max(images)) <= 1.0
    out = discriminator(images)
    assert out["logit"].shape == (3, 1) and out["q_params"].shape == (3, spec.num_q_params)


def test_unsupported_shape_names_it():
    spec = latents.parse_latent_spec("cat:10", 5)
    with pytest.raises(config.ConfigError, match=r"\(48, 48, 3\)"):
        networks.build_generator(spec, (48, 48, 3))


@pytest.mark.parametrize("options", [networks.NetworkOptions(batch_norm=False, spectral_norm=True, leaky_slope=0.2),
                                     networks.NetworkOptions(sync_batch_norm=True)])
def test_options_build_and_run(options):
    spec = latents.parse_latent_spec("cat:10,cont:2", 5)
    discriminator = networks.build_discriminator(spec, (28, 28, 1), options)
    out = discriminator(tf.zeros([2, 28, 28, 1]), training=True)
    assert out["q_params"].shape == (2, 12)


@pytest.mark.parametrize("q_head_spectral_norm", [True, False])
def test_q_head_spectral_norm_switches_only_q_heads_layers(q_head_spectral_norm):
    options = networks.NetworkOptions(d_batch_norm=False, spectral_norm=True,
                                      q_head_spectral_norm=q_head_spectral_norm)
    spec = latents.parse_latent_spec("cat:3,cont:2", 4)
    discriminator = networks.build_discriminator(spec, (28, 28, 1), options)
    dense = [layer for layer in discriminator.layers if isinstance(layer, keras.layers.Dense)]
    normalised = {layer.name: isinstance(layer, SpectralDense) for layer in dense}
    q_head = [layer.name for layer in dense if layer.units == 128] + ["q_params"]  # 128: Q's hidden width at 28x28
    assert all(normalised[name] == q_head_spectral_norm for name in q_head), normalised
    assert all(normalised[name] for name in normalised if name not in q_head), normalised
    assert all(isinstance(layer, SpectralConv2D) for layer in discriminator.layers
               if isinstance(layer, keras.layers.Conv2D))


def _q_spread_after_training(q_head_spectral_norm: bool) -> float:
    """|Q(b) - Q(a)| after Q is trained to answer -5 for a blank image a and +5 for b, the same with one pixel lit."""
    keras.utils.set_random_seed(0)
    image_shape = (28, 28, 1)
    images = tf.reshape(tf.one_hot([-1, 0], 28 * 28), [2, *image_shape])
    options = networks.NetworkOptions(d_batch_norm=False, spectral_norm=True, q_head_spectral_norm=q_head_spectral_norm)
    discriminator = networks.build_discriminator(latents.parse_latent_spec("cont:1", 0), image_shape, options)
    optimizer = keras.optimizers.Adam(1e-2)
    targets = tf.constant([[-5.0], [5.0]])
    q_variables = [v for v in discriminator.trainable_variables if not v.path.startswith("logit/")]

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(discriminator(images, training=True)["q_params"] - targets))
        optimizer.apply_gradients(zip(tape.gradient(loss, q_variables), q_variables))

    for _ in range(60):
        step()
    outputs = discriminator(images)["q_params"][:, 0].numpy()
    return float(abs(outputs[1] - outputs[0]))


def test_unnormalised_q_head_can_answer_beyond_the_lipschitz_bound():
    """A 1-Lipschitz network cannot tell two images apart by more than their distance; a free Q head can."""
    # The images are one pixel apart; power iteration estimates each sigma from below, hence the small margin.
    assert _q_spread_after_training(q_head_spectral_norm=True) <= 1.05
    assert _q_spread_after_training(q_head_spectral_norm=False) > 3.0


@pytest.mark.parametrize("size", [28, 32, 64])
def test_network_width_scales_every_hidden_layer_and_keeps_the_outputs(size):
    spec = latents.parse_latent_spec("cat:3,cont:2", 4)
    narrow = networks.NetworkOptions(width=0.125)
    full_g, narrow_g = (networks.build_generator(spec, (size, size, 1), options)
                        for options in (networks.NetworkOptions(), narrow))
    full_d, narrow_d = (networks.build_discriminator(spec, (size, size, 1), options)
                        for options in (networks.NetworkOptions(), narrow))
    pair = networks.build_pair_discriminator(2, (size, size, 1), narrow)

    def widths(model):
        return [layer.units if hasattr(layer, "units") else layer.filters for layer in model.layers
                if hasattr(layer, "units") or hasattr(layer, "filters")]

    for full, thin in ((full_g, narrow_g), (full_d, narrow_d)):
        *hidden, last = zip(widths(full), widths(thin))
        assert all(t == max(1, round(f / 8)) for f, t in hidden), list(zip(widths(full), widths(thin)))
        assert last[0] == last[1]  # output layers keep their sizes
        assert thin.count_params() < full.count_params() / 10
    images = narrow_g(networks.generator_inputs(spec, latents.sample_latents(spec, 2, tf.constant([0, 0]))))
    assert images.shape == (2, size, size, 1)
    assert narrow_d(images)["q_params"].shape == (2, spec.num_q_params)
    assert pair(tf.concat([images, images], axis=-1)).shape == (2, 2)
    assert networks.architecture_for((size, size, 1)).scaled(1.0) is networks.architecture_for((size, size, 1))


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_heads_stay_float32_under_mixed_precision(policy):
    keras.mixed_precision.set_global_policy(policy)
    spec = latents.parse_latent_spec("cat:10,cont:2", 5)
    generator = networks.build_generator(spec, (28, 28, 1))
    discriminator = networks.build_discriminator(spec, (28, 28, 1))
    images = generator(networks.generator_inputs(spec, latents.sample_latents(spec, 2, tf.constant([0, 0]))))
    out = discriminator(images)
    assert images.dtype == "float32" and out["logit"].dtype == "float32" and out["q_params"].dtype == "float32"


def test_each_code_changes_the_image_while_others_stay_fixed():
    spec = latents.parse_latent_spec("cat:4,cont:1,bern:1", 3)
    generator = networks.build_generator(spec, (28, 28, 1))
    base = {name: value.numpy() for name, value in latents.sample_latents(spec, 1, tf.constant([1, 1])).items()}
    reference = generator(networks.generator_inputs(spec, base)).numpy()
    for kind, new_value in [("categorical", (base["categorical"] + 1) % 4), ("continuous", base["continuous"] + 1.0),
                            ("bernoulli", 1.0 - base["bernoulli"])]:
        changed = dict(base, **{kind: new_value})
        image = generator(networks.generator_inputs(spec, changed)).numpy()
        assert np.abs(image - reference).max() > 1e-4, kind
    np.testing.assert_array_equal(generator(networks.generator_inputs(spec, base)).numpy(), reference)


def test_encoder_reads_out_every_code_kind():
    spec = latents.parse_latent_spec("cat:10,cat:3,cont:2,bern:1", 5)
    discriminator = networks.build_discriminator(spec, (28, 28, 1))
    model = encoder.build_encoder(spec, discriminator)
    out = model(tf.random.stateless_uniform([4, 28, 28, 1], seed=[0, 1]))
    assert out["categorical"].shape == (4, 2) and out["categorical"].dtype == "int32"
    assert out["categorical_probs"].shape == (4, 13)
    np.testing.assert_allclose(out["categorical_probs"][:, :10].numpy().sum(axis=1), 1.0, rtol=1e-5)
    assert out["continuous"].shape == (4, 2) and out["bernoulli"].shape == (4, 1)
    assert out["realness"].shape == (4,)
    assert np.all((out["realness"].numpy() > 0) & (out["realness"].numpy() < 1))
    q_params = discriminator(tf.random.stateless_uniform([4, 28, 28, 1], seed=[0, 1]))["q_params"].numpy()
    np.testing.assert_array_equal(out["categorical"][:, 0], q_params[:, :10].argmax(axis=1))
    np.testing.assert_allclose(out["continuous"], q_params[:, 13:15], rtol=1e-6)


def test_generators_saved_with_only_categorical_sizes_encode_their_latents_the_same():
    """Generators saved before the layer stored its codes carry `categorical_sizes` alone; they still load."""
    spec = latents.parse_latent_spec("cat:3,cont:2,bern:1,cat:4", noise_dim=2)
    sampled = latents.sample_latents(spec, 6, tf.constant([3, 4]))
    inputs = networks.generator_inputs(spec, sampled)
    current = networks.LatentEncoding(spec.to_string())
    saved_before = networks.LatentEncoding.from_config({"categorical_sizes": [3, 4], "name": "latent_encoding"})
    np.testing.assert_array_equal(saved_before(inputs), current(inputs))
    assert current(inputs).shape == (6, spec.input_dim)
