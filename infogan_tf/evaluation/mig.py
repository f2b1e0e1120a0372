"""Mutual Information Gap (Chen et al., 2018, "Isolating Sources of Disentanglement in VAEs", arXiv:1802.04942).

Codes are discretised with equal-width histograms, as in disentanglement_lib's `discrete_mig`.
"""

from __future__ import annotations

import numpy as np

from infogan_tf.evaluation import utils


def compute_mig(codes: np.ndarray, factors: np.ndarray, num_bins: int = 20) -> dict:
    """Mean over factors of (largest - second largest) code/factor mutual information, divided by H(factor).

    Args:
        codes: float [N, D] code values (e.g. Q's means) for N samples.
        factors: int [N, F] ground-truth factors of the same samples.
        num_bins: equal-width histogram bins per code.

    Returns:
        {"mig": mean over factors that vary, "mig_per_factor": one float per factor, NaN for a constant factor
        (H = 0, skipped), "information": I(code; factor) / H(factor) as [D][F] nested lists (NaN for a constant
        factor), the table each factor's gap is taken from: it shows which code carries a factor and which second
        code takes the gap down}.

    Raises:
        ValueError: on mismatched or empty arrays, or if no factor takes more than one value.
    """
    codes, factors = utils.check_codes_and_factors(codes, factors)
    varying = utils.varying_columns(factors)
    if not varying.any():
        raise ValueError(f"factors has no column with more than one value (shape {factors.shape}).")

    binned = utils.histogram_discretize(codes, num_bins)
    information = np.array(
        [
            [utils.mutual_information(utils.contingency_table(code, factor)[0]) for factor in factors.T]
            for code in binned.T
        ]
    )
    factor_entropy = np.array([utils.entropy(np.unique(factor, return_counts=True)[1]) for factor in factors.T])
    normalised = np.full(information.shape, np.nan)
    normalised[:, varying] = information[:, varying] / factor_entropy[varying]
    per_factor = np.full(factors.shape[1], np.nan)
    per_factor[varying] = utils.top_two_gap(normalised[:, varying])
    return {"mig": float(np.mean(per_factor[varying])), "mig_per_factor": per_factor.tolist(),
            "information": normalised.tolist()}
