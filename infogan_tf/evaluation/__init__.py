"""Evaluation of a trained run: one metric per module, plus the runner that applies them to a workdir.

Metrics on numpy arrays, each exposing `compute_<metric>(...) -> dict`: `mig`, `factor_vae`, `dci`, `sap`
(disentanglement), `matched_accuracy` (categorical codes vs labels), `image_quality` (Fréchet distance, KID, purity).
`runner.evaluate_workdir` picks the metrics the dataset supports and writes metrics.json and report.html.
"""
