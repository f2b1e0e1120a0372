"""train.py as a user runs it: a flagfile, a shipped config, one-line errors (in-process, and once per way of
stopping in a subprocess)."""

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_in_process import last_line

ROOT = Path(__file__).resolve().parents[1]


def _train(*args, timeout=300):
    return subprocess.run([sys.executable, str(ROOT / "train.py"), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "error" in line.lower() and not line.startswith(("I0", "W0", "E0"))]


@pytest.mark.slow
def test_the_installed_command_trains_a_shipped_config_outside_the_checkout_and_its_flags_file_resumes_it(tmp_path,
                                                                                                          caplog):
    """`pip install` gives `infogan-train`, and `--config=NAME` needs no checkout; flags after it override it.

    `python train.py` runs the same `run()`; it starts as a process in test_faults (SIGTERM, a disk fault).
    """
    command = Path(sys.executable).with_name("infogan-train")
    assert command.exists(), "the package is not installed: pip install -e '.[test]'"
    run = tmp_path / "run"
    result = subprocess.run([str(command), "--config=tiny_test", f"--workdir={run}", "--train_steps=2"],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Strategy: DefaultStrategy with 1 replica(s) in sync" in result.stderr
    assert re.search(r"generator: [\d,]+ parameters\n  categorical +InputLayer", result.stderr)
    assert re.search(r"discriminator: [\d,]+ parameters", result.stderr)
    assert json.loads((run / "run_summary.json").read_text())["global_step"] == 2
    flags_file = (run / "flags.cfg").read_text().splitlines()
    assert "--codes=cat:3,cont:1" in flags_file and "--train_steps=2" in flags_file
    assert (run / "generator.keras").exists() and (run / "encoder.keras").exists()

    # The run's own flags.cfg repeats it (in this process: the program's parsing and main, not a second TF start).
    from infogan_tf.cli import train as train_cli

    with caplog.at_level(logging.INFO):
        assert last_line(train_cli, "train.py", f"--flagfile={run / 'flags.cfg'}", "--train_steps=4") == (0, "")
    assert "Resumed from step 2" in caplog.text
    resumed = json.loads((run / "run_summary.json").read_text())
    assert resumed["global_step"] == 4 and resumed["resumed_from_steps"] == [2]

    status, line = last_line(train_cli, "infogan-train", "--config=nope", f"--workdir={tmp_path / 'other'}",
                             expand=train_cli.expand_config)
    assert status == 1 and line.startswith("infogan-train: error: --config=nope: no such config"), line
    assert not (tmp_path / "other").exists()


def _train_in_process(*args: str) -> str:
    """The program's parsing and main() in this process; returns the one line it ends with."""
    from infogan_tf.cli import train as train_cli

    status, line = last_line(train_cli, "train.py", *args, expand=train_cli.expand_config)
    assert status != 0, f"train.py {' '.join(args)} did not stop"
    return line


@pytest.mark.parametrize(
    "args, message",
    [
        (["--codes=cat:10,cont:x"], "bad code token 'cont:x'"),
        (["--precision=float8"], "precision"),
        (["--batch_size=0"], "batch_size"),
        (["--dataset=imagenet"], "imagenet"),
        (["--dataset=idx:/nonexistent/mnist"], "/nonexistent/mnist"),
        (["--train_split=train[:abc]"], "train[:abc]"),
        ([f"--flagfile={ROOT / 'configs/missing.cfg'}"], "configs/missing.cfg"),
        (["--model_name=.."], "model name '..'"),
        (["--image_size=7"], "--image_size=7: supported sizes are [28, 32, 64]"),
        (["--config=nope"], "--config=nope: no such config"),
        (["stray"], "unexpected arguments: stray"),
    ],
)
def test_bad_input_stops_with_one_line_naming_it(tmp_path, args, message):
    line = _train_in_process(f"--flagfile={ROOT / 'configs/tiny_test.cfg'}", f"--workdir={tmp_path}", *args)
    assert message in line and "\n" not in line.strip(), line
    assert not (tmp_path / "run_summary.json").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--codes=cat:10,cont:x"], "FATAL Flags parsing error: flag --codes=cat:10,cont:x: bad code token 'cont:x'"),
        (["--dataset=imagenet"], "train.py: error: "),
    ],
)
def test_the_program_prints_that_line_without_a_traceback(tmp_path, args, message):
    """One case per way the program stops (flag parsing, a failed run), as a user runs it."""
    result = _train("--flagfile=configs/tiny_test.cfg", f"--workdir={tmp_path}", *args, timeout=120)
    assert result.returncode != 0
    errors = _error_lines(result.stderr)
    assert errors and errors[-1].startswith(message), result.stderr[-2000:]
    assert "Traceback" not in result.stderr
