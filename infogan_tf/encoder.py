"""The encoder: D/Q's trunk plus a read-out of Q's distributions, for clustering, retrieval and evaluation."""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

from infogan_tf import distributions, latents
from infogan_tf.networks import PACKAGE


@keras.saving.register_keras_serializable(package=PACKAGE)
class CodeReadout(layers.Layer):
    """(Q's parameters, D's logit) -> argmax and probabilities of categorical codes, means of the rest, D(x)."""

    def __init__(self, codes: str, **kwargs):
        super().__init__(**kwargs)
        self.codes = codes
        self.spec = latents.LatentSpec(noise_dim=0, codes=latents.parse_codes(codes))

    def call(self, inputs):
        q_params, logit = inputs
        dists = distributions.code_distributions(self.spec, q_params)
        batch = tf.shape(q_params)[0]
        by_kind = {kind: [] for kind in latents.KINDS}
        probs = []
        for code, dist in zip(self.spec.codes, dists):
            if code.kind == latents.CATEGORICAL:
                by_kind[code.kind].append(tf.cast(dist.mode(), tf.int32))
                probs.append(dist.probs_parameter())
            else:
                by_kind[code.kind].append(dist.mean())

        def stacked(values, dtype):
            return tf.stack(values, axis=1) if values else tf.zeros([batch, 0], dtype)

        return {
            "categorical": stacked(by_kind[latents.CATEGORICAL], tf.int32),
            "categorical_probs": tf.concat(probs, axis=1) if probs else tf.zeros([batch, 0], tf.float32),
            "continuous": stacked(by_kind[latents.CONTINUOUS], tf.float32),
            "bernoulli": stacked(by_kind[latents.BERNOULLI], tf.float32),
            "realness": tf.sigmoid(tf.cast(logit[:, 0], tf.float32)),
        }

    def get_config(self):
        return {**super().get_config(), "codes": self.codes}


def build_encoder(spec: latents.LatentSpec, discriminator: keras.Model) -> keras.Model:
    """images in [0, 1] -> {categorical, categorical_probs, continuous, bernoulli, realness}, all float32/int32."""
    images = keras.Input(shape=discriminator.input_shape[1:], name="images")
    outputs = discriminator(images, training=False)
    readout = CodeReadout(spec.to_string(), name="code_readout", dtype="float32")(
        [outputs["q_params"], outputs["logit"]]
    )
    return keras.Model(images, readout, name="encoder")
