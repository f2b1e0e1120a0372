"""Running G, the encoder or any Keras model over many inputs during evaluation, as a compiled graph.

The full protocol encodes about a million images (FactorVAE's votes) on real and again on generated data, in calls of
a few hundred to a thousand images. Called eagerly, a Keras model pays Python overhead in every layer of every call;
traced once into a `tf.function` the same calls ran about twice as fast on a 2-core CPU, G and the encoder alike
(`benchmarks/evaluation_speed.py`), and the whole full-protocol evaluation of a 64x64 run 1.8x faster.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

# One traced function per model, dropped with the model. The function holds the model only weakly, or the cache
# entry would keep its own key alive.
_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class _Inference:
    """`model(inputs, training=False)` through a weak reference. An object rather than a closure: TF counts traces
    per code object, so one closure compiled for many models (ModelCentrality loads one per run) would add up their
    first traces and warn of excessive retracing; each object is counted on its own."""

    def __init__(self, model: keras.Model):
        self.reference = weakref.ref(model)

    def __call__(self, inputs):
        return self.reference()(inputs, training=False)


def compiled(model: keras.Model) -> Callable:
    """`model(inputs, training=False)` as a tf.function, traced at most twice (a relaxed batch size from the second
    shape on), shared by every caller of the same model."""
    function = _COMPILED.get(model)
    if function is None:
        function = tf.function(_Inference(model), reduce_retracing=True)
        _COMPILED[model] = function
    return function


def run(model: keras.Model, inputs) -> np.ndarray | dict[str, np.ndarray]:
    """The model's inference outputs for one batch of inputs (an array or a dict of arrays) as NumPy arrays, in the
    model's output structure and dtypes."""
    outputs = compiled(model)(inputs)
    if isinstance(outputs, dict):
        return {name: np.asarray(value) for name, value in outputs.items()}
    return np.asarray(outputs)
