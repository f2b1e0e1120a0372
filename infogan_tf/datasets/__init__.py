"""Training and evaluation data: TFDS datasets, local IDX files or image folders, and the procedural `shapes`.

Every dataset is addressed by one name ("mnist", "celeb_a", "dsprites", "shapes", "idx:DIR", "folder:DIR") and a
TFDS-style split ("train", "test[:9000]", "train[10%:20%]"); images come out as float32 in [0, 1].
"""

from infogan_tf.datasets.base import DatasetError, DatasetInfo, Examples
from infogan_tf.datasets.ground_truth import GroundTruthData, ground_truth_data
from infogan_tf.datasets.pipeline import dataset_info, load_examples, train_dataset

__all__ = [
    "DatasetError",
    "DatasetInfo",
    "Examples",
    "GroundTruthData",
    "dataset_info",
    "ground_truth_data",
    "load_examples",
    "train_dataset",
]
