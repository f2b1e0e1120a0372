"""`evaluate_workdir`: scores a trained run and writes metrics.json, TensorBoard scalars and report.html into it.

Which metrics run depends on what the data provides: class labels give matched accuracy/NMI of the categorical codes,
ground-truth factors give MIG, FactorVAE, DCI and SAP; both give FD/KID and class purity in the features of a
classifier trained on the data. Data with neither (celeb_a, folder:) only gets the training MI estimates and the
report. Labelled data is scored on a held-out split chosen by `evaluation_split`.
"""

from __future__ import annotations

import math
import os
import shlex
from collections.abc import Callable

import numpy as np
import tensorflow as tf
from absl import logging

from infogan_tf import config, datasets, latents, workdir
from infogan_tf.callbacks import blank_images_warning
from infogan_tf.datasets.splits import parse_split
from infogan_tf.evaluation import code_metrics, feature_classifier, generated_factors, pixel_baseline, report, utils
from infogan_tf.evaluation.loaded_run import EvaluationError, LoadedRun, load_run
from infogan_tf.evaluation.mig import compute_mig
from infogan_tf.evaluation.protocol import Protocol, protocol_for, small_sample_warning
from infogan_tf.evaluation.sample_quality import generate, sample_quality


def evaluation_split(train_split: str, split: str | None = None) -> str:
    """The held-out split of labelled data: `split` if given, else "test", or, for a run trained on a slice of
    "test", the rest of "test" (trained on test[:9000] -> test[9000:], on test[:90%] -> test[90%:]).

    Raises:
        EvaluationError: when the run trained on all of "test" or on a middle slice and no `split` is given.
    """
    if split is not None:
        return parse_split(split).text
    trained = parse_split(train_split)
    if trained.name != "test":
        return "test"
    unit = "%" if trained.percent else ""
    starts_at_0 = trained.start in (None, 0)
    ends_at_end = trained.stop is None or (trained.percent and trained.stop == 100)
    if starts_at_0 and not ends_at_end:
        return f"test[{trained.stop}{unit}:]"
    if ends_at_end and not starts_at_0:
        return f"test[:{trained.start}{unit}]"
    raise EvaluationError(
        f"the run trained on {train_split!r}, which leaves no single held-out slice of 'test'; pass --split"
    )


def evaluate_workdir(
    workdir_path: str | os.PathLike,
    *,
    dataset: str | None = None,
    data_dir: str | None = None,
    split: str | None = None,
    num_examples: int | None = None,
    seed: int = 0,
) -> dict:
    """Evaluates the models in a workdir, writes metrics.json, TensorBoard scalars and report.html; returns the
    metrics. `dataset`, `data_dir` and the training split default to the run's flags.cfg / run_summary.json.

    Raises:
        EvaluationError: for a missing workdir, model or summary, or data that does not fit the model.
        datasets.DatasetError: for an unknown dataset, a bad split or unreadable data.
        config.ConfigError: for a malformed flags.cfg.
    """
    try:
        protocol = protocol_for(num_examples)
    except ValueError as error:
        raise EvaluationError(str(error)) from error
    run = load_run(workdir_path)
    command = _command(run, dataset, data_dir, split, num_examples, seed)
    trained = run.train_config or config.TrainConfig(workdir=str(run.root))
    name = dataset or run.summary.get("dataset", trained.dataset)
    data_dir = data_dir or trained.data_dir
    image_size = trained.image_size if run.train_config else run.image_shape[0]
    info = datasets.dataset_info(name, data_dir=data_dir, image_size=image_size)
    if info.image_shape != run.image_shape:
        raise EvaluationError(
            f"dataset {name!r} gives {info.image_shape} images but the model in {run.root} takes {run.image_shape}"
        )

    metrics = {
        "command": command,
        "dataset": name,
        "image_shape": list(run.image_shape),
        "global_step": run.global_step,
        "seed": seed,
        "protocol": protocol.to_json(),
        "mi_estimates_nats": run.summary.get("mi_estimates_nats", {}),
        "skipped": {},
    }
    candidates = (small_sample_warning(num_examples),
                  blank_images_warning(run.global_step, run.summary.get("final_losses", {})))
    warnings = [warning for warning in candidates if warning]
    for warning in warnings:
        logging.warning("%s", warning)
    if warnings:
        metrics["warning"] = " ".join(warnings)
    if not run.spec.codes:
        metrics["skipped"]["codes"] = "the run has no structured codes"
    if info.num_classes:
        metrics.update(
            _labelled_metrics(
                run, info, data_dir, trained.train_split, evaluation_split(trained.train_split, split), protocol, seed
            )
        )
    elif info.factor_sizes:
        metrics.update(_factor_metrics(run, info, data_dir, protocol, seed, metrics["skipped"]))
    else:
        reason = f"{name!r} has neither class labels nor ground-truth factors to train a feature classifier on"
        metrics["skipped"].update(codes=reason, image_quality=reason)
    if run.spec.codes:
        metrics.setdefault("generated", {}).update(_generated_metrics(run, protocol, seed))
    if split is not None and not info.num_classes:
        logging.warning("--split=%s is unused: only labelled data is read by split", split)

    metrics = _json_safe(metrics)
    workdir.atomic_write_json(workdir.Workdir(run.root).metrics, metrics)
    _write_scalars(run, metrics)
    html = report.render_report(metrics, run.generator, run.spec, run.history, rows=trained.traversal_rows, seed=seed,
                                span=trained.traversal_range)
    workdir.atomic_write_text(workdir.Workdir(run.root).report, html)
    logging.info("Wrote %s and %s in %s", workdir.METRICS, workdir.REPORT, run.root)
    return metrics


def _labelled_metrics(
    run: LoadedRun,
    info: datasets.DatasetInfo,
    data_dir: str | None,
    train_split: str,
    split: str,
    protocol: Protocol,
    seed: int,
) -> dict:
    """Matched accuracy/NMI per categorical code on the held-out split, and FD/KID/purity with a label classifier
    trained on the run's own training split (never on the held-out images)."""
    load = {"data_dir": data_dir, "image_size": info.image_shape[0]}
    heldout = datasets.load_examples(info.name, split, protocol.heldout_examples, **load)
    logging.info("Scoring the codes on %d images of %s", len(heldout.images), split)
    result = {"split": split}
    if run.spec.codes:
        result["codes"] = code_metrics.labelled_code_metrics(run.spec, run.encoder, heldout)

    def training_data() -> tuple[np.ndarray, np.ndarray]:
        train = datasets.load_examples(info.name, train_split, protocol.classifier_train, **load)
        return train.images, train.labels[:, np.newaxis]

    classifier = _classifier(run, info, protocol, seed, training_data, {"label": info.num_classes})
    quality = sample_quality(
        classifier, heldout.images, heldout.labels[:, np.newaxis], run.generator, run.spec, protocol, seed
    )
    return {**result, "image_quality": quality}


def _factor_metrics(
    run: LoadedRun, info: datasets.DatasetInfo, data_dir: str | None, protocol: Protocol, seed: int, skipped: dict
) -> dict:
    """Disentanglement scores on images rendered from sampled factors (the encoder's and, for single-channel sprite
    data, the pixel-centroid baseline's), FD/KID/purity with a factor classifier that has one head per factor
    taking more than one value, and how well G's codes line up with the factors that classifier reads off G's
    images (no encoder involved)."""
    data = datasets.ground_truth_data(info.name, data_dir=data_dir, image_size=info.image_shape[0])
    representations, columns, scored = {}, {}, []
    if run.spec.codes:
        representations["disentanglement"] = code_metrics.encoder_representation(run.spec, run.encoder)
        columns["disentanglement"] = run.spec.code_names()
        scored.append("the codes")
    if info.image_shape[-1] == 1:
        representations["disentanglement_baseline"] = pixel_baseline.centroid_codes
        columns["disentanglement_baseline"] = list(pixel_baseline.COLUMNS)
        scored.append("the pixel-centroid baseline")
    else:
        skipped["disentanglement_baseline"] = "the pixel-centroid baseline reads 1-channel sprite images"
    result = {}
    if representations:
        logging.info("Scoring %s on %d + %d factor samples", " and ".join(scored), protocol.factor_train,
                     protocol.factor_test)
        scores = code_metrics.factor_scores(representations, data, protocol, seed)
        result = {
            name: {"code_columns": columns[name], **scores[name],
                   "mig_information": dict(zip(columns[name], scores[name]["mig_information"]))}
            for name in representations
        }
    if run.spec.codes:
        result["disentanglement"]["factor_followers"] = code_metrics.factor_followers(
            run.spec, run.encoder, data, protocol, seed)
    varying = [i for i, size in enumerate(info.factor_sizes) if size > 1]

    def sample(count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        factors = data.sample_factors(count, rng)
        return data.images_from_factors(factors), factors[:, varying]

    classifier = _classifier(
        run,
        info,
        protocol,
        seed,
        lambda: sample(protocol.classifier_train, np.random.default_rng([seed, 5])),
        {info.factor_names[i]: info.factor_sizes[i] for i in varying},
    )
    real_images, real_classes = sample(protocol.generated, np.random.default_rng([seed, 6]))
    quality = sample_quality(classifier, real_images, real_classes, run.generator, run.spec, protocol, seed)
    result["image_quality"] = quality
    if run.spec.codes:
        result["generated"] = {"generator_mig": _generator_mig(run, classifier, protocol, seed)}
    return result


def _generator_mig(run: LoadedRun, classifier: feature_classifier.FeatureClassifier, protocol: Protocol,
                   seed: int) -> dict:
    """MIG of G's own code values against the factors the classifier reads off G's images (None when the
    classifier gives every generated image the same value of every factor)."""
    images, sampled = generate(run.generator, run.spec, protocol.factor_train, seed + 1)
    predicted = classifier.predict(images)
    factors = np.stack([predicted[name] for name in classifier.targets], axis=1)
    names = list(classifier.targets)
    if not utils.varying_columns(factors).any():
        return {"mig": None, "mig_per_factor": [None] * len(names), "factor_names": names}
    codes = np.stack([np.asarray(v, np.float64) for v in latents.code_values(run.spec, sampled)], axis=1)
    mig = compute_mig(codes, factors, num_bins=protocol.mig_bins)
    return {"mig": mig["mig"], "mig_per_factor": mig["mig_per_factor"], "factor_names": names}


def _generated_metrics(run: LoadedRun, protocol: Protocol, seed: int) -> dict:
    """The encoder on G's own images: per-code recovery, and MIG / FactorVAE with G's codes as the factors."""
    logging.info("Scoring the encoder on generated images")
    images, sampled = generate(run.generator, run.spec, protocol.factor_train, seed + 2)
    recovery = generated_factors.code_recovery(run.spec, sampled, code_metrics.encode(run.encoder, images))
    data = generated_factors.GeneratedGroundTruth(run.generator, run.spec, seed)
    return {"code_recovery": recovery, "self_labelled": generated_factors.self_labelled_scores(
        data, code_metrics.encoder_representation(run.spec, run.encoder), protocol, seed)}


def _classifier(
    run: LoadedRun,
    info: datasets.DatasetInfo,
    protocol: Protocol,
    seed: int,
    training_data: Callable[[], tuple[np.ndarray, np.ndarray]],
    target_sizes: dict[str, int],
) -> feature_classifier.FeatureClassifier:
    """The workdir's feature classifier for this data and protocol, trained on `training_data` unless cached."""
    settings = {"dataset": info.name, "image_shape": list(info.image_shape), "train_images": protocol.classifier_train}
    return feature_classifier.load_or_train(
        run.root, settings, training_data, target_sizes, seed=seed, epochs=protocol.classifier_epochs
    )


def _command(
    run: LoadedRun, dataset: str | None, data_dir: str | None, split: str | None, num_examples: int | None, seed: int
) -> str:
    """The evaluate.py command line that repeats this evaluation, for the report's title."""
    options = {"dataset": dataset, "data_dir": data_dir, "split": split, "num_examples": num_examples, "seed": seed}
    given = [f"--{name}={value}" for name, value in options.items() if value is not None]
    return shlex.join(["python", "evaluate.py", f"--workdir={run.root}", *given])


def _json_safe(value: object) -> object:
    """numpy scalars -> Python numbers, tuples -> lists, NaN/inf -> None, so metrics.json is strict JSON."""
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_json_safe(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _scalars(metrics: dict, prefix: str = "") -> dict[str, float]:
    """The float leaves of nested metrics as {"section/name": value}; counts, lists and text are left out."""
    scalars = {}
    for key, value in metrics.items():
        if isinstance(value, dict):
            scalars.update(_scalars(value, f"{prefix}{key}/"))
        elif isinstance(value, float):
            scalars[f"{prefix}{key}"] = value
    return scalars


def _write_scalars(run: LoadedRun, metrics: dict) -> None:
    """Writes the scores to tensorboard/eval at the model's step, beside the training curves."""
    sections = {key: metrics[key] for key in ("codes", "disentanglement", "disentanglement_baseline", "generated",
                                              "image_quality") if key in metrics}
    writer = tf.summary.create_file_writer(str(workdir.Workdir(run.root).eval_tensorboard))
    with writer.as_default(step=run.global_step):
        for name, value in _scalars(sections).items():
            tf.summary.scalar(name, value)
    writer.close()
