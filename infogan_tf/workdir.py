"""The workdir layout, named once: every file a run writes and every path a user or tool reads."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from pathlib import Path

from absl import logging

from infogan_tf import config as config_lib

CHECKPOINTS = "checkpoints"
SAMPLES = "samples"
TENSORBOARD = "tensorboard"
FLAGS_FILE = "flags.cfg"
CONFIG_FILE = "config.json"
GENERATOR_FILE = "generator.keras"
ENCODER_FILE = "encoder.keras"
RUN_SUMMARY = "run_summary.json"
HISTORY = "history.jsonl"
METRICS = "metrics.json"
REPORT = "report.html"
EVAL_TENSORBOARD = "eval"
EVAL_CLASSIFIER = "eval_classifier.keras"
EVAL_CLASSIFIER_SETTINGS = "eval_classifier.json"
LOCK = ".lock"


class Workdir:
    """Paths inside one run's `--workdir`."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    @property
    def checkpoints(self) -> Path:
        return self.root / CHECKPOINTS

    @property
    def samples(self) -> Path:
        return self.root / SAMPLES

    @property
    def tensorboard(self) -> Path:
        return self.root / TENSORBOARD

    @property
    def flags_file(self) -> Path:
        return self.root / FLAGS_FILE

    @property
    def config_file(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def generator(self) -> Path:
        return self.root / GENERATOR_FILE

    @property
    def encoder(self) -> Path:
        return self.root / ENCODER_FILE

    @property
    def run_summary(self) -> Path:
        return self.root / RUN_SUMMARY

    @property
    def history(self) -> Path:
        """One JSON line per epoch: {"step": N, "d_loss": ..., "mi_cat10_0": ...}; appended, never rewritten."""
        return self.root / HISTORY

    @property
    def metrics(self) -> Path:
        return self.root / METRICS

    @property
    def report(self) -> Path:
        return self.root / REPORT

    @property
    def eval_tensorboard(self) -> Path:
        return self.tensorboard / EVAL_TENSORBOARD

    def read_history(self) -> list[dict]:
        """Every readable entry; a line torn by a killed run is skipped with a warning naming it."""
        if not self.history.exists():
            return []
        entries, torn = [], []
        for number, line in enumerate(self.history.read_text(errors="replace").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                entry = None
            if isinstance(entry, dict) and "step" in entry:
                entries.append(entry)
            else:
                torn.append(number)
        if torn:
            logging.warning("%s: skipped unreadable line(s) %s (a run killed while writing them)", self.history,
                            ", ".join(map(str, torn)))
        return entries

    def append_history(self, entry: dict) -> None:
        """One JSON line; starts a new line first if a killed run left the last one unfinished."""
        with self.history.open("a+b") as history:
            torn = False
            if history.seek(0, os.SEEK_END) > 0:
                history.seek(-1, os.SEEK_END)
                torn = history.read(1) != b"\n"
            history.write((b"\n" if torn else b"") + json.dumps(entry).encode() + b"\n")

    def create(self) -> None:
        for folder in (self.root, self.checkpoints, self.samples, self.tensorboard):
            folder.mkdir(parents=True, exist_ok=True)

    def read_summary(self) -> dict:
        if not self.run_summary.exists():
            return {}
        return json.loads(self.run_summary.read_text())

    def read_config(self) -> config_lib.TrainConfig | None:
        """The run's training config: config.json, or for runs written before it existed flags.cfg; None when
        neither exists. `workdir` is this folder, wherever the run was trained.

        Raises:
            config_lib.ConfigError: for a file that does not describe a valid config.
        """
        if self.config_file.is_file():
            try:
                data = json.loads(self.config_file.read_text())
            except ValueError as error:
                raise config_lib.ConfigError(f"{self.config_file} is not valid JSON: {error}") from None
            return config_lib.from_json(data, workdir=str(self.root))
        if self.flags_file.is_file():
            return config_lib.config_from_flags(config_lib.read_flagfile(self.flags_file), workdir=str(self.root))
        return None


class WorkdirBusy(RuntimeError):
    """Another process trains in the workdir."""


@contextlib.contextmanager
def exclusive(run_dir: Workdir):
    """Holds an exclusive lock on WORKDIR/.lock while training. The kernel drops it when the process ends, however
    it ends, so a crashed run never leaves the workdir locked.

    Raises:
        WorkdirBusy: when another process holds it.
    """
    run_dir.root.mkdir(parents=True, exist_ok=True)
    with open(run_dir.root / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise WorkdirBusy(f"{run_dir.root} is in use by {holder}: wait for it to finish or use another "
                              "--workdir") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"train.py (pid {os.getpid()})\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def atomic_write_text(path: Path, text: str) -> None:
    """Writes via a temporary file in the same folder and a rename, so a crash never leaves a torn file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, payload: dict) -> None:
    atomic_write_text(path, json.dumps(payload, indent=2, sort_keys=True) + "\n")


def atomic_save_keras(model, path: Path) -> None:
    """Saves a Keras model next to `path` and renames it into place, so a crash never leaves a truncated file."""
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}.") as tmp:
        staged = Path(tmp) / path.name
        model.save(staged)
        os.replace(staged, path)
