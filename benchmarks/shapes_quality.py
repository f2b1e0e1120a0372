"""Disentanglement on the built-in shapes over training: learning curves, then the full protocol at the end.

    python benchmarks/shapes_quality.py --workdir=/tmp/shapes_0 --seed=0 [--config=configs/shapes.cfg]

Trains --config in chunks of --eval_every steps (each chunk resumes the previous checkpoint). After each chunk it runs
evaluate.py's metrics with --curve_examples examples (a scaled protocol, for the curve; the last step too, so the
curve ends where the run does), and after the last chunk also with the full protocol. Rows hold, on real images, the
encoder's MIG / FactorVAE / DCI / SAP and the pixel-centroid baseline's, and the generated-image diagnostics.
WORKDIR/quality.json is rewritten after every evaluation; rerun with a larger --train_steps to continue (steps already
scored are not scored again).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from absl import app, flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FLAGS = flags.FLAGS


def row_from_metrics(metrics: dict, wall_time_s: float, protocol: str) -> dict:
    """The numbers of one evaluation that the curves and the README tables show."""
    real, baseline = metrics["disentanglement"], metrics.get("disentanglement_baseline", {})
    generated = metrics.get("generated", {})
    return {
        "step": metrics["global_step"],
        "wall_time_s": wall_time_s,
        "protocol": protocol,
        "mig": real["mig"],
        "mig_per_factor": real["mig_per_factor"],
        "factor_vae": real["factor_vae"]["eval_accuracy"],
        "dci_disentanglement": real["dci"]["disentanglement"],
        "sap": real["sap"],
        "baseline_mig": baseline.get("mig"),
        "baseline_factor_vae": (baseline.get("factor_vae") or {}).get("eval_accuracy"),
        "generated_mig": generated.get("self_labelled", {}).get("mig"),
        "generated_factor_vae": generated.get("self_labelled", {}).get("factor_vae", {}).get("eval_accuracy"),
        "generator_mig": generated.get("generator_mig", {}).get("mig"),
        "factor_followers": real.get("factor_followers", {}),
    }


def evaluations(total: int, eval_every: int, curve_examples: int, final_full_protocol: bool) -> list[tuple[int, str]]:
    """(step, protocol) of every evaluation, in order: the curve every `eval_every` steps and at the last step, then
    the last step with the full protocol."""
    curve = f"num_examples={curve_examples}"
    steps = sorted({*range(eval_every, total, eval_every), total})
    return [(step, curve) for step in steps] + ([(total, "full")] if final_full_protocol else [])


def main(argv):
    del argv
    from infogan_tf import config as config_lib
    from infogan_tf import train_lib, workdir
    from infogan_tf.evaluation import runner

    values = config_lib.read_flagfile(FLAGS.config)
    overrides = dict(workdir=FLAGS.workdir, seed=FLAGS.seed, verbose=0)
    total = FLAGS.train_steps or config_lib.config_from_flags(values, **overrides).train_steps
    results_path = Path(FLAGS.workdir) / "quality.json"
    rows = json.loads(results_path.read_text())["rows"] if results_path.exists() else []
    scored = {(row["step"], row["protocol"]) for row in rows}
    summaries = {}
    for target_step, protocol in evaluations(total, FLAGS.eval_every, FLAGS.curve_examples, FLAGS.final_full_protocol):
        if (target_step, protocol) in scored:
            continue
        if target_step not in summaries:
            summaries[target_step] = train_lib.train(
                config_lib.config_from_flags(values, **overrides, train_steps=target_step))
        summary = summaries[target_step]
        metrics = runner.evaluate_workdir(
            FLAGS.workdir, num_examples=None if protocol == "full" else FLAGS.curve_examples, seed=FLAGS.seed)
        rows.append(row_from_metrics(metrics, summary["wall_time_s"], protocol))
        print(json.dumps(rows[-1]), flush=True)
        workdir.atomic_write_text(results_path, json.dumps({"config": FLAGS.config, "rows": rows}, indent=2) + "\n")
    print("step   wall_s  protocol            MIG    FactorVAE  DCI-d  SAP    baseline MIG/FVAE  generated MIG/FVAE")
    for row in rows:
        print(f"{row['step']:6d} {row['wall_time_s']:7.0f}  {row['protocol']:18s} {row['mig']:.3f}  "
              f"{row['factor_vae']:.3f}      {row['dci_disentanglement']:.3f}  {row['sap']:.3f}  "
              f"{row['baseline_mig']:.3f}/{row['baseline_factor_vae']:.3f}        "
              f"{row['generated_mig']:.3f}/{row['generated_factor_vae']:.3f}")


def define_flags() -> None:
    """Defined only when run as a script, so tests can import the module beside other benchmarks' flags."""
    flags.DEFINE_string("workdir", None, "Run folder.", required=True)
    flags.DEFINE_string("config", "configs/shapes.cfg", "Flagfile with the training setting.")
    flags.DEFINE_integer("train_steps", None, "Total training steps; default: the config's.")
    flags.DEFINE_integer("eval_every", 1000, "Steps between curve evaluations.")
    flags.DEFINE_integer("curve_examples", 1000, "Protocol size of the curve evaluations (evaluate.py --num_examples).")
    flags.DEFINE_boolean("final_full_protocol", True, "Score the last step with the full protocol.")
    flags.DEFINE_integer("seed", 0, "Training seed.")


if __name__ == "__main__":
    define_flags()
    app.run(main)
