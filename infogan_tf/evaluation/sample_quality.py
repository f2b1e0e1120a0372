"""Quality of generated images in the feature classifier's eyes: FD and KID against real images, and the class
purity of each categorical code's values."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from infogan_tf import latents, networks
from infogan_tf.evaluation import inference
from infogan_tf.evaluation.feature_classifier import FeatureClassifier
from infogan_tf.evaluation.image_quality import class_purity, frechet_distance, kernel_inception_distance
from infogan_tf.evaluation.protocol import Protocol

GENERATE_BATCH = 256


def generate(
    generator: keras.Model, spec: latents.LatentSpec, count: int, seed: int
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """`count` images from the prior and their latents; batch i uses the stateless seed (seed, i), so the same seed
    always gives the same images."""
    images, sampled = [], []
    for index, start in enumerate(range(0, count, GENERATE_BATCH)):
        batch = latents.sample_latents(spec, min(GENERATE_BATCH, count - start), tf.constant([seed, index]))
        images.append(np.asarray(inference.run(generator, networks.generator_inputs(spec, batch)), np.float32))
        sampled.append({name: value.numpy() for name, value in batch.items()})
    return np.concatenate(images), {name: np.concatenate([s[name] for s in sampled]) for name in sampled[0]}


def sample_quality(
    classifier: FeatureClassifier,
    real_images: np.ndarray,
    real_classes: np.ndarray,
    generator: keras.Model,
    spec: latents.LatentSpec,
    protocol: Protocol,
    seed: int,
) -> dict:
    """FD and KID between classifier features of real and generated images, the classifier's held-out accuracy on
    the real images, and per categorical code the purity of each value's generated images for every target.

    Args:
        classifier: the dataset's feature classifier.
        real_images: float [N, H, W, C] held-out real images.
        real_classes: int [N, num targets] their true classes, columns in `classifier.targets` order.
        generator: G.
        spec: the latent spec G was trained with.
        protocol: sample counts.
        seed: seeds the latents and the KID subsets.
    """
    fake_images, sampled = generate(generator, spec, protocol.generated, seed)
    real_features, fake_features = classifier.features(real_images), classifier.features(fake_images)
    kid = kernel_inception_distance(
        real_features,
        fake_features,
        num_subsets=protocol.kid_subsets,
        subset_size=protocol.kid_subset_size,
        rng=np.random.default_rng([seed, 4]),
    )
    predicted = classifier.predict(fake_images)
    purity = {
        name: {target: class_purity(np.asarray(values), predicted[target]) for target in predicted}
        for code, name, values in zip(spec.codes, spec.code_names(), latents.code_values(spec, sampled), strict=True)
        if code.nominal
    }
    accuracy = classifier.accuracy(real_images, real_classes)
    return {
        "frechet_distance": frechet_distance(real_features, fake_features),
        "kid_mean": kid["kid_mean"],
        "kid_std": kid["kid_std"],
        "classifier_heldout_accuracy": accuracy,
        "class_purity": purity,
        "num_real": len(real_images),
        "num_generated": len(fake_images),
    }
