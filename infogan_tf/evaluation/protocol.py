"""How many samples each evaluation metric uses: the published protocols by default, scaled down for quick runs.

The defaults follow disentanglement_lib (MIG on 10k points, DCI/SAP on 10k train + 5k test points, the FactorVAE
score with 10k images for the variances, 10k training and 5k evaluation votes of batch 64, pruning at 0.05) and
compute FD/KID on 10k generated images. `--num_examples=N` replaces the 10k base by N and every other count by the
same fraction, so a quick run keeps the protocol's proportions.
"""

from __future__ import annotations

import dataclasses

BASE_EXAMPLES = 10_000
MIN_EXAMPLES = 4
# Below it MIG, purity and the rest are dominated by sampling noise (a 4-step model scores 1.0).
RELIABLE_EXAMPLES = 1_000


def small_sample_warning(num_examples: int | None) -> str | None:
    """The warning that metrics.json and the report carry for a scaled-down protocol too small to compare runs by."""
    if num_examples is None or num_examples >= RELIABLE_EXAMPLES:
        return None
    return (f"--num_examples={num_examples} is below {RELIABLE_EXAMPLES}: with so few samples the scores are mostly "
            "sampling noise (an untrained model can score 1.0); use them to check the pipeline, not to compare models")


@dataclasses.dataclass(frozen=True)
class Protocol:
    """Sample counts of one evaluation, recorded in metrics.json so numbers are only compared at equal sizes.

    Attributes:
        heldout_examples: labelled held-out images encoded for matched accuracy/NMI (None: the whole split).
        factor_train: factor samples for MIG and for fitting DCI/SAP.
        factor_test: factor samples for scoring DCI/SAP.
        factor_vae_batch: images per FactorVAE vote (one factor fixed across the batch).
        factor_vae_train: FactorVAE training votes.
        factor_vae_eval: FactorVAE evaluation votes.
        factor_vae_variance: images for FactorVAE's global per-code variances.
        factor_vae_prune: FactorVAE's relative variance threshold for active codes.
        mig_bins: histogram bins per code for MIG.
        generated: generated images for FD, KID and class purity; as many real images where the data has them.
        kid_subsets: random subsets KID averages over.
        kid_subset_size: images per KID subset.
        classifier_train: images the feature classifier is trained on.
        classifier_epochs: its training epochs.
    """

    heldout_examples: int | None
    factor_train: int
    factor_test: int
    factor_vae_train: int
    factor_vae_eval: int
    factor_vae_variance: int
    generated: int
    kid_subset_size: int
    classifier_train: int
    factor_vae_batch: int = 64
    factor_vae_prune: float = 0.05
    mig_bins: int = 20
    kid_subsets: int = 10
    classifier_epochs: int = 3

    def to_json(self) -> dict:
        """The sizes as a plain dict for metrics.json."""
        return dataclasses.asdict(self)


def protocol_for(num_examples: int | None = None) -> Protocol:
    """The full protocol for None, else every count scaled by num_examples / 10k (at least MIN_EXAMPLES each).

    Raises:
        ValueError: when num_examples is below MIN_EXAMPLES, too few for a covariance or a KID subset.
    """
    if num_examples is not None and num_examples < MIN_EXAMPLES:
        raise ValueError(f"num_examples must be at least {MIN_EXAMPLES}, got {num_examples}")
    base = num_examples or BASE_EXAMPLES

    def scaled(count: int) -> int:
        return max(MIN_EXAMPLES, round(count * base / BASE_EXAMPLES))

    return Protocol(
        heldout_examples=num_examples,
        factor_train=scaled(10_000),
        factor_test=scaled(5_000),
        factor_vae_train=scaled(10_000),
        factor_vae_eval=scaled(5_000),
        factor_vae_variance=scaled(10_000),
        generated=scaled(10_000),
        kid_subset_size=min(1_000, scaled(10_000)),
        classifier_train=scaled(10_000),
    )
