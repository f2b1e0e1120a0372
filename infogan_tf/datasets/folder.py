"""A folder of PNG/JPEG images (`folder:DIR`, searched recursively, sorted by path): unlabelled RGB data, offline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from infogan_tf.datasets import preprocessing
from infogan_tf.datasets.base import DatasetError, DatasetInfo, SplitData
from infogan_tf.datasets.splits import Split
from infogan_tf.messages import first_line

DEFAULT_SIZE = 64
_EXTENSIONS = (".png", ".jpg", ".jpeg")


def list_images(directory: Path) -> list[Path]:
    """All image files under `directory` in sorted order, so slices and evaluation subsets are reproducible.

    Raises:
        DatasetError: when the directory is missing or holds no images.
    """
    if not directory.is_dir():
        raise DatasetError(f"folder:{directory}: no such directory")
    paths = sorted(p for p in directory.rglob("*") if p.suffix.lower() in _EXTENSIONS and p.is_file())
    if not paths:
        raise DatasetError(f"folder:{directory} holds no {'/'.join(_EXTENSIONS)} images (searched recursively)")
    return paths


def decode(path: tf.Tensor) -> tf.Tensor:
    """Reads a PNG/JPEG file as uint8 [H, W, 3]; grey and RGBA images become RGB so batches stack."""
    return tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)


def preprocess(path: tf.Tensor, image_size: int) -> tf.Tensor:
    """File path -> float32 [image_size, image_size, 3] in [0, 1]; a central square crop keeps the aspect ratio."""
    image = preprocessing.to_unit_float(decode(path))
    return preprocessing.resize(preprocessing.center_crop_square(image), image_size)


def _decode_error(path: Path) -> str | None:
    """Why TF cannot decode `path` (first line of its message), or None when it can."""
    try:
        decode(tf.constant(str(path)))
    except tf.errors.OpError as error:
        return first_line(error)
    return None


def check_decodable(directory: Path, paths: list[Path]) -> None:
    """Decodes every file once with the pipeline's own decoder, so a bad file is named now, not mid-training.

    Raises:
        DatasetError: naming the first file that cannot be decoded (and how many more there are).
    """
    decoded = np.zeros(len(paths), bool)
    attempts = tf.data.Dataset.from_tensor_slices([str(p) for p in paths]).enumerate()
    attempts = attempts.map(lambda i, p: (i, tf.shape(decode(p))), num_parallel_calls=tf.data.AUTOTUNE)
    for indices, _ in attempts.ignore_errors().batch(4096).as_numpy_iterator():
        decoded[indices] = True
    bad = np.flatnonzero(~decoded)
    if bad.size:
        reason = _decode_error(paths[bad[0]]) or "unreadable"
        more = f" (and {bad.size - 1} more)" if bad.size > 1 else ""
        raise DatasetError(f"folder:{directory}: cannot decode image {paths[bad[0]]}: {reason}{more}")


def info(directory: Path, name: str, image_size: int | None = None) -> DatasetInfo:
    """Validates the folder by listing it and decoding its first image."""
    first = list_images(directory)[0]
    reason = _decode_error(first)
    if reason:
        raise DatasetError(f"folder:{directory}: cannot decode image {first}: {reason}")
    size = image_size or DEFAULT_SIZE
    return DatasetInfo(name=name, image_shape=(size, size, 3), num_classes=None)


def load_split(directory: Path, split: Split, image_size: int | None = None, limit: int | None = None) -> SplitData:
    """The images of a "train" slice, checked for decodability (only the first `limit` when given).

    Raises:
        DatasetError: for a missing/empty folder, a split other than "train", or an undecodable image.
    """
    split.check_available(("train",), f"folder:{directory}")
    paths = list_images(directory)
    start, stop = split.bounds(len(paths))
    paths = paths[start:stop][:limit]
    check_decodable(directory, paths)
    size = image_size or DEFAULT_SIZE
    records = tf.data.Dataset.from_tensor_slices([str(p) for p in paths])
    examples = records.map(lambda path: {"image": preprocess(path, size)}, num_parallel_calls=tf.data.AUTOTUNE)
    return SplitData(examples=examples, num_examples=len(paths), image_shape=(size, size, 3))
