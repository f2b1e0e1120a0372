"""Training throughput: a table by batch size, precision and XLA, or a ratio between two settings or checkouts.

    python benchmarks/throughput.py [--batch_sizes=64,128] [--steps=60] [--categorical_invariance_weight=1]

The table times the paper's MNIST net (28x28, Cat(10) + 2 continuous codes, 62-d noise) in this process. One step =
one D/Q update + one G update through `fit()`. Times each step with a callback and reports the median of --steps
steps after --warmup; data are in-memory random images, so the input pipeline is not measured. Prints a markdown
table (steps/s and images/s) and writes it as JSON with --out.

    python benchmarks/throughput.py --variant=main:/path/to/main-checkout: \
        '--variant=bf16:.:--precision=mixed_bfloat16 --jit_compile' --runs_config=configs/mnist.cfg \
        '--train_flags=--dataset=idx:/abs/mnist --train_split=test[:9000]'

The comparison runs whole `train.py` runs (--train_steps each, from an empty workdir) of every --variant
(NAME:CHECKOUT:EXTRA_FLAGS, flags as on a command line) in turn, --rounds times, and prints two rates per run, the
median per variant and its ratio to the first variant: this machine's speed drifts, so only runs measured
alternately in one invocation compare. "steps/s" is the rate train.py logs (its fit calls from start to return);
"in-fit steps/s" counts the run summary's `wall_time_s` (start of training to the last epoch's end) and so leaves
out whatever happens after the last epoch, such as the wait for tf.data's threads when the iterator is deleted.
"""

from __future__ import annotations

import json
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
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
flags.DEFINE_float("invariance_batch_fraction", 1.0, "Share of the batch that term perturbs (as "
                   "--invariance_batch_fraction of train.py).")
flags.DEFINE_string("out", None, "Optional JSON output path.")
flags.DEFINE_multi_string("variant", [], "NAME:CHECKOUT:EXTRA_FLAGS to compare by whole train.py runs (see above); "
                          "give two or more.")
flags.DEFINE_string("runs_config", "configs/mnist.cfg", "Flagfile of the compared runs, relative to each checkout.")
flags.DEFINE_string("train_flags", "", "Flags added to every compared run, as on a command line (e.g. the offline "
                    "dataset; give absolute paths, each run starts in its checkout).")
flags.DEFINE_integer("train_steps", 300, "Steps of each compared run.")
flags.DEFINE_integer("rounds", 3, "Runs per variant, alternating.")

TRAINED_LINE = re.compile(r"Trained (\d+) steps in ([\d.]+) s")


def measure(batch_size: int, precision: str, jit: bool, steps: int, warmup: int, invariance_weight: float,
            invariance_fraction: float) -> float:
    """Median seconds per training step for one setting."""
    import keras
    import mnist_step

    gan, dataset = mnist_step.build(batch_size, precision, jit, invariance_weight, invariance_fraction)

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


class Variant:
    """One side of a comparison: a checkout's train.py with extra flags."""

    def __init__(self, text: str):
        name, checkout, extra = (text.split(":", 2) + ["", ""])[:3]
        if not name or not checkout:
            raise app.UsageError(f"--variant={text!r}: expected NAME:CHECKOUT:EXTRA_FLAGS")
        self.name = name
        self.checkout = Path(checkout).resolve()
        self.extra = shlex.split(extra)
        if not (self.checkout / "train.py").is_file():
            raise app.UsageError(f"--variant={text!r}: {self.checkout} has no train.py")

    def run_rates(self, scratch: Path) -> tuple[float, float]:
        """Trains one run from an empty workdir; its steps/s as train.py logged it (fit calls, no start-up) and as
        its run summary counts it (to the last epoch's end)."""
        workdir = Path(tempfile.mkdtemp(dir=scratch))
        command = [sys.executable, "train.py", f"--flagfile={FLAGS.runs_config}", f"--workdir={workdir}",
                   f"--train_steps={FLAGS.train_steps}", "--verbose=0", *shlex.split(FLAGS.train_flags), *self.extra]
        done = subprocess.run(command, cwd=self.checkout, capture_output=True, text=True)
        found = TRAINED_LINE.findall(done.stderr)
        if done.returncode or not found:
            tail = done.stderr.strip().splitlines()[-1:] or ["(no output)"]
            sys.exit(f"throughput.py: error: variant {self.name} failed: {tail[0]}")
        steps, seconds = found[-1]
        summary = json.loads((workdir / "run_summary.json").read_text())
        return int(steps) / float(seconds), int(steps) / float(summary["wall_time_s"])


def compare(variants: list[Variant]) -> None:
    """Alternates whole runs of the variants and prints the medians and their ratios to the first variant."""
    measured: dict[str, dict[str, list[float]]] = {variant.name: {"logged": [], "in_fit": []} for variant in variants}
    with tempfile.TemporaryDirectory() as scratch:
        for round_index in range(FLAGS.rounds):
            for variant in variants:
                logged, in_fit = variant.run_rates(Path(scratch))
                measured[variant.name]["logged"].append(logged)
                measured[variant.name]["in_fit"].append(in_fit)
                print(json.dumps({"round": round_index, "variant": variant.name, "steps_per_s": round(logged, 3),
                                  "in_fit_steps_per_s": round(in_fit, 3)}), flush=True)
    first = variants[0].name
    print(f"\n| variant | checkout | extra flags | steps/s per run | median | ratio to {first} "
          f"| in-fit steps/s per run | median | ratio to {first} |")
    print("|---|---|---|---|---|---|---|---|---|")
    for variant in variants:
        cells = []
        for kind in ("logged", "in_fit"):
            rates = measured[variant.name][kind]
            median = statistics.median(rates)
            cells.append(f"{', '.join(f'{rate:.2f}' for rate in rates)} | {median:.2f} | "
                         f"{median / statistics.median(measured[first][kind]):.2f}")
        print(f"| {variant.name} | {variant.checkout} | {' '.join(variant.extra) or '-'} | {' | '.join(cells)} |")
    if FLAGS.out:
        Path(FLAGS.out).write_text(json.dumps(measured, indent=2) + "\n")


def main(argv):
    del argv
    if FLAGS.variant:
        if len(FLAGS.variant) < 2:
            raise app.UsageError("give at least two --variant to compare")
        compare([Variant(text) for text in FLAGS.variant])
        return
    rows = []
    for batch_size in map(int, FLAGS.batch_sizes):
        for precision in FLAGS.precisions:
            for jit in (value.lower() == "true" for value in FLAGS.jit):
                seconds = measure(batch_size, precision, jit, FLAGS.steps, FLAGS.warmup,
                                  FLAGS.categorical_invariance_weight, FLAGS.invariance_batch_fraction)
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
