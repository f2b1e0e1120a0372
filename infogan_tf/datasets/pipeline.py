"""The public entry points: dataset names -> sources, the training input pipeline, and evaluation examples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf
from absl import logging

from infogan_tf.datasets import folder, idx, shapes, tfds_source
from infogan_tf.datasets.base import DatasetError, DatasetInfo, Examples, SplitData
from infogan_tf.datasets.splits import Split, parse_split

_IDX, _FOLDER = "idx:", "folder:"
_EVAL_BATCH = 1024


def _directory(name: str, prefix: str) -> Path:
    directory = name[len(prefix) :]
    if not directory:
        raise DatasetError(f"dataset {name!r} names no directory: use {prefix}/path/to/dir")
    return Path(directory).expanduser()


def _unknown(name: str) -> DatasetError:
    names = [*tfds_source.TFDS_DATASETS, "shapes", f"{_IDX}DIR", f"{_FOLDER}DIR"]
    return DatasetError(f"unknown dataset {name!r}; valid names: {', '.join(names)}")


def _check_positive(value: int | None, what: str) -> None:
    if value is not None and value < 1:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")


def dataset_info(name: str, *, data_dir: str | None = None, image_size: int | None = None) -> DatasetInfo:
    """Validates a dataset name cheaply (for idx:/folder: its directory and one header or image) and describes it.

    Raises:
        DatasetError: for an unknown name or an unusable directory.
    """
    _check_positive(image_size, "image_size")
    if name in tfds_source.TFDS_DATASETS:
        return tfds_source.info(name, image_size)
    if name == "shapes":
        return shapes.info(image_size)
    if name.startswith(_IDX):
        return idx.info(_directory(name, _IDX), name, image_size)
    if name.startswith(_FOLDER):
        return folder.info(_directory(name, _FOLDER), name, image_size)
    raise _unknown(name)


def _load_split(
    name: str, split: Split, data_dir: str | None, image_size: int | None, limit: int | None = None
) -> SplitData:
    """Dispatches to the source; `limit` spares a folder from checking files that will not be read."""
    if name in tfds_source.TFDS_DATASETS:
        return tfds_source.load_split(name, split, data_dir, image_size)
    if name == "shapes":
        return shapes.load_split(split, image_size)
    if name.startswith(_IDX):
        return idx.load_split(_directory(name, _IDX), split, image_size)
    if name.startswith(_FOLDER):
        return folder.load_split(_directory(name, _FOLDER), split, image_size, limit)
    raise _unknown(name)


def train_dataset(
    name: str,
    batch_size: int,
    *,
    split: str = "train",
    data_dir: str | None = None,
    image_size: int | None = None,
    seed: int = 0,
    shuffle_buffer: int = 10_000,
) -> tf.data.Dataset:
    """Endless batches of float32 [batch_size, H, W, C] images in [0, 1], in an order fixed by `seed`.

    Preprocessed images are cached in memory when they fit, so later epochs skip decoding. `shapes` is rendered
    after batching instead and never cached.

    Raises:
        DatasetError: for a bad name, split, directory or file, or data TFDS cannot provide.
    """
    for value, what in ((batch_size, "batch_size"), (shuffle_buffer, "shuffle_buffer"), (image_size, "image_size")):
        _check_positive(value, what)
    return _without_autotune_thread(
        _endless_batches(name, parse_split(split), batch_size, data_dir, image_size, seed, shuffle_buffer)
    )


def _endless_batches(name: str, split: Split, batch_size: int, data_dir: str | None, image_size: int | None,
                     seed: int, shuffle_buffer: int) -> tf.data.Dataset:
    if name == "shapes":
        return shapes.train_dataset(split, batch_size, image_size, seed, shuffle_buffer)
    data = _load_split(name, split, data_dir, image_size)
    if data.num_examples is not None and batch_size > data.num_examples:
        logging.warning("--batch_size=%d is larger than %s's %d images: every batch repeats images", batch_size,
                        f"{name} ({split.text})", data.num_examples)
    images = data.examples.map(lambda example: example["image"])
    if data.fits_in_memory():
        images = images.cache()
    images = images.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True).repeat()
    return images.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def _without_autotune_thread(dataset: tf.data.Dataset) -> tf.data.Dataset:
    """Turns off tf.data's autotuning model. Its thread sleeps in doubling periods of up to a minute, and deleting an
    iterator could wait for its next wake-up: a `fit` often ended with up to 60 s of nothing (docs/RESULTS.md,
    "Fused Adam and the wait at the end of `fit`"). Parallel maps and prefetch then keep TF's untuned defaults
    (parallelism from the core count), ample for in-memory or rendered batches, where the train step is the cost.
    """
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


def load_examples(
    name: str,
    split: str,
    num_examples: int | None = None,
    *,
    data_dir: str | None = None,
    image_size: int | None = None,
) -> Examples:
    """The first `num_examples` of a split (all when None, fewer when the split is smaller) in a fixed order.

    Raises:
        DatasetError: for a bad name, split, directory or file, or data TFDS cannot provide.
    """
    _check_positive(num_examples, "num_examples")
    _check_positive(image_size, "image_size")
    data = _load_split(name, parse_split(split), data_dir, image_size, limit=num_examples)
    examples = data.examples if num_examples is None else data.examples.take(num_examples)
    batches = list(examples.batch(_EVAL_BATCH).as_numpy_iterator())

    def stacked(key: str) -> np.ndarray | None:
        if key not in data.examples.element_spec:
            return None
        return np.concatenate([batch[key] for batch in batches]).astype(np.int64)

    images = np.concatenate([batch["image"] for batch in batches]).astype(np.float32)
    return Examples(images=images, labels=stacked("label"), factors=stacked("factors"))
