"""Known-answer tests for infogan_tf.evaluation.matched_accuracy."""

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score

from infogan_tf.evaluation.matched_accuracy import compute_matched_accuracy


def test_permuted_labelling_is_perfect():
    rng = np.random.default_rng(0)
    labels = rng.integers(10, size=2000)
    permutation = rng.permutation(10)
    result = compute_matched_accuracy(labels, permutation[labels])
    assert result["matched_accuracy"] == 1.0
    assert result["nmi"] == pytest.approx(1.0)
    assert result["mapping"] == {int(permutation[label]): label for label in range(10)}


def test_small_contingency_table():
    # Code 1 holds two samples of class 0 and one of class 1, code 0 two of class 1: match 1->0 and 0->1.
    result = compute_matched_accuracy(np.array([0, 0, 1, 1, 1]), np.array([1, 1, 0, 0, 1]))
    assert result["matched_accuracy"] == pytest.approx(0.8)
    assert result["mapping"] == {1: 0, 0: 1}


def test_more_code_values_than_classes_counts_unmatched_values_as_errors():
    labels = np.repeat(np.arange(3), 100)
    predictions = labels.copy()
    predictions[:40] = 7  # 40 of the 100 samples of class 0 get a fourth code value.
    result = compute_matched_accuracy(labels, predictions)
    assert result["matched_accuracy"] == pytest.approx(260 / 300)
    assert result["mapping"] == {0: 0, 1: 1, 2: 2}


def test_random_predictions_are_near_chance():
    rng = np.random.default_rng(1)
    result = compute_matched_accuracy(rng.integers(10, size=5000), rng.integers(10, size=5000))
    assert 0.08 < result["matched_accuracy"] < 0.13
    assert result["nmi"] < 0.02


def test_nmi_matches_arithmetic_normalisation():
    rng = np.random.default_rng(2)
    labels = rng.integers(5, size=1000)
    predictions = np.where(rng.random(1000) < 0.6, labels, rng.integers(7, size=1000))
    expected = normalized_mutual_info_score(labels, predictions, average_method="arithmetic")
    assert compute_matched_accuracy(labels, predictions)["nmi"] == pytest.approx(expected)


def test_deterministic():
    rng = np.random.default_rng(3)
    labels, predictions = rng.integers(4, size=300), rng.integers(6, size=300)
    assert compute_matched_accuracy(labels, predictions) == compute_matched_accuracy(labels, predictions)


@pytest.mark.parametrize(
    "labels, predictions, message",
    [
        (np.zeros(5, int), np.zeros(4, int), "labels"),
        (np.zeros(0, int), np.zeros(0, int), "labels"),
        (np.zeros(5, int), np.zeros(5), "predictions"),
        (np.zeros((5, 1), int), np.zeros(5, int), "labels"),
    ],
)
def test_invalid_arguments_raise(labels, predictions, message):
    with pytest.raises(ValueError, match=message):
        compute_matched_accuracy(labels, predictions)
