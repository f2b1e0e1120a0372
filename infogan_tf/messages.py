"""One-line error messages: the first line of an exception's text, for messages that name the problem."""

from __future__ import annotations


def first_line(error: BaseException) -> str:
    """The first non-empty line of `error`'s message (TF's often run to a stack of lines), or its type's name."""
    text = getattr(error, "message", None) or str(error)
    return (text.strip().splitlines() or [type(error).__name__])[0]
