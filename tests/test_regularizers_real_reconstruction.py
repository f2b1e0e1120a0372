import keras
import numpy as np
import tensorflow as tf
from term_players import assert_term_trains

from infogan_tf import latents
from infogan_tf.regularizers import RealReconstruction, StepContext

SIZE = 28


def _blob_at(x_code: tf.Tensor) -> tf.Tensor:
    """A bright disc of radius 3 px whose column follows a code in [-1, 1] (6 px .. 22 px), row 14."""
    columns = 14.0 + 8.0 * tf.reshape(tf.cast(x_code, tf.float32), [-1, 1, 1])
    rows, cols = tf.meshgrid(tf.range(SIZE, dtype=tf.float32), tf.range(SIZE, dtype=tf.float32), indexing="ij")
    inside = tf.square(cols[None] - columns) + tf.square(rows[None] - 14.0) <= 9.0
    return tf.cast(inside, tf.float32)[..., None]


class BlobGenerator(keras.Model):
    """G stand-in: draws a disc where its continuous code says (smoothly, so it is differentiable in the code)."""

    def call(self, inputs, training=False):
        code = inputs["continuous"][:, 0]
        columns = 14.0 + 8.0 * tf.reshape(code, [-1, 1, 1])
        rows, cols = tf.meshgrid(tf.range(SIZE, dtype=tf.float32), tf.range(SIZE, dtype=tf.float32), indexing="ij")
        distance = tf.square(cols[None] - columns) + tf.square(rows[None] - 14.0)
        return tf.sigmoid(9.0 - distance)[..., None]


def _context(spec, real, q_params):
    batch = real.shape[0]
    sampled = latents.sample_latents(spec, batch, tf.constant([1, 2]))
    return StepContext(
        spec=spec, fake=real, real=real, real_q_params=q_params, sampled=sampled,
        code_values=latents.code_values(spec, sampled), seed=tf.constant([1, 2], tf.int64),
        global_batch=tf.constant(batch), generator=BlobGenerator(), discriminator=None,
        replica_slice=lambda values: values,
    )


def test_loss_is_smallest_where_the_reading_draws_the_real_sprite_and_its_gradient_points_there():
    spec = latents.parse_latent_spec("cont:1", noise_dim=2)
    real = _blob_at(tf.fill([4], 0.25))
    term = RealReconstruction(weight=1.0)
    readings = tf.Variable([[0.25], [0.0], [-0.5], [0.6]])  # Q's Normal mean per image
    with tf.GradientTape() as tape:
        loss = term.terms(_context(spec, real, readings)).loss
        total = tf.reduce_sum(loss)
    gradient = tape.gradient(total, readings).numpy()
    values = loss.numpy()
    assert values[0] < 0.01 < 0.1 < values[1] < values[2] <= 2.0  # the further the miss, the larger the loss
    assert gradient[1, 0] < 0.0 and gradient[2, 0] < 0.0 < gradient[3, 0]  # descending moves each miss to 0.25


def test_categorical_readings_take_the_most_likely_value_without_a_gradient():
    spec = latents.parse_latent_spec("cat:3,cont:1", noise_dim=2)
    real = _blob_at(tf.fill([2], 0.0))
    q_params = tf.Variable([[5.0, 0.0, 0.0, 0.3], [0.0, 0.0, 5.0, -0.3]])
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(RealReconstruction(weight=1.0).terms(_context(spec, real, q_params)).loss)
    gradient = tape.gradient(total, q_params).numpy()
    np.testing.assert_array_equal(gradient[:, :3], 0.0)
    assert np.all(gradient[:, 3] != 0.0)


def test_the_term_trains_d_q_only():
    assert_term_trains("real_reconstruction_weight", "real_reconstruction_loss", generator=False, discriminator=True)
