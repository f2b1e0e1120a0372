"""How long `fit` takes to return after its last batch: the training pipeline as shipped, and with tf.data's
autotuning switched back on.

    python benchmarks/fit_end_wait.py [--dataset=shapes] [--batch_size=32] [--fits=8] [--steps=25]

Each variant runs --fits calls of `fit` (the InfoGAN of train.py's defaults on the pipeline's batches, --steps
steps each), the two variants alternating, and prints per call the time to the last batch and the wait after it
until `fit` returned. With autotuning on, tf.data's model thread sleeps in doubling periods (10 ms, 20 ms, ... up to
a minute), and deleting the iterator at the end of `fit` can wait for its next wake-up, 0.01 x (2^k - 1) s after
the iterator was made: seconds for short calls, up to 60 s for long ones.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import keras
import tensorflow as tf
from absl import app, flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FLAGS = flags.FLAGS
flags.DEFINE_string("dataset", "shapes", "Dataset name, as train.py's --dataset.")
flags.DEFINE_string("split", "train", "Split, as train.py's --train_split.")
flags.DEFINE_integer("image_size", None, "Image size, as train.py's --image_size (default: the dataset's own).")
flags.DEFINE_integer("batch_size", 32, "Batch size.")
flags.DEFINE_integer("fits", 8, "fit calls per variant.")
flags.DEFINE_integer("steps", 25, "Steps per fit call.")


class LastBatchTimer(keras.callbacks.Callback):
    """Records when the last batch of a `fit` ended."""

    last_batch_end = 0.0

    def on_train_batch_end(self, batch, logs=None):
        self.last_batch_end = time.perf_counter()


def timed_fit(model: keras.Model, dataset: tf.data.Dataset) -> tuple[float, float]:
    """(seconds to the last batch's end, seconds from there until `fit` returned) for one call."""
    timer = LastBatchTimer()
    started = time.perf_counter()
    model.fit(dataset, steps_per_epoch=FLAGS.steps, epochs=1, verbose=0, callbacks=[timer])
    returned = time.perf_counter()
    return timer.last_batch_end - started, returned - timer.last_batch_end


def main(argv):
    del argv
    from infogan_tf import config, datasets, latents, train_lib

    shipped = datasets.train_dataset(FLAGS.dataset, FLAGS.batch_size, split=FLAGS.split, image_size=FLAGS.image_size)
    autotuned_options = tf.data.Options()
    autotuned_options.autotune.enabled = True
    variants = {"as shipped": shipped, "autotune on": shipped.with_options(autotuned_options)}
    settings = config.TrainConfig(workdir="unused", dataset=FLAGS.dataset, batch_size=FLAGS.batch_size,
                                  image_size=FLAGS.image_size, precision="float32")
    spec = latents.parse_latent_spec(settings.codes, settings.noise_dim)
    gan = train_lib.build_infogan(settings, spec, tuple(shipped.element_spec.shape[1:]), replicas=1)
    waits: dict[str, list[float]] = {name: [] for name in variants}
    for index in range(FLAGS.fits):
        for name, images in variants.items():
            trained, waited = timed_fit(gan, images)
            waits[name].append(waited)
            print(json.dumps({"fit": index, "variant": name, "to_last_batch_s": round(trained, 2),
                              "wait_after_s": round(waited, 2)}), flush=True)
    print("\n| pipeline | wait after the last batch, per fit (s) | fits that waited > 0.5 s | total wait (s) |")
    print("|---|---|---|---|")
    for name, values in waits.items():
        waited = sum(value > 0.5 for value in values)
        print(f"| {name} | {', '.join(f'{value:.2f}' for value in values)} | {waited} of {len(values)} | "
              f"{sum(values):.1f} |")


if __name__ == "__main__":
    app.run(main)
