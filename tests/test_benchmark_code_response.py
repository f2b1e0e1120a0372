"""benchmarks/code_response.py: how a code's sweep moves a pixel measure, against the real range."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("code_response", ROOT / "benchmarks" / "code_response.py")
code_response = importlib.util.module_from_spec(spec)
spec.loader.exec_module(code_response)

BINS = 20


def _sweep(response, noise=0.0, seed=0):
    rng = np.random.default_rng(seed)
    code_bins = rng.integers(0, BINS, 20_000)
    measure = response(code_bins / (BINS - 1)) + noise * rng.standard_normal(len(code_bins))
    real = rng.uniform(0.0, 1.0, 20_000)
    return code_response.response_summary(code_bins, measure, real, BINS)


def test_a_straight_sweep_over_the_real_range_spans_it_evenly():
    summary = _sweep(lambda t: t)
    assert summary["span_of_real_range"] == pytest.approx(1.0 / 0.98, rel=0.01)  # real range: 1st..99th percentile
    assert summary["middle_fifth_share"] == pytest.approx(4 / 19, abs=1e-6)
    assert summary["within_bin_std_share"] == pytest.approx(0.0, abs=1e-9)
    assert summary["correlation_ratio"] == pytest.approx(1.0)


def test_a_step_puts_the_whole_change_in_the_middle_and_leaves_spread_within_bins():
    summary = _sweep(lambda t: 0.3 + 0.4 * (t > 0.5), noise=0.1)
    assert summary["middle_fifth_share"] > 0.9
    assert summary["span_of_real_range"] == pytest.approx(0.4 / 0.98, abs=0.02)
    assert 0.3 < summary["within_bin_std_share"] < 0.7
    # The step's variance (0.2 ** 2) against the noise's (0.1 ** 2): the code alone explains 0.04 / 0.05 of it.
    assert summary["correlation_ratio"] == pytest.approx(np.sqrt(0.04 / 0.05), abs=0.01)
    means = summary["bin_means"]
    assert means[0] == pytest.approx(0.3, abs=0.02) and means[-1] == pytest.approx(0.7, abs=0.02)


@pytest.mark.parametrize("content, problem", [
    (None, "is missing: run evaluate.py"),
    ('{"disentanglement": {"factor_follo', "cannot be read"),
    (b"\xff\xfe{", "cannot be read"),
    ('{"disentanglement": {"mig": 0.1}}', "has no factor_followers"),
    ("[1, 2]", "has no factor_followers"),
])
def test_metrics_it_cannot_use_stop_it_with_one_line_naming_the_file(tmp_path, content, problem):
    metrics = tmp_path / "metrics.json"
    if isinstance(content, bytes):
        metrics.write_bytes(content)
    elif content is not None:
        metrics.write_text(content)
    with pytest.raises(SystemExit) as stopped:
        code_response.read_factor_followers(metrics, str(tmp_path))
    message = str(stopped.value.code)
    assert len(message.splitlines()) == 1
    assert str(metrics) in message and problem in message


def test_the_followers_of_a_readable_metrics_file_are_returned(tmp_path):
    followers = {"x_position": {"continuous": {"code": "cont_1", "abs_correlation": 0.8}}}
    metrics = tmp_path / "metrics.json"
    metrics.write_text(json.dumps({"disentanglement": {"factor_followers": followers}}))
    assert code_response.read_factor_followers(metrics, str(tmp_path)) == followers


def test_a_factor_spread_over_two_codes_is_read_fully_by_both_together():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-1, 1, 5_000), rng.uniform(-1, 1, 5_000)
    rotated = np.column_stack([x + y, x - y]) / np.sqrt(2)
    best_single = max(abs(np.corrcoef(rotated[:, k], x)[0, 1]) for k in range(2))
    assert best_single == pytest.approx(np.sqrt(0.5), abs=0.02)
    assert code_response.linear_reading(rotated, x) == pytest.approx(1.0)


def test_an_imprecise_reading_stays_imprecise_with_every_code():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 5_000)
    readings = np.column_stack([x + rng.normal(0, np.sqrt(1 / 3), 5_000), rng.uniform(-1, 1, 5_000)])
    # var(x) = 1/3, so the noisy reading's correlation is sqrt(1/2); an unrelated second code adds nothing.
    assert code_response.linear_reading(readings, x) == pytest.approx(np.sqrt(0.5), abs=0.02)
    assert code_response.linear_reading(np.zeros((10, 2)), np.arange(10.0)) == 0.0


def test_one_column_reads_as_its_absolute_correlation():
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, 2_000)
    reading = -x + rng.normal(0, 0.5, 2_000)
    assert code_response.linear_reading(reading[:, None], x) == pytest.approx(abs(np.corrcoef(reading, x)[0, 1]))


def _frames(second_category_axis: int) -> dict:
    """Two categories; code 0 moves the sprite along x for category 0 and along `second_category_axis` for
    category 1, code 1 along the other axis."""
    rng = np.random.default_rng(3)
    categories = rng.integers(0, 2, 4000)
    codes = rng.uniform(-1.0, 1.0, (4000, 2))
    positions = np.empty((4000, 2))
    for category, axis in ((0, 0), (1, second_category_axis)):
        chosen = categories == category
        positions[chosen, axis] = codes[chosen, 0]
        positions[chosen, 1 - axis] = codes[chosen, 1]
    positions += 0.05 * rng.standard_normal(positions.shape)
    return code_response.category_frames(categories, codes, positions)


def test_categories_sharing_a_frame_agree():
    frames = _frames(second_category_axis=0)
    assert frames["largest_disagreement"] < 0.05
    assert frames["per_category"][0][0][0] > 0.95 and abs(frames["per_category"][0][0][1]) < 0.05


def test_a_category_with_its_own_frame_shows_as_disagreement():
    frames = _frames(second_category_axis=1)
    assert frames["largest_disagreement"] > 0.9
    assert frames["per_category"][1][0][1] > 0.95 and abs(frames["per_category"][1][0][0]) < 0.05
