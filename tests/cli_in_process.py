"""Runs a command-line program's flag parsing and `main()` in the test's process, as `app.run` would."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

from absl import app, flags


def last_line(program: ModuleType, name: str, *args: str,
              expand: Callable[[list[str]], list[str]] = lambda argv: argv) -> tuple[int, str]:
    """(exit status, the line it ends with) of `program` (an `infogan_tf.cli` module) called as `name ARGS`.

    `expand` rewrites argv before parsing, as a program's own parser does (train's `--config=NAME`). A successful run
    gives (0, ""); a flag error gives absl's "FATAL Flags parsing error: ..." line.
    """
    saved_argv = sys.argv
    sys.argv = [name, *args]  # error lines name the program as called
    program.FLAGS.unparse_flags()
    try:
        program.main(program.FLAGS(expand(sys.argv)))
    except flags.Error as error:
        return 1, f"FATAL Flags parsing error: {error}"
    except app.UsageError as error:
        return 1, str(error)
    except SystemExit as exit:
        return (exit.code, "") if isinstance(exit.code, int) or exit.code is None else (1, str(exit.code))
    finally:
        program.FLAGS.unparse_flags()
        sys.argv = saved_argv
    return 0, ""
