"""MNIST-format IDX files in a local directory (MNIST, Fashion-MNIST, KMNIST...): `idx:DIR`, offline.

Split "train" reads train-images-idx3-ubyte[.gz] + train-labels-idx1-ubyte[.gz], split "test" the t10k-* pair.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np
import tensorflow as tf

from infogan_tf.datasets import preprocessing
from infogan_tf.datasets.base import DatasetError, DatasetInfo, SplitData
from infogan_tf.datasets.splits import Split

_PREFIXES = {"train": "train", "test": "t10k"}
_UNSIGNED_BYTE = 0x08
_MIN_CLASSES = 10


def _read_bytes(path: Path, limit: int = -1) -> bytes:
    """Reads (up to `limit` bytes of) a raw or gzipped file; I/O and gzip failures name the file."""
    try:
        with gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb") as stream:
            return stream.read(limit)
    except (OSError, EOFError, zlib.error) as error:
        raise DatasetError(f"cannot read IDX file {path}: {error}") from error


def _parse_header(data: bytes, path: Path, expected_ndim: int) -> tuple[tuple[int, ...], int]:
    """Checks the magic number (0, 0, element type, ndim) and returns the dims and the data offset."""
    if len(data) < 4 or data[:2] != b"\x00\x00":
        raise DatasetError(f"{path} is not an IDX file (bad magic number)")
    if data[2] != _UNSIGNED_BYTE:
        raise DatasetError(f"{path}: IDX element type 0x{data[2]:02x} is not supported, expected unsigned bytes (0x08)")
    if data[3] != expected_ndim:
        raise DatasetError(f"{path}: IDX file has {data[3]} dimensions, expected {expected_ndim}")
    offset = 4 + 4 * expected_ndim
    if len(data) < offset:
        raise DatasetError(f"{path} is truncated: the IDX header is incomplete")
    return struct.unpack(f">{expected_ndim}I", data[4:offset]), offset


def read_idx(path: Path, expected_ndim: int) -> np.ndarray:
    """Parses a whole IDX file of unsigned bytes into a uint8 array shaped as its header says.

    Raises:
        DatasetError: naming the file when it is unreadable, not IDX, truncated or has trailing bytes.
    """
    data = _read_bytes(path)
    dims, offset = _parse_header(data, path, expected_ndim)
    expected = int(np.prod(dims))
    if len(data) - offset != expected:
        raise DatasetError(
            f"{path} is truncated or corrupt: its header promises {'x'.join(map(str, dims))} = {expected} bytes of "
            f"data but it holds {len(data) - offset}"
        )
    return np.frombuffer(data, np.uint8, offset=offset).reshape(dims)


def _check_directory(directory: Path) -> None:
    if not directory.is_dir():
        raise DatasetError(f"idx:{directory}: no such directory")


def _find(directory: Path, stem: str) -> Path | None:
    """Prefers the raw file over the gzipped one: it reads faster."""
    return next((p for p in (directory / stem, directory / f"{stem}.gz") if p.is_file()), None)


def _split_files(directory: Path, split_name: str) -> tuple[Path, Path]:
    """The (images, labels) files of one split, or a DatasetError saying what was looked for and what exists."""
    _check_directory(directory)
    prefix = _PREFIXES[split_name]
    files = []
    for stem in (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"):
        path = _find(directory, stem)
        if path is None:
            others = [s for s, p in _PREFIXES.items() if s != split_name and _find(directory, f"{p}-images-idx3-ubyte")]
            hint = (
                f" (found {_PREFIXES[others[0]]}-*; use split '{others[0]}', e.g. '{others[0]}[:90%]')"
                if others
                else " (it holds no *-images-idx3-ubyte[.gz] files)"
            )
            raise DatasetError(f"idx:{directory} has no {stem}[.gz] for split {split_name!r}{hint}")
        files.append(path)
    return files[0], files[1]


def _num_classes(labels: np.ndarray) -> int:
    return max(_MIN_CLASSES, int(labels.max()) + 1) if labels.size else _MIN_CLASSES


def info(directory: Path, name: str, image_size: int | None = None) -> DatasetInfo:
    """Validates the directory and reads one images header plus its (small) labels file."""
    _check_directory(directory)
    split_name = next((s for s, p in _PREFIXES.items() if _find(directory, f"{p}-images-idx3-ubyte")), "train")
    images_path, labels_path = _split_files(directory, split_name)
    (_, height, width), _ = _parse_header(_read_bytes(images_path, 16), images_path, 3)
    return DatasetInfo(
        name=name,
        image_shape=(image_size, image_size, 1) if image_size else (height, width, 1),
        num_classes=_num_classes(read_idx(labels_path, 1)),
    )


def load_split(directory: Path, split: Split, image_size: int | None = None) -> SplitData:
    """Reads one split's images and labels into memory (MNIST's 60k images are 47 MB) and slices them.

    Raises:
        DatasetError: for a missing/corrupt file, or images and labels of different counts.
    """
    split.check_available(tuple(_PREFIXES), f"idx:{directory}")
    images_path, labels_path = _split_files(directory, split.name)
    images, labels = read_idx(images_path, 3), read_idx(labels_path, 1)
    if len(images) != len(labels):
        raise DatasetError(f"{images_path} holds {len(images)} images but {labels_path} holds {len(labels)} labels")
    start, stop = split.bounds(len(images))
    natural_size = images.shape[1:3]

    def preprocess(example: dict) -> dict:
        image = preprocessing.to_unit_float(example["image"])
        return {"image": preprocessing.maybe_resize(image, natural_size, image_size), "label": example["label"]}

    records = tf.data.Dataset.from_tensor_slices(
        {"image": images[start:stop, :, :, None], "label": labels[start:stop].astype(np.int64)}
    )
    image_shape = (image_size, image_size, 1) if image_size else (*natural_size, 1)
    return SplitData(records.map(preprocess, num_parallel_calls=tf.data.AUTOTUNE), stop - start, image_shape)
