"""The benchmarks that read a finished run refuse a workdir they cannot read with one line naming it."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.parametrize("script", ["code_response.py", "reading_precision.py"])
def test_a_workdir_it_cannot_read_stops_with_one_line_naming_it(tmp_path, script):
    missing = tmp_path / "no_such_run"
    ran = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), f"--workdir={missing}"],
                         capture_output=True, text=True, timeout=300)
    assert ran.returncode == 1
    assert ran.stderr.strip().splitlines()[-1] == f"{script}: error: workdir {missing} does not exist"
    assert "--num_" not in ran.stderr  # the problem, not the flag listing
