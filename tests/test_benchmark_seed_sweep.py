"""benchmarks/seed_sweep.py: one run per seed, scored, then counted against per-factor targets."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("seed_sweep", ROOT / "benchmarks" / "seed_sweep.py")
seed_sweep = importlib.util.module_from_spec(spec)
spec.loader.exec_module(seed_sweep)

QUICK_START = seed_sweep.parse_targets("shape:categorical:0.8,x_position:continuous:0.8,y_position:continuous:0.8")


def _row(seed, shape=0.4, x=("cont_1", 0.85), y=("cont_0", 0.82), mig=0.08):
    return {"seed": seed, "mig": mig, "factor_vae": 0.5, "d_real": 0.64, "d_fake": 0.38, "train_s": 200.0,
            "followers": {"shape": {"categorical": {"code": "cat3_0", "matched_accuracy": shape}},
                          "x_position": {"continuous": {"code": x[0], "abs_correlation": x[1]}},
                          "y_position": {"continuous": {"code": y[0], "abs_correlation": y[1]}}}}


def test_seeds_take_numbers_and_ranges_in_order_without_repeats():
    assert seed_sweep.parse_seeds("0-2,5,1") == [0, 1, 2, 5]
    assert seed_sweep.parse_seeds("7") == [7]
    for text, problem in [("a", "not a number"), ("3-1", "runs backwards"), (" , ", "names no seed")]:
        with pytest.raises(seed_sweep.SweepError, match=problem):
            seed_sweep.parse_seeds(text)


def test_targets_name_a_factor_a_kind_and_a_threshold():
    assert QUICK_START[0] == seed_sweep.Target("shape", "categorical", 0.8)
    assert str(QUICK_START[2]) == "y_position:continuous:0.8"
    for text in ["x_position:continuous", "x_position:linear:0.8"]:
        with pytest.raises(seed_sweep.SweepError, match="FACTOR:KIND:THRESHOLD"):
            seed_sweep.parse_targets(text)
    with pytest.raises(seed_sweep.SweepError, match="not a number"):
        seed_sweep.parse_targets("x_position:continuous:high")


def test_a_run_meets_the_targets_only_with_every_factor_reached_by_a_code_of_its_own():
    xy = QUICK_START[1:]
    assert seed_sweep.meets_targets(_row(0), xy)
    assert not seed_sweep.meets_targets(_row(0), QUICK_START)  # shape at 0.4
    assert seed_sweep.meets_targets(_row(0, shape=0.8), QUICK_START)
    assert not seed_sweep.meets_targets(_row(0, y=("cont_0", 0.79)), xy)
    assert not seed_sweep.meets_targets(_row(0, y=("cont_1", 0.9)), xy)  # one code on the diagonal
    assert not seed_sweep.meets_targets(_row(0), [seed_sweep.Target("scale", "continuous", 0.1)])  # nothing reads it


def test_the_summary_counts_the_seeds_and_gives_each_target_its_mean_and_range():
    rows = [_row(0), _row(1, x=("cont_0", 0.55), y=("cont_1", 0.7), mig=0.02), _row(2, y=("cont_0", 0.9))]
    summary = seed_sweep.summarise(rows, QUICK_START[1:])
    assert summary["met"] == [0, 2] and summary["seeds"] == [0, 1, 2]
    x = summary["per_target"]["x_position:continuous:0.8"]
    assert x["reached"] == 2 and x["min"] == 0.55 and x["max"] == 0.85
    assert x["mean"] == pytest.approx((0.85 + 0.55 + 0.85) / 3)
    assert summary["mig_mean"] == pytest.approx(0.06)
    table = seed_sweep.format_table(rows, QUICK_START[1:], summary)
    assert "| 1 | cont_0 0.55 | cont_1 0.70 | 0.020 | 0.500 | 0.64 / 0.38 | 200 | no |" in table
    assert "targets met in 2 of 3 seeds (0, 2)" in table
    assert "| 0 | cat3_0 0.400 | cont_1 0.85 |" in seed_sweep.format_table(rows, QUICK_START, summary)
    assert "y_position:continuous:0.8: reached in 2, mean 0.81, range 0.70-0.90" in table


def test_a_workdir_without_factor_scores_is_named(tmp_path):
    (tmp_path / "metrics.json").write_text('{"global_step": 8, "categorical": {}}')
    (tmp_path / "history.jsonl").write_text("")
    with pytest.raises(seed_sweep.SweepError, match=r"holds no readable scores of factor data \(KeyError"):
        seed_sweep.read_row(tmp_path, 0, None)
    (tmp_path / "metrics.json").write_text('{"global_step": 8, "disentangl')
    with pytest.raises(seed_sweep.SweepError, match="JSONDecodeError"):
        seed_sweep.read_row(tmp_path, 0, None)


def test_the_row_keeps_the_last_contrastive_accuracy_logged_and_skips_a_torn_line(tmp_path):
    scores = {"factor_followers": {}, "mig": 0.3, "factor_vae": {"eval_accuracy": 0.6}}
    (tmp_path / "metrics.json").write_text(json.dumps({"global_step": 6, "disentanglement": scores}))
    history = [{"step": 2, "contrastive_accuracy": 0.5}, {"step": 4, "contrastive_accuracy": 0.75},
               {"step": 6, "d_real": 0.6, "d_fake": 0.4}]
    (tmp_path / "history.jsonl").write_text("".join(json.dumps(row) + "\n" for row in history) + '{"step": 7, "d_')
    row = seed_sweep.read_row(tmp_path, 0, None)
    assert row["contrastive_accuracy"] == 0.75 and row["d_real"] == 0.6 and row["step"] == 6


def _sweep(*args):
    return subprocess.run([sys.executable, str(ROOT / "benchmarks" / "seed_sweep.py"), *args],
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def tiny_config(tmp_path_factory):
    path = tmp_path_factory.mktemp("config") / "tiny.cfg"
    path.write_text(f"--flagfile={ROOT / 'configs' / 'quickstart.cfg'}\n--train_steps=2\n--steps_per_epoch=2\n"
                    "--checkpoint_every_steps=2\n--network_width=0.125\n--batch_size=8\n--traversal_rows=2\n"
                    "--contrastive_start_step=1\n")
    return path


def test_a_sweep_trains_and_scores_each_seed_once_and_refuses_another_setting(tmp_path, tiny_config):
    args = [f"--out={tmp_path}", "--seeds=3", f"--config={tiny_config}", "--num_examples=64",
            "--targets=x_position:continuous:0.8"]
    first = _sweep(*args)
    assert first.returncode == 0, first.stderr[-2000:]
    sweep = json.loads((tmp_path / "sweep.json").read_text())
    row = sweep["runs"]["3"]
    metrics = json.loads((tmp_path / "seed_3" / "metrics.json").read_text())
    assert row["step"] == 2 and row["train_s"] > 0 and row["contrastive_accuracy"] is not None
    assert row["followers"] == metrics["disentanglement"]["factor_followers"]
    assert (tmp_path / "seed_3" / "exports" / "generator" / "1" / "saved_model.pb").exists()
    assert "targets met in" in first.stdout and "of 1 seeds" in first.stdout
    assert sweep["summary"]["seeds"] == [3]

    log = (tmp_path / "logs" / "seed_3.log").read_text()
    again = _sweep(*args)
    assert again.returncode == 0, again.stderr[-2000:]
    assert (tmp_path / "logs" / "seed_3.log").read_text() == log  # scored seeds are kept, not trained again

    other = _sweep(*args, "--train_flags=--noise_dim=2")
    assert other.returncode == 1
    assert other.stderr.strip().splitlines()[-1] == (
        f"seed_sweep.py: error: {tmp_path} holds a sweep of another setting (train_flags differ); use a new --out")


def test_a_seed_that_fails_is_named_with_its_error_line_and_log(tmp_path, tiny_config):
    result = _sweep(f"--out={tmp_path}", "--seeds=0", f"--config={tiny_config}", "--train_flags=--codes=cat:3,bogus")
    assert result.returncode == 1
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("seed_sweep.py: error: seed 0: train.py exited with status 1 (")
    assert "bogus" in line and line.endswith(f"its output is in {tmp_path / 'logs' / 'seed_0.log'}")
    assert json.loads((tmp_path / "sweep.json").read_text())["runs"] == {}
