"""A code kind is one class: a kind defined here, and nowhere in the library, trains, exports and serves."""

import math

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_probability as tfp

from infogan_tf import code_kinds, config, latents, train_lib, workdir
from infogan_tf.export import export_servables

tfd = tfp.distributions


@pytest.fixture
def laplace_kind(monkeypatch):
    """Registers a Laplace-distributed code (`lap:N`) for one test; the registry is restored afterwards."""
    monkeypatch.setattr(code_kinds.CodeKind, "_registry", dict(code_kinds.CodeKind._registry))

    class Laplace(code_kinds.CodeKind):
        name = "laplace"
        token = "lap"
        usage = "lap:N"

        def prior(self, code):
            return tfd.Laplace(0.0, 1.0)

        def prior_entropy(self, code):
            return 1.0 + math.log(2.0)

        def q_distribution(self, code, params):
            return tfd.Laplace(loc=params[:, 0], scale=1.0)

        def sweep_values(self, code):
            return np.linspace(-2.0, 2.0, 5).astype(np.float32)

    return Laplace


def test_a_kind_that_only_defines_its_sweep_keeps_it_under_a_traversal_range(laplace_kind):
    code = latents.parse_latent_spec("lap:1", noise_dim=2).codes[0]
    np.testing.assert_array_equal(code.sweep_values(1.0), np.linspace(-2.0, 2.0, 5))


def test_built_in_kinds_come_first_in_input_order():
    names = [kind.name for kind in code_kinds.all_kinds()]
    assert names[:3] == [latents.CATEGORICAL, latents.CONTINUOUS, latents.BERNOULLI]


def test_a_kind_name_can_be_defined_once(monkeypatch):
    monkeypatch.setattr(code_kinds.CodeKind, "_registry", dict(code_kinds.CodeKind._registry))
    with pytest.raises(ValueError, match="'continuous' is already defined"):
        type("AnotherContinuous", (code_kinds.CodeKind,), {"name": "continuous", "token": "cont2"})


def test_a_new_kind_parses_samples_and_names_its_codes(laplace_kind):
    spec = latents.parse_latent_spec("cat:3,lap:2", noise_dim=2)
    assert [code.kind for code in spec.codes] == ["categorical", "laplace", "laplace"]
    assert spec.code_names() == ["cat3_0", "lap_0", "lap_1"]
    assert spec.to_string() == "cat:3,lap:2"
    sampled = latents.sample_latents(spec, 5, tf.constant([0, 1]))
    assert sampled["laplace"].shape == (5, 2) and sampled["laplace"].dtype == tf.float32
    with pytest.raises(latents.LatentSpecError, match="expected cat:K, cont:N\\[:modifiers\\], bern:N or lap:N"):
        latents.parse_codes("gauss:2")


def test_a_new_kind_trains_two_steps_and_exports(laplace_kind, tmp_path):
    run_config = config.TrainConfig(
        workdir=str(tmp_path / "run"), dataset="shapes", image_size=28, codes="cat:3,lap:2", noise_dim=4,
        batch_size=8, train_steps=2, steps_per_epoch=2, checkpoint_every_steps=2, traversal_rows=2,
        shuffle_buffer=64, verbose=0,
    )
    summary = train_lib.train(run_config)
    assert summary["global_step"] == 2
    run = workdir.Workdir(tmp_path / "run")
    assert all(math.isfinite(run.read_history()[-1][f"mi_lap_{index}"]) for index in range(2))
    assert sorted(path.name for path in run.samples.glob("*lap_1*"))

    exported = export_servables(tmp_path / "run", tmp_path / "exports")
    generator = tf.saved_model.load(exported["generator"])
    inputs = generator.signatures["serving_default"].structured_input_signature[1]
    assert inputs["laplace"].shape.as_list() == [None, 2]
    encoder = tf.saved_model.load(exported["encoder"])
    read = encoder.signatures["serving_default"](images=tf.zeros([3, 28, 28, 1]))
    assert read["laplace"].shape == (3, 2) and read["categorical"].shape == (3, 1)


def test_a_new_kind_takes_its_mi_weight_from_the_one_flag_keyed_by_kind(laplace_kind):
    cfg = config.TrainConfig(workdir="w", codes="cat:3,lap:2", mi_weights="laplace:0.25,categorical:2")
    assert cfg.mi_weight_by_kind() == {"categorical": 2.0, "continuous": 1.0, "bernoulli": 1.0, "laplace": 0.25}
    gan = train_lib.build_infogan(cfg, latents.parse_latent_spec(cfg.codes, 4), (28, 28, 1), replicas=1)
    assert gan.code_weights == [2.0, 0.25, 0.25]
