"""benchmarks/shapes_quality.py: which steps are scored, and with which protocol."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("shapes_quality", ROOT / "benchmarks" / "shapes_quality.py")
shapes_quality = importlib.util.module_from_spec(spec)
spec.loader.exec_module(shapes_quality)


def test_the_curve_reaches_the_last_step_before_the_full_protocol_scores_it():
    assert shapes_quality.evaluations(2000, 1000, 500, True) == [
        (1000, "num_examples=500"), (2000, "num_examples=500"), (2000, "full")]


def test_a_last_step_off_the_grid_is_still_scored_and_the_full_protocol_can_be_left_out():
    assert shapes_quality.evaluations(2500, 1000, 1000, False) == [
        (1000, "num_examples=1000"), (2000, "num_examples=1000"), (2500, "num_examples=1000")]
    assert shapes_quality.evaluations(800, 1000, 1000, True) == [(800, "num_examples=1000"), (800, "full")]
