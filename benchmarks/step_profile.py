"""Where a training step's time goes: op time of the in-process MNIST step by part and by op type.

    python benchmarks/step_profile.py [--precision=mixed_bfloat16] [--categorical_invariance_weight=1] [--steps=20]

Traces --steps steps of the step throughput.py times (after a warm-up) with TensorFlow's profiler and sums the
executed ops' durations from the trace: by part of the step (forward passes, gradients, optimizer updates, the
rest) and by op type. Times are op time summed over threads, so they add up to about the cores times the step's
wall time; compare shares, not absolute milliseconds, across machines.
"""

from __future__ import annotations

import collections
import sys
import tempfile
import time
from pathlib import Path

from absl import app, flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FLAGS = flags.FLAGS
flags.DEFINE_integer("batch_size", 128, "Global batch size.")
flags.DEFINE_string("precision", "mixed_bfloat16", "Precision policy.")
flags.DEFINE_float("categorical_invariance_weight", 1.0, "As configs/mnist.cfg when 1: one more D/Q pass per step.")
flags.DEFINE_integer("steps", 20, "Traced steps.")
flags.DEFINE_integer("warmup", 10, "Steps before tracing.")
flags.DEFINE_integer("top", 15, "Op types listed.")


def part_of_step(op_name: str) -> str:
    """The part of the step an op belongs to, from its name scope."""
    lowered = op_name.lower()
    if "adam" in lowered or "optimizer" in lowered:
        return "optimizer updates"
    if "gradient_tape" in lowered:
        return "gradients"
    if "discriminator" in lowered or "generator" in lowered:
        return "forward passes"
    return "the rest (losses, metrics, perturbations, gradient sums)"


def op_times(trace_dir: Path) -> list[tuple[str, str, float]]:
    """(op name, op type, microseconds) of every op executed in the trace under `trace_dir`."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    space = xplane_pb2.XSpace()
    space.ParseFromString(next(trace_dir.rglob("*.xplane.pb")).read_bytes())
    ops = []
    for plane in space.planes:
        names = {key: metadata.name for key, metadata in plane.event_metadata.items()}
        for line in plane.lines:
            if not line.name.startswith("tf_"):  # TensorFlow's compute threads; not the Python thread
                continue
            for event in line.events:
                name = names.get(event.metadata_id, "")
                if ":" in name and not name.startswith("ExecutorState"):
                    op_name, op_type = name.rsplit(":", 1)
                    ops.append((op_name, op_type, event.duration_ps / 1e6))
    return ops


def print_shares(title: str, totals: collections.Counter, steps: int, top: int | None = None) -> None:
    whole = sum(totals.values())
    print(f"\n| {title} | ms per step | share |\n|---|---|---|")
    for key, microseconds in totals.most_common(top):
        print(f"| {key} | {microseconds / steps / 1000:.1f} | {100 * microseconds / whole:.1f} % |")


def main(argv):
    del argv
    import mnist_step
    import tensorflow as tf

    gan, dataset = mnist_step.build(FLAGS.batch_size, FLAGS.precision,
                                    invariance_weight=FLAGS.categorical_invariance_weight)
    gan.fit(dataset, steps_per_epoch=FLAGS.warmup, epochs=1, verbose=0)
    with tempfile.TemporaryDirectory() as trace_dir:
        tf.profiler.experimental.start(trace_dir)
        started = time.perf_counter()
        gan.fit(dataset, steps_per_epoch=FLAGS.steps, epochs=1, verbose=0)
        seconds = time.perf_counter() - started
        tf.profiler.experimental.stop()
        ops = op_times(Path(trace_dir))
    print(f"{FLAGS.steps / seconds:.2f} steps/s while tracing ({FLAGS.precision}, batch {FLAGS.batch_size})")
    by_part, by_type = collections.Counter(), collections.Counter()
    for op_name, op_type, microseconds in ops:
        by_part[part_of_step(op_name)] += microseconds
        by_type[op_type] += microseconds
    print_shares("part of the step", by_part, FLAGS.steps)
    print_shares("op type", by_type, FLAGS.steps, FLAGS.top)


if __name__ == "__main__":
    app.run(main)
