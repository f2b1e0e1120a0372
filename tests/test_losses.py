import math

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import distributions, latents, losses


def _q_params():
    # cat:3 logits, cont fixed-std mean, cont learned-std (mean, raw std), bern logit
    return tf.constant([[0.0, 1.0, 2.0, 0.5, -0.2, 0.3, 1.5], [2.0, 0.0, -1.0, -0.5, 0.1, -0.7, -2.0]])


def _spec():
    return latents.parse_latent_spec("cat:3,cont:1,cont:1:learned_std,bern:1", 1)


def _log_softmax(row):
    row = np.asarray(row, np.float64)
    return row - np.log(np.exp(row).sum())


def _normal_logpdf(x, mean, std):
    return -0.5 * ((x - mean) / std) ** 2 - math.log(std) - 0.5 * math.log(2 * math.pi)


def _hand_log_probs(params, cat, cont_a, cont_b, bern):
    std_b = math.log1p(math.exp(params[5])) + 1e-2
    p = 1 / (1 + math.exp(-params[6]))
    return [
        _log_softmax(params[:3])[cat],
        _normal_logpdf(cont_a, params[3], 1.0),
        _normal_logpdf(cont_b, params[4], std_b),
        math.log(p if bern == 1 else 1 - p),
    ]


def test_mutual_information_loss_matches_hand_computation():
    spec = _spec()
    params = _q_params()
    values = [tf.constant([2, 0]), tf.constant([0.1, -0.4]), tf.constant([0.9, 0.2]), tf.constant([1.0, 0.0])]
    weights = [1.0, 0.5, 0.25, 2.0]
    got = losses.mutual_information_loss(distributions.code_distributions(spec, params), values, weights).numpy()
    for row in range(2):
        log_probs = _hand_log_probs(
            params.numpy()[row].tolist(), *[float(v[row]) if i else int(v[row]) for i, v in enumerate(values)]
        )
        expected = -sum(w * lp for w, lp in zip(weights, log_probs))
        assert got[row] == pytest.approx(expected, rel=1e-5)


def test_mutual_information_loss_is_float32_for_half_precision_params():
    spec = latents.parse_latent_spec("cat:10,cont:2", 1)
    params = tf.random.stateless_normal([4, 12], seed=[1, 1], dtype=tf.bfloat16)
    dists = distributions.code_distributions(spec, params)
    values = [tf.constant([1, 2, 3, 4]), tf.zeros([4]), tf.ones([4])]
    loss = losses.mutual_information_loss(dists, values, [1.0, 1.0, 1.0])
    assert loss.dtype == tf.float32 and loss.shape == (4,)


def test_mutual_information_loss_rejects_mismatched_lengths():
    spec = latents.parse_latent_spec("cat:3", 1)
    dists = distributions.code_distributions(spec, tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="1 distributions, 2 code values"):
        losses.mutual_information_loss(dists, [tf.zeros([2]), tf.zeros([2])], [1.0])


def test_mi_estimate_reaches_log_k_for_a_confident_correct_q():
    spec = latents.parse_latent_spec("cat:10", 1)
    codes = tf.range(10)
    perfect = distributions.code_distributions(spec, 50.0 * tf.one_hot(codes, 10))
    uniform = distributions.code_distributions(spec, tf.zeros([10, 10]))
    assert float(losses.mutual_information_estimates(spec, perfect, [codes])[0]) == pytest.approx(math.log(10), 1e-4)
    assert float(losses.mutual_information_estimates(spec, uniform, [codes])[0]) == pytest.approx(0.0, abs=1e-5)


def test_gan_losses_match_cross_entropy_definitions():
    real, fake = tf.constant([2.0, -1.0]), tf.constant([0.5, -3.0])
    sig = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    expected_d = -np.log(sig(real.numpy())) - np.log(1 - sig(fake.numpy()))
    np.testing.assert_allclose(losses.discriminator_loss(real, fake), expected_d, rtol=1e-5)
    np.testing.assert_allclose(losses.generator_loss(fake), -np.log(sig(fake.numpy())), rtol=1e-5)
