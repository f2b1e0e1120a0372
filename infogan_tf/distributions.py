"""Q's raw outputs -> one TFP distribution per structured code.

This is the seam between the recognition network and the objective: Q predicts a flat parameter vector, this module
turns it into distributions, and the loss only ever calls `log_prob` on them. Each code's kind (`code_kinds`) says
how many parameters it takes and which distribution they make.
"""

from __future__ import annotations

import tensorflow as tf
import tensorflow_probability as tfp

from infogan_tf import latents

tfd = tfp.distributions


def code_distributions(spec: latents.LatentSpec, q_params: tf.Tensor) -> list[tfd.Distribution]:
    """Splits Q's parameters [B, spec.num_q_params] into a batch distribution per code, in spec order.

    Parameters are cast to float32 first: under mixed precision log-probs in half precision are off by up to 1e-2
    and TFP refuses a float32 value for a float16 distribution.
    """
    q_params = tf.cast(q_params, tf.float32)
    sizes = [code.num_q_params for code in spec.codes]
    pieces = tf.split(q_params, sizes, axis=-1) if sizes else []
    return [code.q_distribution(params) for code, params in zip(spec.codes, pieces)]

