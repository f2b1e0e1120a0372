"""The command-line programs (`infogan-train`, `infogan-evaluate`, ...): flags in, one library call, one-line errors.

The root scripts of a checkout (`train.py`, `evaluate.py`, `export/export_model.py`, `select_model.py`) run the same
`run()` functions, so both spellings behave alike.
"""

from __future__ import annotations

import sys
from pathlib import Path

from absl import app, flags


def program_name() -> str:
    """How the user called us (`train.py` or `infogan-train`), for the `NAME: error: ...` lines."""
    return Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "infogan"


def fail(message: object) -> None:
    """Ends the program with exit status 1 and one line naming the problem."""
    sys.exit(f"{program_name()}: error: {message}")


def load_run_or_fail(path: str):
    """The finished run in workdir `path` (a `LoadedRun`); a missing or unreadable one ends the program with one line
    naming it."""
    from infogan_tf.evaluation import loaded_run

    try:
        return loaded_run.load_run(path)
    except loaded_run.EvaluationError as error:
        fail(error)


def refuse_positional_arguments(argv: list[str]) -> None:
    """The programs take flags only; a stray word (often a flag missing its `--`) is a usage error naming it."""
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")


def join_global_flags(program_flags: flags.FlagValues) -> None:
    """Hands a program's own flags to absl's global ones, which `app.run` parses and `--helpfull` lists by module."""
    flags.FLAGS.append_flag_values(program_flags)
    for module, module_flags in program_flags.flags_by_module_dict().items():
        for flag in module_flags:
            flags.FLAGS.register_flag_by_module(module, flag)


def run_program(main, program_flags: flags.FlagValues) -> None:
    """`app.run(main)` for a program whose flags live on their own `FlagValues` (so tests can parse them in-process)."""
    join_global_flags(program_flags)

    def parse(argv: list[str]) -> list[str]:
        remaining = app.parse_flags_with_usage(argv)
        program_flags.mark_as_parsed()
        return remaining

    app.run(main, flags_parser=parse)
