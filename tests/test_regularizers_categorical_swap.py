import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf
from term_players import assert_term_trains

from infogan_tf import config, latents, train_lib
from infogan_tf.config import ConfigError
from infogan_tf.regularizers import CategoricalSwap, StepContext
from infogan_tf.regularizers.blurred_mismatch import blurred_mismatch
from infogan_tf.regularizers.categorical_swap import MATCHES
from infogan_tf.regularizers.centroid_mismatch import centroid_mismatch, footprint_mismatch

SIZE = 28


class DiscGenerator(keras.Model):
    """G stand-in: a soft disc whose column follows the continuous code; each category adds `offsets[k]` px to that
    column (0 everywhere: every category shares one frame) and draws the disc with squared radius `sizes[k]`.
    Records the inputs it was called with."""

    def __init__(self, offsets, sizes=(9.0, 9.0, 9.0)):
        super().__init__()
        self.offsets = tf.constant(offsets, tf.float32)
        self.sizes = tf.constant(sizes, tf.float32)
        self.calls = []

    def call(self, inputs, training=False):
        self.calls.append(inputs)
        shift = tf.gather(self.offsets, inputs["categorical"][:, 0])
        columns = tf.reshape(14.0 + 6.0 * inputs["continuous"][:, 0] + shift, [-1, 1, 1])
        rows, cols = tf.meshgrid(tf.range(SIZE, dtype=tf.float32), tf.range(SIZE, dtype=tf.float32), indexing="ij")
        distance = tf.square(cols[None] - columns) + tf.square(rows[None] - 14.0)
        size = tf.reshape(tf.gather(self.sizes, inputs["categorical"][:, 0]), [-1, 1, 1])
        return tf.sigmoid(size - distance)[..., None]


def _terms(offsets, batch=8, replica_slice=lambda values: values, global_batch=None, sizes=(9.0, 9.0, 9.0),
           match="image"):
    spec = latents.parse_latent_spec("cat:3,cont:1", noise_dim=2)
    sampled = latents.sample_latents(spec, global_batch or batch, tf.constant([4, 5]))
    sampled = {name: replica_slice(value) for name, value in sampled.items()}
    generator = DiscGenerator(offsets, sizes)
    fake = generator(sampled)
    context = StepContext(
        spec=spec, fake=fake, real=fake, real_q_params=None, sampled=sampled,
        code_values=latents.code_values(spec, sampled), seed=tf.constant([7, 3], tf.int64),
        global_batch=tf.constant(global_batch or batch), generator=generator, discriminator=None,
        replica_slice=replica_slice,
    )
    return CategoricalSwap(spec, weight=1.0, match=match).terms(context), sampled, generator.calls[-1]


def test_the_swap_changes_every_category_and_nothing_else():
    _, sampled, swapped = _terms([0.0, 0.0, 0.0], batch=64)
    original, moved = sampled["categorical"].numpy(), swapped["categorical"].numpy()
    assert np.all(original != moved)
    assert set(np.unique((moved - original) % 3)) == {1, 2}  # both other categories are drawn
    np.testing.assert_array_equal(swapped["continuous"].numpy(), sampled["continuous"].numpy())
    np.testing.assert_array_equal(swapped["noise"].numpy(), sampled["noise"].numpy())


def test_loss_is_zero_when_categories_share_a_frame_and_grows_with_their_disagreement():
    shared, _, _ = _terms([0.0, 0.0, 0.0])
    near, _, _ = _terms([0.0, 2.0, -2.0])
    far, _, _ = _terms([0.0, 8.0, -8.0])
    assert np.max(shared.loss.numpy()) < 1e-6
    assert 0.05 < np.mean(near.loss.numpy()) < np.mean(far.loss.numpy()) <= 2.0


def test_matching_positions_lets_a_category_change_the_size_but_not_the_place():
    sizes = (4.0, 16.0, 36.0)
    resized_image, _, _ = _terms([0.0, 0.0, 0.0], sizes=sizes)
    resized_position, _, _ = _terms([0.0, 0.0, 0.0], sizes=sizes, match="position")
    moved_position, _, _ = _terms([0.0, 4.0, -4.0], match="position")
    assert np.mean(resized_image.loss.numpy()) > 0.1
    assert np.max(resized_position.loss.numpy()) < 1e-4
    assert np.mean(moved_position.loss.numpy()) > 0.5


def test_matching_footprints_ties_the_size_as_well_as_the_place():
    resized, _, _ = _terms([0.0, 0.0, 0.0], sizes=(4.0, 16.0, 36.0), match="footprint")
    shared, _, _ = _terms([0.0, 0.0, 0.0], match="footprint")
    moved, _, _ = _terms([0.0, 4.0, -4.0], match="footprint")
    assert np.max(shared.loss.numpy()) < 1e-4
    assert np.mean(resized.loss.numpy()) > 0.5
    assert np.mean(moved.loss.numpy()) > 0.5


def test_the_flag_offers_exactly_the_matches_the_term_knows():
    (field,) = [f for f in dataclasses.fields(config.TrainConfig) if f.name == "categorical_swap_match"]
    assert set(field.metadata["choices"]) == set(MATCHES)


def test_an_unknown_match_is_refused():
    with pytest.raises(ConfigError, match="position"):
        CategoricalSwap(latents.parse_latent_spec("cat:3", noise_dim=2), weight=1.0, match="shape")


@pytest.mark.parametrize("match, mismatch", [("image", blurred_mismatch), ("position", centroid_mismatch),
                                             ("footprint", footprint_mismatch)])
def test_train_lib_passes_the_match_on(match, mismatch):
    cfg = config.TrainConfig(workdir="unused", codes="cat:3,cont:1", categorical_swap_weight=1.0,
                             categorical_swap_match=match)
    (term,) = train_lib.build_regularizers(cfg, latents.parse_latent_spec("cat:3,cont:1", 4))
    assert term.mismatch is mismatch


def test_each_replica_draws_its_rows_of_the_one_device_draw():
    whole, _, whole_call = _terms([0.0, 2.0, -2.0])
    halves = [_terms([0.0, 2.0, -2.0], batch=4, global_batch=8, replica_slice=lambda v, i=i: v[4 * i:4 * (i + 1)])
              for i in range(2)]
    np.testing.assert_array_equal(np.concatenate([h[2]["categorical"].numpy() for h in halves]),
                                  whole_call["categorical"].numpy())
    np.testing.assert_allclose(np.concatenate([h[0].loss.numpy() for h in halves]), whole.loss.numpy(), atol=1e-6)


def test_a_spec_without_a_categorical_code_is_refused():
    with pytest.raises(ConfigError, match="categorical code"):
        CategoricalSwap(latents.parse_latent_spec("cont:2", noise_dim=2), weight=1.0)


def test_train_lib_ignores_the_weight_without_a_categorical_code():
    cfg = config.TrainConfig(workdir="unused", codes="cont:2", categorical_swap_weight=1.0)
    assert train_lib.build_regularizers(cfg, latents.parse_latent_spec("cont:2", 4)) == []


def test_the_term_trains_g_only():
    assert_term_trains("categorical_swap_weight", "categorical_swap_loss", generator=True, discriminator=False)
