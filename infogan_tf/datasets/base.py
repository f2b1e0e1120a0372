"""What every data source shares: the error users see, dataset metadata, evaluation examples, one loaded split, and
the flat indexing of factor grids.

A source module (tfds_source, idx, folder, shapes) turns a name and a split into a `SplitData` whose examples are
already preprocessed, so the training pipeline and the evaluation loader treat all sources alike.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import tensorflow as tf

# Preprocessed splits up to this size (float32 bytes) are cached in memory after the first epoch.
CACHE_BUDGET_BYTES = 2 * 1024**3


class DatasetError(ValueError):
    """Bad dataset name/path/file/split; the message is one line naming the bad value."""


@dataclasses.dataclass(frozen=True)
class DatasetInfo:
    """What the networks and metrics need to know about a dataset before reading it.

    Attributes:
        name: the dataset name as the user gave it ("mnist", "idx:/path/to/dir", "shapes", ...).
        image_shape: (H, W, C) of the preprocessed images that `train_dataset` yields.
        num_classes: number of classes of class-labelled data, else None.
        factor_names: names of the ground-truth generative factors, for factor datasets.
        factor_sizes: number of values of each factor, aligned with factor_names.
    """

    name: str
    image_shape: tuple[int, int, int]
    num_classes: int | None
    factor_names: tuple[str, ...] = ()
    factor_sizes: tuple[int, ...] = ()


@dataclasses.dataclass
class Examples:
    """A fixed, ordered set of examples for evaluation.

    Attributes:
        images: float32 [N, H, W, C] in [0, 1].
        labels: int64 [N] class labels, or None when the dataset has none.
        factors: int64 [N, F] factor class indices, or None when the dataset has none.
    """

    images: np.ndarray
    labels: np.ndarray | None
    factors: np.ndarray | None


@dataclasses.dataclass(frozen=True)
class SplitData:
    """One split of a source, preprocessed, in a fixed order.

    Attributes:
        examples: dicts with "image" (float32 [H, W, C] in [0, 1]) and, where the source has them, "label"
            (int64 []) and "factors" (int64 [F]).
        num_examples: the split's size when known without reading it (decides in-memory caching), else None.
        image_shape: (H, W, C) of the images.
    """

    examples: tf.data.Dataset
    num_examples: int | None
    image_shape: tuple[int, int, int]

    def fits_in_memory(self) -> bool:
        """Whether caching the preprocessed split stays within CACHE_BUDGET_BYTES."""
        if self.num_examples is None:
            return False
        return self.num_examples * int(np.prod(self.image_shape)) * 4 <= CACHE_BUDGET_BYTES


def factor_strides(factor_sizes: tuple[int, ...]) -> np.ndarray:
    """Index strides of a factor grid in dSprites order: the first factor varies slowest, the last fastest."""
    return np.cumprod((*factor_sizes[1:], 1)[::-1])[::-1].astype(np.int64)


def factors_to_index(factors: np.ndarray | tf.Tensor, factor_sizes: tuple[int, ...]) -> np.ndarray | tf.Tensor:
    """int [..., F] factor indices -> int64 [...] flat grid index; accepts numpy arrays and TF tensors alike."""
    if isinstance(factors, tf.Tensor):
        return tf.reduce_sum(tf.cast(factors, tf.int64) * factor_strides(factor_sizes), axis=-1)
    return np.sum(np.asarray(factors, np.int64) * factor_strides(factor_sizes), axis=-1)


def index_to_factors(index: np.ndarray | tf.Tensor, factor_sizes: tuple[int, ...]) -> np.ndarray | tf.Tensor:
    """int [...] flat grid index -> int64 [..., F] factor indices, the inverse of factors_to_index."""
    strides, sizes = factor_strides(factor_sizes), np.asarray(factor_sizes, np.int64)
    if isinstance(index, tf.Tensor):
        return tf.cast(index, tf.int64)[..., None] // strides % sizes
    return np.asarray(index, np.int64)[..., None] // strides % sizes
