"""One-line error messages: the first line of an exception's text, for messages that name the problem."""

from __future__ import annotations

import re

import tensorflow as tf

# What TF wraps around an op's own message: "{{function_node ...}}" before it, "[Op:Name] name: ..." after it.
_TF_OP_DECORATIONS = re.compile(r"\{\{function_node [^}]*\}\}\s*|\s*\[\[\{\{node [^]]*\]\]|\s*\[Op:\w+\].*$")


def first_line(error: BaseException) -> str:
    """The first non-empty line of `error`'s message (TF's often run to a stack of lines) without TF's op
    decorations, or its type's name."""
    text = getattr(error, "message", None) or str(error)
    line = (text.strip().splitlines() or [""])[0]
    return _TF_OP_DECORATIONS.sub("", line).strip() or type(error).__name__


# What the disk or the OS raises (full, read-only, no permission, out of memory): told in one line, not a traceback.
MACHINE_FAULTS = (OSError, tf.errors.OpError)


def fault_line(error: BaseException) -> str:
    """One line for a machine fault (disk full, read-only folder, missing permission) that names the path."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    return first_line(error)
