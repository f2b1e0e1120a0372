"""The in-process MNIST training step that throughput.py times and step_profile.py profiles: the paper's MNIST net
(28x28, Cat(10) + 2 continuous codes, 62-d noise) on in-memory random images, so the input pipeline costs nothing."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from infogan_tf import config, latents, train_lib
from infogan_tf.model import InfoGAN


def build(batch_size: int, precision: str, jit: bool = False, invariance_weight: float = 0.0,
          invariance_fraction: float = 1.0) -> tuple[InfoGAN, tf.data.Dataset]:
    """The compiled InfoGAN under `precision` (set as the global policy) and endless batches for its `fit`."""
    keras.mixed_precision.set_global_policy(precision)
    cfg = config.TrainConfig(workdir="unused", precision=precision, jit_compile=jit, batch_size=batch_size,
                             categorical_invariance_weight=invariance_weight,
                             invariance_batch_fraction=invariance_fraction)
    spec = latents.parse_latent_spec(cfg.codes, cfg.noise_dim)
    gan = train_lib.build_infogan(cfg, spec, (28, 28, 1), replicas=1)
    images = np.random.RandomState(0).rand(batch_size * 4, 28, 28, 1).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(batch_size, drop_remainder=True).repeat()
    return gan, dataset
