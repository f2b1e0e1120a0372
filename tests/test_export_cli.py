"""export/export_model.py and train.py --export_dir as a user runs them: subprocesses, one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every case runs a command in a new process

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


def test_train_exports_when_given_an_export_dir(trained):
    workdir, exports = trained
    for servable in ("generator", "encoder"):
        assert (exports / servable / "1" / "saved_model.pb").exists()
        assert (exports / servable / "1" / "assets.extra" / "infogan.json").exists()
    assert f"--export_dir={exports}" in (workdir / "flags.cfg").read_text().splitlines()


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


@pytest.mark.parametrize(
    "args, message",
    [
        (["--workdir={tmp}/missing"], "workdir {tmp}/missing does not exist"),
        (["--workdir={tmp}"], "{tmp}/generator.keras not found"),
        (["--workdir={workdir}", "--version=1"], "{exports}/generator/1 already exists"),
        (["--workdir={workdir}", "--model_name=a b"], "model name 'a b'"),
    ],
)
def test_bad_input_gives_one_clear_line(trained, tmp_path, args, message):
    workdir, exports = trained
    paths = {"tmp": tmp_path, "workdir": workdir, "exports": exports}
    result = _run("export/export_model.py", f"--export_dir={exports}", *(arg.format(**paths) for arg in args))
    assert result.returncode == 1
    errors = _error_lines(result.stderr)
    assert errors and errors[-1].startswith("export_model.py: error: "), result.stderr[-2000:]
    assert message.format(**paths) in errors[-1]
    assert "Traceback" not in result.stderr
