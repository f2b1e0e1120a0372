"""How G's code for x, y or scale moves the sprite across that code's range, against the range of real sprites.

    python benchmarks/code_response.py --workdir=W [--num_images=6000] [--bins=20]

For each of x, y and scale, the continuous code that follows it on real sprites (`factor_followers` of the run's
metrics.json, so run `evaluate.py` first) is swept over `--bins` equal bins of its prior while every other input is
drawn at random; on G's images the sprite's pixel measure (centroid x, centroid y or ink, as the pixel-centroid
baseline reads them, in [0, 1] of the frame / mean intensity) is averaged per bin. It prints those means, how much of
the real sprites' range (1st to 99th percentile) the means span, the share of that span covered by the middle fifth
of the bins (0.21 for a straight line, near 1 for a step), and how much of the measure's spread on G's images is
left within one bin. A code that moves the sprite in one step cannot be read precisely on real sprites, which caps
its MIG (`score_requirements.py`). The correlation ratio (the square root of the share of the measure's variance
between bins) is the highest |correlation| any reading of the code's bin can have with the measure on G's images:
next to the code's |correlation| on real sprites it tells whether G's code or Q's transfer to real images limits it.
Both readings on real sprites are taken on the same rendered sprites: the code's own |correlation| and the
factor's correlation with its best linear fit on all graded codes (continuous and Bernoulli) together; the
difference is how much of the gap to 1 comes from the factor being spread over several codes rather than from each
reading's precision.
For a run with a categorical code, it also prints each category's frame: on G's images drawn with that category,
the correlation of every graded code with the sprite's centroid x and y. One frame shared by all categories gives
the same rows for every category; a category with a frame of its own (a code that moves x for one category and y
for another, which the encoder then reads on real sprites as a mix of both) shows as the largest disagreement
between categories.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from absl import app, flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FLAGS = flags.FLAGS
MEASURES = {"x_position": 0, "y_position": 1, "scale": 2}  # column of pixel_baseline.centroid_codes


def response_summary(code_bins: np.ndarray, measure: np.ndarray, real_measure: np.ndarray, bins: int) -> dict:
    """Per-bin means of `measure` over `code_bins` (ints in [0, bins)) and how they cover `real_measure`'s range."""
    groups = [measure[code_bins == b] for b in range(bins)]
    means = np.array([group.mean() for group in groups])
    low, high = np.percentile(real_measure, [1, 99])
    span = float(means.max() - means.min())
    before_middle, end_of_middle = max(2 * bins // 5 - 1, 0), 3 * bins // 5 - 1
    middle_change = float(abs(means[end_of_middle] - means[before_middle]))
    within = float(np.mean([group.std() for group in groups]))
    sizes = np.array([group.size for group in groups])
    between = float((sizes * (means - measure.mean()) ** 2).sum())
    total = float(measure.var() * measure.size)
    return {
        "bin_means": means.round(4).tolist(),
        "real_range": [float(low), float(high)],
        "span_of_real_range": span / float(high - low),
        "middle_fifth_share": middle_change / span if span > 0 else 0.0,
        "within_bin_std_share": within / float(np.sqrt(total / measure.size)) if total > 0 else 0.0,
        "correlation_ratio": float(np.sqrt(between / total)) if total > 0 else 0.0,
    }


def linear_reading(readings: np.ndarray, factor: np.ndarray) -> float:
    """The correlation of `factor` with its least-squares fit on `readings` [N, K] (plus a constant): for one column
    its |correlation|; for several, how closely the codes together, mixed linearly, follow the factor, above the best
    single code by as much as the factor is spread over several codes (a rotated or split reading)."""
    design = np.column_stack([readings, np.ones(len(readings))])
    coefficients, *_ = np.linalg.lstsq(design, factor, rcond=None)
    fitted = design @ coefficients
    if np.std(fitted) == 0 or np.std(factor) == 0:
        return 0.0
    return float(np.corrcoef(fitted, factor)[0, 1])


def category_frames(categories: np.ndarray, codes: np.ndarray, positions: np.ndarray) -> dict:
    """Per category value k, the correlation of each graded code (columns of `codes` [N, K]) with each column of
    `positions` [N, 2] (centroid x, y) over the images drawn with k; and the largest difference between two
    categories in any of those correlations (0 for one shared frame, up to 2)."""
    per_category = []
    for value in np.unique(categories):
        chosen = categories == value
        per_category.append([[float(np.corrcoef(codes[chosen, code], positions[chosen, axis])[0, 1])
                              for axis in range(positions.shape[1])] for code in range(codes.shape[1])])
    table = np.array(per_category)
    return {"per_category": per_category, "largest_disagreement": float(np.max(np.ptp(table, axis=0)))}


def read_factor_followers(metrics_path: Path, run_dir: str) -> dict:
    """The evaluation's factor_followers from metrics.json; a missing, unreadable or non-`shapes` file ends the program
    with one line naming it."""
    from infogan_tf.cli import fail

    if not metrics_path.exists():
        fail(f"{metrics_path} is missing: run evaluate.py --workdir={run_dir} first")
    try:
        metrics = json.loads(metrics_path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        fail(f"{metrics_path} cannot be read ({error}): run evaluate.py --workdir={run_dir} again")
    followers = metrics.get("disentanglement", {}).get("factor_followers") if isinstance(metrics, dict) else None
    if not followers:
        fail(f"{metrics_path} has no factor_followers: code_response needs a run on `shapes`")
    return followers


def main(argv):
    del argv
    from infogan_tf import datasets, workdir
    from infogan_tf.cli import fail, load_run_or_fail
    from infogan_tf.evaluation import code_metrics, pixel_baseline
    from infogan_tf.evaluation.generated_factors import GeneratedGroundTruth

    run = load_run_or_fail(FLAGS.workdir)
    followers = read_factor_followers(workdir.Workdir(FLAGS.workdir).metrics, FLAGS.workdir)
    data = datasets.ground_truth_data("shapes", image_size=run.image_shape[0])
    rng = np.random.default_rng(FLAGS.seed)
    real_factors = data.sample_factors(FLAGS.num_images, rng)
    real_images = data.images_from_factors(real_factors)
    real = pixel_baseline.centroid_codes(real_images)
    real_columns = code_metrics.code_columns(run.spec, code_metrics.encode(run.encoder, real_images))
    graded = [index for index, code in enumerate(run.spec.codes) if not code.nominal]
    generated = GeneratedGroundTruth(run.generator, run.spec, seed=FLAGS.seed, bins=FLAGS.bins)
    factors = generated.sample_factors(FLAGS.num_images, rng)
    drawn = pixel_baseline.centroid_codes(generated.images_from_factors(factors))
    names = run.spec.code_names()
    results = {}
    for factor, column in MEASURES.items():
        if not followers[factor].get("continuous"):
            fail(f"the run in {FLAGS.workdir} has no continuous code to follow {factor}")
        code = followers[factor]["continuous"]["code"]
        index = names.index(code)
        summary = response_summary(factors[:, index], drawn[:, column], real[:, column], generated.factor_sizes[index])
        truth = real_factors[:, data.factor_names.index(factor)]
        on_real = linear_reading(real_columns[:, [index]], truth)
        all_codes = linear_reading(real_columns[:, graded], truth)
        results[factor] = {"code": code, "abs_correlation_on_real": on_real,
                           "all_codes_linear_correlation_on_real": all_codes, **summary}
        print(f"{factor:11s} {code:7s} span {summary['span_of_real_range']:.2f} of the real range, middle fifth "
              f"{summary['middle_fifth_share']:.2f} of it, within-bin spread {summary['within_bin_std_share']:.2f}, "
              f"correlation ratio {summary['correlation_ratio']:.2f} (|corr| on real sprites {on_real:.2f}, all "
              f"graded codes linearly {all_codes:.2f}); bin means {np.round(summary['bin_means'], 3).tolist()}")
    report = {"workdir": FLAGS.workdir, "bins": FLAGS.bins, "factors": results}
    nominal = [index for index, code in enumerate(run.spec.codes) if code.nominal]
    if nominal and graded:
        frames = category_frames(factors[:, nominal[0]], factors[:, graded], drawn[:, :2])
        for value, rows in enumerate(frames["per_category"]):
            moves = ", ".join(f"{names[index]} x {row[0]:+.2f} y {row[1]:+.2f}" for index, row in zip(graded, rows))
            print(f"{names[nominal[0]]} = {value}: on G's images {moves}")
        print(f"largest disagreement between the categories' frames: {frames['largest_disagreement']:.2f}")
        report["category_frames"] = {"code": names[nominal[0]], **frames}
    print(json.dumps(report))


def define_flags() -> None:
    """Defined when run, not on import, so tests can import `response_summary` next to other benchmarks' flags."""
    flags.DEFINE_string("workdir", None, "A run's workdir, evaluated (metrics.json with factor_followers).",
                        required=True)
    flags.DEFINE_integer("num_images", 6000, "Real sprites rendered and G images drawn.")
    flags.DEFINE_integer("bins", 20, "Bins over the code's prior.")
    flags.DEFINE_integer("seed", 0, "Seed of the sprites, the codes and G's noise.")


if __name__ == "__main__":
    define_flags()
    app.run(main)
