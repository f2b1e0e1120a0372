"""The servables' functions: named, batched inputs checked inside the graph, float32 outputs.

TF Serving feeds request tensors to the graph without comparing them to the signature's shapes, so every input is
checked here: a bad request fails with INVALID_ARGUMENT naming the input instead of a kernel error deep in the
network, or an image silently drawn from the wrong codes (an extra categorical column would just be ignored).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import keras
import tensorflow as tf

from infogan_tf import code_kinds, latents, networks

IMAGES = "images"  # the encoder's input and the generator's output

Tensors = dict[str, tf.Tensor]


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """One signature: a function of a dict of named tensors, and the specs (names, dtypes, shapes) of those tensors."""

    function: Callable[[Tensors], Tensors]
    input_signature: dict[str, tf.TensorSpec]


def _shape_text(inner: tuple[int, ...]) -> str:
    """[batch, 28, 28, 1]: the shape as the error messages and README write it."""
    return "[" + ", ".join(["batch", *map(str, inner)]) + "]"


def _shape_check(name: str, tensor: tf.Tensor, inner: tuple[int, ...]) -> tf.Operation:
    """Asserts [batch, *inner] at run time, since TF Serving feeds tensors of any shape.

    The check reads only the values of tf.shape: Grappler folds rank and size ops to the signature's static shape,
    which is exactly what a fed tensor may not have. Padding with -1 (no real dimension) makes a missing dimension
    and an extra one both differ from `[*inner, -1]`.
    """
    actual = tf.shape(tensor)
    rank = len(inner) + 1
    padded = tf.concat([actual, tf.fill([rank + 1], -1)], axis=0)
    valid = tf.logical_and(padded[0] >= 0, tf.reduce_all(tf.equal(padded[1 : rank + 1], [*inner, -1])))
    return tf.debugging.Assert(valid, [f"input {name}: shape must be {_shape_text(inner)}; got", actual], summarize=8)


def _value_checks(name: str, tensor: tf.Tensor, spec: latents.LatentSpec | None) -> list[tf.Operation]:
    """Range checks: a code group's own (category indices within [0, K) per code, Bernoulli values 0 or 1), images
    in [0, 1] (which also rejects NaN), other floats finite."""
    checks = []
    codes = spec.named_codes(name) if spec is not None else {}
    if codes:
        checks.extend(code_kinds.kind_named(name).input_checks(name, tensor, codes))
    if name == IMAGES:
        valid = tf.reduce_all(tf.logical_and(tensor >= 0.0, tensor <= 1.0))
        message = f"input {name}: pixel values must be in [0, 1] (divide 8-bit images by 255); got min, max"
        checks.append(tf.debugging.Assert(valid, [message, tf.reduce_min(tensor), tf.reduce_max(tensor)]))
    elif tensor.dtype.is_floating:
        valid = tf.reduce_all(tf.math.is_finite(tensor))
        checks.append(tf.debugging.Assert(valid, [f"input {name}: values must be finite; got", tensor]))
    return checks


def checked_inputs(
    inputs: Mapping[str, tf.Tensor], signature: Mapping[str, tf.TensorSpec], spec: latents.LatentSpec | None
) -> Tensors:
    """The inputs gated on their checks, so that no layer sees a tensor before it has passed them.

    Args:
        inputs: the request's tensors, keyed like `signature`.
        signature: the expected specs; everything after the batch dimension is checked.
        spec: the latents, whose code kinds check their input groups (None: no code inputs).
    """
    shape_checks = [_shape_check(name, inputs[name], tuple(spec.shape[1:])) for name, spec in signature.items()]
    with tf.control_dependencies(shape_checks):
        batch_sizes = tf.stack([tf.shape(inputs[name])[0] for name in signature])
        same_batch = tf.reduce_all(tf.equal(batch_sizes, batch_sizes[0]))
        message = f"inputs {', '.join(signature)}: batch sizes must be equal; got"
        value_checks = [tf.debugging.Assert(same_batch, [message, batch_sizes])]
        for name in signature:
            value_checks.extend(_value_checks(name, inputs[name], spec))
    with tf.control_dependencies(value_checks):
        return {name: tf.identity(inputs[name]) for name in signature}


def noise_from_seeds(seeds: tf.Tensor, noise_dim: int, prior: str) -> tf.Tensor:
    """[B] int64 seeds -> [B, noise_dim] noise, each row drawn statelessly from its own seed alone.

    One draw per row (rather than one draw for the batch) keeps an image independent of the other rows of a request,
    so a seed always gives the same image, also when TF Serving batches requests together.
    """

    def draw(seed: tf.Tensor) -> tf.Tensor:
        """One row's noise; the second half of the stateless seed pair is fixed."""
        pair = tf.stack([seed, tf.zeros_like(seed)])
        if prior == "normal":
            return tf.random.stateless_normal([noise_dim], seed=pair)
        return tf.random.stateless_uniform([noise_dim], seed=pair, minval=-1.0, maxval=1.0)

    return tf.map_fn(draw, seeds, fn_output_signature=tf.TensorSpec([noise_dim], tf.float32))


def generator_endpoints(generator: keras.Model, spec: latents.LatentSpec) -> dict[str, Endpoint]:
    """`serving_default` (noise given) and `sample` (noise drawn from per-image seeds), both returning `images`."""
    default_signature = {
        name: tf.TensorSpec([None, width], dtype, name=name)
        for name, (width, dtype) in networks.generator_input_specs(spec).items()
    }
    sample_signature = {"seed": tf.TensorSpec([None], tf.int64, name="seed")}
    sample_signature.update({name: s for name, s in default_signature.items() if name != "noise"})

    def images(latent: Tensors) -> Tensors:
        """float32 images whatever the policy the generator computes in."""
        return {"images": tf.cast(generator(latent, training=False), tf.float32)}

    def serve(inputs: Tensors) -> Tensors:
        """The caller chooses the noise."""
        return images(checked_inputs(inputs, default_signature, spec))

    def sample(inputs: Tensors) -> Tensors:
        """The noise comes from each row's seed, so requests stay small and repeatable."""
        checked = checked_inputs(inputs, sample_signature, spec)
        latent = {name: checked[name] for name in default_signature if name != "noise"}
        if "noise" in default_signature:
            latent["noise"] = noise_from_seeds(checked["seed"], spec.noise_dim, spec.noise_prior)
        return images(latent)

    return {"serving_default": Endpoint(serve, default_signature), "sample": Endpoint(sample, sample_signature)}


def encoder_output_names(spec: latents.LatentSpec) -> list[str]:
    """The encoder outputs this spec has: per-kind codes only for kinds present, `realness` always."""
    names = []
    for kind in code_kinds.all_kinds():
        if spec.count(kind.name):
            names += [kind.name, *kind.extra_outputs]
    return names + ["realness"]


def encoder_endpoints(encoder: keras.Model, spec: latents.LatentSpec) -> dict[str, Endpoint]:
    """`serving_default`: images in [0, 1] -> the codes Q reads from them and D's realness."""
    signature = {IMAGES: tf.TensorSpec([None, *encoder.input_shape[1:]], tf.float32, name=IMAGES)}
    names = encoder_output_names(spec)

    def serve(inputs: Tensors) -> Tensors:
        """Only the outputs of code kinds the model has; floats as float32."""
        outputs = encoder(checked_inputs(inputs, signature, None)[IMAGES], training=False)
        return {
            name: outputs[name] if outputs[name].dtype.is_integer else tf.cast(outputs[name], tf.float32)
            for name in names
        }

    return {"serving_default": Endpoint(serve, signature)}
