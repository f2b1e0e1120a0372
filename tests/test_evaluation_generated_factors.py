import keras
import numpy as np
import pytest

from infogan_tf import latents
from infogan_tf.evaluation import generated_factors
from infogan_tf.evaluation.protocol import protocol_for

SPEC = latents.parse_latent_spec("cat:3,cont:2,bern:1", noise_dim=2)


def test_code_grids_cover_each_kind():
    codes = SPEC.codes
    np.testing.assert_array_equal(codes[0].factor_grid(bins=4), [0, 1, 2])
    uniform = codes[1].factor_grid(bins=4)
    np.testing.assert_allclose(uniform, [-0.75, -0.25, 0.25, 0.75])
    normal = latents.Code(latents.CONTINUOUS, prior="normal").factor_grid(bins=4)
    assert normal[0] == pytest.approx(-normal[-1]) and np.all(np.diff(normal) > 0)
    np.testing.assert_array_equal(codes[3].factor_grid(bins=4), [0.0, 1.0])


def _readable_generator(spec):
    """Paints each code's value into its own pixel, plus noise elsewhere: codes are perfectly separable."""
    inputs = {name: keras.Input((width,), dtype=dtype, name=name)
              for name, (width, dtype) in {"noise": (2, "float32"), "categorical": (1, "int32"),
                                           "continuous": (2, "float32"), "bernoulli": (1, "float32")}.items()}

    def paint(parts):
        values = keras.ops.concatenate([keras.ops.cast(parts["categorical"], "float32") / 2.0,
                                        (parts["continuous"] + 1.0) / 2.0, parts["bernoulli"],
                                        0.5 + 0.1 * parts["noise"]], axis=1)
        return keras.ops.reshape(keras.ops.pad(values, [[0, 0], [0, 10]]), (-1, 4, 4, 1))

    return keras.Model(inputs, keras.layers.Lambda(paint)(inputs))


def _reader(spec):
    """Inverts `_readable_generator`: the representation a perfect encoder would give."""
    def represent(images):
        flat = images.reshape(len(images), -1)
        return np.stack([np.round(flat[:, 0] * 2.0), flat[:, 1] * 2.0 - 1.0, flat[:, 2] * 2.0 - 1.0, flat[:, 3]], 1)

    return represent


def test_generated_ground_truth_draws_the_codes_it_is_given():
    data = generated_factors.GeneratedGroundTruth(_readable_generator(SPEC), SPEC, seed=0, bins=4)
    assert data.factor_sizes == (3, 4, 4, 2) and data.factor_names == ("cat3_0", "cont_0", "cont_1", "bern_0")
    factors = data.sample_factors(300, np.random.default_rng(0))
    codes = _reader(SPEC)(data.images_from_factors(factors))
    np.testing.assert_allclose(codes[:, 0], factors[:, 0])
    np.testing.assert_allclose(codes[:, 1], data.grids[1][factors[:, 1]], atol=1e-6)
    np.testing.assert_allclose(codes[:, 3], factors[:, 3])


def test_a_perfect_reader_scores_high_and_a_blind_one_low():
    data = generated_factors.GeneratedGroundTruth(_readable_generator(SPEC), SPEC, seed=0)
    protocol = protocol_for(400)
    perfect = generated_factors.self_labelled_scores(data, _reader(SPEC), protocol, seed=0)
    assert perfect["factor_vae"]["eval_accuracy"] > 0.95 and perfect["mig"] > 0.8
    rng = np.random.default_rng(1)
    blind = generated_factors.self_labelled_scores(data, lambda images: rng.normal(size=(len(images), 4)),
                                                   protocol, seed=0)
    assert blind["factor_vae"]["eval_accuracy"] < 0.6 and blind["mig"] < 0.1


def test_code_recovery_scores_each_kind_against_the_truth():
    sampled = {"noise": np.zeros((4, 2)), "categorical": np.array([[0], [1], [2], [1]]),
               "continuous": np.array([[-1.0, 0.5], [0.0, 0.5], [1.0, -0.5], [0.5, -0.5]]),
               "bernoulli": np.array([[0.0], [1.0], [1.0], [0.0]])}
    encoded = {"categorical": np.array([[0], [1], [0], [1]]), "categorical_probs": np.zeros((4, 3)),
               "continuous": np.array([[-1.0, 0.0], [0.0, 0.0], [1.0, 0.0], [0.5, 0.0]]),
               "bernoulli": np.array([[0.2], [0.9], [0.4], [0.1]])}
    scores = generated_factors.code_recovery(SPEC, sampled, encoded)
    assert scores["cat3_0"] == {"accuracy": 0.75}
    assert scores["cont_0"]["r2"] == pytest.approx(1.0)
    assert scores["cont_1"]["r2"] == pytest.approx(0.0)  # always the mean: no better than a constant
    assert scores["bern_0"] == {"accuracy": 0.75}
