"""Does Q learn to read a categorical code off G's images? The MI lower bound of a Cat(K) code against ln K.

    python benchmarks/mi_learning.py [--categories=4] [--steps=150] [--batch_size=16] [--seeds=0,1,2]

Trains the 28x28 net on random images (only the MI term has anything to learn from, so this isolates it) and reports
the per-code MI estimate H(c) + E log Q(c | G(z, c)) every --report_every steps. A seed passes when the last estimate
exceeds --target (a fraction of ln K) and the MI loss of the last report is below that of the first. Exit status 1
when a seed fails. The unit suite checks the term's wiring on a few steps; this is the learning check.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from absl import app, flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FLAGS = flags.FLAGS
flags.DEFINE_integer("categories", 4, "K of the Cat(K) code.", lower_bound=2)
flags.DEFINE_integer("steps", 150, "Training steps per seed.", lower_bound=1)
flags.DEFINE_integer("report_every", 50, "Steps between reports.", lower_bound=1)
flags.DEFINE_integer("batch_size", 16, "Batch size.", lower_bound=1)
flags.DEFINE_float("g_learning_rate", 1e-3, "Adam learning rate of G.")
flags.DEFINE_float("target", 0.8, "Passing MI estimate, as a fraction of ln K.")
flags.DEFINE_list("seeds", ["0"], "Seeds to run.")


def mi_curve(categories: int, steps: int, report_every: int, batch_size: int, g_learning_rate: float,
             seed: int) -> tuple[list[float], list[float]]:
    """(MI estimate, MI loss) averaged over each block of `report_every` steps."""
    import keras
    import numpy as np
    import tensorflow as tf

    from infogan_tf import config, latents, train_lib

    keras.utils.set_random_seed(seed)
    cfg = config.TrainConfig(workdir="unused", codes=f"cat:{categories}", noise_dim=4,
                             g_learning_rate=g_learning_rate, seed=seed)
    spec = latents.parse_latent_spec(cfg.codes, cfg.noise_dim)
    gan = train_lib.build_infogan(cfg, spec, (28, 28, 1), replicas=1)
    data = np.random.RandomState(seed).rand(batch_size * 10, 28, 28, 1).astype("float32")
    images = tf.data.Dataset.from_tensor_slices(data).batch(batch_size, drop_remainder=True).repeat()
    history = gan.fit(images, steps_per_epoch=report_every, epochs=max(1, steps // report_every), verbose=0).history
    return history[f"mi_{spec.code_names()[0]}"], history["mi_loss"]


def main(argv: list[str]) -> None:
    del argv
    target = FLAGS.target * math.log(FLAGS.categories)
    failed = []
    print(f"| seed | MI estimate (nats) every {FLAGS.report_every} steps | target {target:.3f} | passed |")
    print("|---|---|---|---|")
    for seed in map(int, FLAGS.seeds):
        estimates, losses = mi_curve(FLAGS.categories, FLAGS.steps, FLAGS.report_every, FLAGS.batch_size,
                                     FLAGS.g_learning_rate, seed)
        passed = estimates[-1] > target and losses[-1] < losses[0]
        failed += [] if passed else [seed]
        print(f"| {seed} | {', '.join(f'{value:.3f}' for value in estimates)} | {target:.3f} | {passed} |")
    if failed:
        sys.exit(f"mi_learning.py: seeds {failed} stayed below {target:.3f} nats")


if __name__ == "__main__":
    app.run(main)
