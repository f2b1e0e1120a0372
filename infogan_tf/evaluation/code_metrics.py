"""Scores of the codes the encoder (Q) reads off real images: against class labels or ground-truth factors.

Each code becomes one column of the representation, in the order of the latent spec: a categorical code its argmax
(a number whose order means nothing; MIG's histogram bins and DCI's trees ignore the order, and the FactorVAE vote only
needs its variance), a continuous code Q's mean, a Bernoulli code Q's probability.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import keras
import numpy as np

from infogan_tf import latents
from infogan_tf.datasets import Examples, GroundTruthData
from infogan_tf.evaluation import inference
from infogan_tf.evaluation.dci import compute_dci
from infogan_tf.evaluation.factor_vae import compute_factor_vae_scores
from infogan_tf.evaluation.matched_accuracy import compute_matched_accuracy
from infogan_tf.evaluation.mig import compute_mig
from infogan_tf.evaluation.protocol import Protocol
from infogan_tf.evaluation.sap import compute_sap

ENCODE_BATCH = 1024


def encode(encoder: keras.Model, images: np.ndarray) -> dict[str, np.ndarray]:
    """The encoder's outputs for float images [N, H, W, C], in fixed-size batches so memory stays bounded."""
    batches = [inference.run(encoder, images[start : start + ENCODE_BATCH])
               for start in range(0, len(images), ENCODE_BATCH)]
    return {name: np.concatenate([batch[name] for batch in batches]) for name in batches[0]}


def code_columns(spec: latents.LatentSpec, encoded: dict[str, np.ndarray]) -> np.ndarray:
    """float [N, num codes]: one column per code in spec order (categorical argmax, continuous/Bernoulli mean)."""
    return np.stack([np.asarray(column, np.float64) for column in latents.code_values(spec, encoded)], axis=1)


def labelled_code_metrics(spec: latents.LatentSpec, encoder: keras.Model, heldout: Examples) -> dict:
    """Hungarian-matched accuracy and NMI of every categorical code against the held-out class labels.

    Returns:
        {code_name: {"matched_accuracy", "nmi", "matched_class_per_value": class of each code value, None for a
         value left unmatched}} for the categorical codes.
    """
    encoded = encode(encoder, heldout.images)
    names = spec.code_names()
    metrics = {}
    for code, name, values in zip(spec.codes, names, latents.code_values(spec, encoded), strict=True):
        if not code.nominal:
            continue
        scores = compute_matched_accuracy(heldout.labels, np.asarray(values, np.int64))
        metrics[name] = {
            "matched_accuracy": scores["matched_accuracy"],
            "nmi": scores["nmi"],
            "matched_class_per_value": [scores["mapping"].get(value) for value in range(code.num_categories)],
        }
    return metrics


def encoder_representation(spec: latents.LatentSpec, encoder: keras.Model) -> Callable[[np.ndarray], np.ndarray]:
    """images -> the encoder's code columns: the representation every disentanglement score of an encoder reads."""

    def represent(images: np.ndarray) -> np.ndarray:
        return code_columns(spec, encode(encoder, images))

    return represent


def factor_followers(
    spec: latents.LatentSpec, encoder: keras.Model, data: GroundTruthData, protocol: Protocol, seed: int
) -> dict:
    """Per factor the code that follows it most closely on images rendered from sampled factors (|correlation| of a
    continuous or Bernoulli code, Hungarian-matched accuracy of a categorical one)."""
    factors = data.sample_factors(protocol.factor_train, np.random.default_rng([seed, 10]))
    columns = encoder_representation(spec, encoder)(data.images_from_factors(factors))
    return _factor_followers(spec, columns, factors, data.factor_names)


def _factor_followers(
    spec: latents.LatentSpec, columns: np.ndarray, factors: np.ndarray, factor_names: tuple[str, ...]
) -> dict:
    """{factor: {"continuous": (code, |corr|) of the best continuous/Bernoulli code, "categorical": (code, matched
    accuracy) of the best categorical code}}, each present only if the spec has such a code."""
    names = spec.code_names()
    ordered = [i for i, code in enumerate(spec.codes) if not code.nominal]
    categorical = [i for i, code in enumerate(spec.codes) if code.nominal]
    followers = {}
    for index, factor_name in enumerate(factor_names):
        factor = factors[:, index]
        if np.unique(factor).size < 2:
            continue
        entry = {}
        if ordered:
            best, correlation = most_correlated_column(columns[:, ordered], factor)
            entry["continuous"] = {"code": names[ordered[best]], "abs_correlation": correlation}
        if categorical:
            accuracies = [compute_matched_accuracy(factor, columns[:, i].astype(np.int64))["matched_accuracy"]
                          for i in categorical]
            best = int(np.argmax(accuracies))
            entry["categorical"] = {"code": names[categorical[best]], "matched_accuracy": accuracies[best]}
        followers[factor_name] = entry
    return followers


def most_correlated_column(columns: np.ndarray, factor: np.ndarray) -> tuple[int, float]:
    """The column of `columns` [N, K] with the largest |correlation| with `factor`, and that |correlation| (a
    constant column counts as 0)."""
    correlations = [abs(_correlation(column, factor)) for column in columns.T]
    best = int(np.argmax(correlations))
    return best, correlations[best]


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.std() == 0 or b.std() == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def factor_scores(
    representations: Mapping[str, Callable[[np.ndarray], np.ndarray]], data: GroundTruthData, protocol: Protocol,
    seed: int,
) -> dict[str, dict]:
    """MIG, FactorVAE score, DCI and SAP of each representation (images -> float [N, D]) against the factors.

    Every image is rendered once and shown to all representations, so rivals (an encoder, a baseline) are scored
    on the same images. Each metric draws from its own generator seeded by (seed, metric), so the numbers do not
    depend on which metrics ran before nor on which other representations were scored alongside.

    Returns:
        {name: {"factor_names", "mig", "mig_per_factor", "mig_information", "factor_vae", "dci", "sap"}};
        mig_information is MIG's table, I(code; factor) / H(factor) as [codes][factors].
    """

    def sample(count: int, rng: np.random.Generator) -> tuple[dict[str, np.ndarray], np.ndarray]:
        factors = data.sample_factors(count, rng)
        images = data.images_from_factors(factors)
        return {name: represent(images) for name, represent in representations.items()}, factors

    train_codes, train_factors = sample(protocol.factor_train, np.random.default_rng([seed, 0]))
    test_codes, test_factors = sample(protocol.factor_test, np.random.default_rng([seed, 1]))
    factor_vae = compute_factor_vae_scores(
        data,
        representations,
        np.random.default_rng([seed, 2]),
        batch_size=protocol.factor_vae_batch,
        num_train=protocol.factor_vae_train,
        num_eval=protocol.factor_vae_eval,
        num_variance_estimate=protocol.factor_vae_variance,
        prune_threshold=protocol.factor_vae_prune,
    )
    scores = {}
    for name in representations:
        mig = compute_mig(train_codes[name], train_factors, num_bins=protocol.mig_bins)
        scores[name] = {
            "factor_names": list(data.factor_names),
            "mig": mig["mig"],
            "mig_per_factor": mig["mig_per_factor"],
            "mig_information": mig["information"],
            "factor_vae": factor_vae[name],
            "dci": compute_dci(train_codes[name], train_factors, test_codes[name], test_factors,
                               np.random.default_rng([seed, 3])),
            "sap": compute_sap(train_codes[name], train_factors, test_codes[name], test_factors)["sap"],
        }
    return scores
