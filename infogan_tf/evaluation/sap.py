"""Separated Attribute Predictability (SAP) score for discrete factors.

Kumar et al., 2018, "Variational Inference of Disentangled Latent Concepts from Unlabeled Observations", Sec. 3.

As in disentanglement_lib, each (code, factor) pair is scored by the test accuracy of a class-balanced linear SVM
(C = 0.01) that predicts the factor from that single code. A linear one-vs-rest classifier on one dimension cannot
isolate every value of a many-valued factor, so even a perfect code scores below 1 for factors with many values;
scores are comparable with disentanglement_lib's, not with an ideal classifier's.
"""

from __future__ import annotations

import numpy as np
from sklearn.svm import LinearSVC

from infogan_tf.evaluation import utils


def compute_sap(
    train_codes: np.ndarray, train_factors: np.ndarray, test_codes: np.ndarray, test_factors: np.ndarray
) -> dict:
    """Mean over factors of the accuracy gap between the best and second-best single-code classifiers.

    Codes are float [N, D], factors int [N, F]; factors constant on the training set are skipped.

    Returns:
        {"sap": float}.
    """
    train_codes, train_factors, test_codes, test_factors = utils.check_train_test(
        train_codes, train_factors, test_codes, test_factors
    )
    varying = utils.varying_columns(train_factors)
    if not varying.any():
        raise ValueError(f"train_factors has no column with more than one value (shape {train_factors.shape}).")

    accuracy = np.array(
        [
            [
                _single_code_accuracy(train_code, train_factor, test_code, test_factor)
                for train_factor, test_factor in zip(train_factors.T[varying], test_factors.T[varying], strict=True)
            ]
            for train_code, test_code in zip(train_codes.T, test_codes.T, strict=True)
        ]
    )
    return {"sap": float(np.mean(utils.top_two_gap(accuracy)))}


def _single_code_accuracy(
    train_code: np.ndarray, train_factor: np.ndarray, test_code: np.ndarray, test_factor: np.ndarray
) -> float:
    """Test accuracy of a linear classifier predicting one factor from one code."""
    classifier = LinearSVC(C=0.01, class_weight="balanced", random_state=0)
    classifier.fit(train_code[:, np.newaxis], train_factor)
    return float(np.mean(classifier.predict(test_code[:, np.newaxis]) == test_factor))
