"""benchmarks/reading_precision.py: a code's reading of a factor, its binning loss and its spread."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("reading_precision", ROOT / "benchmarks" / "reading_precision.py")
reading_precision = importlib.util.module_from_spec(spec)
spec.loader.exec_module(reading_precision)

POSITIONS = np.random.default_rng(0).integers(0, 32, 20_000)  # x in dSprites: 32 values


def test_an_exact_reading_reaches_the_cap_of_twenty_bins_over_thirty_two_values():
    information = reading_precision.binning_information(POSITIONS / 31.0, POSITIONS, bins=20)
    assert information["cap"] == pytest.approx(np.log(20) / np.log(32))
    # 20 equal bins over 32 values hold one or two values each, which leaves a little below ln 20.
    assert information["equal_width"] == pytest.approx(information["cap"], abs=0.03)
    assert information["equal_count"] == pytest.approx(information["cap"], abs=0.03)
    spread = reading_precision.reading_spread(POSITIONS.astype(float), POSITIONS)
    assert spread["within_value_std"] == 0.0 and spread["separation"] == float("inf")
    assert spread["mean_spacing"] == 1.0


def test_a_reading_piled_into_few_bins_loses_to_equal_width_bins_only():
    piled = (POSITIONS / 31.0) ** 6  # monotone: every position still has its own reading
    information = reading_precision.binning_information(piled, POSITIONS, bins=20)
    assert information["equal_count"] == pytest.approx(information["cap"], abs=0.03)
    assert information["equal_width"] < information["equal_count"] - 0.2


def test_a_spread_reading_loses_under_either_binning_and_shows_its_separation():
    rng = np.random.default_rng(1)
    noisy = POSITIONS / 31.0 + rng.normal(0.0, 1 / 31, POSITIONS.size)  # spread as wide as the spacing
    information = reading_precision.binning_information(noisy, POSITIONS, bins=20)
    assert information["equal_width"] < information["cap"] - 0.2
    assert information["equal_count"] < information["cap"] - 0.2
    spread = reading_precision.reading_spread(noisy, POSITIONS)
    assert spread["separation"] == pytest.approx(1.0, abs=0.05)
    assert spread["value_means"][0] < spread["value_means"][-1]


def test_the_spread_reference_climbs_with_the_separation_towards_the_cap():
    references = [reading_precision.spread_reference(separation, 32, 20, 10_000)
                  for separation in reading_precision.REFERENCE_SEPARATIONS]
    assert references == sorted(references)
    assert references[0] < 0.65 and references[-1] > 0.8
    assert references[-1] < np.log(20) / np.log(32)


def test_a_factor_with_fewer_values_than_bins_can_be_read_whole():
    sizes = POSITIONS % 6
    information = reading_precision.binning_information(sizes.astype(float), sizes, bins=20)
    assert information["cap"] == 1.0
    assert information["equal_width"] == pytest.approx(1.0)


def test_every_varying_factor_is_scored_on_its_best_column():
    rng = np.random.default_rng(3)
    factors = np.column_stack([np.zeros(4_000, int), rng.integers(0, 6, 4_000), POSITIONS[:4_000]])
    noisy_scale = factors[:, 1] + rng.normal(0, 0.1, 4_000)
    readings = np.column_stack([rng.uniform(-1, 1, 4_000), factors[:, 2] / 31.0, noisy_scale])
    results = reading_precision.factor_readings(readings, ["noise", "exact_x", "scale"], factors,
                                                ("colour", "scale", "x"), bins=20)
    assert list(results) == ["scale", "x"]  # the constant factor has nothing to read
    assert results["x"]["code"] == "exact_x" and results["scale"]["code"] == "scale"
    assert results["x"]["equal_width"] == pytest.approx(results["x"]["cap"], abs=0.03)
    assert results["scale"]["separation"] == pytest.approx(10.0, rel=0.1)
