"""Real-image reconstruction through G: Q's reading of a real image, drawn by G, must look like that image.

    loss = |a - b|^2 / (|a|^2 + |b|^2),    a = blur(G(z, c_hat(x))),  b = blur(x)

where c_hat(x) is Q's readout of the codes on a real image x; the loss lies in [0, 2] and is 0 for a match.

Minimised by D/Q only; G is not trained by it. The MI term trains Q on G's images alone, and on sprites its
readings do not carry over to real images well (a position code that G's images answer to almost exactly follows a
real sprite's position only loosely). This term calibrates Q on real images against what each code means to G: the
reading whose rendering lands where the real sprite is. The blur widens the basin, so a rendering that misses the
sprite by a few pixels still says which way to move. G renders in inference mode with the step's noise z; codes
whose readout has no gradient (categorical) take Q's most likely value.
"""

from __future__ import annotations

import math

import tensorflow as tf

from infogan_tf import distributions, latents, networks
from infogan_tf.regularizers.base import Regularizer, StepContext, Terms

_EPSILON = 1e-6


class RealReconstruction(Regularizer):
    """One G pass per step over Q's readings of the real batch (Q's pass over it is the step's own)."""

    trains_discriminator = True

    def __init__(self, weight: float, blur_fraction: float = 1.0 / 14.0):
        """`blur_fraction`: the Gaussian blur's sigma as a fraction of the image width (2 px at 28 px)."""
        super().__init__("real_reconstruction", weight)
        self.blur_fraction = float(blur_fraction)

    def terms(self, context: StepContext) -> Terms:
        dists = distributions.code_distributions(context.spec, context.real_q_params)
        readings = [code.kind_type.readout(dist) for code, dist in zip(context.spec.codes, dists)]
        readings = [tf.stop_gradient(value) if not value.dtype.is_floating else value for value in readings]
        latents_of_real = latents.with_code_values(context.spec, context.sampled, readings)
        rendered = context.generator(networks.generator_inputs(context.spec, latents_of_real), training=False)
        sigma = max(self.blur_fraction * int(context.real.shape[2]), 0.5)
        target = gaussian_blur(tf.cast(context.real, tf.float32), sigma)
        drawn = gaussian_blur(tf.cast(rendered, tf.float32), sigma)
        error = tf.reduce_sum(tf.square(drawn - target), axis=[1, 2, 3])
        energy = tf.reduce_sum(tf.square(drawn) + tf.square(target), axis=[1, 2, 3])
        return Terms(loss=error / (energy + _EPSILON))


def gaussian_blur(images: tf.Tensor, sigma: float) -> tf.Tensor:
    """Separable Gaussian blur of float32 images [B, H, W, C] with zero padding; the kernel spans +-3 sigma."""
    radius = max(1, int(math.ceil(3.0 * sigma)))
    offsets = tf.range(-radius, radius + 1, dtype=tf.float32)
    kernel = tf.exp(-0.5 * tf.square(offsets / sigma))
    kernel /= tf.reduce_sum(kernel)
    channels = int(images.shape[-1])
    rows = tf.tile(tf.reshape(kernel, [-1, 1, 1, 1]), [1, 1, channels, 1])
    cols = tf.tile(tf.reshape(kernel, [1, -1, 1, 1]), [1, 1, channels, 1])
    blurred = tf.nn.depthwise_conv2d(images, rows, [1, 1, 1, 1], "SAME")
    return tf.nn.depthwise_conv2d(blurred, cols, [1, 1, 1, 1], "SAME")
