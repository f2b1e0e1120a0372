"""The Python API: train, evaluate and export from a notebook, with no flags."""

import json

import keras
import numpy as np
import pytest

import infogan_tf
from infogan_tf import api, config


class BatchCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    counter = BatchCounter()
    run = infogan_tf.train("tiny_test", workdir=str(tmp_path_factory.mktemp("api") / "run"), train_steps=2,
                           callbacks=[counter])
    return run, counter


def test_train_returns_the_models_and_the_summary_and_calls_the_callbacks(trained):
    run, counter = trained
    assert counter.batches == 2 and run.summary["global_step"] == 2
    noise_and_codes = {name: np.zeros((3, *spec.shape[1:]), spec.dtype) for name, spec in run.generator.input.items()}
    images = run.generator(noise_and_codes)
    assert tuple(images.shape) == (3, 28, 28, 1)
    outputs = run.encoder(np.zeros((2, 28, 28, 1), "float32"))
    assert tuple(outputs["categorical_probs"].shape) == (2, 3)


def test_a_run_made_from_python_repeats_from_its_flags_file(trained):
    run, _ = trained
    rebuilt = config.config_from_flags(config.read_flagfile(run.workdir / "flags.cfg"))
    assert rebuilt == api.resolve_config("tiny_test", workdir=str(run.workdir), train_steps=2)
    assert rebuilt.codes == "cat:3,cont:1" and rebuilt.verbose == 2


@pytest.mark.slow
def test_export_and_evaluate_take_the_run(trained, tmp_path):
    run, _ = trained
    written = infogan_tf.export_servables(run.workdir, tmp_path / "exports")
    assert written["version"] == 1 and (tmp_path / "exports/generator/1/saved_model.pb").exists()
    metrics = infogan_tf.evaluate(run.workdir, num_examples=32)
    assert metrics["global_step"] == 2
    assert json.loads((run.workdir / "metrics.json").read_text())["global_step"] == 2


def test_a_train_config_and_a_flagfile_resolve_like_a_name(tmp_path):
    flagfile = tmp_path / "mine.cfg"
    flagfile.write_text("--codes=cat:4\n// absl comment\n--noise_dim=3\n")
    resolved = api.resolve_config(str(flagfile), workdir="w", seed=5)
    assert (resolved.codes, resolved.noise_dim, resolved.seed) == ("cat:4", 3, 5)
    assert api.resolve_config(resolved, seed=6).seed == 6


def test_a_flagfile_that_includes_a_shipped_config_resolves_from_any_folder(tmp_path, monkeypatch):
    flagfile = tmp_path / "mine.cfg"
    flagfile.write_text("--flagfile=configs/tiny_test.cfg\n--noise_dim=3\n")
    monkeypatch.chdir(tmp_path)
    resolved = api.resolve_config(str(flagfile), workdir="w")
    assert (resolved.codes, resolved.noise_dim, resolved.network_width) == ("cat:3,cont:1", 3, 0.125)
    flagfile.write_text("--flagfile=configs/not_shipped.cfg\n")
    with pytest.raises(config.ConfigError, match=r"mine.cfg: .*Unable to open flagfile.*not_shipped.cfg"):
        api.resolve_config(str(flagfile), workdir="w")


@pytest.mark.parametrize(
    "source, overrides, message",
    [
        ("tiny_test", {"workdir": "w", "trian_steps": 3}, "unknown training options: trian_steps"),
        ("tiny_test", {}, r"train needs a workdir"),
        ("nope", {"workdir": "w"}, "config nope: no such file and no shipped config of that name"),
        ("tiny_test", {"workdir": "w", "batch_size": 0}, "batch_size must be >= 1"),
    ],
)
def test_bad_options_are_refused_with_one_line(source, overrides, message):
    with pytest.raises(config.ConfigError, match=message):
        api.resolve_config(source, **overrides)
