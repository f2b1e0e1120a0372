import keras
import numpy as np
import tensorflow as tf

from infogan_tf import config, latents, train_lib
from infogan_tf.regularizers import GradientPenalty, StepContext

SIZE = 28


class QuadraticDiscriminator(keras.Model):
    """D stand-in whose logit is sum(w * x^2): its input gradient 2 w x is known in closed form."""

    def __init__(self, weight: float):
        super().__init__()
        self.weight = weight

    def call(self, images, training=False):
        logit = self.weight * tf.reduce_sum(tf.square(images), axis=[1, 2, 3])
        return {"logit": logit[:, None], "q_params": tf.zeros([tf.shape(images)[0], 1])}


def _context(real: tf.Tensor, discriminator: keras.Model) -> StepContext:
    spec = latents.parse_latent_spec("cont:1", noise_dim=2)
    sampled = latents.sample_latents(spec, real.shape[0], tf.constant([1, 2]))
    return StepContext(
        spec=spec, fake=real, real=real, real_q_params=tf.zeros([real.shape[0], 2]), sampled=sampled,
        code_values=latents.code_values(spec, sampled), seed=tf.constant([1, 2], tf.int64),
        global_batch=tf.constant(real.shape[0]), generator=None, discriminator=discriminator,
        replica_slice=lambda values: values,
    )


def test_penalty_is_half_the_squared_input_gradient_of_each_real_image():
    real = tf.constant(np.random.RandomState(0).rand(3, 4, 4, 1).astype("float32"))
    loss = GradientPenalty(weight=1.0).terms(_context(real, QuadraticDiscriminator(0.5))).loss.numpy()
    # d/dx of 0.5 * sum(x^2) is x, so the penalty is 0.5 * sum(x^2) per image
    expected = 0.5 * np.sum(np.square(real.numpy()), axis=(1, 2, 3))
    np.testing.assert_allclose(loss, expected, rtol=1e-5)
    assert loss.shape == (3,)


def test_penalty_is_differentiable_in_the_discriminator_weights():
    """The term is minimised by D: its gradient must reach D's weights through the input gradient (second order)."""
    real = tf.constant(np.random.RandomState(1).rand(2, 4, 4, 1).astype("float32"))
    discriminator = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    wrapped = keras.Model(discriminator.inputs, {"logit": discriminator.outputs[0],
                                                 "q_params": discriminator.outputs[0]})
    kernel = discriminator.layers[-1].kernel
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(GradientPenalty(weight=1.0).terms(_context(real, wrapped)).loss)
    # a linear D has input gradient w for every image, so the batch's penalty is 2 * 0.5 |w|^2, whose gradient is 2 w
    np.testing.assert_allclose(tape.gradient(total, kernel).numpy(), 2.0 * kernel.numpy(), rtol=1e-5)


def test_the_term_is_logged_and_trains_d_q_only():
    """G's first update comes from the same forward pass with or without the term, so G's weights agree after one
    step; D/Q's do not."""
    plain, penalised = _one_step(weight=0.0), _one_step(weight=10.0)
    assert "r1_loss" in penalised["logs"] and "r1_loss" not in plain["logs"]
    for without, with_term in zip(plain["generator"], penalised["generator"]):
        np.testing.assert_allclose(without, with_term, rtol=1e-5, atol=1e-6)
    assert not all(np.allclose(a, b) for a, b in zip(plain["discriminator"], penalised["discriminator"]))


def _infogan(weight: float):
    keras.utils.set_random_seed(3)
    cfg = config.TrainConfig(workdir="unused", codes="cat:3,cont:2", noise_dim=4, precision="float32",
                             spectral_norm=False, d_batch_norm=False, r1_weight=weight)
    return train_lib.build_infogan(cfg, latents.parse_latent_spec(cfg.codes, cfg.noise_dim), (SIZE, SIZE, 1),
                                   replicas=1)


def _one_step(weight: float) -> dict:
    gan = _infogan(weight)
    data = np.random.RandomState(0).rand(4, SIZE, SIZE, 1).astype("float32")
    logs = gan.fit(tf.data.Dataset.from_tensor_slices(data).batch(4), epochs=1, verbose=0).history
    return {"logs": logs, "generator": gan.generator.get_weights(), "discriminator": gan.discriminator.get_weights()}


def test_d_trained_with_the_penalty_is_flatter_at_the_real_images():
    """Ten steps on one fixed real batch: with a large gamma, D's logit changes less around those images."""
    data = np.random.RandomState(0).rand(8, SIZE, SIZE, 1).astype("float32")
    norms = {}
    for weight in (0.0, 100.0):
        gan = _infogan(weight)
        batches = tf.data.Dataset.from_tensor_slices(data).batch(8).repeat()
        gan.fit(batches, steps_per_epoch=10, epochs=1, verbose=0)
        context = _context(tf.constant(data), gan.discriminator)
        norms[weight] = float(np.mean(GradientPenalty(weight=1.0).terms(context).loss.numpy()))
    assert norms[100.0] < 0.5 * norms[0.0]
