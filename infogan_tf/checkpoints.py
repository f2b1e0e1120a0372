"""Checkpoints of everything a resumed run needs: both networks, both optimizers, the step, and the network and
optimizer of every regulariser that has them.

The step is also the random state: latents come from a stateless seed (base seed, step). `CheckpointManager`
writes the data files before it atomically rewrites its index, so a crash mid-save leaves the previous checkpoint
as the latest. A checkpoint is only written when every weight is finite, and a resume takes the newest checkpoint
that reads back whole and finite: an unreadable or non-finite one is moved into `checkpoints/broken/` and the next
older one is tried.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from absl import logging

from infogan_tf.messages import fault_line, first_line
from infogan_tf.model import InfoGAN

BROKEN = "broken"


class CheckpointError(RuntimeError):
    """No checkpoint of the workdir can be restored, or the current weights cannot be saved."""


class CheckpointWriteError(RuntimeError):
    """The disk refused a checkpoint: a machine fault, not a training problem, so it stops the run as itself."""


class Checkpoints:
    """Saves into `directory`; restores from `restore_directory` (default: the same), which lets the non-chief
    workers of a multi-worker run resume from the chief's checkpoints while writing their own copies elsewhere."""

    def __init__(self, model: InfoGAN, directory: Path, max_to_keep: int, restore_directory: Path | None = None):
        self.model = model
        self.directory = Path(directory)
        self.restore_directory = Path(restore_directory or directory)
        self.max_to_keep = max_to_keep
        # Regularisers with a network of their own are saved under their name; the rest have no state to keep.
        self.checkpoint = tf.train.Checkpoint(
            generator=model.generator,
            discriminator=model.discriminator,
            d_optimizer=model.d_optimizer,
            g_optimizer=model.g_optimizer,
            step=model.step,
            **{regularizer.name: regularizer for regularizer in model.regularizers if regularizer.network is not None},
        )
        self.manager = tf.train.CheckpointManager(self.checkpoint, str(self.directory), max_to_keep=max_to_keep)

    def restore_latest(self) -> int:
        """Restores the newest whole, finite checkpoint; returns the step to continue from (0 for a new run).

        Raises:
            CheckpointError: when checkpoints exist but none can be restored (they are kept, moved aside).
        """
        candidates = _listed_checkpoints(self.restore_directory)
        if not candidates:
            return 0
        for path in reversed(candidates):
            problem = self._try_restore(path)
            if problem is None:
                step = int(self.model.step.numpy())
                if path != candidates[-1]:
                    logging.warning("Resuming from the newest usable checkpoint, %s", path)
                logging.info("Resumed from step %d (%s)", step, path)
                return step
            logging.warning("Checkpoint %s is unusable (%s)", path, problem)
            if self.restore_directory == self.directory:
                self._set_aside(path)
        raise CheckpointError(
            f"none of the {len(candidates)} checkpoints in {self.restore_directory} can be restored; they are kept in "
            f"{self.restore_directory / BROKEN}. Rerun to start from step 0, or restore them by hand"
        )

    def _try_restore(self, path: str) -> str | None:
        """Restores `path`; None on success, else what is wrong with it.

        Every saved value must find its variable and every variable its value: a model with fewer weights than the
        checkpoint (say, without spectral norm's power-iteration vectors) would otherwise load silently.
        """
        try:
            self.checkpoint.restore(path).assert_consumed()
        except (tf.errors.OpError, IndexError) as error:
            return f"unreadable: {first_line(error)}"
        bad = self.non_finite_variables()
        if bad:
            return f"non-finite values in {bad[0]}" + (f" and {len(bad) - 1} more" if len(bad) > 1 else "")
        return None

    def _set_aside(self, path: str) -> None:
        """Moves a checkpoint's files into checkpoints/broken/ and drops it from the index."""
        broken = self.directory / BROKEN
        broken.mkdir(exist_ok=True)
        for file in Path(path).parent.glob(Path(path).name + ".*"):
            shutil.move(str(file), str(broken / file.name))
        kept = [p for p in _listed_checkpoints(self.directory) if p != path]
        if kept:
            tf.compat.v1.train.update_checkpoint_state(str(self.directory), kept[-1], all_model_checkpoint_paths=kept)
        else:
            (self.directory / "checkpoint").unlink(missing_ok=True)
        self.manager = tf.train.CheckpointManager(self.checkpoint, str(self.directory), max_to_keep=self.max_to_keep)
        logging.warning("Moved %s aside into %s", path, broken)

    def non_finite_variables(self) -> list[str]:
        """Paths of the checkpointed float variables that hold a NaN or an infinity."""
        bad = []
        for variable in self._variables():
            value = np.asarray(variable.numpy())
            if np.issubdtype(value.dtype, np.floating) and not np.isfinite(value).all():
                bad.append(getattr(variable, "path", variable.name))
        return bad

    def _variables(self) -> list:
        """Every variable the checkpoint saves, found by walking its object graph: a part added to the checkpoint is
        checked without being listed here too."""
        return [obj for obj in tf.train.TrackableView(self.checkpoint).descendants() if isinstance(obj, keras.Variable)]

    def save(self) -> str:
        """Writes a checkpoint of the current step.

        Raises:
            CheckpointError: when a weight is not finite; nothing is written then.
            CheckpointWriteError: when the disk refuses the files (full, read-only); what was partly written of this
                checkpoint is removed, the earlier ones stay.
        """
        step = int(self.model.step.numpy())
        bad = self.non_finite_variables()
        if bad:
            raise CheckpointError(f"weights became non-finite at step {step} ({bad[0]}); no checkpoint written")
        before = set(self.directory.glob(f"ckpt-{step}*"))
        try:
            path = self.manager.save(checkpoint_number=step)
        except (OSError, tf.errors.OpError) as error:
            for partial in set(self.directory.glob(f"ckpt-{step}*")) - before:
                if partial.is_dir():
                    shutil.rmtree(partial, ignore_errors=True)
                else:
                    partial.unlink(missing_ok=True)
            kept = self.latest_step
            raise CheckpointWriteError(
                f"cannot write the checkpoint of step {step} in {self.directory}: {fault_line(error)}; "
                + (f"the checkpoint of step {kept} is intact" if kept is not None else "no earlier checkpoint exists")
            ) from None
        logging.info("Saved checkpoint %s", path)
        return path

    @property
    def latest_step(self) -> int | None:
        latest = self.manager.latest_checkpoint
        return None if latest is None else int(latest.rsplit("-", 1)[-1])


class CheckpointCallback(keras.callbacks.Callback):
    """Saves every `every_steps` training steps, unless the run is stopping; stops the run when the weights are no
    longer finite (`refused` then says why)."""

    def __init__(self, checkpoints: Checkpoints, every_steps: int):
        super().__init__()
        self.checkpoints = checkpoints
        self.every_steps = every_steps
        self.refused: str | None = None

    def on_train_batch_end(self, batch, logs=None):
        if self.model.stop_training:
            return
        if int(self.checkpoints.model.step.numpy()) % self.every_steps == 0:
            try:
                self.checkpoints.save()
            except CheckpointError as error:
                self.refused = str(error)
                self.model.stop_training = True


def _listed_checkpoints(directory: Path) -> list[str]:
    """Checkpoint prefixes the directory's index lists, oldest first."""
    state = tf.train.get_checkpoint_state(str(directory))
    if state is None:
        return []
    return [str(directory / Path(path).name) for path in state.all_model_checkpoint_paths]

