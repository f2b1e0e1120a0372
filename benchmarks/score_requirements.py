"""What encoder do the MIG and FactorVAE targets ask for on the dSprites factor grid? Scores of simulated encoders.

    python benchmarks/score_requirements.py [--read=scale,x_position,y_position] [--correlations=0.8,0.9,0.98]
        [--noise_codes=N]

A learned encoder is judged by how closely each code follows one factor. This prints the scores that closeness
buys: for each correlation r, an encoder whose i-th code is r * (factor i, standardised) + sqrt(1 - r^2) * noise
for every factor in --read, plus --noise_codes codes of pure noise, scored by the project's own MIG and FactorVAE
code with the full protocol's sample sizes (`evaluation.protocol.protocol_for()`). Measured |correlations| of a run
(evaluate.py's `factor_followers`) can be set against it. FactorVAE's classifier can only name a factor that some
code's majority vote goes to, so the number of codes bounds it: with no noise codes an unread factor is never named.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from absl import app, flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FLAGS = flags.FLAGS
flags.DEFINE_list("read", ["scale", "x_position", "y_position"], "Factors each read by a code of their own.")
flags.DEFINE_list("correlations", ["0.5", "0.7", "0.8", "0.9", "0.95", "0.98", "0.99"],
                  "Correlation of each read factor with its code.")
flags.DEFINE_integer("noise_codes", None, "Codes of pure noise beside the read ones (default: one per unread "
                     "factor; a run's unused codes are such codes).", lower_bound=0)
flags.DEFINE_integer("seed", 0, "Seed of the factors and the noise.")


def simulated_encoder(info, read: list[str], correlation: float, rng: np.random.Generator,
                      noise_codes: int | None = None):
    """Ground-truth data whose "images" are the factors themselves, read by codes with a set correlation.

    Serves both as FactorVAE's ground-truth data and, through `encode`, as its representation function.
    `noise_codes` (default: one per unread factor) sets how many pure-noise codes sit beside the read ones.
    """
    from infogan_tf.datasets.ground_truth import GroundTruthData

    unknown = sorted(set(read) - set(info.factor_names))
    if unknown:
        raise app.UsageError(f"--read: unknown factors {unknown}; known: {', '.join(info.factor_names)}")
    if not 0.0 <= correlation <= 1.0:
        raise app.UsageError(f"--correlations: {correlation} is not in [0, 1]")
    is_read = np.array([name in read for name in info.factor_names])
    weight = np.where(is_read, correlation, 0.0)
    sizes = np.asarray(info.factor_sizes, np.float64)
    unread = int(np.sum(~is_read))
    noise_codes = unread if noise_codes is None else noise_codes
    kept = is_read | (np.cumsum(~is_read) <= noise_codes)  # the first `noise_codes` unread factors' columns

    class SimulatedEncoder(GroundTruthData):
        def images_from_factors(self, factors: np.ndarray) -> np.ndarray:
            return self._check_factors(factors)

        def encode(self, factors: np.ndarray) -> np.ndarray:
            """A code per read factor (the standardised factor blended with noise) and the pure-noise codes, in the
            factors' order where one stands in an unread factor's place, then any beyond those."""
            standardised = (factors - (sizes - 1) / 2) / np.sqrt((sizes ** 2 - 1) / 12)
            codes = weight * standardised + np.sqrt(1 - weight ** 2) * rng.standard_normal(factors.shape)
            extra = rng.standard_normal((len(factors), max(noise_codes - unread, 0)))
            return np.concatenate([codes[:, kept], extra], axis=1)

    return SimulatedEncoder(info)


def _correlations(texts: list[str]) -> list[float]:
    try:
        return [float(text) for text in texts]
    except ValueError:
        raise app.UsageError(f"--correlations: {','.join(texts)} is not a list of numbers") from None


def main(argv):
    del argv
    from infogan_tf.datasets import shapes
    from infogan_tf.evaluation.factor_vae import compute_factor_vae_score
    from infogan_tf.evaluation.mig import compute_mig
    from infogan_tf.evaluation.protocol import protocol_for

    protocol = protocol_for()
    noise_codes = "one per unread factor" if FLAGS.noise_codes is None else FLAGS.noise_codes
    print(f"factors read: {', '.join(FLAGS.read)}; pure-noise codes: {noise_codes}; per-factor MIG: "
          f"{' / '.join(shapes.FACTOR_NAMES)}")
    print("| r | MIG | FactorVAE | per-factor MIG |")
    print("|---|---|---|---|")
    for correlation in _correlations(FLAGS.correlations):
        rng = np.random.default_rng(FLAGS.seed)
        encoder = simulated_encoder(shapes.info(), FLAGS.read, correlation, rng, FLAGS.noise_codes)
        factors = encoder.sample_factors(protocol.factor_train, rng)
        mig = compute_mig(encoder.encode(factors), factors, num_bins=protocol.mig_bins)
        factor_vae = compute_factor_vae_score(
            encoder, encoder.encode, rng, batch_size=protocol.factor_vae_batch, num_train=protocol.factor_vae_train,
            num_eval=protocol.factor_vae_eval, num_variance_estimate=protocol.factor_vae_variance,
            prune_threshold=protocol.factor_vae_prune)
        per_factor = " / ".join(f"{value:.2f}" for value in mig["mig_per_factor"])
        print(f"| {correlation:g} | {mig['mig']:.3f} | {factor_vae['eval_accuracy']:.3f} | {per_factor} |", flush=True)


if __name__ == "__main__":
    app.run(main)
