"""Checkpoints of everything a resumed run needs: both networks, both optimizers, the step, and the network and
optimizer of every regulariser that has them.

The step is also the random state: latents come from a stateless seed (base seed, step). `CheckpointManager`
writes the data files before it atomically rewrites its index, so a crash mid-save leaves the previous checkpoint
as the latest.
"""

from __future__ import annotations

from pathlib import Path

import keras
import tensorflow as tf
from absl import logging

from infogan_tf.model import InfoGAN


class Checkpoints:
    """Saves into `directory`; restores from `restore_directory` (default: the same), which lets the non-chief
    workers of a multi-worker run resume from the chief's checkpoints while writing their own copies elsewhere."""

    def __init__(self, model: InfoGAN, directory: Path, max_to_keep: int, restore_directory: Path | None = None):
        self.model = model
        self.restore_directory = restore_directory or directory
        # Regularisers with a network of their own are saved under their name; the rest have no state to keep.
        self.checkpoint = tf.train.Checkpoint(
            generator=model.generator,
            discriminator=model.discriminator,
            d_optimizer=model.d_optimizer,
            g_optimizer=model.g_optimizer,
            step=model.step,
            **{regularizer.name: regularizer for regularizer in model.regularizers if regularizer.network is not None},
        )
        self.manager = tf.train.CheckpointManager(self.checkpoint, str(directory), max_to_keep=max_to_keep)

    def restore_latest(self) -> int:
        """Restores the newest checkpoint if there is one; returns the step to continue from (0 for a new run)."""
        latest = tf.train.latest_checkpoint(str(self.restore_directory))
        if latest is None:
            return 0
        self.checkpoint.restore(latest).assert_existing_objects_matched()
        step = int(self.model.step.numpy())
        logging.info("Resumed from step %d (%s)", step, latest)
        return step

    def save(self) -> str:
        step = int(self.model.step.numpy())
        path = self.manager.save(checkpoint_number=step)
        logging.info("Saved checkpoint %s", path)
        return path

    @property
    def latest_step(self) -> int | None:
        latest = self.manager.latest_checkpoint
        return None if latest is None else int(latest.rsplit("-", 1)[-1])


class CheckpointCallback(keras.callbacks.Callback):
    """Saves every `every_steps` training steps, unless the run is stopping because it diverged."""

    def __init__(self, checkpoints: Checkpoints, every_steps: int):
        super().__init__()
        self.checkpoints = checkpoints
        self.every_steps = every_steps

    def on_train_batch_end(self, batch, logs=None):
        if self.model.stop_training:
            return
        if int(self.checkpoints.model.step.numpy()) % self.every_steps == 0:
            self.checkpoints.save()
