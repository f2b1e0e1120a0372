"""Real-image reconstruction through G: Q's reading of a real image, drawn by G, must look like that image.

    loss = blurred_mismatch(G(z, c_hat(x)), x)

where c_hat(x) is Q's readout of the codes on a real image x (`blurred_mismatch`: 0 for a match, 1 for no overlap).

Minimised by D/Q only; G is not trained by it. The MI term trains Q on G's images alone, and on sprites its
readings do not carry over to real images well (a position code that G's images answer to almost exactly follows a
real sprite's position only loosely). This term calibrates Q on real images against what each code means to G: the
reading whose rendering lands where the real sprite is. The blur widens the basin, so a rendering that misses the
sprite by a few pixels still says which way to move. G renders in inference mode with the step's noise z; codes
whose readout has no gradient (categorical) take Q's most likely value.
"""

from __future__ import annotations

import tensorflow as tf

from infogan_tf import distributions, latents, networks
from infogan_tf.regularizers.base import Regularizer, StepContext, Terms
from infogan_tf.regularizers.blurred_mismatch import blurred_mismatch


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
        return Terms(loss=blurred_mismatch(rendered, context.real, self.blur_fraction))
