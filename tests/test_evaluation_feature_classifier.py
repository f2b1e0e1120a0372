"""The evaluation's feature classifier: deterministic training, heads in the caller's order, the workdir cache."""

import numpy as np
import pytest

from infogan_tf import workdir
from infogan_tf.evaluation import feature_classifier

TARGETS = {"zeta": 3, "alpha": 2}  # not alphabetical, as Keras would sort a dict output's names


def _easy_data(num: int = 192) -> tuple[np.ndarray, np.ndarray]:
    """8x8 images with a bright column at the "zeta" class and a bright row at the "alpha" class."""
    rng = np.random.default_rng(0)
    classes = np.stack([rng.integers(0, 3, num), rng.integers(0, 2, num)], axis=1)
    images = rng.uniform(0.0, 0.1, (num, 8, 8, 1)).astype(np.float32)
    images[np.arange(num), :, 2 * classes[:, 0], 0] = 1.0
    images[np.arange(num), 3 * classes[:, 1], :, 0] = 1.0
    return images, classes


def test_same_seed_gives_the_same_weights():
    images, classes = _easy_data(64)
    first, second, other = (
        feature_classifier.train_classifier(images, classes, TARGETS, seed=seed, epochs=1) for seed in (3, 3, 4)
    )
    assert all(np.array_equal(a, b) for a, b in zip(first.get_weights(), second.get_weights(), strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first.get_weights(), other.get_weights(), strict=True))


def test_learns_each_head_in_the_given_column_order():
    images, classes = _easy_data()
    model = feature_classifier.train_classifier(images, classes, TARGETS, seed=0, epochs=8)
    classifier = feature_classifier.FeatureClassifier(model, tuple(TARGETS))
    accuracy = classifier.accuracy(images, classes)
    assert list(accuracy) == ["zeta", "alpha"]
    assert min(accuracy.values()) > 0.9, accuracy
    assert classifier.features(images[:5]).shape == (5, 128)


def test_cache_is_reused_only_for_the_same_settings(tmp_path):
    images, classes = _easy_data(32)
    calls = []

    def training_data():
        calls.append(1)
        return images, classes

    def load(settings: dict) -> feature_classifier.FeatureClassifier:
        return feature_classifier.load_or_train(tmp_path, settings, training_data, TARGETS, seed=0, epochs=1)

    trained = load({"dataset": "a"})
    assert (tmp_path / workdir.EVAL_CLASSIFIER).is_file() and len(calls) == 1
    reused = load({"dataset": "a"})
    assert len(calls) == 1 and reused.targets == ("zeta", "alpha")
    np.testing.assert_array_equal(reused.features(images), trained.features(images))
    load({"dataset": "b"})
    assert len(calls) == 2


@pytest.mark.parametrize("image_shape", [(28, 28, 1), (64, 64, 3)])
def test_heads_have_one_logit_per_class(image_shape):
    model = feature_classifier.build_classifier(image_shape, TARGETS, seed=0)
    outputs = model(np.zeros((2, *image_shape), np.float32))
    assert {name: tuple(value.shape) for name, value in outputs.items()} == {"zeta": (2, 3), "alpha": (2, 2)}
