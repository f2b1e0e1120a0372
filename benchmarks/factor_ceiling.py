"""How well D/Q's network can read a ground-truth factor of `shapes` when trained *with* labels, step by step.

    python benchmarks/factor_ceiling.py --image_size=28 --train_steps=3200 [--factor=shape] [--spectral_norm]

An unsupervised code can hardly name a factor better, within a number of steps, than the same network trained on
the labels for as many steps: this is that ceiling. D's trunk and Q head (`networks.build_discriminator`, the
run's layer options) learn to classify the factor from batches of rendered sprites with Adam; every --eval_every
steps the accuracy on 2,000 sprites never trained on is printed (chance: one over the factor's number of values).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from absl import app, flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FLAGS = flags.FLAGS
flags.DEFINE_integer("image_size", 28, "Resolution of the sprites (28, 32 or 64).")
flags.DEFINE_enum("factor", "shape", ["shape", "scale", "orientation", "x_position", "y_position"], "Factor to learn.")
flags.DEFINE_integer("train_steps", 3200, "Training steps.")
flags.DEFINE_integer("eval_every", 400, "Steps between held-out accuracies.")
flags.DEFINE_integer("batch_size", 64, "Batch size.")
flags.DEFINE_float("learning_rate", 2e-4, "Adam learning rate (beta_1 0.5, as D/Q's).")
flags.DEFINE_boolean("batch_norm", True, "Batch norm in the network (as --d_batch_norm).")
flags.DEFINE_boolean("spectral_norm", False, "Spectral norm on every layer (as --spectral_norm).")
flags.DEFINE_boolean("q_head_spectral_norm", True, "With --spectral_norm, on Q's head layers too (as "
                     "--q_head_spectral_norm).")
flags.DEFINE_float("leaky_slope", 0.1, "Negative slope of the leaky ReLUs (as --leaky_slope).")
flags.DEFINE_integer("seed", 0, "Seed of the weights and the batches.")

_HELDOUT = 2000


def main(argv):
    del argv
    import keras
    import numpy as np
    import tensorflow as tf

    from infogan_tf import latents, networks
    from infogan_tf.datasets import shapes
    from infogan_tf.datasets.base import index_to_factors

    keras.utils.set_random_seed(FLAGS.seed)
    column = shapes.FACTOR_NAMES.index(FLAGS.factor)
    classes = shapes.FACTOR_SIZES[column]
    size = FLAGS.image_size
    options = networks.NetworkOptions(d_batch_norm=FLAGS.batch_norm, spectral_norm=FLAGS.spectral_norm,
                                      q_head_spectral_norm=FLAGS.q_head_spectral_norm, leaky_slope=FLAGS.leaky_slope)
    network = networks.build_discriminator(latents.parse_latent_spec(f"cat:{classes}", 0), (size, size, 1), options)
    optimizer = keras.optimizers.Adam(FLAGS.learning_rate, beta_1=0.5)
    order = shapes.example_order()
    heldout = index_to_factors(tf.constant(order[-_HELDOUT:]), shapes.FACTOR_SIZES)
    heldout_images, heldout_labels = shapes.render(heldout, size), heldout[:, column].numpy()
    rng = np.random.default_rng(FLAGS.seed)

    @tf.function
    def train_step(images, labels):
        with tf.GradientTape() as tape:
            logits = network(images, training=True)["q_params"]
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))
        grads = tape.gradient(loss, network.trainable_variables)
        optimizer.apply_gradients(zip(grads, network.trainable_variables))

    start = time.time()
    for step in range(1, FLAGS.train_steps + 1):
        factors = index_to_factors(tf.constant(order[rng.integers(0, len(order) - _HELDOUT, FLAGS.batch_size)]),
                                   shapes.FACTOR_SIZES)
        train_step(shapes.render(factors, size), factors[:, column])
        if step % FLAGS.eval_every == 0 or step == FLAGS.train_steps:
            logits = network.predict(heldout_images, batch_size=500, verbose=0)["q_params"]
            accuracy = float(np.mean(np.argmax(logits, axis=1) == heldout_labels))
            print(json.dumps({"step": step, "factor": FLAGS.factor, "image_size": size, "heldout_accuracy": accuracy,
                              "chance": 1.0 / classes, "wall_time_s": round(time.time() - start, 1)}), flush=True)


if __name__ == "__main__":
    app.run(main)
