"""How many seeds of a setting reach a target: one training run per seed, each scored on real images, then counted.

    python benchmarks/seed_sweep.py --out=/tmp/sweep --seeds=0-6 [--config=configs/quickstart.cfg]
        [--train_flags="--contrastive_gap=1"] [--parallel=2] [--num_examples=1000]
        [--targets=shape:categorical:0.8,x_position:continuous:0.8,y_position:continuous:0.8]

Each seed runs what a user runs: `train.py --flagfile=CONFIG --workdir=OUT/seed_S --export_dir=OUT/seed_S/exports
--verbose=0 --seed=S TRAIN_FLAGS`, then `evaluate.py --workdir=OUT/seed_S --num_examples=N`, --parallel seeds at a
time, each logging to OUT/logs/seed_S.log. A run meets the targets when every factor named is followed at least as
closely as asked (a categorical code's matched accuracy or a continuous code's |correlation| on real images: the
factor_followers of metrics.json) by codes that are all different, so one code on the x-y diagonal does not count
for both. The defaults are the quick start's targets. OUT/sweep.json holds the setting, each seed's row and the
summary; run again with more seeds and only the new ones train (a seed whose metrics.json exists is kept).

Same-seed runs differ on this machine (docs/RESULTS.md, Repeatability), so settings are compared by the count and
the means over many seeds, not by one seed's reading.
"""

from __future__ import annotations

import concurrent.futures
import json
import re
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

from absl import app, flags

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FLAGS = flags.FLAGS
flags.DEFINE_string("out", None, "Folder of the sweep: one workdir per seed, logs/ and sweep.json.", required=True)
flags.DEFINE_string("seeds", "0-6", "Seeds to run: numbers and ranges, e.g. 0-6 or 0,2,5-7.")
flags.DEFINE_string("config", "configs/quickstart.cfg", "Flagfile with the training setting.")
flags.DEFINE_string("train_flags", "", "Extra train.py flags for every seed, as one shell-quoted string.")
flags.DEFINE_integer("parallel", 1, "Seeds trained at the same time.", lower_bound=1)
flags.DEFINE_integer("num_examples", 1000, "evaluate.py --num_examples (protocol size).", lower_bound=1)
flags.DEFINE_string("targets", "shape:categorical:0.8,x_position:continuous:0.8,y_position:continuous:0.8",
                    "FACTOR:KIND:THRESHOLD,... with KIND categorical (matched accuracy) or continuous (|correlation|).")

MEASURES = {"categorical": "matched_accuracy", "continuous": "abs_correlation"}
SWEEP_FILE = "sweep.json"


class SweepError(Exception):
    """A sweep that cannot start or a seed that did not finish, in one line."""


class Target(NamedTuple):
    factor: str
    kind: str
    threshold: float

    def __str__(self) -> str:
        return f"{self.factor}:{self.kind}:{self.threshold:g}"


def parse_seeds(text: str) -> list[int]:
    """'0-2,5' -> [0, 1, 2, 5], in order, without repeats."""
    seeds: list[int] = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        first, _, last = part.partition("-")
        try:
            low, high = int(first), int(last or first)
        except ValueError:
            raise SweepError(f"--seeds: {part!r} is not a number or a range like 0-6") from None
        if high < low:
            raise SweepError(f"--seeds: the range {part!r} runs backwards")
        seeds.extend(seed for seed in range(low, high + 1) if seed not in seeds)
    if not seeds:
        raise SweepError("--seeds names no seed")
    return seeds


def parse_targets(text: str) -> list[Target]:
    """'shape:categorical:0.8,...' -> Targets."""
    targets = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        pieces = part.split(":")
        if len(pieces) != 3 or pieces[1] not in MEASURES:
            raise SweepError(f"--targets: {part!r} is not FACTOR:KIND:THRESHOLD with KIND categorical or continuous")
        try:
            threshold = float(pieces[2])
        except ValueError:
            raise SweepError(f"--targets: the threshold in {part!r} is not a number") from None
        targets.append(Target(pieces[0], pieces[1], threshold))
    return targets


def seed_commands(out: Path, seed: int, config: str, train_flags: list[str], num_examples: int) -> list[list[str]]:
    """The train.py and evaluate.py command lines of one seed."""
    run = out / f"seed_{seed}"
    return [
        [sys.executable, str(ROOT / "train.py"), f"--flagfile={config}", f"--workdir={run}",
         f"--export_dir={run / 'exports'}", "--verbose=0", f"--seed={seed}", *train_flags],
        [sys.executable, str(ROOT / "evaluate.py"), f"--workdir={run}", f"--num_examples={num_examples}"],
    ]


def read_row(run: Path, seed: int, train_s: float | None) -> dict:
    """One seed's numbers from its workdir: what follows each factor, MIG, FactorVAE and the game's last balance."""
    try:
        metrics = json.loads((run / "metrics.json").read_text())
        history = _history_rows(run / "history.jsonl")
        last = history[-1] if history else {}
        scores = metrics["disentanglement"]
        return {
            "seed": seed,
            "step": metrics["global_step"],
            "train_s": train_s,
            "followers": scores["factor_followers"],
            "mig": scores["mig"],
            "factor_vae": scores["factor_vae"]["eval_accuracy"],
            "d_real": last.get("d_real"),
            "d_fake": last.get("d_fake"),
            # The last epoch the term was on: with --contrastive_end_step the run's last epochs log none.
            "contrastive_accuracy": next((row["contrastive_accuracy"] for row in reversed(history)
                                          if row.get("contrastive_accuracy") is not None), None),
        }
    except (OSError, ValueError, KeyError) as error:
        raise SweepError(f"{run} holds no readable scores of factor data ({type(error).__name__}: {error}); "
                         "delete its metrics.json to score it again") from None


def _history_rows(path: Path) -> list[dict]:
    """The run's logged epochs, skipping a line torn by a killed run (the library's reader needs TensorFlow)."""
    rows = []
    for line in path.read_text().splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue
    return rows


def reading(row: dict, target: Target) -> tuple[str, float] | None:
    """(code, value) that follows the target's factor most closely in this row, or None if no such code exists."""
    entry = row["followers"].get(target.factor, {}).get(target.kind)
    return None if entry is None else (entry["code"], entry[MEASURES[target.kind]])


def meets_targets(row: dict, targets: list[Target]) -> bool:
    """Every target reached, each by a code of its own."""
    readings = [reading(row, target) for target in targets]
    if any(found is None or found[1] < target.threshold for found, target in zip(readings, targets)):
        return False
    codes = [code for code, _ in readings]
    return len(set(codes)) == len(codes)


def summarise(rows: list[dict], targets: list[Target]) -> dict:
    """Seeds that met the targets, and per target how many reached it and the mean / min / max reading."""
    per_target = {}
    for target in targets:
        values = [found[1] for found in (reading(row, target) for row in rows) if found is not None]
        per_target[str(target)] = {
            "reached": sum(value >= target.threshold for value in values),
            "mean": statistics.fmean(values) if values else None,
            "min": min(values, default=None),
            "max": max(values, default=None),
        }
    return {
        "seeds": [row["seed"] for row in rows],
        "met": [row["seed"] for row in rows if meets_targets(row, targets)],
        "per_target": per_target,
        "mig_mean": statistics.fmean(row["mig"] for row in rows) if rows else None,
    }


def format_table(rows: list[dict], targets: list[Target], summary: dict) -> str:
    """Markdown rows in the order of the seeds, and the count."""

    def cell(row: dict, target: Target) -> str:
        found = reading(row, target)
        digits = 3 if target.kind == "categorical" else 2  # as docs/RESULTS.md gives accuracies and |correlation|
        return "–" if found is None else f"{found[0]} {found[1]:.{digits}f}"

    def balance(row: dict) -> str:
        return "–" if row["d_real"] is None else f"{row['d_real']:.2f} / {row['d_fake']:.2f}"

    header = ["seed", *(f"{t.factor} ({t.kind})" for t in targets), "MIG", "FactorVAE", "D(real) / D(fake)",
              "train s", "met"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in sorted(rows, key=lambda row: row["seed"]):
        train_s = "–" if row["train_s"] is None else f"{row['train_s']:.0f}"
        cells = [str(row["seed"]), *(cell(row, t) for t in targets), f"{row['mig']:.3f}", f"{row['factor_vae']:.3f}",
                 balance(row), train_s, "yes" if row["seed"] in summary["met"] else "no"]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(f"targets met in {len(summary['met'])} of {len(rows)} seeds"
                 + (f" ({', '.join(map(str, summary['met']))})" if summary["met"] else ""))
    for name, numbers in summary["per_target"].items():
        if numbers["mean"] is not None:
            lines.append(f"{name}: reached in {numbers['reached']}, mean {numbers['mean']:.2f}, "
                         f"range {numbers['min']:.2f}-{numbers['max']:.2f}")
    return "\n".join(lines)


def run_seed(commands: list[list[str]], log: Path) -> float:
    """Runs one seed's commands in turn, output to `log`; returns train.py's wall time."""
    log.parent.mkdir(parents=True, exist_ok=True)
    durations = []
    with log.open("a") as stream:
        for command in commands:
            stream.write(f"$ {shlex.join(command)}\n")
            stream.flush()
            started = time.perf_counter()
            status = subprocess.run(command, stdout=stream, stderr=subprocess.STDOUT, cwd=ROOT).returncode
            durations.append(time.perf_counter() - started)
            if status:
                raise SweepError(f"{Path(command[1]).name} exited with status {status} ({_error_line(log)}); "
                                 f"its output is in {log}")
    return durations[0]


def _error_line(log: Path) -> str:
    """The log's last line that names an error (absl's flag errors are followed by a help hint), else its last."""
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    errors = [line for line in lines if re.search(r"error:|Error\b|FATAL", line)]
    return (errors or lines or ["no output"])[-1]


def load_sweep(path: Path, setting: dict) -> dict:
    """The sweep recorded in `path`, or a new one; refuses a folder that holds a sweep of another setting."""
    if not path.exists():
        return {"setting": setting, "runs": {}}
    try:
        sweep = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise SweepError(f"{path} cannot be read ({error}); move it away to start the sweep afresh") from None
    if sweep.get("setting") != setting:
        differing = sorted(key for key in {*setting, *sweep.get("setting", {})}
                           if setting.get(key) != sweep.get("setting", {}).get(key))
        raise SweepError(f"{path.parent} holds a sweep of another setting ({', '.join(differing)} differ); "
                         "use a new --out")
    return sweep


def sweep_seeds(out: Path, seeds: list[int], setting: dict, parallel: int) -> tuple[dict, list[str]]:
    """Trains and scores the seeds not yet scored; returns the sweep and one line per seed that failed."""
    from infogan_tf import workdir

    path = out / SWEEP_FILE
    sweep = load_sweep(path, setting)
    pending = [seed for seed in seeds if not (out / f"seed_{seed}" / "metrics.json").exists()]
    train_flags = shlex.split(setting["train_flags"])
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = {pool.submit(run_seed, seed_commands(out, seed, setting["config"], train_flags,
                                                       setting["num_examples"]),
                               out / "logs" / f"seed_{seed}.log"): seed for seed in pending}
        for future in concurrent.futures.as_completed(futures):
            seed = futures[future]
            try:
                train_s = future.result()
                sweep["runs"][str(seed)] = read_row(out / f"seed_{seed}", seed, train_s)
            except SweepError as error:
                failures.append(f"seed {seed}: {error}")
                continue
            workdir.atomic_write_json(path, sweep)
            print(f"seed {seed} scored after {train_s:.0f} s of training", flush=True)
    for seed in seeds:
        if str(seed) not in sweep["runs"] and seed not in pending:
            sweep["runs"][str(seed)] = read_row(out / f"seed_{seed}", seed, None)
    return sweep, failures


def main(argv):
    del argv
    try:
        seeds, targets = parse_seeds(FLAGS.seeds), parse_targets(FLAGS.targets)
        if not Path(FLAGS.config).is_file():
            raise SweepError(f"--config: {FLAGS.config} is not a file")
        out = Path(FLAGS.out).resolve()
        setting = {"config": str(Path(FLAGS.config).resolve()), "config_text": Path(FLAGS.config).read_text(),
                   "train_flags": FLAGS.train_flags, "num_examples": FLAGS.num_examples}
        out.mkdir(parents=True, exist_ok=True)
        sweep, failures = sweep_seeds(out, seeds, setting, FLAGS.parallel)
        rows = [sweep["runs"][str(seed)] for seed in seeds if str(seed) in sweep["runs"]]
        summary = summarise(rows, targets)
        sweep["summary"] = {"targets": [str(target) for target in targets], "parallel": FLAGS.parallel, **summary}
        from infogan_tf import workdir

        workdir.atomic_write_json(out / SWEEP_FILE, sweep)
    except (SweepError, OSError) as error:
        sys.exit(f"seed_sweep.py: error: {error}")
    print(f"{FLAGS.config} {FLAGS.train_flags}".strip())
    print(format_table(rows, targets, summary))
    if failures:
        sys.exit("seed_sweep.py: error: " + "; ".join(failures))


if __name__ == "__main__":
    app.run(main)
