"""ModelCentrality: unsupervised model selection among runs of one setting (InfoGAN-CR, Lin et al. 2020, sec. 5).

Without ground-truth factors, each trained generator serves as the ground truth for the others: entry [i][j] of the
matrix is the FactorVAE score of run j's encoder on run i's generated images, run i's codes being the factors
(`generated_factors.GeneratedGroundTruth`); the encoders of one row see the same images, generated once. A run's
centrality is the mean of its symmetrised scores with every other run, (S[i][j] + S[j][i]) / 2; the selected run is
the medoid, the one of highest centrality. Runs that found the same factors agree with each other, so the medoid is
the typical good run rather than a lucky outlier.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from absl import logging

from infogan_tf.evaluation import code_metrics
from infogan_tf.evaluation.factor_vae import compute_factor_vae_scores
from infogan_tf.evaluation.generated_factors import GeneratedGroundTruth
from infogan_tf.evaluation.loaded_run import EvaluationError, LoadedRun
from infogan_tf.evaluation.protocol import Protocol


def compute_model_centrality(runs: Sequence[LoadedRun], protocol: Protocol, seed: int = 0) -> dict:
    """Cross-scores every run's encoder on every run's self-labelled fakes and picks the medoid.

    Returns:
        {"workdirs", "matrix" (row: whose images, column: whose encoder), "centrality", "selected_index",
         "selected", "tied_with" (other runs as central as the selected one)}.

    Raises:
        EvaluationError: for fewer than two runs, a run without codes, or runs with different image shapes.
    """
    if len(runs) < 2:
        raise EvaluationError(f"ModelCentrality needs at least two runs, got {len(runs)}")
    for run in runs:
        if not run.spec.codes:
            raise EvaluationError(f"{run.root} has no structured codes to score")
    shapes = {tuple(run.image_shape) for run in runs}
    if len(shapes) > 1:
        raise EvaluationError(f"the runs generate images of different shapes {sorted(shapes)}; compare like with like")

    representations = {j: code_metrics.encoder_representation(run.spec, run.encoder) for j, run in enumerate(runs)}
    matrix = np.zeros((len(runs), len(runs)))
    for i, source in enumerate(runs):
        logging.info("ModelCentrality: every encoder on images of %s", source.root)
        data = GeneratedGroundTruth(source.generator, source.spec, seed=seed * 1000 + i)
        scores = compute_factor_vae_scores(
            data, representations, np.random.default_rng([seed, i]),
            batch_size=protocol.factor_vae_batch, num_train=protocol.factor_vae_train,
            num_eval=protocol.factor_vae_eval, num_variance_estimate=protocol.factor_vae_variance,
            prune_threshold=protocol.factor_vae_prune,
        )
        matrix[i] = [scores[j]["eval_accuracy"] for j in range(len(runs))]
    centrality = centralities(matrix)
    selected = int(np.argmax(centrality))
    return {
        "workdirs": [str(run.root) for run in runs],
        "matrix": matrix.tolist(),
        "centrality": centrality.tolist(),
        "selected_index": selected,
        "selected": str(runs[selected].root),
        "tied_with": tied_with(centrality, selected),
    }


def centralities(matrix: np.ndarray) -> np.ndarray:
    """Each run's mean symmetrised score with every other run."""
    symmetric = (matrix + matrix.T) / 2.0
    off_diagonal = ~np.eye(len(matrix), dtype=bool)
    return np.array([symmetric[i, off_diagonal[i]].mean() for i in range(len(matrix))])


def tied_with(centrality: np.ndarray, selected: int, tolerance: float = 1e-3) -> list[int]:
    """The other runs as central as the selected one (within `tolerance`, below the scores' resolution): when the
    encoders all read each other's images alike, the matrix does not choose and the first listed is taken."""
    return [index for index, value in enumerate(centrality)
            if index != selected and centrality[selected] - value < tolerance]


def format_table(result: dict) -> str:
    """The matrix as a markdown table (rows: whose images; columns: whose encoder), centralities and the choice."""
    names = [f"run {index}" for index in range(len(result["workdirs"]))]
    lines = ["| images \\ encoder | " + " | ".join(names) + " | centrality |",
             "|---" * (len(names) + 2) + "|"]
    for name, row, centrality in zip(names, result["matrix"], result["centrality"], strict=True):
        lines.append(f"| {name} | " + " | ".join(f"{value:.3f}" for value in row) + f" | {centrality:.3f} |")
    lines += [f"{name}: {path}" for name, path in zip(names, result["workdirs"], strict=True)]
    lines.append(f"selected: run {result['selected_index']} ({result['selected']})")
    tied = result.get("tied_with") or []
    if tied:
        lines.append("tied with " + ", ".join(f"run {index}" for index in tied) + ": the matrix does not separate "
                     "these runs, so the first listed is taken; compare them by other means")
    return "\n".join(lines)
