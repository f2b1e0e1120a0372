"""A small CNN classifier trained on the dataset itself: the feature space for FD/KID and the judge of class purity.

Inception features need a download and suit 28x28 digits poorly, so each workdir trains its own classifier: two
strided convolutions, a 128-unit "features" layer and one softmax head per target (the class label, or every factor
with more than one value). It is trained deterministically from a seed, without touching global random state, and
cached in the workdir with the settings it was trained with; a later evaluation with other settings retrains it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
from absl import logging
from keras import layers

from infogan_tf import workdir

FEATURES_LAYER = "features"
_BATCH = 64
_PREDICT_BATCH = 256
_LEARNING_RATE = 1e-3


class FeatureClassifier:
    """A trained classifier with named heads and access to its penultimate features."""

    def __init__(self, model: keras.Model, targets: tuple[str, ...]):
        self.model = model
        self.targets = targets  # Keras sorts a dict output's names, so the column order is kept here
        self._features = keras.Model(model.inputs, model.get_layer(FEATURES_LAYER).output)

    def features(self, images: np.ndarray) -> np.ndarray:
        """float [N, 128] activations of the features layer, where FD and KID compare real and generated images."""
        return self._features.predict(images, batch_size=_PREDICT_BATCH, verbose=0).astype(np.float64)

    def predict(self, images: np.ndarray) -> dict[str, np.ndarray]:
        """{target: int [N] most likely class}."""
        logits = self.model.predict(images, batch_size=_PREDICT_BATCH, verbose=0)
        return {target: np.argmax(logits[target], axis=1) for target in self.targets}

    def accuracy(self, images: np.ndarray, classes: np.ndarray) -> dict[str, float]:
        """{target: accuracy} on images with true classes int [N, num targets] (columns in `self.targets` order)."""
        predicted = self.predict(images)
        return {name: float(np.mean(predicted[name] == classes[:, i])) for i, name in enumerate(self.targets)}


def build_classifier(image_shape: tuple[int, int, int], target_sizes: dict[str, int], seed: int) -> keras.Model:
    """images [B, H, W, C] in [0, 1] -> {target: logits [B, size]}, with every initialiser seeded."""

    def init(offset: int) -> keras.initializers.Initializer:
        return keras.initializers.GlorotUniform(seed=seed * 1000 + offset)

    images = keras.Input(shape=image_shape, name="images")
    hidden = layers.Conv2D(32, 4, strides=2, padding="same", activation="relu", kernel_initializer=init(0))(images)
    hidden = layers.Conv2D(64, 4, strides=2, padding="same", activation="relu", kernel_initializer=init(1))(hidden)
    hidden = layers.Flatten()(hidden)
    features = layers.Dense(128, activation="relu", kernel_initializer=init(2), name=FEATURES_LAYER)(hidden)
    heads = {
        name: layers.Dense(size, kernel_initializer=init(3 + i), name=name)(features)
        for i, (name, size) in enumerate(target_sizes.items())
    }
    return keras.Model(images, heads, name="eval_classifier")


def train_classifier(
    images: np.ndarray, classes: np.ndarray, target_sizes: dict[str, int], *, seed: int, epochs: int
) -> keras.Model:
    """Fits the classifier on images [N, H, W, C] and classes int [N, num targets]; the same seed gives the same
    weights, as the epoch orders come from a seeded numpy generator rather than Keras' global shuffling."""
    model = build_classifier(images.shape[1:], target_sizes, seed)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=keras.optimizers.Adam(_LEARNING_RATE), loss={name: loss for name in target_sizes})
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(images))
        labels = {name: classes[order, i] for i, name in enumerate(target_sizes)}
        model.fit(images[order], labels, batch_size=_BATCH, epochs=1, shuffle=False, verbose=0)
    return model


def load_or_train(
    root: Path,
    settings: dict,
    training_data: Callable[[], tuple[np.ndarray, np.ndarray]],
    target_sizes: dict[str, int],
    *,
    seed: int,
    epochs: int,
) -> FeatureClassifier:
    """The classifier cached in `root` if it was trained with the same `settings`, else a new one (then cached).

    Args:
        root: the workdir.
        settings: JSON-serialisable description of the training data (dataset, image shape, sizes, seed...).
        training_data: called only on a cache miss; returns (images [N, H, W, C], classes int [N, num targets]).
        target_sizes: {target name: number of classes}, in the column order of the classes.
        seed: seeds the initialisers and the epoch orders.
        epochs: training epochs.
    """
    model_path, settings_path = root / workdir.EVAL_CLASSIFIER, root / workdir.EVAL_CLASSIFIER_SETTINGS
    settings = {**settings, "targets": [[name, size] for name, size in target_sizes.items()]}
    settings.update(seed=seed, epochs=epochs)
    if model_path.exists() and settings_path.exists() and json.loads(settings_path.read_text()) == settings:
        logging.info("Reusing the feature classifier %s", model_path)
        return FeatureClassifier(keras.models.load_model(model_path), tuple(target_sizes))
    images, classes = training_data()
    logging.info("Training the feature classifier on %d images for %d epochs", len(images), epochs)
    model = train_classifier(images, classes, target_sizes, seed=seed, epochs=epochs)
    workdir.atomic_save_keras(model, model_path)
    workdir.atomic_write_json(settings_path, settings)
    return FeatureClassifier(model, tuple(target_sizes))
