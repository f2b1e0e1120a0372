"""How fast is the exported generator compared with calling the Keras generator directly? In-process, on CPU.

    python benchmarks/serving.py --workdir=runs/quickstart

Exports the run into a temporary folder, then times the generator's `serving_default` signature three ways: loaded
with tf.saved_model.load (what keras.layers.TFSMLayer calls), in a TF1 session (how TF Serving runs it, minus the
network), and the Keras generator called eagerly. Reports p50/p99 latency at batch 1 and images/s at a large batch
as a markdown table. No server is involved: this measures the model, not TF Serving's request handling.

    python benchmarks/serving.py --workdir=runs/quickstart --checkouts=/path/to/main,.

compares checkouts instead: each exports the run with its own export/export_model.py, then their generators run in
TF1 sessions in turn, --rounds times (batch 1 latency, then batch --batch throughput), and the table gives the
median per checkout and its ratio to the first one; this machine's speed drifts, so only alternated runs compare.
"""

from __future__ import annotations

import collections
import statistics
import subprocess
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
flags.DEFINE_list("checkouts", [], "Two or more checkouts to compare (see above).")
flags.DEFINE_integer("rounds", 5, "Alternating measurements per checkout when comparing.")
flags.DEFINE_integer("trace_ops", 0, "Also trace the TF1-session call at batch 1 and list its N slowest ops: where the "
                     "latency goes.", lower_bound=0)


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


def _session_runner(path: Path) -> Callable[..., object]:
    """serving_default run in a TF1 session fed by tensor name, as TF Serving's loader runs a SavedModel; keyword
    arguments go to `Session.run` (options, run_metadata)."""
    import tensorflow as tf

    session = tf.compat.v1.Session(graph=tf.Graph())
    with session.graph.as_default():
        signature = tf.compat.v1.saved_model.loader.load(session, ["serve"], str(path)).signature_def["serving_default"]
    fetch = signature.outputs["images"].name
    return lambda inputs, **run_args: session.run(
        fetch, {signature.inputs[k].name: v for k, v in inputs.items()}, **run_args)


def _slowest_ops(path: Path, inputs: dict[str, np.ndarray], count: int, calls: int = 50) -> list[str]:
    """Markdown rows: the `count` ops of serving_default with the most time per call in a traced TF1 session."""
    import tensorflow as tf

    run = _session_runner(path)
    for _ in range(FLAGS.warmup):
        run(inputs)
    options = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
    micros: collections.Counter = collections.Counter()
    for _ in range(calls):
        metadata = tf.compat.v1.RunMetadata()
        run(inputs, options=options, run_metadata=metadata)
        for device in metadata.step_stats.dev_stats:
            for node in device.node_stats:
                op_type = node.timeline_label.split(" = ")[-1].split("(")[0] or "?"
                micros[("/".join(node.node_name.split("/")[-2:]), op_type)] += node.all_end_rel_micros
    total = sum(micros.values())
    rows = [f"| {name} | {op_type} | {value / calls:.1f} | {value / total:.0%} |"
            for (name, op_type), value in micros.most_common(count)]
    return [f"| op (scope) | type | µs per call | share of {total / calls:.0f} µs |", "|---|---|---|---|", *rows]


def _export_with(checkout: Path, run_dir: Path, export_dir: Path) -> Path:
    """The generator SavedModel that `checkout`'s own exporter writes for the run."""
    done = subprocess.run([sys.executable, "export/export_model.py", f"--workdir={run_dir}",
                           f"--export_dir={export_dir}"], cwd=checkout, capture_output=True, text=True)
    if done.returncode:
        tail = done.stderr.strip().splitlines()[-1:] or ["(no output)"]
        sys.exit(f"serving.py: error: exporting with {checkout} failed: {tail[0]}")
    return next((export_dir / "generator").iterdir())


def compare(run_dir: Path, checkouts: list[Path], single: dict, large: dict) -> None:
    """Alternates TF1-session measurements of each checkout's export; prints medians and ratios to the first."""
    with tempfile.TemporaryDirectory() as scratch:
        runners = {checkout: _session_runner(_export_with(checkout, run_dir, Path(scratch) / str(index)))
                   for index, checkout in enumerate(checkouts)}
        p50s = {checkout: [] for checkout in checkouts}
        rates = {checkout: [] for checkout in checkouts}
        for _ in range(FLAGS.rounds):
            for checkout, call in runners.items():
                p50s[checkout].append(float(np.median(_timings(call, single, FLAGS.calls, FLAGS.warmup))) * 1e3)
                batched = _timings(call, large, FLAGS.batch_calls, 2)
                rates[checkout].append(FLAGS.batch * len(batched) / batched.sum())
    first = checkouts[0]
    print(f"| checkout | p50 ms (batch 1), per round | median | ratio | images/s (batch {FLAGS.batch}), median | "
          "ratio |\n|---|---|---|---|---|---|")
    for checkout in checkouts:
        p50, rate = statistics.median(p50s[checkout]), statistics.median(rates[checkout])
        rounds = ", ".join(f"{value:.3f}" for value in p50s[checkout])
        print(f"| {checkout} | {rounds} | {p50:.3f} | {p50 / statistics.median(p50s[first]):.2f} | {rate:,.0f} | "
              f"{rate / statistics.median(rates[first]):.2f} |")


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

    def latent(batch: int) -> dict[str, np.ndarray]:
        sampled = latents.sample_latents(spec, batch, tf.constant([batch, 0]))
        return {name: value.numpy() for name, value in networks.generator_inputs(spec, sampled).items()}

    if FLAGS.checkouts:
        if len(FLAGS.checkouts) < 2:
            raise app.UsageError("give at least two --checkouts to compare")
        compare(run.root.resolve(), [Path(checkout).resolve() for checkout in FLAGS.checkouts], latent(1),
                latent(FLAGS.batch))
        return
    with tempfile.TemporaryDirectory() as export_dir:
        try:
            path = Path(export.export_servables(run.root, export_dir)["generator"])
        except export.ExportError as error:
            sys.exit(f"serving.py: error: {error}")
        served = tf.saved_model.load(str(path)).signatures["serving_default"]
        session_run = _session_runner(path)
        generator = keras.models.load_model(run.generator)

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
        traced = _slowest_ops(path, single, FLAGS.trace_ops) if FLAGS.trace_ops else []

    image_shape = "x".join(map(str, summary["image_shape"]))
    print(
        f"`python benchmarks/serving.py --workdir={FLAGS.workdir}` ({image_shape} images, codes "
        f"{summary['latent_spec']['codes']}, noise {spec.noise_dim}; {FLAGS.calls} calls at batch 1, "
        f"{FLAGS.batch_calls} at batch {FLAGS.batch}, CPU)\n"
    )
    print(f"| generator called as | p50 ms (batch 1) | p99 ms (batch 1) | images/s (batch {FLAGS.batch}) |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    if traced:
        print("\nWhere a batch-1 call in a TF1 session spends its time (50 traced calls):\n")
        print("\n".join(traced))


if __name__ == "__main__":
    app.run(main)
