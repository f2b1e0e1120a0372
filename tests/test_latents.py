import math

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import latents


@pytest.mark.parametrize(
    "text, kinds",
    [
        ("cat:10", ["categorical"]),
        ("cont:2", ["continuous", "continuous"]),
        ("cat:10,cont:2", ["categorical", "continuous", "continuous"]),
        ("bern:3", ["bernoulli"] * 3),
        ("cat:3, cont:1:normal:learned_std ,bern:1", ["categorical", "continuous", "bernoulli"]),
        ("", []),
    ],
)
def test_parse_codes_kinds(text, kinds):
    assert [code.kind for code in latents.parse_codes(text)] == kinds


def test_parse_codes_modifiers():
    (code,) = latents.parse_codes("cont:1:normal:learned_std")
    assert code.prior == "normal" and code.learned_std and code.num_q_params == 2
    (code,) = latents.parse_codes("cont:1")
    assert code.prior == "uniform" and not code.learned_std and code.num_q_params == 1


@pytest.mark.parametrize(
    "text, bad",
    [
        ("cat:1", "cat:1"),
        ("cat:x", "'x'"),
        ("cat10", "cat10"),
        ("gauss:2", "gauss:2"),
        ("cont:0", "cont:0"),
        ("cont:2:wide", "'wide'"),
        ("cat:10:normal", "cat:10:normal"),
        ("cat:10,bern:-1", "bern:-1"),
        ("cat:100000", "at most 1000 categories"),
    ],
)
def test_parse_codes_rejects_bad_token_naming_it(text, bad):
    with pytest.raises(latents.LatentSpecError, match=bad.replace("'", ".")) as info:
        latents.parse_codes(text)
    assert "\n" not in str(info.value)


def test_spec_round_trips_through_string():
    text = "cat:10,cat:3,cont:2:uniform,cont:1:normal:learned_std,bern:2"
    spec = latents.parse_latent_spec(text, 5)
    assert latents.parse_codes(spec.to_string()) == spec.codes
    assert spec.code_names() == ["cat10_0", "cat3_1", "cont_0", "cont_1", "cont_2", "bern_0", "bern_1"]
    assert spec.input_dim == 5 + 10 + 3 + 3 + 2
    assert spec.num_q_params == 10 + 3 + 1 + 1 + 2 + 2


def test_empty_latent_space_is_rejected():
    with pytest.raises(latents.LatentSpecError, match="empty"):
        latents.LatentSpec(noise_dim=0)


def test_sample_latents_shapes_dtypes_and_ranges():
    spec = latents.parse_latent_spec("cat:10,cat:3,cont:2,cont:1:normal,bern:2", 7)
    sample = latents.sample_latents(spec, 512, tf.constant([1, 2]))
    assert sample["noise"].shape == (512, 7) and sample["noise"].dtype == tf.float32
    assert sample["categorical"].shape == (512, 2) and sample["categorical"].dtype == tf.int32
    assert sample["continuous"].shape == (512, 3) and sample["bernoulli"].shape == (512, 2)
    cat = sample["categorical"].numpy()
    assert cat[:, 0].min() == 0 and cat[:, 0].max() == 9 and set(np.unique(cat[:, 1])) == {0, 1, 2}
    assert np.abs(sample["noise"].numpy()).max() <= 1.0
    assert np.abs(sample["continuous"].numpy()[:, :2]).max() <= 1.0
    assert np.abs(sample["continuous"].numpy()[:, 2]).max() > 1.0  # the normal prior reaches past 1
    assert set(np.unique(sample["bernoulli"].numpy())) == {0.0, 1.0}


def test_sampling_is_a_function_of_the_seed():
    spec = latents.parse_latent_spec("cat:10,cont:2", 4)
    a = latents.sample_latents(spec, 16, tf.constant([3, 4]))
    b = latents.sample_latents(spec, 16, tf.constant([3, 4]))
    c = latents.sample_latents(spec, 16, tf.constant([3, 5]))
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
    assert not np.array_equal(a["noise"], c["noise"])


def test_code_values_follow_spec_order():
    spec = latents.parse_latent_spec("cont:1,cat:4,cont:1", 2)
    sample = latents.sample_latents(spec, 8, tf.constant([0, 0]))
    values = latents.code_values(spec, sample)
    np.testing.assert_array_equal(values[0], sample["continuous"][:, 0])
    np.testing.assert_array_equal(values[1], sample["categorical"][:, 0])
    np.testing.assert_array_equal(values[2], sample["continuous"][:, 1])


def test_prior_entropies():
    cat, cont, normal, bern = latents.parse_codes("cat:10,cont:1,cont:1:normal,bern:1")
    assert cat.prior_entropy() == pytest.approx(math.log(10))
    assert cont.prior_entropy() == pytest.approx(float(cont.prior_distribution().entropy()))
    assert normal.prior_entropy() == pytest.approx(float(normal.prior_distribution().entropy()))
    assert bern.prior_entropy() == pytest.approx(math.log(2))
