"""How exactly each factor's best continuous code reads it on real sprites, and what keeps its MIG below the bins' cap.

    python benchmarks/reading_precision.py --workdir=W [--num_examples=10000] [--bins=20] [--seed=0]

MIG bins each code into `--bins` equal-width bins, so a code can tell at most ln(bins) nats of a factor with more
values (ln 20 / ln 32 = 0.86 of x's entropy). A code that follows x at |correlation| 0.995 still stays far below that
cap. This script says why, for every factor of the run's sprites and the continuous code with the largest
|correlation| with it, on `--num_examples` sprites rendered from sampled factors:
- I(code; factor) / H(factor) with equal-width bins (MIG's) and with equal-count bins (the reading's ranks): a gap
  between the two means the readings pile up in some bins (a binning loss, fixable by reshaping the code's scale);
- the reading's spread among sprites with one factor value against the spacing between neighbouring values' mean
  readings ("separation" = mean spacing / mean within-value std): neighbours are told apart reliably only when it
  is well above 2, so a separation near 1 is a loss in the reading itself, which no binning recovers.
It ends with a reference: what a reading of a 32-valued factor (x or y) with Gaussian spread reaches at each of a few
separations, scored the same way.
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


def best_follower(readings: np.ndarray, factor: np.ndarray) -> tuple[int, float]:
    """The column of `readings` [N, K] with the largest |correlation| with `factor`, and that |correlation|."""
    correlations = [abs(np.corrcoef(column, factor)[0, 1]) if np.std(column) > 0 else 0.0 for column in readings.T]
    best = int(np.argmax(correlations))
    return best, float(correlations[best])


def main(argv):
    del argv
    from infogan_tf import datasets
    from infogan_tf.cli import fail, load_run_or_fail
    from infogan_tf.evaluation import code_metrics

    run = load_run_or_fail(FLAGS.workdir)
    graded = [index for index, code in enumerate(run.spec.codes) if not code.nominal]
    if not graded:
        fail(f"the run in {FLAGS.workdir} has no continuous or Bernoulli code to read a factor with")
    data = datasets.ground_truth_data("shapes", image_size=run.image_shape[0])
    factors = data.sample_factors(FLAGS.num_examples, np.random.default_rng(FLAGS.seed))
    encoded = code_metrics.encode(run.encoder, data.images_from_factors(factors))
    readings = code_metrics.code_columns(run.spec, encoded)[:, graded]
    names = [run.spec.code_names()[index] for index in graded]
    results = {}
    for column, factor_name in enumerate(data.factor_names):
        factor = factors[:, column]
        if len(np.unique(factor)) < 2:
            continue
        best, correlation = best_follower(readings, factor)
        information = binning_information(readings[:, best], factor, FLAGS.bins)
        spread = reading_spread(readings[:, best], factor)
        results[factor_name] = {"code": names[best], "abs_correlation": correlation, **information, **spread}
        print(f"{factor_name:11s} {names[best]:7s} |corr| {correlation:.3f}  I/H equal-width "
              f"{information['equal_width']:.3f}, equal-count {information['equal_count']:.3f}, cap "
              f"{information['cap']:.3f}  separation {spread['separation']:.2f} (spacing {spread['mean_spacing']:.4f}, "
              f"within-value std {spread['within_value_std']:.4f})")
    reference = {separation: spread_reference(separation, 32, FLAGS.bins, FLAGS.num_examples, FLAGS.seed)
                 for separation in REFERENCE_SEPARATIONS}
    print("reference, a 32-valued factor read with Gaussian spread: " + ", ".join(
        f"separation {separation:g} -> I/H {information:.3f}" for separation, information in reference.items()))
    print(json.dumps({"workdir": FLAGS.workdir, "num_examples": FLAGS.num_examples, "bins": FLAGS.bins,
                      "factors": results, "reference_32_values": reference}))


def define_flags() -> None:
    """Defined when run, not on import, so tests can import the functions next to other benchmarks' flags."""
    flags.DEFINE_string("workdir", None, "A finished run's workdir on `shapes`.", required=True)
    flags.DEFINE_integer("num_examples", 10_000, "Real sprites rendered from sampled factors.", lower_bound=2)
    flags.DEFINE_integer("bins", 20, "MIG's equal-width bins per code.", lower_bound=1)
    flags.DEFINE_integer("seed", 0, "Seed of the sampled factors.")


if __name__ == "__main__":
    define_flags()
    app.run(main)
