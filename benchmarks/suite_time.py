"""Test-suite wall time of two or more checkouts, each run with its own README test command, alternately.

    git clone . /tmp/base && git -C /tmp/base checkout b97df9a && git clone . /tmp/head
    python benchmarks/suite_time.py --checkout=base:/tmp/base --checkout=head:/tmp/head [--rounds=1]

A checkout without `.venv` gets one first (`python3 -m venv .venv && .venv/bin/pip install -e ".[test]"`, as the
README says). Each round runs every checkout's test command (the first `.venv/bin/python -m pytest` line of its
README) in turn, from that checkout, and times the whole command. Prints each run's seconds and pytest's summary
line, the median per checkout and its ratio to the first: this machine's speed drifts, so only runs alternated in one
invocation compare. Run it alone: the suites use every core.
"""

from __future__ import annotations

import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_multi_string("checkout", [], "NAME:PATH of a checkout to time; give two or more, the first is the "
                          "reference of the ratios.")
flags.DEFINE_integer("rounds", 1, "Runs per checkout, alternating.", lower_bound=1)

TEST_COMMAND_PREFIX = ".venv/bin/python -m pytest"


def readme_test_command(checkout: Path) -> list[str]:
    """The README's test command of this checkout, as argv."""
    readme = checkout / "README.md"
    for line in readme.read_text().splitlines():
        if line.startswith(TEST_COMMAND_PREFIX):
            return shlex.split(line)
    raise app.UsageError(f"{readme}: no line starting with '{TEST_COMMAND_PREFIX}'")


def ensure_venv(checkout: Path) -> None:
    """The README's install step, once per checkout."""
    if (checkout / ".venv" / "bin" / "python").exists():
        return
    print(f"{checkout}: creating .venv and installing .[test]", flush=True)
    subprocess.run([sys.executable, "-m", "venv", ".venv"], cwd=checkout, check=True)
    subprocess.run([".venv/bin/pip", "install", "-q", "-e", ".[test]"], cwd=checkout, check=True)


def timed_run(checkout: Path, command: list[str]) -> tuple[float, str]:
    """Seconds of the whole command and pytest's last line (its summary)."""
    start = time.monotonic()
    result = subprocess.run(command, cwd=checkout, capture_output=True, text=True)
    seconds = time.monotonic() - start
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    return seconds, (lines[-1] if lines else f"exit {result.returncode}, no output")


def parse_checkouts(entries: list[str]) -> dict[str, Path]:
    """NAME:PATH entries -> {name: checkout folder}, in the given order."""
    if len(entries) < 2:
        raise app.UsageError("give two or more --checkout=NAME:PATH")
    checkouts = {}
    for entry in entries:
        name, _, path = entry.partition(":")
        checkout = Path(path).resolve()
        if not name or not (checkout / "README.md").exists():
            raise app.UsageError(f"--checkout={entry}: want NAME:PATH of a checkout with a README.md")
        checkouts[name] = checkout
    return checkouts


def compare(checkouts: dict[str, Path], rounds: int) -> dict[str, list[float]]:
    """Runs every checkout's test command in turn, `rounds` times; prints each run and the table of ratios."""
    commands = {name: readme_test_command(checkout) for name, checkout in checkouts.items()}
    for checkout in checkouts.values():
        ensure_venv(checkout)
    seconds: dict[str, list[float]] = {name: [] for name in checkouts}
    for round_index in range(rounds):
        for name, checkout in checkouts.items():
            elapsed, summary = timed_run(checkout, commands[name])
            seconds[name].append(elapsed)
            print(f"round {round_index + 1} {name}: {elapsed:.0f} s  `{shlex.join(commands[name])}`  {summary}",
                  flush=True)

    reference = statistics.median(seconds[next(iter(checkouts))])
    print("\n| checkout | seconds per run | median | ratio to the first |\n|---|---|---|---|")
    for name, runs in seconds.items():
        median = statistics.median(runs)
        print(f"| {name} | {', '.join(f'{s:.0f}' for s in runs)} | {median:.0f} | {median / reference:.2f} |")
    return seconds


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
    compare(parse_checkouts(FLAGS.checkout), FLAGS.rounds)


if __name__ == "__main__":
    app.run(main)
