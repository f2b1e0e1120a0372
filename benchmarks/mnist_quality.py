"""How fast does the categorical code become a digit classifier? Matched accuracy on held-out digits over training.

    python benchmarks/mnist_quality.py --data=../shared/data/mnist --workdir=/tmp/mnist_quality

Trains `configs/mnist.cfg` on `test[:9000]` of the IDX files (labels unused) in chunks of --eval_every steps (each
chunk resumes the previous checkpoint) and after each chunk scores the saved encoder on the last 1,000 digits, which
it never trained on: Hungarian-matched accuracy of the Cat(10) code and its MI estimate. Prints a table, the step and
wall time at which accuracy first reached --target, and rewrites WORKDIR/quality.json after every evaluation: rerun
with a larger --train_steps to continue (steps already trained are not scored again). --stop_at_target ends the run
at the first evaluation that reaches --target.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from absl import app, flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FLAGS = flags.FLAGS
flags.DEFINE_string("data", None, "Folder with MNIST-format IDX files (t10k-* is enough).", required=True)
flags.DEFINE_string("workdir", None, "Run folder.", required=True)
flags.DEFINE_string("config", "configs/mnist.cfg", "Flagfile with the training setting.")
flags.DEFINE_integer("train_steps", 6000, "Total training steps.")
flags.DEFINE_integer("eval_every", 500, "Steps between evaluations.")
flags.DEFINE_float("target", 0.90, "Accuracy whose time-to-reach is reported.")
flags.DEFINE_bool("stop_at_target", False, "Stop after the first evaluation that reaches --target (time-to-quality "
                  "runs need no steps past it).")
flags.DEFINE_integer("seed", 0, "Training seed.")
flags.DEFINE_string("precision", "auto", "Training precision policy (auto: as train.py picks it for this host).")


def _summarise(rows: list[dict]) -> dict:
    """The quality.json content: all rows, the last one, and the first step that reached --target."""
    reached = next((row for row in rows if row["matched_accuracy"] >= FLAGS.target), None)
    return {"rows": rows, "target": FLAGS.target, "final": rows[-1] if rows else None,
            "time_to_target": reached and {"step": reached["step"], "wall_time_s": reached["wall_time_s"]}}


def main(argv):
    del argv
    import keras

    from infogan_tf import config as config_lib
    from infogan_tf import datasets, train_lib, workdir
    from infogan_tf.evaluation.matched_accuracy import compute_matched_accuracy

    values = config_lib.read_flagfile(FLAGS.config)
    overrides = dict(workdir=FLAGS.workdir, dataset=f"idx:{FLAGS.data}", train_split="test[:9000]", seed=FLAGS.seed,
                     precision=FLAGS.precision, verbose=0)
    held_out = datasets.load_examples(overrides["dataset"], "test[9000:]")
    results_path = Path(FLAGS.workdir) / "quality.json"
    rows = json.loads(results_path.read_text())["rows"] if results_path.exists() else []
    if rows:
        print(f"{results_path} already holds {len(rows)} evaluations (to step {rows[-1]['step']}); they are kept and "
              "not repeated: give a new --workdir to measure from scratch", flush=True)
    trained = workdir.Workdir(FLAGS.workdir).read_summary().get("global_step", 0)
    for target_step in range(FLAGS.eval_every, FLAGS.train_steps + 1, FLAGS.eval_every):
        if FLAGS.stop_at_target and _summarise(rows)["time_to_target"]:
            break
        if target_step <= trained:
            continue
        summary = train_lib.train(config_lib.config_from_flags(values, **overrides, train_steps=target_step))
        encoder = keras.models.load_model(Path(FLAGS.workdir) / "encoder.keras")
        codes = encoder.predict(held_out.images, batch_size=500, verbose=0)["categorical"][:, 0]
        scores = compute_matched_accuracy(held_out.labels, codes)
        row = {"step": summary["global_step"], "wall_time_s": summary["wall_time_s"],
               "matched_accuracy": round(scores["matched_accuracy"], 4), "nmi": round(scores["nmi"], 4),
               "mi_cat10_nats": round(summary["mi_estimates_nats"].get("cat10_0", float("nan")), 4)}
        rows.append(row)
        print(json.dumps(row), flush=True)
        workdir.atomic_write_text(results_path, json.dumps(_summarise(rows), indent=2) + "\n")
    result = _summarise(rows)
    print("step  wall_s  matched_acc  nmi  mi_cat10")
    for row in rows:
        print(f"{row['step']:5d} {row['wall_time_s']:7.0f} {row['matched_accuracy']:11.4f} {row['nmi']:.3f} "
              f"{row['mi_cat10_nats']:.3f}")
    final = result["final"] and result["final"]["matched_accuracy"]
    print(f"time to {FLAGS.target}: {result['time_to_target']}; final accuracy {final}")


if __name__ == "__main__":
    app.run(main)
