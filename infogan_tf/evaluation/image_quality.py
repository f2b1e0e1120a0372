"""Sample-quality metrics on precomputed classifier features or predictions.

Fréchet distance (Heusel et al., 2017, FID), kernel distance (Bińkowski et al., 2018, KID) and the class purity of
images generated with each value of a categorical code.
"""

from __future__ import annotations

import numpy as np

from infogan_tf.evaluation import utils


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fit to feature sets [N, K] and [M, K]; FID on Inception pool3 features.

    |mu_a - mu_b|^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)) (Heusel et al., 2017).
    """
    features_a, features_b = _check_features(features_a, features_b)
    mean_a, mean_b = features_a.mean(axis=0), features_b.mean(axis=0)
    cov_a = np.atleast_2d(np.cov(features_a, rowvar=False))
    cov_b = np.atleast_2d(np.cov(features_b, rowvar=False))
    distance = (
        np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2.0 * _trace_sqrt_product(cov_a, cov_b)
    )
    return float(max(distance, 0.0))  # round-off can leave a tiny negative value for identical sets


def kernel_inception_distance(
    features_a: np.ndarray,
    features_b: np.ndarray,
    *,
    num_subsets: int = 10,
    subset_size: int = 1000,
    rng: np.random.Generator,
) -> dict:
    """Kernel distance: unbiased MMD^2 under k(x, y) = (x.y / K + 1)^3, averaged over random subsets.

    Unlike FID it has no bias that depends on the sample size (Bińkowski et al., 2018). Subsets are drawn without
    replacement and shrink to the smaller set if needed.

    Returns:
        {"kid_mean": float, "kid_std": float} over the subsets.
    """
    features_a, features_b = _check_features(features_a, features_b)
    if num_subsets < 1 or subset_size < 2:
        raise ValueError(f"num_subsets must be >= 1 and subset_size >= 2, got {num_subsets}, {subset_size}.")
    size = min(subset_size, len(features_a), len(features_b))
    estimates = [
        _unbiased_mmd2(
            features_a[rng.choice(len(features_a), size, replace=False)],
            features_b[rng.choice(len(features_b), size, replace=False)],
        )
        for _ in range(num_subsets)
    ]
    return {"kid_mean": float(np.mean(estimates)), "kid_std": float(np.std(estimates))}


def class_purity(code_values: np.ndarray, predicted_classes: np.ndarray) -> dict:
    """Per categorical code value, the share of its generated images that a classifier puts in one (majority) class.

    1.0 means the value determines the class completely. Ties go to the smaller class.

    Args:
        code_values: int [N], the code value each image was generated with.
        predicted_classes: int [N], the classifier's class for each image.

    Returns:
        {"purity": unweighted mean over code values, "purity_per_value", "majority_class_per_value",
         "code_values": the distinct code values (sorted) that the per-value lists follow}.
    """
    code_values = utils.check_array("code_values", code_values, 1, integer=True)
    predicted_classes = utils.check_array("predicted_classes", predicted_classes, 1, integer=True)
    utils.check_matching_size(0, code_values=code_values, predicted_classes=predicted_classes)
    table, values, classes = utils.contingency_table(code_values, predicted_classes)
    purity = table.max(axis=1) / table.sum(axis=1)
    return {
        "purity": float(purity.mean()),
        "purity_per_value": purity.tolist(),
        "majority_class_per_value": classes[table.argmax(axis=1)].tolist(),
        "code_values": values.tolist(),
    }


def _check_features(features_a: np.ndarray, features_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Checks two feature sets [N, K], [M, K] with at least two rows each."""
    features_a = utils.check_array("features_a", features_a, 2, min_rows=2)
    features_b = utils.check_array("features_b", features_b, 2, min_rows=2)
    utils.check_matching_size(1, features_a=features_a, features_b=features_b)
    return features_a, features_b


def _trace_sqrt_product(cov_a: np.ndarray, cov_b: np.ndarray) -> float:
    """Tr((S_a S_b)^(1/2)), computed as Tr((S_a^(1/2) S_b S_a^(1/2))^(1/2)) as TF-GAN does.

    The symmetric eigenproblems give a real result even for singular covariances and take seconds for 2048-d
    features, where scipy.linalg.sqrtm of the non-symmetric product takes about a minute on 2 cores.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(cov_a)
    sqrt_a = (eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ eigenvectors.T
    product_eigenvalues = np.linalg.eigvalsh(sqrt_a @ cov_b @ sqrt_a)
    return float(np.sum(np.sqrt(np.clip(product_eigenvalues, 0.0, None))))


def _unbiased_mmd2(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 between equal-size samples under the cubic polynomial kernel."""
    size, dim = x.shape
    kernel_xx = (x @ x.T / dim + 1.0) ** 3
    kernel_yy = (y @ y.T / dim + 1.0) ** 3
    kernel_xy = (x @ y.T / dim + 1.0) ** 3
    within = (kernel_xx.sum() - np.trace(kernel_xx) + kernel_yy.sum() - np.trace(kernel_yy)) / (size * (size - 1))
    return float(within - 2.0 * kernel_xy.mean())
