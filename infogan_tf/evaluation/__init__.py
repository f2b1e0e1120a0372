"""Evaluation metrics on numpy arrays: one metric per module, each exposing `compute_<metric>(...) -> dict`.

Disentanglement: `mig`, `factor_vae`, `dci`, `sap`. Categorical-code quality: `matched_accuracy`.
Sample quality on precomputed features or predictions: `image_quality`.
"""
