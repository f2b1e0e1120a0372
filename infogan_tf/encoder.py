"""The encoder: D/Q's trunk plus a read-out of Q's distributions, for clustering, retrieval and evaluation."""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

from infogan_tf import code_kinds, distributions, latents
from infogan_tf.networks import PACKAGE


@keras.saving.register_keras_serializable(package=PACKAGE)
class CodeReadout(layers.Layer):
    """(Q's parameters, D's logit) -> each kind's reading of its codes (argmax and probabilities of categorical
    codes, means of the rest) and D(x)."""

    def __init__(self, codes: str, **kwargs):
        super().__init__(**kwargs)
        self.codes = codes
        self.spec = latents.LatentSpec(noise_dim=0, codes=latents.parse_codes(codes))

    def call(self, inputs):
        q_params, logit = inputs
        dists = distributions.code_distributions(self.spec, q_params)
        batch = tf.shape(q_params)[0]
        groups = code_kinds.grouped_by_kind(self.spec.codes, dists)
        outputs = {}
        for kind in code_kinds.all_kinds():
            values = [kind.readout(dist) for dist in groups[kind.name]]
            outputs[kind.name] = tf.stack(values, axis=1) if values else tf.zeros([batch, 0], kind.dtype)
            outputs.update(kind.extra_readouts(groups[kind.name], batch))
        outputs["realness"] = tf.sigmoid(tf.cast(logit[:, 0], tf.float32))
        return outputs

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
