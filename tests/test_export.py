"""Tests for infogan_tf/export: SavedModels loaded as TF Serving and Keras apps load them, metadata, versioning.

Two tiny runs (2 training steps each) are trained and exported once for the module: one in float32 with every code
kind, one in mixed_float16 with a normal noise prior.
"""

from __future__ import annotations

import dataclasses
import json
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from unittest import mock

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.protobuf import config_pb2

from infogan_tf import config, export, latents, messages, networks, train_lib
from infogan_tf.export import signatures, writer

ROOT = Path(__file__).resolve().parents[1]
SIGNATURES = ("serving_default", "sample")
RUNS = {
    "float32": {"codes": "cat:3,cat:2,cont:2,bern:1"},
    "mixed_float16": {"codes": "cat:3,cont:1", "noise_prior": "normal", "precision": "mixed_float16"},
}


@dataclasses.dataclass
class Run:
    """A trained and exported run, with its Keras models loaded in this process."""

    workdir: Path
    export_dir: Path
    spec: latents.LatentSpec
    generator: keras.Model
    encoder: keras.Model

    def version(self, servable: str, version: int = 1) -> Path:
        """A version folder, as TF Serving's base path + version."""
        return self.export_dir / servable / str(version)


class ServedModel:
    """A SavedModel loaded as TF Serving loads it: a TF1 session, fed and fetched by the SignatureDefs' tensor names."""

    def __init__(self, path: Path):
        self.session = tf.compat.v1.Session(graph=tf.Graph())
        with self.session.graph.as_default():
            self.signatures = tf.compat.v1.saved_model.loader.load(self.session, ["serve"], str(path)).signature_def

    def run(self, signature: str, inputs: dict[str, np.ndarray], unchecked: bool = False) -> dict[str, np.ndarray]:
        """Runs one signature; `unchecked` skips the Python-side shape check, as the C++ server has none."""
        definition = self.signatures[signature]
        names = sorted(definition.outputs)
        fetches = [definition.outputs[name].name for name in names]
        if unchecked:
            options = config_pb2.CallableOptions(feed=[definition.inputs[k].name for k in inputs], fetch=fetches)
            values = self.session._make_callable_from_options(options)(*inputs.values())
        else:
            values = self.session.run(fetches, {definition.inputs[k].name: v for k, v in inputs.items()})
        return dict(zip(names, values))


def _train_and_export(root: Path, **overrides) -> Run:
    """Trains a tiny run and exports it right away, under the run's precision policy as train.py --export_dir does."""
    tiny = config.read_flagfile(ROOT / "configs/tiny_test.cfg")
    cfg = config.config_from_flags(tiny, workdir=str(root / "run"), train_steps=2, verbose=0, **overrides)
    train_lib.train(cfg, flags_text=f"--codes={cfg.codes}\n--precision={cfg.precision}\n")
    export.export_servables(cfg.workdir, root / "exports")
    spec = latents.parse_latent_spec(cfg.codes, cfg.noise_dim, cfg.noise_prior)
    models = [keras.models.load_model(root / "run" / name) for name in ("generator.keras", "encoder.keras")]
    return Run(Path(cfg.workdir), root / "exports", spec, *models)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Both runs, trained once for the module (training dominates the runtime); the policy is reset to float32."""
    trained = {name: _train_and_export(tmp_path_factory.mktemp(name), **overrides) for name, overrides in RUNS.items()}
    keras.mixed_precision.set_global_policy("float32")
    return trained


@pytest.fixture(scope="module")
def served():
    """Loads each version folder once per module."""
    cache: dict[Path, ServedModel] = {}

    def load(path: Path) -> ServedModel:
        if path not in cache:
            cache[path] = ServedModel(path)
        return cache[path]

    yield load
    for model in cache.values():
        model.session.close()


def _latents(spec: latents.LatentSpec, batch: int, seed: int = 1) -> dict[str, np.ndarray]:
    """Deterministic generator inputs, keyed like its signature."""
    sampled = latents.sample_latents(spec, batch, tf.constant([seed, 0]))
    return {name: value.numpy() for name, value in networks.generator_inputs(spec, sampled).items()}


@pytest.mark.parametrize("name", RUNS)
def test_served_generator_and_encoder_equal_the_keras_models(runs, served, name):
    run = runs[name]
    inputs = _latents(run.spec, 5)
    images = served(run.version("generator")).run("serving_default", inputs)["images"]
    expected = run.generator(inputs, training=False).numpy()
    assert images.dtype == np.float32 and images.shape == (5, 28, 28, 1)
    assert np.abs(images - expected).max() <= 1e-5
    assert images.min() >= 0.0 and images.max() <= 1.0

    codes = served(run.version("encoder")).run("serving_default", {"images": images})
    keras_codes = run.encoder(images, training=False)
    assert sorted(codes) == sorted(signatures.encoder_output_names(run.spec))
    # The served graph fuses ops in another order than eager Keras; in float16 (eps ~1e-3) that moves the
    # encoder's probabilities by ~1e-5, so the half-precision run is held to a half-precision tolerance.
    tolerance = 1e-4 if name == "mixed_float16" else 1e-5
    for key, value in codes.items():
        assert value.dtype == keras_codes[key].dtype and value.shape[0] == 5
        assert np.abs(value - keras_codes[key].numpy()).max() <= tolerance, key


def test_saved_model_cli_lists_the_signatures(runs):
    """saved_model_cli is the first thing users reach for: it must show both signatures with the documented names."""
    cli = Path(sys.executable).with_name("saved_model_cli")
    path = str(runs["float32"].version("generator"))
    shown = subprocess.run(
        [str(cli), "show", "--dir", path, "--all"], capture_output=True, text=True, check=True
    ).stdout
    default, sample = (shown.split(f"signature_def['{name}']")[1].split("signature_def[")[0] for name in SIGNATURES)
    for section, first in ((default, "noise"), (sample, "seed")):
        assert all(f"inputs['{key}']" in section for key in (first, "categorical", "continuous", "bernoulli")), section
        assert "outputs['images']" in section and "tensorflow/serving/predict" in section
    assert "inputs['noise']" not in sample and "dtype: DT_INT64" in sample and "shape: (-1, 2)" in default


@pytest.mark.parametrize("name", RUNS)
def test_sample_draws_the_noise_from_each_seed_alone(runs, served, name):
    run = runs[name]
    model = served(run.version("generator"))
    codes = {key: np.repeat(value[:1], 3, axis=0) for key, value in _latents(run.spec, 1).items() if key != "noise"}
    first = model.run("sample", {"seed": np.array([5, 6, 7], np.int64), **codes})["images"]
    again = model.run("sample", {"seed": np.array([7, 9, 5], np.int64), **codes})["images"]
    np.testing.assert_array_equal(first[[2, 0]], again[[0, 2]])
    assert np.abs(first[0] - first[1]).max() > 1e-4
    noise = signatures.noise_from_seeds(tf.constant([5, 6, 7], tf.int64), run.spec.noise_dim, run.spec.noise_prior)
    expected = run.generator({**codes, "noise": noise.numpy()}, training=False).numpy()
    assert np.abs(first - expected).max() <= 1e-5


def test_noise_from_seeds_follows_the_prior():
    seeds = tf.range(200, dtype=tf.int64)
    uniform = signatures.noise_from_seeds(seeds, 8, "uniform").numpy()
    normal = signatures.noise_from_seeds(seeds, 8, "normal").numpy()
    assert uniform.shape == (200, 8) and uniform.min() >= -1.0 and uniform.max() <= 1.0
    assert abs(normal.mean()) < 0.1 and 0.9 < normal.std() < 1.1 and np.abs(normal).max() > 2.0
    np.testing.assert_array_equal(signatures.noise_from_seeds(seeds[3:4], 8, "normal").numpy(), normal[3:4])


BAD_REQUESTS = [  # (servable, signature, changed inputs, expected message)
    ("generator", "serving_default", {"categorical": [[0, 2], [2, 1]]}, "(code cat2_1): indices must be in [0, 2)"),
    ("generator", "serving_default", {"categorical": [[-1, 0], [0, 0]]}, "(code cat3_0): indices must be in [0, 3)"),
    ("generator", "sample", {"categorical": [[0, 0, 0], [0, 0, 0]]}, "input categorical: shape must be [batch, 2]"),
    ("generator", "serving_default", {"noise": np.zeros((2, 5))}, "input noise: shape must be [batch, 4]"),
    ("generator", "serving_default", {"continuous": [0.0, 0.0]}, "input continuous: shape must be [batch, 2]"),
    ("generator", "serving_default", {"bernoulli": [[0.5], [1.0]]}, "input bernoulli: values must be 0 or 1"),
    ("generator", "serving_default", {"noise": np.zeros((3, 4))}, "batch sizes must be equal"),
    ("generator", "sample", {"seed": [[1], [2]]}, "input seed: shape must be [batch]"),
    ("encoder", "serving_default", {"images": np.zeros((2, 28, 28))}, "input images: shape must be [batch, 28, 28, 1]"),
    ("encoder", "serving_default", {"images": np.zeros((2, 28, 28, 1, 1))}, "input images: shape must be"),
    ("encoder", "serving_default", {"images": np.full((2, 28, 28, 1), 255.0)}, "pixel values must be in [0, 1]"),
    ("encoder", "serving_default", {"images": np.full((2, 28, 28, 1), np.nan)}, "pixel values must be in [0, 1]"),
]


@pytest.mark.parametrize("servable, signature, change, message", BAD_REQUESTS)
def test_bad_requests_fail_with_invalid_argument_naming_the_input(runs, served, servable, signature, change, message):
    run = runs["float32"]
    model = served(run.version(servable))
    inputs = _latents(run.spec, 2) if servable == "generator" else {"images": np.zeros((2, 28, 28, 1), np.float32)}
    if signature == "sample":
        inputs = {"seed": np.array([0, 1], np.int64), **{k: v for k, v in inputs.items() if k != "noise"}}
    inputs.update({key: np.asarray(value, inputs[key].dtype) for key, value in change.items()})
    with pytest.raises(tf.errors.InvalidArgumentError, match="assertion failed") as raised:
        model.run(signature, inputs, unchecked=True)
    assert message in raised.value.message


def test_metadata_is_what_the_serving_client_reads(runs, served):
    run = runs["float32"]
    data = json.loads((run.version("generator") / "assets.extra/infogan.json").read_text())
    assert data["format_version"] == 1 and data["servable"] == "generator" and data["image_range"] == [0.0, 1.0]
    assert data["latent_spec"]["categorical_sizes"] == [3, 2] and data["image_shape"] == [28, 28, 1]
    assert data["dataset"] == "shapes" and data["global_step"] == 2
    assert data["flags"] == {"codes": "cat:3,cat:2,cont:2,bern:1", "precision": "float32"}
    assert data["signatures"]["sample"]["inputs"]["seed"] == {"dtype": "int64", "shape": [-1]}
    assert data["signatures"]["serving_default"]["outputs"]["images"] == {"dtype": "float32", "shape": [-1, 28, 28, 1]}

    from infogan_serving import client
    info = client.load_metadata_file(run.export_dir / "generator")
    assert info.servable == "generator" and info.categorical_sizes == (3, 2) and info.image_shape == (28, 28, 1)
    for signature in ("sample", "serving_default"):
        inputs = client.generator_inputs(info, signature, num=3, seed=0, continuous=["0.5", "-1"])
        checked = client.validate_inputs(inputs, info.signature(signature))
        assert served(run.version("generator")).run(signature, checked)["images"].shape == (3, 28, 28, 1)
    encoder_info = client.load_metadata_file(run.version("encoder"))
    assert encoder_info.servable == "encoder" and set(encoder_info.signature("serving_default").outputs) == {
        "categorical",
        "categorical_probs",
        "continuous",
        "bernoulli",
        "realness",
    }


def test_warmup_requests_replay_on_every_signature(runs, served):
    pytest.importorskip("tensorflow_serving.apis")
    from tensorflow_serving.apis import prediction_log_pb2

    for servable in ("generator", "encoder"):
        path = runs["float32"].version(servable)
        seen = set()
        for record in tf.data.TFRecordDataset(str(path / "assets.extra/tf_serving_warmup_requests")):
            request = prediction_log_pb2.PredictionLog.FromString(record.numpy()).predict_log.request
            inputs = {key: tf.make_ndarray(proto) for key, proto in request.inputs.items()}
            outputs = served(path).run(request.model_spec.signature_name, inputs)
            seen.add((request.model_spec.signature_name, len(next(iter(outputs.values())))))
        signature_names = {"generator": ["sample", "serving_default"], "encoder": ["serving_default"]}[servable]
        assert seen == {(name, batch) for name in signature_names for batch in writer.WARMUP_BATCH_SIZES}


def test_warmup_is_skipped_without_tensorflow_serving_api(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow_serving.apis", None)
    assert not writer.write_warmup(tmp_path, "generator", {"serving_default": {"inputs": {}, "outputs": {}}})
    assert not (tmp_path / "assets.extra").exists()


def test_interrupted_export_leaves_no_version_and_versions_count_on(runs, monkeypatch):
    """A crash before the rename must leave nothing a server would load, and no gap in the version numbers."""
    run = runs["float32"]
    monkeypatch.setattr(writer, "commit", mock.Mock(side_effect=KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        export.export_servables(run.workdir, run.export_dir)
    assert sorted(p.name for p in run.export_dir.iterdir()) == ["encoder", "generator"]
    assert [p.name for p in (run.export_dir / "generator").iterdir()] == ["1"]

    monkeypatch.undo()
    written = export.export_servables(run.workdir, run.export_dir)
    assert written == {"version": 2, **{kind: str(run.version(kind, 2)) for kind in ("generator", "encoder")}}
    assert (
        stat.S_IMODE(run.version("encoder", 2).stat().st_mode) == 0o755
    )  # readable by a server running as another user
    with pytest.raises(export.ExportError, match=f"{run.version('generator', 2)} already exists"):
        export.export_servables(run.workdir, run.export_dir, version=2, model_name="")


def test_a_full_disk_during_export_leaves_no_staging_folder(runs, monkeypatch):
    run = runs["float32"]
    before = sorted(str(p.relative_to(run.export_dir)) for p in run.export_dir.rglob("*"))

    def disk_full(version_dir, *args):
        (version_dir / "saved_model.pb").write_bytes(b"partial")
        raise OSError(28, "No space left on device", str(version_dir / "variables"))

    monkeypatch.setattr(writer, "write_version", disk_full)
    with pytest.raises(OSError) as raised:
        export.export_servables(run.workdir, run.export_dir)
    assert messages.fault_line(raised.value).startswith("No space left on device: ")
    assert sorted(str(p.relative_to(run.export_dir)) for p in run.export_dir.rglob("*")) == before


def test_served_weights_are_graph_constants(runs):
    """Frozen weights: the served graph reads no variables (it answers a batch-1 call in about half the time)."""
    run = runs["float32"]
    for servable in ("generator", "encoder"):
        graph = tf.Graph()
        with tf.compat.v1.Session(graph=graph) as session:
            tf.compat.v1.saved_model.loader.load(session, ["serve"], str(run.version(servable)))
        assert not {node.op for node in graph.as_graph_def().node} & {"VarHandleOp", "VariableV2"}, servable


def test_savedmodels_work_as_keras_layers(runs):
    run = runs["float32"]
    specs = networks.generator_input_specs(run.spec)
    inputs = {name: keras.Input((width,), dtype=dtype, name=name) for name, (width, dtype) in specs.items()}
    generator = keras.layers.TFSMLayer(str(run.version("generator")), call_endpoint="serving_default")
    app = keras.Model(inputs, generator(inputs)["images"])
    latent = _latents(run.spec, 3)
    images = app.predict(latent, verbose=0)
    assert np.abs(images - run.generator(latent).numpy()).max() <= 1e-5

    images_in = keras.Input((28, 28, 1), name="images")
    encoder = keras.layers.TFSMLayer(str(run.version("encoder")), call_endpoint="serving_default")
    reader = keras.Model(images_in, encoder({"images": images_in})["categorical"])
    np.testing.assert_array_equal(reader.predict(images, verbose=0), run.encoder(images)["categorical"].numpy())


def test_keras_files_load_in_a_fresh_process_after_importing_the_package(runs, tmp_path):
    run = runs["mixed_float16"]
    latent = _latents(run.spec, 3)
    np.savez(tmp_path / "inputs.npz", **latent)
    script = textwrap.dedent(f"""
        import keras, numpy as np
        import infogan_tf
        generator = keras.models.load_model("{run.workdir / 'generator.keras'}")
        encoder = keras.models.load_model("{run.workdir / 'encoder.keras'}")
        images = generator(dict(np.load("{tmp_path / 'inputs.npz'}")), training=False)
        np.savez("{tmp_path / 'outputs.npz'}", images=images, **encoder(images, training=False))
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outputs = np.load(tmp_path / "outputs.npz")
    images = run.generator(latent, training=False)
    assert np.abs(outputs["images"] - images.numpy()).max() <= 1e-5
    np.testing.assert_array_equal(outputs["categorical"], run.encoder(images)["categorical"].numpy())
