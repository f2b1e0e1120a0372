"""evaluate_workdir and evaluate.py on tiny trained runs: metrics by kind of data, determinism, outputs, errors."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds

from infogan_tf import config, datasets, latents, train_lib, workdir
from infogan_tf.evaluation import loaded_run, protocol, runner
from infogan_tf.evaluation.protocol import protocol_for

ROOT = Path(__file__).resolve().parents[1]
NUM_EXAMPLES = 32
TINY = {
    "image_size": 28,
    "codes": "cat:3,cont:2",
    "noise_dim": 4,
    "network_width": 0.125,
    "batch_size": 8,
    "train_steps": 2,
    "steps_per_epoch": 2,
    "checkpoint_every_steps": 2,
    "traversal_rows": 2,
    "shuffle_buffer": 64,
    "verbose": 0,
}
CODE_NAMES = ["cat3_0", "cont_0", "cont_1"]


def _train(path: Path, dataset: str, train_split: str = "train") -> Path:
    flags_text = f"--dataset={dataset}\n--image_size=28\n--train_split={train_split}\n--traversal_rows=2\n"
    train_lib.train(
        config.TrainConfig(workdir=str(path), dataset=dataset, train_split=train_split, **TINY), flags_text=flags_text
    )
    return path


@pytest.fixture(scope="module")
def shapes_run(tmp_path_factory) -> Path:
    return _train(tmp_path_factory.mktemp("shapes"), "shapes")


@pytest.fixture(scope="module")
def shapes_metrics(shapes_run) -> dict:
    return runner.evaluate_workdir(shapes_run, num_examples=NUM_EXAMPLES)


@pytest.fixture(scope="module")
def mnist_metrics(tmp_path_factory) -> dict:
    with tfds.testing.mock_data(num_examples=64):
        run = _train(tmp_path_factory.mktemp("mnist"), "mnist", train_split="test[:48]")
        return runner.evaluate_workdir(run, num_examples=NUM_EXAMPLES)


def _copy_run(source: Path, target: Path) -> Path:
    """The files evaluation reads, copied so a test can change or overwrite them without touching the fixture."""
    for name in ("run_summary.json", "generator.keras", "encoder.keras", "history.jsonl"):
        shutil.copy(source / name, target / name)
    return target


def _assert_unit_interval(*values: float) -> None:
    assert all(0.0 <= value <= 1.0 for value in values), values


def test_factor_data_gets_disentanglement_and_sample_quality(shapes_run, shapes_metrics):
    metrics = shapes_metrics
    assert metrics["dataset"] == "shapes" and metrics["global_step"] == 2 and metrics["image_shape"] == [28, 28, 1]
    assert metrics["command"] == f"python evaluate.py --workdir={shapes_run} --num_examples=32 --seed=0"
    assert metrics["warning"].startswith("--num_examples=32 is below 1000")
    assert "--num_examples=32 is below 1000" in (shapes_run / "report.html").read_text()
    protocol = metrics["protocol"]
    assert (protocol["factor_train"], protocol["factor_test"], protocol["generated"]) == (32, 16, 32)
    assert (protocol["factor_vae_batch"], protocol["mig_bins"], protocol["factor_vae_prune"]) == (64, 20, 0.05)

    scores = metrics["disentanglement"]
    assert scores["code_columns"] == CODE_NAMES
    assert scores["factor_names"] == ["shape", "scale", "orientation", "x_position", "y_position"]
    _assert_unit_interval(scores["mig"], scores["sap"], *scores["mig_per_factor"], *scores["dci"].values())
    _assert_unit_interval(scores["factor_vae"]["train_accuracy"], scores["factor_vae"]["eval_accuracy"])
    information = scores["mig_information"]
    assert list(information) == CODE_NAMES and all(len(row) == 5 for row in information.values())
    top_two = np.sort(np.array(list(information.values())), axis=0)[-2:]
    np.testing.assert_allclose(top_two[1] - top_two[0], scores["mig_per_factor"], atol=1e-9)
    assert 'table class="information"' in (shapes_run / "report.html").read_text()
    followers = scores["factor_followers"]
    assert set(followers) == set(scores["factor_names"])
    assert followers["x_position"]["continuous"]["code"] in ("cont_0", "cont_1")
    assert followers["shape"]["categorical"]["code"] == "cat3_0"
    _assert_unit_interval(followers["shape"]["categorical"]["matched_accuracy"],
                          followers["x_position"]["continuous"]["abs_correlation"])

    quality = metrics["image_quality"]
    assert quality["frechet_distance"] >= 0.0 and quality["kid_std"] >= 0.0
    assert quality["num_real"] == quality["num_generated"] == 32
    assert list(quality["classifier_heldout_accuracy"]) == scores["factor_names"]
    _assert_unit_interval(*quality["classifier_heldout_accuracy"].values())
    assert set(quality["class_purity"]) == {"cat3_0"}
    for purity in quality["class_purity"]["cat3_0"].values():
        assert 1 / 3 <= purity["purity"] <= 1.0
    assert "codes" not in metrics and metrics["skipped"] == {}


def test_factor_data_gets_the_pixel_baseline_and_generated_image_diagnostics(shapes_metrics):
    baseline = shapes_metrics["disentanglement_baseline"]
    assert baseline["code_columns"] == ["centroid_x", "centroid_y", "ink"]
    _assert_unit_interval(baseline["mig"], baseline["factor_vae"]["eval_accuracy"], baseline["sap"])
    generated = shapes_metrics["generated"]
    assert set(generated["code_recovery"]) == set(CODE_NAMES)
    assert 0.0 <= generated["code_recovery"]["cat3_0"]["accuracy"] <= 1.0
    assert generated["code_recovery"]["cont_0"]["r2"] <= 1.0
    assert len(generated["self_labelled"]["mig_per_code"]) == len(CODE_NAMES)
    _assert_unit_interval(generated["self_labelled"]["mig"], generated["self_labelled"]["factor_vae"]["eval_accuracy"])
    assert generated["generator_mig"]["factor_names"] == shapes_metrics["disentanglement"]["factor_names"]
    # After two steps the classifier may read one value of every factor off all fakes: then there is no MIG.
    assert generated["generator_mig"]["mig"] is None or 0.0 <= generated["generator_mig"]["mig"] <= 1.0


def test_generator_mig_scores_g_codes_against_the_factors_read_off_its_images():
    import keras
    import numpy as np

    spec = latents.parse_latent_spec("cont:2", noise_dim=1)
    noise, codes = keras.Input((1,), name="noise"), keras.Input((2,), name="continuous")
    paint = keras.layers.Lambda(lambda c: keras.ops.reshape(keras.ops.pad(c, [[0, 0], [0, 14]]), (-1, 4, 4, 1)))
    images = paint(codes)
    run = loaded_run.LoadedRun(root=Path("toy"), summary={"image_shape": [4, 4, 1]}, train_config=None, spec=spec,
                               generator=keras.Model({"noise": noise, "continuous": codes}, images), encoder=None,
                               history=[])

    class PixelReader:
        """Reads factor "a" (4 values) off pixel 0 and a constant factor "b"."""
        targets = ("a", "b")

        def predict(self, batch):
            flat = batch.reshape(len(batch), -1)
            return {"a": np.clip(((flat[:, 0] + 1.0) * 2.0).astype(int), 0, 3), "b": np.zeros(len(batch), int)}

    scores = runner._generator_mig(run, PixelReader(), protocol_for(500), seed=0)
    assert scores["factor_names"] == ["a", "b"] and np.isnan(scores["mig_per_factor"][1])  # "b" never varies
    assert scores["mig"] > 0.6  # cont_0 alone determines "a"


def test_report_puts_real_and_generated_scores_side_by_side(shapes_run, shapes_metrics):
    report = (shapes_run / workdir.REPORT).read_text()
    assert '<table class="diagnosis">' in report
    for label in ("encoder on real images", "pixel-centroid baseline", "encoder on generated images"):
        assert label in report


def test_outputs_are_written_into_the_workdir(shapes_run, shapes_metrics):
    summary = json.loads((shapes_run / "run_summary.json").read_text())
    assert shapes_metrics["mi_estimates_nats"] == summary["mi_estimates_nats"]
    assert json.loads((shapes_run / workdir.METRICS).read_text()) == shapes_metrics
    assert list((shapes_run / "tensorboard" / workdir.EVAL_TENSORBOARD).glob("events.out.tfevents.*"))
    assert (shapes_run / workdir.EVAL_CLASSIFIER).is_file()
    report = (shapes_run / workdir.REPORT).read_text()
    assert all(f'alt="traversal of {name}"' in report for name in CODE_NAMES)


def test_labelled_data_scores_each_categorical_code_on_the_rest_of_test(mnist_metrics):
    assert mnist_metrics["split"] == "test[48:]"
    assert set(mnist_metrics["codes"]) == {"cat3_0"}
    code = mnist_metrics["codes"]["cat3_0"]
    _assert_unit_interval(code["matched_accuracy"], code["nmi"])
    assert len(code["matched_class_per_value"]) == 3
    quality = mnist_metrics["image_quality"]
    assert list(quality["classifier_heldout_accuracy"]) == ["label"]
    assert quality["num_real"] == NUM_EXAMPLES
    _assert_unit_interval(quality["class_purity"]["cat3_0"]["label"]["purity"])
    assert "disentanglement" not in mnist_metrics and "disentanglement_baseline" not in mnist_metrics
    assert set(mnist_metrics["generated"]) == {"code_recovery", "self_labelled"}


def test_data_without_labels_or_factors_records_why_metrics_are_skipped(shapes_run, tmp_path, monkeypatch):
    unlabelled = datasets.DatasetInfo(name="folder:faces", image_shape=(28, 28, 1), num_classes=None)
    monkeypatch.setattr(datasets, "dataset_info", lambda *args, **kwargs: unlabelled)
    metrics = runner.evaluate_workdir(_copy_run(shapes_run, tmp_path), dataset="folder:faces",
                                      num_examples=NUM_EXAMPLES)
    assert set(metrics["skipped"]) == {"codes", "image_quality"} and "class labels" in metrics["skipped"]["codes"]
    assert not {"codes", "disentanglement", "image_quality"} & set(metrics)
    assert set(metrics["mi_estimates_nats"]) == set(CODE_NAMES)


def _evaluated_with_losses(shapes_run, tmp_path, monkeypatch, **losses) -> tuple[Path, dict]:
    """A copy of the run whose saved models are recorded with these final losses, evaluated without labels."""
    run = _copy_run(shapes_run, tmp_path)
    summary = json.loads((run / "run_summary.json").read_text())
    summary["final_losses"].update(losses)
    (run / "run_summary.json").write_text(json.dumps(summary))
    unlabelled = datasets.DatasetInfo(name="folder:faces", image_shape=(28, 28, 1), num_classes=None)
    monkeypatch.setattr(datasets, "dataset_info", lambda *args, **kwargs: unlabelled)
    return run, runner.evaluate_workdir(run, dataset="folder:faces", num_examples=NUM_EXAMPLES)


def test_a_run_whose_generator_drew_blank_images_is_flagged_in_the_report(shapes_run, tmp_path, monkeypatch):
    run, metrics = _evaluated_with_losses(shapes_run, tmp_path, monkeypatch, pixel_std_real=0.2, pixel_std_fake=0.01)
    assert metrics["warning"].startswith("--num_examples=32 is below 1000")
    assert "step 2: the generator draws blank images (pixel std 0.010 against 0.200" in metrics["warning"]
    assert "the generator draws blank images" in (run / "report.html").read_text()


def test_a_run_whose_last_drawings_were_blank_is_flagged_in_the_report(shapes_run, tmp_path, monkeypatch):
    """The epoch's average contrast can look healthy when G stopped drawing late in the epoch."""
    _, metrics = _evaluated_with_losses(shapes_run, tmp_path, monkeypatch, pixel_std_real=0.2, pixel_std_fake=0.13,
                                        blank_share=0.75)
    assert "step 2: the generator draws blank images for 75% of the traversal grids' latents" in metrics["warning"]


@pytest.mark.parametrize(
    "train_split, split, expected",
    [
        ("train", None, "test"),
        ("train[:90%]", None, "test"),
        ("test[:9000]", None, "test[9000:]"),
        ("test[9000:]", None, "test[:9000]"),
        ("test[0:5000]", None, "test[5000:]"),
        ("test[:90%]", None, "test[90%:]"),
        ("test[:9000]", "test[9500:]", "test[9500:]"),
    ],
)
def test_evaluation_split_holds_out_what_training_did_not_see(train_split, split, expected):
    assert runner.evaluation_split(train_split, split) == expected


@pytest.mark.parametrize("train_split", ["test", "test[:100%]", "test[100:200]"])
def test_evaluation_split_needs_an_explicit_split_without_one_held_out_slice(train_split):
    with pytest.raises(runner.EvaluationError, match="pass --split"):
        runner.evaluation_split(train_split)


def test_history_keeps_the_last_entry_of_a_repeated_step(shapes_run, tmp_path):
    _copy_run(shapes_run, tmp_path)
    with (tmp_path / "history.jsonl").open("a") as history:
        history.write(json.dumps({"step": 2, "d_loss": 123.0}) + "\n")
    run = loaded_run.load_run(tmp_path)
    assert [entry["step"] for entry in run.history] == [2] and run.history[0]["d_loss"] == 123.0
    assert run.train_config is None and run.spec.code_names() == CODE_NAMES


def test_bad_input_is_named(shapes_run, tmp_path):
    with pytest.raises(runner.EvaluationError, match="does not exist"):
        runner.evaluate_workdir(tmp_path / "missing")
    workdir.atomic_write_json(tmp_path / "run_summary.json", {"global_step": 1})
    with pytest.raises(runner.EvaluationError, match="generator.keras is missing"):
        runner.evaluate_workdir(tmp_path)
    with pytest.raises(datasets.DatasetError, match="imagenet"):
        runner.evaluate_workdir(shapes_run, dataset="imagenet")
    with pytest.raises(runner.EvaluationError, match="svhn_cropped"):
        runner.evaluate_workdir(shapes_run, dataset="svhn_cropped")
    with pytest.raises(runner.EvaluationError, match="num_examples"):
        runner.evaluate_workdir(shapes_run, num_examples=1)


def _evaluate_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "evaluate.py"), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


@pytest.mark.slow
def test_cli_gives_the_library_numbers_again_for_the_same_seed(shapes_run, shapes_metrics):
    result = _evaluate_cli(f"--workdir={shapes_run}", f"--num_examples={NUM_EXAMPLES}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads((shapes_run / workdir.METRICS).read_text()) == shapes_metrics


@pytest.mark.slow
def test_cli_reports_a_missing_workdir_in_one_line(tmp_path):
    result = _evaluate_cli(f"--workdir={tmp_path / 'missing'}")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("evaluate.py")]
    assert errors == [f"evaluate.py: error: workdir {tmp_path / 'missing'} does not exist"], result.stderr[-2000:]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--workdir={tmp}/missing"], "evaluate.py: error: workdir {tmp}/missing does not exist"),
    (["--workdir={run}", "--dataset=imagenet"], "imagenet"),
    (["--workdir={run}", "--num_examples=1"], "--num_examples"),
    (["--workdir={run}", "stray"], "unexpected arguments: stray"),
    ([], "--workdir"),
])
def test_cli_bad_input_gives_one_line_naming_it(shapes_run, tmp_path, args, message):
    from cli_in_process import last_line

    from infogan_tf.cli import evaluate as evaluate_cli

    paths = {"tmp": tmp_path, "run": shapes_run}
    status, line = last_line(evaluate_cli, "evaluate.py", *(arg.format(**paths) for arg in args))
    assert status == 1 and message.format(**paths) in line and "\n" not in line, line


def test_full_size_protocols_carry_no_small_sample_warning():
    assert protocol.small_sample_warning(None) is None
    assert protocol.small_sample_warning(1000) is None
    assert "999" in protocol.small_sample_warning(999)
