"""How exactly each factor's best continuous code reads it on real sprites, and what keeps its MIG below the bins' cap.

    python benchmarks/reading_precision.py --workdir=W [--num_examples=10000] [--bins=20] [--seed=0]

MIG bins each code into `--bins` equal-width bins, so a code can tell at most ln(bins) nats of a factor with more
values (ln 20 / ln 32 = 0.86 of x's entropy). A code that follows x at |correlation| 0.995 still stays far below that
cap. This script says why, for every factor of the run's sprites and the continuous code with the largest
|correlation| with it, on `--num_examples` sprites rendered from sampled factors:
- I(code; factor) / H(factor) with equal-width bins (MIG's) and with equal-count bins (the reading's ranks): if the
  equal-count bins score clearly higher, the readings pile up in some bins (a binning loss, fixable by reshaping the
  code's scale; on an almost exact reading the equal-count edges cut through single values and score lower);
- the reading's spread among sprites with one factor value against the spacing between neighbouring values' mean
  readings ("separation" = mean spacing / mean within-value std): neighbours are told apart reliably only when it
  is well above 2, so a separation near 1 is a loss in the reading itself, which no binning recovers.
The same for the pixel-centroid baseline on the same sprites (the centroid reads x and y off the pixels almost
exactly) shows how exact a reading the images allow. It ends with a reference: what a reading of a 32-valued factor
(x or y) with Gaussian spread reaches at each of a few separations, scored the same way.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
from absl import app, flags
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from infogan_tf.evaluation.code_metrics import most_correlated_column  # noqa: E402
from infogan_tf.evaluation.mig import compute_mig  # noqa: E402

FLAGS = flags.FLAGS
REFERENCE_SEPARATIONS = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 10.0)


def binning_information(reading: np.ndarray, factor: np.ndarray, bins: int) -> dict:
    """I(reading; factor) / H(factor) with MIG's equal-width bins and with equal-count bins, and the bins' cap."""
    ranks = stats.rankdata(reading)  # tied readings share a rank, so they share a bin
    columns = np.column_stack([reading, ranks])
    information = compute_mig(columns, factor[:, None], num_bins=bins)["information"]
    values = len(np.unique(factor))
    return {"equal_width": information[0][0], "equal_count": information[1][0],
            "cap": min(1.0, math.log(bins) / math.log(values)) if values > 1 else float("nan")}


def reading_spread(reading: np.ndarray, factor: np.ndarray) -> dict:
    """Mean reading per factor value (in the factor's order), the mean spread within one value, the mean spacing
    between neighbouring values' means, and their ratio (`separation`)."""
    values = np.unique(factor)
    means = np.array([reading[factor == value].mean() for value in values])
    within = float(np.mean([reading[factor == value].std() for value in values]))
    spacing = float(np.mean(np.abs(np.diff(means)))) if len(values) > 1 else 0.0
    return {"value_means": means.round(4).tolist(), "within_value_std": within, "mean_spacing": spacing,
            "separation": spacing / within if within > 0 else float("inf")}


def spread_reference(separation: float, values: int, bins: int, num_examples: int, seed: int = 0) -> float:
    """I / H (equal-width bins) of a reading of a uniform factor with `values` evenly spaced values plus Gaussian
    noise at the given separation: what a code read that exactly can reach, for comparison with a run's."""
    rng = np.random.default_rng(seed)
    factor = rng.integers(0, values, num_examples)
    reading = factor + rng.normal(0.0, 1.0 / separation, num_examples)
    return binning_information(reading, factor, bins)["equal_width"]


def factor_readings(readings: np.ndarray, names: list[str], factors: np.ndarray, factor_names: tuple[str, ...],
                    bins: int) -> dict:
    """For every factor that varies, its best follower among `readings` [N, K] (columns `names`) and how exactly
    that column reads it (`binning_information`, `reading_spread`)."""
    results = {}
    for column, factor_name in enumerate(factor_names):
        factor = factors[:, column]
        if len(np.unique(factor)) < 2:
            continue
        best, correlation = most_correlated_column(readings, factor)
        results[factor_name] = {"code": names[best], "abs_correlation": correlation,
                                **binning_information(readings[:, best], factor, bins),
                                **reading_spread(readings[:, best], factor)}
    return results


def print_readings(title: str, results: dict) -> None:
    """One line per factor of `factor_readings`' results, under `title`."""
    print(title)
    for factor_name, result in results.items():
        print(f"  {factor_name:11s} {result['code']:10s} |corr| {result['abs_correlation']:.3f}  I/H equal-width "
              f"{result['equal_width']:.3f}, equal-count {result['equal_count']:.3f}, cap {result['cap']:.3f}  "
              f"separation {result['separation']:.2f} (spacing {result['mean_spacing']:.4f}, within-value std "
              f"{result['within_value_std']:.4f})")


def main(argv):
    del argv
    from infogan_tf import datasets
    from infogan_tf.cli import fail, load_run_or_fail
    from infogan_tf.evaluation import code_metrics, pixel_baseline

    run = load_run_or_fail(FLAGS.workdir)
    graded = [index for index, code in enumerate(run.spec.codes) if not code.nominal]
    if not graded:
        fail(f"the run in {FLAGS.workdir} has no continuous or Bernoulli code to read a factor with")
    data = datasets.ground_truth_data("shapes", image_size=run.image_shape[0])
    factors = data.sample_factors(FLAGS.num_examples, np.random.default_rng(FLAGS.seed))
    images = data.images_from_factors(factors)
    readings = code_metrics.code_columns(run.spec, code_metrics.encode(run.encoder, images))[:, graded]
    names = [run.spec.code_names()[index] for index in graded]
    encoder = factor_readings(readings, names, factors, data.factor_names, FLAGS.bins)
    baseline = factor_readings(pixel_baseline.centroid_codes(images), list(pixel_baseline.COLUMNS), factors,
                               data.factor_names, FLAGS.bins)
    print_readings("the run's encoder (each factor's best continuous or Bernoulli code):", encoder)
    print_readings("the pixel-centroid baseline on the same sprites:", baseline)
    reference = {separation: spread_reference(separation, 32, FLAGS.bins, FLAGS.num_examples, FLAGS.seed)
                 for separation in REFERENCE_SEPARATIONS}
    print("reference, a 32-valued factor read with Gaussian spread: " + ", ".join(
        f"separation {separation:g} -> I/H {information:.3f}" for separation, information in reference.items()))
    print(json.dumps({"workdir": FLAGS.workdir, "num_examples": FLAGS.num_examples, "bins": FLAGS.bins,
                      "factors": encoder, "pixel_baseline": baseline, "reference_32_values": reference}))


def define_flags() -> None:
    """Defined when run, not on import, so tests can import the functions next to other benchmarks' flags."""
    flags.DEFINE_string("workdir", None, "A finished run's workdir on `shapes`.", required=True)
    flags.DEFINE_integer("num_examples", 10_000, "Real sprites rendered from sampled factors.", lower_bound=2)
    flags.DEFINE_integer("bins", 20, "MIG's equal-width bins per code.", lower_bound=1)
    flags.DEFINE_integer("seed", 0, "Seed of the sampled factors.")


if __name__ == "__main__":
    define_flags()
    app.run(main)
