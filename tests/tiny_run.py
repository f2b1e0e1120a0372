"""The tiny run the in-process training tests share: built-in shapes at 28x28, narrow nets, two steps per epoch."""

from __future__ import annotations

from pathlib import Path

from infogan_tf import config

TINY = dict(dataset="shapes", image_size=28, codes="cat:3,cont:1", noise_dim=4, network_width=0.125, batch_size=8,
            steps_per_epoch=2, checkpoint_every_steps=2, traversal_rows=2, shuffle_buffer=64, verbose=0)


def tiny_config(parent, **overrides) -> config.TrainConfig:
    """TINY with `overrides`, training into `parent`/run."""
    return config.TrainConfig(workdir=str(Path(parent) / "run"), **{**TINY, **overrides})
