"""How fast evaluation runs G and the encoder: Keras's eager call against the compiled one evaluation uses.

    python benchmarks/evaluation_speed.py --workdir=W [--images=8192] [--rounds=5]

Evaluation's time goes to running the networks over about a million images (the full FactorVAE protocol, on real and
on generated data). This times both ways of calling a finished run's generator.keras and encoder.keras on the same
inputs, in calls of evaluation's batch sizes, alternating them --rounds times in this one process, since this
machine's speed drifts; it prints the median images/s of each and their ratio.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from absl import app, flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FLAGS = flags.FLAGS
flags.DEFINE_string("workdir", None, "A finished run whose generator.keras and encoder.keras to time.", required=True)
flags.DEFINE_integer("images", 8192, "Images per timing.")
flags.DEFINE_integer("rounds", 5, "Alternating rounds; the median is reported.")


def main(argv):
    del argv
    import numpy as np
    import tensorflow as tf

    from infogan_tf import latents, networks
    from infogan_tf.evaluation import inference
    from infogan_tf.evaluation.code_metrics import ENCODE_BATCH
    from infogan_tf.evaluation.loaded_run import load_run
    from infogan_tf.evaluation.sample_quality import GENERATE_BATCH

    run = load_run(FLAGS.workdir)
    generator, encoder, spec = run.generator, run.encoder, run.spec
    inputs = networks.generator_inputs(spec, latents.sample_latents(spec, FLAGS.images, tf.constant([0, 0])))
    images = np.asarray(generator(inputs, training=False), np.float32)

    def batches(data, size):
        return [tf.nest.map_structure(lambda value, start=start: value[start:start + size], data)
                for start in range(0, len(images), size)]

    calls = {
        ("encoder", "eager"): (lambda batch: encoder(batch, training=False), batches(images, ENCODE_BATCH)),
        ("encoder", "compiled"): (lambda batch: inference.run(encoder, batch), batches(images, ENCODE_BATCH)),
        ("generator", "eager"): (lambda batch: generator(batch, training=False), batches(inputs, GENERATE_BATCH)),
        ("generator", "compiled"): (lambda batch: inference.run(generator, batch), batches(inputs, GENERATE_BATCH)),
    }
    rates = {key: [] for key in calls}
    for call, parts in calls.values():
        call(parts[0])
    for _ in range(FLAGS.rounds):
        for key, (call, parts) in calls.items():
            start = time.perf_counter()
            for part in parts:
                np.asarray(tf.nest.flatten(call(part))[0])
            rates[key].append(len(images) / (time.perf_counter() - start))
    print("| network | eager images/s | compiled images/s | ratio |\n|---|---|---|---|")
    for network in ("encoder", "generator"):
        eager, compiled = (statistics.median(rates[network, way]) for way in ("eager", "compiled"))
        print(f"| {network} | {eager:,.0f} | {compiled:,.0f} | {compiled / eager:.2f} |")


if __name__ == "__main__":
    app.run(main)
