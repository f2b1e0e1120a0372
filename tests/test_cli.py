"""Shared behaviour of the command-line programs."""

import sys

import pytest
from absl import app

from infogan_tf import cli


def test_a_stray_word_is_a_usage_error_naming_it():
    cli.refuse_positional_arguments(["infogan-train"])
    with pytest.raises(app.UsageError, match="unexpected arguments: workdir=W"):
        cli.refuse_positional_arguments(["infogan-train", "workdir=W"])


@pytest.mark.parametrize("argv0, name", [("/venv/bin/infogan-evaluate", "infogan-evaluate"),
                                         ("evaluate.py", "evaluate.py")])
def test_errors_name_the_program_as_it_was_called(monkeypatch, argv0, name):
    monkeypatch.setattr(sys, "argv", [argv0])
    with pytest.raises(SystemExit, match=f"^{name}: error: workdir x does not exist$"):
        cli.fail("workdir x does not exist")


def test_a_run_that_cannot_be_loaded_ends_the_program_with_one_line_naming_it(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["code_response.py"])
    missing = tmp_path / "no_such_run"
    with pytest.raises(SystemExit) as stopped:
        cli.load_run_or_fail(str(missing))
    assert stopped.value.code == f"code_response.py: error: workdir {missing} does not exist"
