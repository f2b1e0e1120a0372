"""Are two same-seed training runs bit-identical, and for how many steps? Trains the MNIST net (`configs/mnist.cfg`,
or --config) in --runs fresh processes and reports the first step at which their weights differ.

    python benchmarks/repeatability.py [--steps=200] [--data=../shared/data/mnist] [--op_determinism] [--threads=1]

Each run hashes every weight of G and D/Q after every step. Without --data the images are seeded random noise, so
the script needs no dataset; with --data it trains on test[:9000] of the IDX files there, as mnist_quality.py does.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from absl import app, flags

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FLAGS = flags.FLAGS
flags.DEFINE_integer("steps", 200, "Training steps per run.", lower_bound=1)
flags.DEFINE_integer("runs", 2, "Number of same-seed runs to compare.", lower_bound=2)
flags.DEFINE_integer("seed", 0, "The seed every run uses.")
flags.DEFINE_string("config", "configs/mnist.cfg", "Flagfile with the training setting (its dataset is not used).")
flags.DEFINE_string("data", None, "Optional folder of MNIST-format IDX files; default: seeded random images.")
flags.DEFINE_boolean("op_determinism", False, "Call tf.config.experimental.enable_op_determinism() in each run.")
flags.DEFINE_integer("threads", 0, "Intra- and inter-op threads per run (0: TensorFlow's default).", lower_bound=0)
flags.DEFINE_string("hashes_out", None, "Run one training and write its per-step hashes here (used by the runs).")


def _weights_digest(model) -> str:
    return hashlib.sha256(b"".join(weight.tobytes() for weight in model.get_weights())).hexdigest()


def train_and_hash(out_path: Path) -> None:
    """One run: the --config setting for --steps steps; writes one [G digest, D/Q digest] pair per step."""
    import keras
    import numpy as np
    import tensorflow as tf

    if FLAGS.op_determinism:
        tf.config.experimental.enable_op_determinism()
    if FLAGS.threads:
        tf.config.threading.set_intra_op_parallelism_threads(FLAGS.threads)
        tf.config.threading.set_inter_op_parallelism_threads(FLAGS.threads)

    from infogan_tf import config, datasets, latents, train_lib

    cfg = config.config_from_flags(config.read_flagfile(FLAGS.config), workdir="unused", seed=FLAGS.seed)
    keras.utils.set_random_seed(cfg.seed)
    spec = latents.parse_latent_spec(cfg.codes, cfg.noise_dim, cfg.noise_prior)
    gan = train_lib.build_infogan(cfg, spec, (28, 28, 1), replicas=1)
    if FLAGS.data:
        images = datasets.train_dataset(f"idx:{FLAGS.data}", cfg.batch_size, split="test[:9000]", seed=cfg.seed)
    else:
        noise = np.random.RandomState(cfg.seed).rand(cfg.batch_size * 8, 28, 28, 1).astype("float32")
        images = tf.data.Dataset.from_tensor_slices(noise).batch(cfg.batch_size, drop_remainder=True).repeat()

    digests = []

    class StepHasher(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            digests.append([_weights_digest(gan.generator), _weights_digest(gan.discriminator)])

    gan.fit(images, steps_per_epoch=FLAGS.steps, epochs=1, verbose=0, callbacks=[StepHasher()], shuffle=False)
    out_path.write_text(json.dumps(digests))


def first_difference(runs: list[list[list[str]]]) -> int | None:
    """The first step (1-based) at which any run's weights differ from the first run's, or None."""
    for step, digests in enumerate(zip(*runs), start=1):
        if any(digest != digests[0] for digest in digests[1:]):
            return step
    return None


def main(argv):
    del argv
    if FLAGS.hashes_out:
        train_and_hash(Path(FLAGS.hashes_out))
        return
    runs = []
    with tempfile.TemporaryDirectory() as scratch:
        for index in range(FLAGS.runs):
            out = Path(scratch) / f"run_{index}.json"
            child = subprocess.run([sys.executable, __file__, *sys.argv[1:], f"--hashes_out={out}"],
                                   stderr=subprocess.PIPE, text=True)
            if child.returncode:
                sys.exit(f"run {index} failed:\n{child.stderr[-3000:]}")
            runs.append(json.loads(out.read_text()))
    step = first_difference(runs)
    setting = {"config": FLAGS.config, "steps": FLAGS.steps, "runs": FLAGS.runs, "data": FLAGS.data or "random",
               "op_determinism": FLAGS.op_determinism, "threads": FLAGS.threads or "default"}
    print(json.dumps({**setting, "first_differing_step": step}))
    if step is None:
        print(f"all {FLAGS.runs} runs bit-identical for {FLAGS.steps} steps")
    else:
        print(f"runs bit-identical up to step {step - 1}; weights differ from step {step} on")


if __name__ == "__main__":
    app.run(main)
