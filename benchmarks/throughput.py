"""Training throughput of the paper's MNIST net (28x28, Cat(10) + 2 continuous codes, 62-d noise) by precision and XLA.

    python benchmarks/throughput.py [--batch_sizes=64,128] [--steps=60] [--categorical_invariance_weight=1]

One step = one D/Q update + one G update through `fit()`. Times each step with a callback and reports the median of
--steps steps after --warmup; data are in-memory random images, so the input pipeline is not measured. Prints a
markdown table (steps/s and images/s) and writes it as JSON with --out.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from absl import app, flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FLAGS = flags.FLAGS
flags.DEFINE_list("batch_sizes", ["64", "128"], "Global batch sizes.")
flags.DEFINE_list("precisions", ["float32", "mixed_bfloat16", "mixed_float16"], "Precision policies.")
flags.DEFINE_list("jit", ["false", "true"], "XLA settings.")
flags.DEFINE_integer("steps", 60, "Measured steps per setting.")
flags.DEFINE_integer("warmup", 10, "Steps before measuring (tracing, XLA compilation).")
flags.DEFINE_float("categorical_invariance_weight", 0.0, "Train step with the categorical-invariance term (as "
                   "configs/mnist.cfg) when > 0: one more D/Q pass per step.")
flags.DEFINE_string("out", None, "Optional JSON output path.")


def measure(batch_size: int, precision: str, jit: bool, steps: int, warmup: int, invariance_weight: float) -> float:
    """Median seconds per training step for one setting."""
    import keras
    import numpy as np
    import tensorflow as tf

    from infogan_tf import config, latents, train_lib

    keras.mixed_precision.set_global_policy(precision)
    cfg = config.TrainConfig(workdir="unused", precision=precision, jit_compile=jit, batch_size=batch_size,
                             categorical_invariance_weight=invariance_weight)
    spec = latents.parse_latent_spec(cfg.codes, cfg.noise_dim)
    gan = train_lib.build_infogan(cfg, spec, (28, 28, 1), replicas=1)
    images = np.random.RandomState(0).rand(batch_size * 4, 28, 28, 1).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(batch_size, drop_remainder=True).repeat()

    class StepTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.durations: list[float] = []

        def on_train_batch_begin(self, batch, logs=None):
            self.started = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            self.durations.append(time.perf_counter() - self.started)

    timer = StepTimer()
    gan.fit(dataset, steps_per_epoch=warmup + steps, epochs=1, verbose=0, callbacks=[timer], shuffle=False)
    keras.mixed_precision.set_global_policy("float32")
    return statistics.median(timer.durations[warmup:])


def main(argv):
    del argv
    rows = []
    for batch_size in map(int, FLAGS.batch_sizes):
        for precision in FLAGS.precisions:
            for jit in (value.lower() == "true" for value in FLAGS.jit):
                seconds = measure(batch_size, precision, jit, FLAGS.steps, FLAGS.warmup,
                                  FLAGS.categorical_invariance_weight)
                row = {"batch": batch_size, "precision": precision, "jit_compile": jit,
                       "steps_per_s": round(1.0 / seconds, 2), "images_per_s": round(batch_size / seconds, 1)}
                rows.append(row)
                print(json.dumps(row), flush=True)
    print("\n| batch | precision | jit_compile | steps/s | images/s |\n|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['batch']} | {row['precision']} | {row['jit_compile']} | {row['steps_per_s']} | "
              f"{row['images_per_s']} |")
    if FLAGS.out:
        Path(FLAGS.out).write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    app.run(main)
