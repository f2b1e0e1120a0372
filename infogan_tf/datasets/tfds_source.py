"""TFDS datasets: which ones we know, how each is preprocessed, and one-line errors when TFDS cannot provide them.

Everything except the actual read is static (shapes, split sizes, factor grids), so `dataset_info` and split
validation work without the data being downloaded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import tensorflow as tf
import tensorflow_datasets as tfds

from infogan_tf.datasets import preprocessing
from infogan_tf.datasets.base import DatasetError, DatasetInfo, SplitData
from infogan_tf.datasets.splits import Split


@dataclasses.dataclass(frozen=True)
class TfdsDataset:
    """Static facts about one TFDS dataset.

    Attributes:
        stored_shape: (H, W, C) of the stored uint8 image.
        split_sizes: number of examples of each split.
        num_classes: classes of the "label" feature, or None when not class-labelled.
        factor_sizes: label_<factor> feature name suffix -> number of values, in dSprites order (slowest first).
        crop: (H, W) of a central crop taken before anything else, or None.
        default_size: output size when the caller gives none, or None to keep the (cropped) size.
        binary: stored pixels are 0/1 rather than 0..255.
    """

    stored_shape: tuple[int, int, int]
    split_sizes: dict[str, int]
    num_classes: int | None = None
    factor_sizes: dict[str, int] = dataclasses.field(default_factory=dict)
    crop: tuple[int, int] | None = None
    default_size: int | None = None
    binary: bool = False

    @property
    def cropped_size(self) -> tuple[int, int]:
        """(H, W) after the crop: the size kept when no resize is asked for."""
        return self.crop or self.stored_shape[:2]

    def image_shape(self, image_size: int | None) -> tuple[int, int, int]:
        size = image_size or self.default_size
        return (size, size, self.stored_shape[2]) if size else (*self.cropped_size, self.stored_shape[2])


_MNIST_SPLITS = {"train": 60_000, "test": 10_000}
TFDS_DATASETS: dict[str, TfdsDataset] = {
    "mnist": TfdsDataset((28, 28, 1), _MNIST_SPLITS, num_classes=10),
    "fashion_mnist": TfdsDataset((28, 28, 1), _MNIST_SPLITS, num_classes=10),
    "svhn_cropped": TfdsDataset((32, 32, 3), {"train": 73_257, "test": 26_032, "extra": 531_131}, num_classes=10),
    # 140x140 around the centre of the 218x178 image keeps the face and drops most background (DCGAN/BEGAN crop).
    "celeb_a": TfdsDataset(
        (218, 178, 3), {"train": 162_770, "validation": 19_867, "test": 19_962}, crop=(140, 140), default_size=64
    ),
    "dsprites": TfdsDataset(
        (64, 64, 1),
        {"train": 737_280},
        factor_sizes={"shape": 3, "scale": 6, "orientation": 40, "x_position": 32, "y_position": 32},
        binary=True,
    ),
    "shapes3d": TfdsDataset(
        (64, 64, 3),
        {"train": 480_000},
        factor_sizes={"floor_hue": 10, "wall_hue": 10, "object_hue": 10, "scale": 8, "shape": 4, "orientation": 15},
    ),
}


def info(name: str, image_size: int | None = None) -> DatasetInfo:
    """Metadata without touching the data, so a missing download is reported only when the data is read."""
    spec = TFDS_DATASETS[name]
    return DatasetInfo(
        name=name,
        image_shape=spec.image_shape(image_size),
        num_classes=spec.num_classes,
        factor_names=tuple(spec.factor_sizes),
        factor_sizes=tuple(spec.factor_sizes.values()),
    )


def preprocess_fn(name: str, image_size: int | None = None) -> Callable[[dict], dict]:
    """The per-example map from TFDS features to {"image", "label"?, "factors"?} for one dataset."""
    spec = TFDS_DATASETS[name]

    def preprocess(features: dict) -> dict:
        image = features["image"]
        if spec.crop:
            image = preprocessing.center_crop(image, *spec.crop)
        # A 0/1 image is already in [0, 1]; clamping also binarises TFDS mock data, which is random 0..255.
        image = tf.cast(tf.minimum(image, 1), tf.float32) if spec.binary else preprocessing.to_unit_float(image)
        example = {"image": preprocessing.maybe_resize(image, spec.cropped_size, image_size or spec.default_size)}
        if spec.num_classes:
            example["label"] = tf.cast(features["label"], tf.int64)
        if spec.factor_sizes:
            example["factors"] = tf.stack([tf.cast(features[f"label_{f}"], tf.int64) for f in spec.factor_sizes])
        return example

    return preprocess


def _one_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def load_split(name: str, split: Split, data_dir: str | None = None, image_size: int | None = None) -> SplitData:
    """Reads one split through TFDS in its stored (unshuffled) order, preprocessed.

    Raises:
        DatasetError: for a split the dataset does not have, or when TFDS cannot download/prepare/read it.
    """
    spec = TFDS_DATASETS[name]
    split.check_available(tuple(spec.split_sizes), name)
    num_examples = split.size(spec.split_sizes[split.name])
    try:
        records = tfds.load(name, split=split.text, data_dir=data_dir, shuffle_files=False)
    except Exception as error:  # TFDS raises many kinds (DownloadError, ConnectionError, OSError, AssertionError...)
        raise DatasetError(
            f"could not download/prepare TFDS dataset {name!r} into {data_dir or tfds.core.constants.DATA_DIR}: "
            f"{_one_line(error)}; run once with internet or pass --data_dir with a prepared copy"
        ) from error
    examples = records.map(preprocess_fn(name, image_size), num_parallel_calls=tf.data.AUTOTUNE)
    return SplitData(examples=examples, num_examples=num_examples, image_shape=spec.image_shape(image_size))
