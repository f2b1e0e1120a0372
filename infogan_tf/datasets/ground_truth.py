"""Images looked up by ground-truth factors, which factor-based disentanglement metrics (FactorVAE score) need.

`shapes` renders any factor combination directly. dsprites and shapes3d are read once into a uint8 array indexed by
the flat factor index (3 GB and 5.9 GB), because TFDS stores them in a shuffled order.
"""

from __future__ import annotations

import abc

import numpy as np

from infogan_tf.datasets import shapes, tfds_source
from infogan_tf.datasets.base import DatasetError, DatasetInfo, factors_to_index
from infogan_tf.datasets.pipeline import dataset_info
from infogan_tf.datasets.splits import parse_split

_READ_BATCH = 4096


class GroundTruthData(abc.ABC):
    """A dataset whose images are a function of discrete factors, sampled factor-first."""

    def __init__(self, info: DatasetInfo):
        self.factor_names = info.factor_names
        self.factor_sizes = info.factor_sizes
        self.image_shape = info.image_shape

    def sample_factors(self, num: int, rng: np.random.Generator) -> np.ndarray:
        """int64 [num, F] factor indices, each factor uniform over its values."""
        return rng.integers(0, self.factor_sizes, size=(num, len(self.factor_sizes)), dtype=np.int64)

    def _check_factors(self, factors: np.ndarray) -> np.ndarray:
        factors = np.asarray(factors, np.int64)
        if factors.ndim != 2 or factors.shape[1] != len(self.factor_sizes):
            raise ValueError(f"factors must be [num, {len(self.factor_sizes)}], got shape {factors.shape}")
        if (factors < 0).any() or (factors >= np.asarray(self.factor_sizes)).any():
            raise ValueError(f"factor indices out of range for factor sizes {self.factor_sizes}")
        return factors

    @abc.abstractmethod
    def images_from_factors(self, factors: np.ndarray) -> np.ndarray:
        """int64 [num, F] factor indices -> float32 [num, H, W, C] images in [0, 1]."""


class ShapesGroundTruth(GroundTruthData):
    """The procedural shapes: any factor combination is rendered on demand."""

    def images_from_factors(self, factors: np.ndarray) -> np.ndarray:
        return shapes.render(self._check_factors(factors), self.image_shape[0]).numpy()


class TfdsGroundTruth(GroundTruthData):
    """dsprites/shapes3d held in memory in factor-grid order, loaded on the first lookup."""

    def __init__(self, info: DatasetInfo, data_dir: str | None, image_size: int | None):
        super().__init__(info)
        self._name, self._data_dir, self._image_size = info.name, data_dir, image_size
        self._grid: np.ndarray | None = None

    def _load_grid(self) -> np.ndarray:
        """Reads the whole train split and places each image at its factor index.

        Raises:
            DatasetError: when the split does not cover every factor combination.
        """
        split = tfds_source.load_split(self._name, parse_split("train"), self._data_dir, self._image_size)
        num_cells = int(np.prod(self.factor_sizes))
        grid = np.zeros((num_cells, *self.image_shape), np.uint8)
        seen = np.zeros(num_cells, bool)
        for batch in split.examples.batch(_READ_BATCH).as_numpy_iterator():
            index = factors_to_index(batch["factors"], self.factor_sizes)
            grid[index] = np.round(batch["image"] * 255.0)
            seen[index] = True
        if not seen.all():
            raise DatasetError(
                f"{self._name} covers only {int(seen.sum())} of its {num_cells} factor combinations; ground-truth "
                "lookups need the complete dataset"
            )
        return grid

    def images_from_factors(self, factors: np.ndarray) -> np.ndarray:
        factors = self._check_factors(factors)
        if self._grid is None:
            self._grid = self._load_grid()
        # Stored as 8 bits: exact for the TFDS images, whose pixels were 8-bit to begin with.
        return self._grid[factors_to_index(factors, self.factor_sizes)].astype(np.float32) / np.float32(255.0)


def ground_truth_data(name: str, *, data_dir: str | None = None, image_size: int | None = None) -> GroundTruthData:
    """Factor-indexed access to a factor dataset (shapes, dsprites, shapes3d).

    Raises:
        DatasetError: for an unknown name or a dataset without ground-truth factors.
    """
    info = dataset_info(name, data_dir=data_dir, image_size=image_size)
    if not info.factor_names:
        factor_datasets = ["shapes"] + [n for n, spec in tfds_source.TFDS_DATASETS.items() if spec.factor_sizes]
        raise DatasetError(f"dataset {name!r} has no ground-truth factors; use one of: {', '.join(factor_datasets)}")
    if name == "shapes":
        return ShapesGroundTruth(info)
    return TfdsGroundTruth(info, data_dir, image_size)
