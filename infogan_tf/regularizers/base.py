"""The regulariser seam: extra terms of the InfoGAN objective beyond the GAN loss and the paper's MI term.

A regulariser has a name, a weight, a start step and an optional end step: before the start the term is not computed
at all (its network is not trained either, so at the start step that network begins from its initialisation), from it
on the term counts with its weight, and from the end step on it is off again (its network keeps its last weights in
checkpoints, untrained). Each train step hands it a `StepContext`; it returns its per-example loss, which the model
adds, weighted, to the D/Q loss, the G loss or both, and optionally a loss for a network of its own that it trains
with its own optimizer. The model logs `<name>_loss` (before the weight) and any extra metrics it reports. Its
network, optimizer and metrics are tracked through `InfoGAN.regularizers`, so checkpoints, MirroredStrategy and mixed
precision handle them like G's and D's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import keras
import tensorflow as tf

from infogan_tf import latents, networks
from infogan_tf.config import ConfigError


@dataclasses.dataclass(frozen=True)
class StepContext:
    """What a train step hands each regulariser; tensors are this replica's rows.

    Attributes:
        spec: the latent specification.
        fake: G(z, c) of this step, [B, H, W, C].
        real: this step's real images, [B, H, W, C], in G's dtype.
        real_q_params: Q's parameters read on `real` in the step's main D/Q pass, [B, num_q_params].
        sampled: the latents G was given (grouped by kind, as `latents.sample_latents` returns them).
        code_values: each code's value, in spec order.
        seed: this step's stateless seed [2]; fold in a number of your own to draw independently of the latents.
        global_batch: the batch size summed over replicas (int32 scalar).
        generator, discriminator: G and D/Q, to be called with training=True.
        replica_slice: maps a tensor drawn for the global batch to this replica's rows, so that a step on N
            replicas draws what the one-device step draws.
    """

    spec: latents.LatentSpec
    fake: tf.Tensor
    real: tf.Tensor
    real_q_params: tf.Tensor
    sampled: dict[str, tf.Tensor]
    code_values: list[tf.Tensor]
    seed: tf.Tensor
    global_batch: tf.Tensor
    generator: keras.Model
    discriminator: keras.Model
    replica_slice: Callable[[tf.Tensor], tf.Tensor]


@dataclasses.dataclass(frozen=True)
class Terms:
    """A regulariser's output for one step.

    Attributes:
        loss: float32 [B] per-example loss before the weight; what D/Q and/or G minimise.
        own_loss: float32 [B] loss of the regulariser's own network, if it has one.
        metrics: extra per-example or scalar values to log as `<name>_<key>`.
    """

    loss: tf.Tensor
    own_loss: tf.Tensor | None = None
    metrics: dict[str, tf.Tensor] = dataclasses.field(default_factory=dict)


class Regularizer(tf.Module):
    """Base class. Subclasses set which players minimise the loss and implement `terms` (and `build` if they own a
    network). A new regulariser is one subclass plus its config fields."""

    trains_discriminator: bool = False
    trains_generator: bool = False
    metric_names: tuple[str, ...] = ()

    def __init__(self, name: str, weight: float, start_step: int = 0, end_step: int | None = None):
        super().__init__(name=name)
        if weight < 0:
            raise ConfigError(f"{name} weight must be >= 0, got {weight}")
        if start_step < 0:
            raise ConfigError(f"{name} start step must be >= 0, got {start_step}")
        if end_step is not None and end_step <= start_step:
            raise ConfigError(f"{name} end step must come after its start step {start_step}, got {end_step}")
        self.weight = float(weight)
        self.start_step = int(start_step)
        self.end_step = None if end_step is None else int(end_step)
        self.network: keras.Model | None = None
        self.optimizer: keras.optimizers.Optimizer | None = None
        self.trackers = [keras.metrics.Mean(name=f"{name}_{key}") for key in ("loss", *self.metric_names)]

    def build(self, spec: latents.LatentSpec, image_shape: tuple[int, int, int], options: networks.NetworkOptions,
              make_optimizer: Callable[[float], keras.optimizers.Optimizer]) -> None:
        """Creates the regulariser's own network and optimizer, if any; called inside the strategy's scope."""

    def terms(self, context: StepContext) -> Terms:
        raise NotImplementedError

    def active_at(self, step: int) -> bool:
        return self.start_step <= step and (self.end_step is None or step < self.end_step)

    def switch_steps(self) -> tuple[int, ...]:
        """The steps at which the term switches on or off; training is split there so the train function changes."""
        return (self.start_step,) if self.end_step is None else (self.start_step, self.end_step)

    def update_metrics(self, terms: Terms) -> None:
        self.trackers[0].update_state(terms.loss)
        for tracker, key in zip(self.trackers[1:], self.metric_names):
            tracker.update_state(terms.metrics[key])

    def build_optimizer(self) -> None:
        """Creates the optimizer's slots: needed under a strategy and for an exact checkpoint restore."""
        if self.network is not None:
            self.optimizer.build(self.network.trainable_variables)
