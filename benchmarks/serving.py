"""How fast is the exported generator compared with calling the Keras generator directly? In-process, on CPU.

    python benchmarks/serving.py --workdir=runs/quickstart

Exports the run into a temporary folder, then times the generator's `serving_default` signature three ways: loaded
with tf.saved_model.load (what keras.layers.TFSMLayer calls), in a TF1 session (how TF Serving runs it, minus the
network), and the Keras generator called eagerly. Reports p50/p99 latency at batch 1 and images/s at a large batch
as a markdown table. No server is involved: this measures the model, not TF Serving's request handling.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from absl import app, flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FLAGS = flags.FLAGS
flags.DEFINE_string("workdir", "runs/quickstart", "A finished training run (the README's quickstart by default).")
flags.DEFINE_integer("calls", 300, "Timed calls at batch 1 (after --warmup untimed ones).", lower_bound=200)
flags.DEFINE_integer("warmup", 30, "Untimed calls before each measurement.")
flags.DEFINE_integer("batch", 256, "Batch size of the throughput measurement.")
flags.DEFINE_integer("batch_calls", 10, "Timed calls at --batch.")


def _timings(
    call: Callable[[dict[str, np.ndarray]], object], inputs: dict[str, np.ndarray], count: int, warmup: int
) -> np.ndarray:
    """Seconds per call, after `warmup` untimed calls that trigger tracing and kernel set-up."""
    for _ in range(warmup):
        call(inputs)
    times = []
    for _ in range(count):
        start = time.perf_counter()
        call(inputs)
        times.append(time.perf_counter() - start)
    return np.array(times)


def _session_runner(path: Path) -> Callable[[dict[str, np.ndarray]], object]:
    """serving_default run in a TF1 session fed by tensor name, as TF Serving's loader runs a SavedModel."""
    import tensorflow as tf

    session = tf.compat.v1.Session(graph=tf.Graph())
    with session.graph.as_default():
        signature = tf.compat.v1.saved_model.loader.load(session, ["serve"], str(path)).signature_def["serving_default"]
    fetch = signature.outputs["images"].name
    return lambda inputs: session.run(fetch, {signature.inputs[k].name: v for k, v in inputs.items()})


def main(argv: list[str]) -> None:
    """Exports, measures each way of calling the generator, prints the table."""
    del argv
    import keras
    import tensorflow as tf

    from infogan_tf import export, latents, networks, workdir

    run = workdir.Workdir(FLAGS.workdir)
    try:
        summary = run.read_summary()
        spec = latents.parse_latent_spec(*(summary["latent_spec"][k] for k in ("codes", "noise_dim", "noise_prior")))
    except (OSError, ValueError, KeyError) as error:
        sys.exit(f"serving.py: error: {run.run_summary}: no run summary of a finished run ({error})")
    with tempfile.TemporaryDirectory() as export_dir:
        try:
            path = Path(export.export_servables(run.root, export_dir)["generator"])
        except export.ExportError as error:
            sys.exit(f"serving.py: error: {error}")
        served = tf.saved_model.load(str(path)).signatures["serving_default"]
        session_run = _session_runner(path)
        generator = keras.models.load_model(run.generator)

        def latent(batch: int) -> dict[str, np.ndarray]:
            sampled = latents.sample_latents(spec, batch, tf.constant([batch, 0]))
            return {name: value.numpy() for name, value in networks.generator_inputs(spec, sampled).items()}

        ways = {
            "SavedModel `serving_default` (tf.saved_model.load, as TFSMLayer)": lambda x: served(**x),
            "SavedModel `serving_default` in a TF1 session (as TF Serving)": session_run,
            "Keras generator, eager call": lambda x: generator(x, training=False),
        }
        single, large = latent(1), latent(FLAGS.batch)
        rows = []
        for name, call in ways.items():
            latency = _timings(call, single, FLAGS.calls, FLAGS.warmup) * 1e3
            batched = _timings(call, large, FLAGS.batch_calls, 2)
            p50, p99 = np.percentile(latency, [50, 99])
            rows.append(f"| {name} | {p50:.2f} | {p99:.2f} | {FLAGS.batch * len(batched) / batched.sum():,.0f} |")

    image_shape = "x".join(map(str, summary["image_shape"]))
    print(
        f"`python benchmarks/serving.py --workdir={FLAGS.workdir}` ({image_shape} images, codes "
        f"{summary['latent_spec']['codes']}, noise {spec.noise_dim}; {FLAGS.calls} calls at batch 1, "
        f"{FLAGS.batch_calls} at batch {FLAGS.batch}, CPU)\n"
    )
    print(f"| generator called as | p50 ms (batch 1) | p99 ms (batch 1) | images/s (batch {FLAGS.batch}) |")
    print("|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    app.run(main)
