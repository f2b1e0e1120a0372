"""Helpers shared by the metric modules: argument checks, histogram discretisation and discrete information."""

from __future__ import annotations

import numpy as np


def check_array(name: str, array: np.ndarray, ndim: int, *, integer: bool = False, min_rows: int = 1) -> np.ndarray:
    """Returns `array` as numpy, raising a ValueError naming the argument if its rank, size or values are unusable."""
    array = np.asarray(array)
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}.")
    if array.shape[0] < min_rows or 0 in array.shape:
        raise ValueError(f"{name} needs at least {max(min_rows, 1)} non-empty rows, got shape {array.shape}.")
    if integer:
        if not (np.issubdtype(array.dtype, np.integer) or array.dtype == bool):
            raise ValueError(f"{name} must hold integers, got dtype {array.dtype} (shape {array.shape}).")
        return array
    if not np.issubdtype(array.dtype, np.number) or not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must hold finite numbers (shape {array.shape}, dtype {array.dtype}).")
    return array.astype(np.float64)


def check_matching_size(axis: int, **arrays: np.ndarray) -> None:
    """Raises a ValueError listing every argument's shape unless all have the same size along `axis`."""
    if len({array.shape[axis] for array in arrays.values()}) > 1:
        shapes = ", ".join(f"{name} {array.shape}" for name, array in arrays.items())
        raise ValueError(f"Arguments must have the same size along axis {axis}, got {shapes}.")


def check_codes_and_factors(
    codes: np.ndarray, factors: np.ndarray, *, prefix: str = ""
) -> tuple[np.ndarray, np.ndarray]:
    """Checks paired codes float [N, D] and factors int [N, F]; `prefix` completes the argument names in errors."""
    codes = check_array(f"{prefix}codes", codes, 2)
    factors = check_array(f"{prefix}factors", factors, 2, integer=True)
    check_matching_size(0, **{f"{prefix}codes": codes, f"{prefix}factors": factors})
    return codes, factors


def check_train_test(
    train_codes: np.ndarray, train_factors: np.ndarray, test_codes: np.ndarray, test_factors: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Checks train and test splits of codes and factors, which must agree in D and F."""
    train_codes, train_factors = check_codes_and_factors(train_codes, train_factors, prefix="train_")
    test_codes, test_factors = check_codes_and_factors(test_codes, test_factors, prefix="test_")
    check_matching_size(1, train_codes=train_codes, test_codes=test_codes)
    check_matching_size(1, train_factors=train_factors, test_factors=test_factors)
    return train_codes, train_factors, test_codes, test_factors


def histogram_discretize(values: np.ndarray, num_bins: int) -> np.ndarray:
    """Maps each column of float `values` [N, D] to `num_bins` equal-width bins over its own range (int [N, D])."""
    if num_bins < 1:
        raise ValueError(f"num_bins must be positive, got {num_bins}.")
    columns = [np.digitize(column, np.histogram_bin_edges(column, num_bins)[:-1]) for column in values.T]
    return np.stack(columns, axis=1)


def contingency_table(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts of each (a, b) value pair, as table [len(a_values), len(b_values)], a_values and b_values (sorted)."""
    a_values, a_index = np.unique(a, return_inverse=True)
    b_values, b_index = np.unique(b, return_inverse=True)
    flat = np.bincount(a_index * len(b_values) + b_index, minlength=len(a_values) * len(b_values))
    return flat.reshape(len(a_values), len(b_values)), a_values, b_values


def entropy(counts: np.ndarray) -> float:
    """Shannon entropy in nats of the empirical distribution given by non-negative `counts`."""
    probabilities = counts[counts > 0] / counts.sum()
    return float(-np.sum(probabilities * np.log(probabilities)))


def mutual_information(table: np.ndarray) -> float:
    """Mutual information in nats of the empirical joint distribution given by a contingency table."""
    joint = entropy(table.ravel())
    return max(0.0, entropy(table.sum(axis=1)) + entropy(table.sum(axis=0)) - joint)


def varying_columns(factors: np.ndarray) -> np.ndarray:
    """Boolean mask of the columns of `factors` [N, F] that take more than one value (the others carry no signal)."""
    return np.any(factors != factors[:1], axis=0)


def top_two_gap(scores: np.ndarray) -> np.ndarray:
    """Per column of `scores` [codes, factors], best minus second-best code score, as MIG and SAP need.

    0 stands in for a missing second code.
    """
    ordered = np.sort(scores, axis=0)[::-1]
    second = ordered[1] if len(ordered) > 1 else np.zeros_like(ordered[0])
    return ordered[0] - second
