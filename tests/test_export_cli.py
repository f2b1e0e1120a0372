"""export/export_model.py and train.py --export_dir as a user runs them (subprocesses), and the export program's
one-line errors (in this process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cli_in_process import last_line

from infogan_tf.cli import export as export_cli

ROOT = Path(__file__).resolve().parents[1]


def _run(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / script), *args], check=False, capture_output=True, text=True, timeout=300, cwd=ROOT
    )


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "error" in line.lower() and not line.startswith(("I0", "W0", "E0"))]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A tiny run trained and exported by train.py itself."""
    root = tmp_path_factory.mktemp("cli")
    result = _run(
        "train.py",
        "--flagfile=configs/tiny_test.cfg",
        f"--workdir={root / 'run'}",
        "--train_steps=2",
        f"--export_dir={root / 'exports'}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return root / "run", root / "exports"


@pytest.mark.slow
def test_train_exports_when_given_an_export_dir(trained):
    workdir, exports = trained
    for servable in ("generator", "encoder"):
        assert (exports / servable / "1" / "saved_model.pb").exists()
        assert (exports / servable / "1" / "assets.extra" / "infogan.json").exists()
    assert f"--export_dir={exports}" in (workdir / "flags.cfg").read_text().splitlines()


@pytest.mark.slow
def test_export_cli_names_servables_and_versions(trained):
    workdir, exports = trained
    result = _run(
        "export/export_model.py",
        f"--workdir={workdir}",
        f"--export_dir={exports}",
        "--version=7",
        "--model_name=shapes",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"exported version 7: {exports}/shapes_generator/7 {exports}/shapes_encoder/7" in result.stdout
    assert sorted(p.name for p in exports.iterdir()) == ["encoder", "generator", "shapes_encoder", "shapes_generator"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A tiny run trained and exported in this process."""
    from infogan_tf import config, export, train_lib

    root = tmp_path_factory.mktemp("export_cli")
    tiny = config.read_flagfile(ROOT / "configs/tiny_test.cfg")
    train_lib.train(config.config_from_flags(tiny, workdir=str(root / "run"), train_steps=2, verbose=0))
    export.export_servables(root / "run", root / "exports")
    return root / "run", root / "exports"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--workdir={tmp}/missing"], "workdir {tmp}/missing does not exist"),
        (["--workdir={tmp}"], "{tmp}/generator.keras not found"),
        (["--workdir={workdir}", "--version=1"], "{exports}/generator/1 already exists"),
        (["--workdir={workdir}", "--model_name=a b"], "model name 'a b'"),
        (["--workdir={workdir}", "--version=0"], "--version"),
        (["--workdir={workdir}", "stray"], "unexpected arguments: stray"),
    ],
)
def test_bad_input_gives_one_clear_line(exported, tmp_path, args, message):
    workdir, exports = exported
    paths = {"tmp": tmp_path, "workdir": workdir, "exports": exports}
    before = sorted(path.relative_to(exports) for path in exports.rglob("*"))
    status, line = last_line(export_cli, "export_model.py", f"--export_dir={exports}",
                             *(arg.format(**paths) for arg in args))
    assert status == 1
    assert message.format(**paths) in line and "\n" not in line, line
    if line.startswith("export_model.py"):
        assert line.startswith("export_model.py: error: ")
    assert sorted(path.relative_to(exports) for path in exports.rglob("*")) == before


@pytest.mark.slow
def test_a_bad_export_run_as_a_command_prints_one_line_and_no_traceback(trained, tmp_path):
    workdir, exports = trained
    result = _run("export/export_model.py", f"--export_dir={exports}", f"--workdir={tmp_path / 'missing'}")
    assert result.returncode == 1
    errors = _error_lines(result.stderr)
    assert errors == [f"export_model.py: error: workdir {tmp_path / 'missing'} does not exist"], result.stderr[-2000:]
    assert "Traceback" not in result.stderr
