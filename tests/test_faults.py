"""Faults a real machine produces, on tiny in-process runs: what the run says and what is left on disk."""

import dataclasses
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from cli_in_process import last_line
from tiny_run import tiny_config

from infogan_tf import callbacks, config, latents, train_lib, workdir
from infogan_tf.checkpoints import CheckpointError, Checkpoints, CheckpointWriteError
from infogan_tf.cli import train as train_cli
from infogan_tf.messages import fault_line


def _checkpoint_values(path: str) -> list[np.ndarray]:
    reader = tf.train.load_checkpoint(path)
    return [reader.get_tensor(key) for key in reader.get_variable_to_shape_map()
            if key.startswith(("generator/", "discriminator/"))]


def _restored(cfg: config.TrainConfig) -> tuple[int, Checkpoints]:
    spec = latents.parse_latent_spec(cfg.codes, cfg.noise_dim)
    gan = train_lib.build_infogan(cfg, spec, (28, 28, 1), replicas=1)
    checkpoints = Checkpoints(gan, workdir.Workdir(cfg.workdir).checkpoints, cfg.keep_checkpoints)
    return checkpoints.restore_latest(), checkpoints


@pytest.fixture(scope="module")
def _two_step_run(tmp_path_factory) -> Path:
    """One 2-step run for the module, trained once."""
    cfg = tiny_config(tmp_path_factory.mktemp("two_steps"), train_steps=2)
    train_lib.train(cfg, flags_text="--codes=cat:3,cont:1\n")
    return Path(cfg.workdir)


_NORMALISED = dict(spectral_norm=True, d_batch_norm=False)


@pytest.fixture(scope="module")
def _normalised_run(tmp_path_factory) -> Path:
    """One 2-step run with a spectrally normalised D/Q for the module, trained once."""
    cfg = tiny_config(tmp_path_factory.mktemp("normalised"), train_steps=2, **_NORMALISED)
    train_lib.train(cfg, flags_text="--spectral_norm\n")
    return Path(cfg.workdir)


@pytest.fixture
def two_steps(tmp_path, _two_step_run) -> config.TrainConfig:
    """The config of a finished 2-step run in this test's own folder (a copy, so the test may break it)."""
    shutil.copytree(_two_step_run, tmp_path / "run")
    return tiny_config(tmp_path, train_steps=2)


def test_weights_that_turn_non_finite_are_never_checkpointed(tmp_path):
    cfg = tiny_config(tmp_path, train_steps=4, checkpoint_every_steps=1, d_learning_rate=float("nan"),
                  g_learning_rate=float("nan"))
    with pytest.raises(train_lib.TrainingDiverged) as raised:
        train_lib.train(cfg)
    message = str(raised.value)
    assert "no checkpoint had been written yet" in message and "None" not in message
    assert "--precision=float32" not in message  # the run already is float32
    assert tf.train.latest_checkpoint(str(tmp_path / "run" / "checkpoints")) is None
    summary = train_lib.train(dataclasses.replace(cfg, d_learning_rate=2e-4, g_learning_rate=1e-3))
    assert summary["global_step"] == 4 and "resumed_from_steps" not in summary


def test_the_finiteness_check_covers_every_saved_variable_regularisers_included(tmp_path):
    cfg = tiny_config(tmp_path, contrastive_weight=1.0)
    gan = train_lib.build_infogan(cfg, latents.parse_latent_spec(cfg.codes, cfg.noise_dim), (28, 28, 1), replicas=1)
    checkpoints = Checkpoints(gan, tmp_path / "checkpoints", 1)
    assert checkpoints.non_finite_variables() == []
    (head,) = gan.regularizers
    for variable in (head.network.weights[0], head.optimizer.variables[-1], gan.d_optimizer.variables[-1]):
        variable.assign(tf.fill(variable.shape, float("inf")))
    assert len(checkpoints.non_finite_variables()) == 3


def test_resume_skips_a_non_finite_checkpoint_and_sets_it_aside(tmp_path, two_steps):
    cfg = two_steps
    _, checkpoints = _restored(cfg)
    weight = checkpoints.model.generator.weights[0]
    weight.assign(tf.fill(weight.shape, float("nan")))
    checkpoints.model.step.assign(3)
    checkpoints.manager.save(checkpoint_number=3)  # what a save without the finiteness check would have kept
    step, restored = _restored(cfg)
    assert step == 2 and not restored.non_finite_variables()
    broken = tmp_path / "run" / "checkpoints" / "broken"
    assert sorted(p.name for p in broken.iterdir())[0].startswith("ckpt-3.")
    assert tf.train.latest_checkpoint(str(tmp_path / "run" / "checkpoints")).endswith("ckpt-2")


@pytest.mark.slow
def test_a_truncated_newest_checkpoint_falls_back_to_the_older_one(tmp_path):
    cfg = tiny_config(tmp_path, train_steps=4)
    train_lib.train(cfg)
    run = tmp_path / "run" / "checkpoints"
    (data,) = run.glob("ckpt-4.data-*")
    os.truncate(data, data.stat().st_size // 2)
    step, _ = _restored(cfg)
    assert step == 2
    assert {p.name.split(".")[0] for p in (run / "broken").iterdir()} == {"ckpt-4"}
    summary = train_lib.train(dataclasses.replace(cfg, train_steps=6))
    assert summary["resumed_from_steps"] == [2] and summary["global_step"] == 6


@pytest.mark.slow
def test_no_restorable_checkpoint_is_one_clear_error_and_keeps_the_files(tmp_path, two_steps):
    cfg = two_steps
    run = tmp_path / "run" / "checkpoints"
    for data in run.glob("ckpt-*.data-*"):
        data.write_bytes(b"")
    with pytest.raises(CheckpointError, match="none of the 1 checkpoints .* can be restored; they are kept in"):
        _restored(cfg)
    assert list((run / "broken").glob("ckpt-2.*"))


def test_resuming_another_model_changes_nothing_on_disk(tmp_path, two_steps):
    cfg = two_steps
    run = workdir.Workdir(tmp_path / "run")
    before = {path: path.read_bytes() for path in (run.flags_file, run.run_summary, run.history)}
    changed = dataclasses.replace(cfg, codes="cat:5,cont:2", train_steps=4)
    with pytest.raises(config.ConfigError) as raised:
        train_lib.train(changed, flags_text="--codes=cat:5,cont:2\n")
    message = str(raised.value)
    assert "--codes=cat:3,cont:1 (now cat:5,cont:2)" in message and "\n" not in message
    assert {path: path.read_bytes() for path in before} == before


@pytest.mark.parametrize("resumed_with, named", [(dict(spectral_norm=False), "--spectral_norm=True (now False)"),
                                                  (dict(q_head_spectral_norm=False),
                                                   "--q_head_spectral_norm=True (now False)")])
def test_resuming_with_fewer_layer_weights_than_saved_is_refused(tmp_path, _normalised_run, resumed_with, named):
    """Spectral norm's power-iteration vectors are in the checkpoint but not in the model asked for: every kernel
    would load, so only a check that the checkpoint is used whole tells the models apart."""
    shutil.copytree(_normalised_run, tmp_path / "run")
    run = workdir.Workdir(tmp_path / "run")
    before = {path: path.read_bytes() for path in (run.flags_file, run.run_summary, run.history)}
    with pytest.raises(config.ConfigError) as raised:
        train_lib.train(tiny_config(tmp_path, train_steps=4, **{**_NORMALISED, **resumed_with}))
    assert named in str(raised.value) and "\n" not in str(raised.value)
    assert {path: path.read_bytes() for path in before} == before


def test_an_interrupted_resume_keeps_the_models_label(tmp_path, two_steps, monkeypatch):
    cfg = two_steps
    original = callbacks.RunReporter.on_epoch_end

    def interrupted(self, epoch, logs=None):
        original(self, epoch, logs)
        raise KeyboardInterrupt  # what SIGINT/SIGTERM does after the epoch at step 4

    monkeypatch.setattr(callbacks.RunReporter, "on_epoch_end", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train_lib.train(dataclasses.replace(cfg, train_steps=8))
    summary = json.loads((tmp_path / "run" / "run_summary.json").read_text())
    assert summary["global_step"] == 2  # generator.keras / encoder.keras are still those of step 2
    assert summary["progress"]["step"] == 4


def test_a_second_run_on_the_same_workdir_is_refused(tmp_path):
    cfg = tiny_config(tmp_path, train_steps=2)
    run = workdir.Workdir(cfg.workdir)
    with workdir.exclusive(run):
        with pytest.raises(workdir.WorkdirBusy, match=r"in use by train.py \(pid \d+\)"):
            train_lib.train(cfg)
    assert not run.flags_file.exists() and not run.checkpoints.exists()
    assert train_lib.train(cfg)["global_step"] == 2


def test_a_killed_run_does_not_leave_the_workdir_locked(tmp_path):
    run = workdir.Workdir(tmp_path / "run")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from infogan_tf import workdir\n"
        f"with workdir.exclusive(workdir.Workdir({str(run.root)!r})):\n"
        "    print('locked', flush=True); time.sleep(60)\n")], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    with pytest.raises(workdir.WorkdirBusy):
        with workdir.exclusive(run):
            pass
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    deadline = time.monotonic() + 10
    while True:
        try:
            with workdir.exclusive(run):
                break
        except workdir.WorkdirBusy:
            assert time.monotonic() < deadline
            time.sleep(0.1)


def test_a_torn_history_line_is_skipped_and_the_next_entry_starts_a_new_line(tmp_path, caplog):
    run = workdir.Workdir(tmp_path)
    run.create()
    run.append_history({"step": 2, "d_loss": 1.0})
    with run.history.open("a") as history:
        history.write('{"step": 4, "d_lo')  # the writer was killed mid-line
    assert [entry["step"] for entry in run.read_history()] == [2]
    assert "line(s) 2" in caplog.text
    run.append_history({"step": 6, "d_loss": 0.5})
    assert [entry["step"] for entry in run.read_history()] == [2, 6]
    assert run.history.read_text().splitlines()[1] == '{"step": 4, "d_lo'


def test_a_full_disk_while_checkpointing_keeps_the_earlier_checkpoint_and_no_partial_files(tmp_path, two_steps,
                                                                                          monkeypatch):
    cfg = two_steps
    _, checkpoints = _restored(cfg)
    directory = tmp_path / "run" / "checkpoints"
    listing = sorted(p.name for p in directory.iterdir())

    def disk_full(**_):
        (directory / "ckpt-5_temp").mkdir()
        (directory / "ckpt-5_temp" / "part-00000-of-00001.data-00000-of-00001").write_bytes(b"\0" * 100)
        raise OSError(28, "No space left on device", str(directory / "ckpt-5_temp"))

    checkpoints.model.step.assign(5)
    monkeypatch.setattr(checkpoints.manager, "save", disk_full)
    with pytest.raises(CheckpointWriteError) as raised:
        checkpoints.save()
    message = str(raised.value)
    assert "step 5" in message and "No space left on device" in message and "step 2 is intact" in message
    assert "\n" not in message
    assert sorted(p.name for p in directory.iterdir()) == listing
    assert _restored(cfg)[0] == 2


def test_a_disk_fault_in_a_run_is_one_line_naming_the_path(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = subprocess.run([sys.executable, "train.py", "--flagfile=configs/tiny_test.cfg",
                             f"--workdir={blocker / 'run'}"], capture_output=True, text=True, timeout=300,
                            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == f"train.py: error: Not a directory: {blocker / 'run'}"
    assert blocker.read_text() == "not a folder"


def test_fault_line_names_the_path():
    assert fault_line(OSError(13, "Permission denied", "/ro/x")) == "Permission denied: /ro/x"
    assert fault_line(OSError(28, "No space left on device")) == "No space left on device"


@pytest.mark.slow
def test_sigterm_saves_the_step_reached_and_the_rerun_continues(tmp_path, caplog):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    run = tmp_path / "run"
    args = [f"--flagfile={os.path.join(root, 'configs', 'tiny_test.cfg')}", f"--workdir={run}",
            "--steps_per_epoch=1000", "--verbose=0"]
    trainer = subprocess.Popen([sys.executable, "train.py", *args, "--train_steps=100000"], cwd=root,
                               stderr=subprocess.PIPE, text=True)
    for line in trainer.stderr:  # a checkpoint is written inside `fit`, where the signal is handled
        if "Saved checkpoint" in line:
            break
    trainer.send_signal(signal.SIGTERM)
    stderr = trainer.stderr.read()
    assert trainer.wait(timeout=120) != 0
    assert "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("train.py: error: stopped by SIGTERM at step ") and "rerun the same command" in last
    step = int(last.split("at step ")[1].split()[0])
    summary = json.loads((run / "run_summary.json").read_text())
    assert summary["global_step"] == step and step < 100000
    assert tf.train.latest_checkpoint(str(run / "checkpoints")).endswith(f"ckpt-{step}")
    assert not [p for p in (run / "checkpoints").iterdir() if "temp" in p.name]
    assert (run / "generator.keras").exists() and (run / "encoder.keras").exists()
    # The same command again (its parsing and main in this process) continues from there.
    with caplog.at_level(logging.INFO):
        assert last_line(train_cli, "train.py", *args, f"--train_steps={step + 2}") == (0, "")
    assert f"Resumed from step {step}" in caplog.text
    resumed = json.loads((run / "run_summary.json").read_text())
    assert resumed["resumed_from_steps"] == [step] and resumed["global_step"] == step + 2
