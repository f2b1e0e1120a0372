"""Accuracy of a categorical code as a classifier after matching its values to classes.

InfoGAN (Chen et al., 2016) reports the MNIST error of its categorical code after matching each code value to a
digit class; the best one-to-one matching is the Hungarian solution on the code-value/class contingency table.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from infogan_tf.evaluation import utils


def compute_matched_accuracy(labels: np.ndarray, predictions: np.ndarray) -> dict:
    """Scores code values `predictions` int [N] against classes `labels` int [N] under the best one-to-one matching.

    With more code values than classes, samples of unmatched values count as errors (and vice versa), so a code
    only scores 1.0 if it is a relabelling of the classes.

    Returns:
        {"matched_accuracy": float, "nmi": normalized mutual information (arithmetic-mean normalisation),
         "mapping": {code_value: class} for the matched code values}.
    """
    labels = utils.check_array("labels", labels, 1, integer=True)
    predictions = utils.check_array("predictions", predictions, 1, integer=True)
    utils.check_matching_size(0, labels=labels, predictions=predictions)

    table, code_values, classes = utils.contingency_table(predictions, labels)
    rows, columns = linear_sum_assignment(table, maximize=True)
    entropy_sum = utils.entropy(table.sum(axis=1)) + utils.entropy(table.sum(axis=0))
    # Two constant labellings are identical up to renaming, the convention of sklearn's normalized_mutual_info_score.
    nmi = 2.0 * utils.mutual_information(table) / entropy_sum if entropy_sum > 0 else 1.0
    return {
        "matched_accuracy": float(table[rows, columns].sum() / len(labels)),
        "nmi": float(nmi),
        "mapping": {int(code_values[row]): int(classes[column]) for row, column in zip(rows, columns, strict=True)},
    }
