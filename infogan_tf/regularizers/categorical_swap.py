"""Categorical swap: changing a categorical code changes what the object is, not where it is drawn.

    loss = blurred_mismatch(G(z, k, c), G(z, k', c)),    k' != k drawn uniformly,

with the same noise z and continuous codes c; minimised by G only. Without it G may give each category a
coordinate frame of its own: on sprites, a position code that moves the sprite along x for one category moves it
along y for another, every category's frame fits the data, and the encoder then reads each position code on real
sprites as a mix of x and y. Under the blur, a change of shape costs little and a change of place much, so the term
ties the continuous codes to one frame for all categories while the MI and invariance terms keep the categories
apart. It also resists a category that differs from the others in place or size, so it suits data whose classes
share one pose distribution (sprites), not data whose classes look unalike everywhere.

With `match="position"` only the two drawings' ink centroids are compared (`centroid_mismatch`): the categories
still share one frame, but a category may change the object's size or shape, so a categorical code can take the
size, which the whole-image match forbids. With `match="footprint"` the ink's size (RMS radius and area) must match
too (`footprint_mismatch`): a category may then change only what the object is (its shape, or its orientation), not
where or how large it is drawn.
"""

from __future__ import annotations

import tensorflow as tf

from infogan_tf import latents, networks
from infogan_tf.config import ConfigError
from infogan_tf.regularizers.base import Regularizer, StepContext, Terms
from infogan_tf.regularizers.blurred_mismatch import blurred_mismatch
from infogan_tf.regularizers.centroid_mismatch import centroid_mismatch, footprint_mismatch

_SEED_STREAM = 4
MATCHES = {"image": blurred_mismatch, "position": centroid_mismatch, "footprint": footprint_mismatch}


class CategoricalSwap(Regularizer):
    """One extra G pass per step: the step's latents with every categorical code moved to another category."""

    trains_generator = True

    def __init__(self, spec: latents.LatentSpec, weight: float, blur_fraction: float = 1.0 / 14.0,
                 match: str = "image"):
        """`blur_fraction`: the Gaussian blur's sigma as a fraction of the image width (2 px at 28 px). `match`:
        what the swapped drawing must keep, a key of MATCHES (`image`: all of it, blurred; `position`: its place;
        `footprint`: its place and size)."""
        super().__init__("categorical_swap", weight)
        if not any(code.nominal for code in spec.codes):
            raise ConfigError("the categorical swap term needs a categorical code in --codes")
        if match not in MATCHES:
            raise ConfigError(f"the categorical swap's match must be one of {sorted(MATCHES)}, not {match!r}")
        self.blur_fraction = float(blur_fraction)
        self.mismatch = MATCHES[match]

    def terms(self, context: StepContext) -> Terms:
        seed = tf.random.experimental.stateless_fold_in(context.seed, _SEED_STREAM)
        seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int32), num=len(context.spec.codes))
        swapped = []
        for index, (code, value) in enumerate(zip(context.spec.codes, context.code_values)):
            if code.nominal:
                # The category a pair's second image takes when it must not share the code (`apart`), drawn for
                # category 0 of the whole global batch: that is the shift, sliced so N replicas draw what one
                # device draws.
                zeros = tf.zeros([context.global_batch], value.dtype)
                shift = code.kind_type.apart(code, zeros, zeros, 0.0, seeds[index])[1]
                value = (value + context.replica_slice(shift)) % code.num_categories
            swapped.append(value)
        swapped_latents = latents.with_code_values(context.spec, context.sampled, swapped)
        other = context.generator(networks.generator_inputs(context.spec, swapped_latents), training=True)
        return Terms(loss=self.mismatch(context.fake, other, self.blur_fraction))
