"""benchmarks/suite_time.py: each checkout's own README test command, timed alternately, with ratios."""

import importlib.util
import os
import sys
from pathlib import Path

import pytest
from absl import app

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("suite_time", ROOT / "benchmarks" / "suite_time.py")
suite_time = importlib.util.module_from_spec(spec)
spec.loader.exec_module(suite_time)


def _checkout(folder: Path, tests: str, command: str) -> Path:
    """A checkout whose .venv is this interpreter, with one test file and a README naming its test command."""
    (folder / ".venv" / "bin").mkdir(parents=True)
    os.symlink(sys.executable, folder / ".venv" / "bin" / "python")
    (folder / "test_here.py").write_text(tests)
    (folder / "README.md").write_text(f"# x\n```bash\n# run the tests\n{command}\n```\n")
    return folder


def test_each_checkout_runs_its_own_command_and_the_table_gives_ratios(tmp_path, capsys):
    one = _checkout(tmp_path / "one", "def test_a():\n    pass\n", ".venv/bin/python -m pytest -q -p no:cacheprovider")
    two = _checkout(tmp_path / "two", "def test_a():\n    pass\n\ndef test_b():\n    pass\n",
                    ".venv/bin/python -m pytest -q -p no:cacheprovider -k test_b")
    assert suite_time.readme_test_command(two)[-2:] == ["-k", "test_b"]
    seconds = suite_time.compare(suite_time.parse_checkouts([f"one:{one}", f"two:{two}"]), rounds=2)
    assert [len(runs) for runs in seconds.values()] == [2, 2]
    out = capsys.readouterr().out
    assert out.count("one: ") == 2 and out.count("two: ") == 2
    assert "1 passed" in out and "1 passed, 1 deselected" in out
    rows = [line for line in out.splitlines() if line.startswith("| one |") or line.startswith("| two |")]
    assert len(rows) == 2 and rows[0].endswith("| 1.00 |")


@pytest.mark.parametrize("checkouts, message", [
    (["one:{tmp}"], "give two or more"),
    (["one:{tmp}/missing", "two:{tmp}"], "want NAME:PATH of a checkout with a README.md"),
    (["one:{tmp}", "two:{tmp}"], "no line starting with '.venv/bin/python -m pytest'"),
])
def test_bad_checkouts_are_named_in_one_line(tmp_path, checkouts, message):
    (tmp_path / "README.md").write_text("no command here\n")
    with pytest.raises(app.UsageError, match=message):
        suite_time.compare(suite_time.parse_checkouts([c.format(tmp=tmp_path) for c in checkouts]), rounds=1)
