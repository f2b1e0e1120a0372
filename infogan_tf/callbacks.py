"""Keras callbacks of a run: stop on divergence, write TensorBoard scalars, traversal grids and GIFs, run summary."""

from __future__ import annotations

import contextlib
import io
import math
import signal
import threading
import time

import keras
import numpy as np
import tensorflow as tf
from absl import logging
from PIL import Image
from tensorboard.plugins.image import metadata as image_metadata

from infogan_tf import model, traversal, workdir

WATCHED_LOSSES = ("d_loss", "g_loss", "mi_loss")
# G's images are called blank below this fraction of the real images' contrast (per-image pixel std): a generator
# that stopped drawing measured 0.07 of it on sprites, healthy runs 0.7-0.9 (their fainter sprites included).
BLANK_CONTRAST = 0.25
# An epoch's average can hide a generator that stops drawing late in the epoch (on sprites, 63 % of its drawings blank
# at the epoch's end with the average at 0.66 of the real contrast), so the drawings of the epoch's end, the traversal
# grids, are checked too: a run is called blank when at least this share of them are.
BLANK_SHARE = 0.5
SUMMARY_METRICS = ("d_loss", "g_loss", "mi_loss", "d_real", "d_fake", "pixel_std_real", "pixel_std_fake",
                   "blank_share")


class StopOnSignal(keras.callbacks.Callback):
    """Turns SIGTERM (a scheduler's preemption, `kill`) into a stop after the current step, so that the run saves its
    checkpoint and models before it exits instead of dying half-way through writing them."""

    def __init__(self):
        super().__init__()
        self.received: str | None = None

    @contextlib.contextmanager
    def installed(self):
        """Handles SIGTERM while the block runs (from the main thread only, as Python requires)."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = signal.signal(signal.SIGTERM, self._handle)
        try:
            yield self
        finally:
            signal.signal(signal.SIGTERM, previous)

    def _handle(self, signum, frame):
        self.received = signal.Signals(signum).name
        logging.warning("%s received: stopping after this step and saving", self.received)

    def on_train_batch_end(self, batch, logs=None):
        if self.received:
            self.model.stop_training = True


class DivergenceGuard(keras.callbacks.Callback):
    """Stops training at the first non-finite loss, before the checkpoint callback can save the broken weights.

    Keras' TerminateOnNaN only watches `loss`, which a GAN does not report. The losses are means over the epoch so
    far, so they stay non-finite once a step was; the step named is the first such one, which the train step records
    in-graph (with several steps per call, this callback only runs at the end of the call).
    """

    def __init__(self):
        super().__init__()
        self.diverged: str | None = None

    def on_train_batch_end(self, batch, logs=None):
        for name in WATCHED_LOSSES:
            value = float((logs or {}).get(name, 0.0))
            if not math.isfinite(value):
                step = int(self.model.diverged_at_step.numpy()) or int(self.model.step.numpy())
                self.diverged = f"{name} became {value} at step {step}"
                self.model.stop_training = True
                return


class RunReporter(keras.callbacks.Callback):
    """At each epoch end: TensorBoard scalars and traversal grids, PNG grids in samples/, run_summary.json."""

    def __init__(self, run_dir: workdir.Workdir, summary: dict, rows: int, seed: int, span: float | None = None):
        """`span`: continuous codes sweep -span..span in the grids (None: the kinds' default sweep)."""
        super().__init__()
        self.run_dir = run_dir
        self.summary = summary
        self.rows = rows
        self.seed = seed
        self.span = span
        self.writer = tf.summary.create_file_writer(str(run_dir.tensorboard))
        self.started = time.monotonic()
        self.previous_wall_time = float(summary.get("progress", summary).get("wall_time_s", 0.0))

    def on_epoch_end(self, epoch, logs=None):
        step = int(self.model.step.numpy())
        logs = {name: float(value) for name, value in (logs or {}).items()}
        if self.model.stop_training or not all(math.isfinite(value) for value in logs.values()):
            return  # diverged: nothing of this epoch is worth recording
        with self.writer.as_default(step=step):
            share = blank_share(self.write_traversals(step), logs.get("pixel_std_real"))
            if share is not None:
                logs["blank_share"] = share
            for name, value in logs.items():
                tf.summary.scalar(name, value)
        self.writer.flush()
        self.run_dir.append_history({"step": step, **logs})
        self.update_summary(step, logs)
        warning = blank_images_warning(step, logs)
        if warning:
            logging.warning("%s", warning)

    def write_traversals(self, step: int) -> list[np.ndarray]:
        """Per code: the PNG grid and the GIF in samples/, both in TensorBoard (which shows GIFs animated). Returns
        the images drawn, per code."""
        spec = self.model.spec
        drawn = []
        for index, (code, name) in enumerate(zip(spec.codes, spec.code_names(), strict=True)):
            images = traversal.traversal_images(self.model.generator, spec, index, self.rows, self.seed, self.span)
            drawn.append(images)
            grid = traversal.tile(images, self.rows)
            gif = traversal.gif_bytes(images, self.rows, code)
            tf.summary.image(f"traversal/{name}", grid[np.newaxis])
            _gif_summary(f"traversal_gif/{name}", gif, step)
            stem = self.run_dir.samples / f"step_{step:07d}_{name}"
            stem.with_suffix(".png").write_bytes(traversal.png_bytes(grid))
            stem.with_suffix(".gif").write_bytes(gif)
        logging.info("Wrote traversal grids and GIFs for step %d to %s", step, self.run_dir.samples)
        return drawn

    def update_summary(self, step: int, logs: dict) -> None:
        """Records the epoch under "progress"; the top-level fields describe the saved models (`label_models`)."""
        self.summary["progress"] = {
            "step": step,
            "wall_time_s": round(self.previous_wall_time + time.monotonic() - self.started, 2),
            "final_losses": {k: logs[k] for k in SUMMARY_METRICS if k in logs},
            "mi_estimates_nats": {k[len("mi_"):]: v for k, v in logs.items() if k.startswith("mi_") and k != "mi_loss"},
        }
        workdir.atomic_write_json(self.run_dir.run_summary, self.summary)


def blank_share(drawn: list[np.ndarray], real_std: float | None) -> float | None:
    """The share of the drawn images whose contrast (`model.pixel_std`, as logged for the real batch) is under
    BLANK_CONTRAST of the real images' (None without images or a real contrast)."""
    if not drawn or not real_std:
        return None
    contrast = model.pixel_std(np.concatenate(drawn)).numpy()
    return float(np.mean(contrast < BLANK_CONTRAST * real_std))


def blank_images_warning(step: int, logs: dict) -> str | None:
    """One line when the epoch's fakes had under BLANK_CONTRAST of the real images' contrast, or when at least
    BLANK_SHARE of the epoch's last drawings (`blank_share`) did; else None."""
    real, fake, share = logs.get("pixel_std_real"), logs.get("pixel_std_fake"), logs.get("blank_share")
    if not real or fake is None:
        return None
    if fake < BLANK_CONTRAST * real:
        found = (f"(pixel std {fake:.3f} against {real:.3f} for real images, under {BLANK_CONTRAST:.0%} of their "
                 f"contrast)")
    elif share is not None and share >= BLANK_SHARE:
        found = (f"for {share:.0%} of the traversal grids' latents at this step (pixel std under {BLANK_CONTRAST:.0%} "
                 f"of the real images' {real:.3f})")
    else:
        return None
    return (f"step {step}: the generator draws blank images {found}; its codes can no longer mean anything: see "
            f"README, Outputs")


def _gif_summary(tag: str, gif: bytes, step: int) -> None:
    """An image summary holding encoded GIF bytes: TensorBoard's image plugin serves them as they are, animated."""
    width, height = Image.open(io.BytesIO(gif)).size
    metadata = image_metadata.create_summary_metadata(display_name=tag, description="traversal, animated")
    tf.summary.write(tag, tf.constant([str(width), str(height), gif]), step=step, metadata=metadata)


def label_models(summary: dict, step: int) -> None:
    """Sets the top-level `global_step`, losses and MI estimates to those of the models just saved at `step`.

    They are written only together with generator.keras and encoder.keras, so export and evaluation, which read
    them, always describe those models, also after an interrupted resume (then "progress" is ahead of them).
    """
    progress = summary.get("progress", {})
    summary["global_step"] = step
    if progress.get("step") == step:
        summary.update({key: progress[key] for key in ("wall_time_s", "final_losses", "mi_estimates_nats")})
