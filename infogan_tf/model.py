"""InfoGAN as a `keras.Model`: one `train_step` updates D/Q and G on the GAN loss plus the mutual-information term
and the terms of any regularisers (`infogan_tf.regularizers`).

Latents are drawn for the *global* batch from a stateless seed (base seed, step) and each replica keeps its own slice,
so a step is the same whatever the number of replicas, and a resumed run draws what the uninterrupted run would have.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import keras
import tensorflow as tf
from keras.src.backend.tensorflow.trainer import reduce_per_replica

from infogan_tf import distributions, latents, losses, networks
from infogan_tf.config import ConfigError
from infogan_tf.regularizers.base import Regularizer, StepContext, Terms


def apply_gradients(optimizer: keras.optimizers.Optimizer, grads: list, variables: list) -> None:
    """Applies gradients so that a loss-scale optimizer decides "finite?" identically on every replica.

    Keras' LossScaleOptimizer checks finiteness on each replica's un-aggregated gradients, so one replica can skip a
    step while the others apply it (or apply NaNs). Summing across replicas first makes the decision global; the
    sum is divided by the replica count because the optimizer sums across replicas once more.
    """
    context = tf.distribute.get_replica_context()
    replicas = context.num_replicas_in_sync if context is not None else 1
    if replicas > 1 and isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        grads = context.all_reduce(tf.distribute.ReduceOp.SUM, grads)
        grads = [grad / replicas for grad in grads]
    optimizer.apply_gradients(zip(grads, variables))


class InfoGAN(keras.Model):
    """Trains G and D/Q; `fit(images)` is all a caller needs after `compile(d_optimizer, g_optimizer)`.

    Each step makes one D/Q update and `g_steps_per_d_step` G updates: the first from the same forward pass as the
    D/Q update, the others each from a fresh pass with the same latents through the updated networks. Every
    regulariser that is active adds its weighted loss to the players it trains and updates its own network.
    """

    def __init__(
        self,
        spec: latents.LatentSpec,
        generator: keras.Model,
        discriminator: keras.Model,
        *,
        mi_weights: dict[str, float] | None = None,
        seed: int = 0,
        joint_discriminator_batch: bool = False,
        regularizers: Sequence[Regularizer] = (),
        g_steps_per_d_step: int = 1,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if g_steps_per_d_step < 1:
            raise ConfigError(f"g_steps_per_d_step must be >= 1, got {g_steps_per_d_step}")
        names = [regularizer.name for regularizer in regularizers]
        if len(set(names)) != len(names):
            raise ConfigError(f"regulariser names must be unique, got {names}")
        self.joint_discriminator_batch = joint_discriminator_batch
        self.spec = spec
        self.generator = generator
        self.discriminator = discriminator
        mi_weights = mi_weights or {}
        self.code_weights = [float(mi_weights.get(code.kind, 1.0)) for code in spec.codes]
        self.regularizers = list(regularizers)
        self.active_regularizers = [r for r in self.regularizers if r.active_at(0)]
        self.g_steps_per_d_step = int(g_steps_per_d_step)
        self.seed = int(seed)
        self.step = self.add_weight(
            shape=(), dtype="int64", initializer="zeros", trainable=False, aggregation="only_first_replica",
            name="step",
        )
        # The step after which a loss was first non-finite (0: never), kept in-graph so that the divergence stop names
        # the exact step even when several steps run per call. Not checkpointed: a run that diverged stops.
        self.diverged_at_step = self.add_weight(
            shape=(), dtype="int64", initializer="zeros", trainable=False, aggregation="only_first_replica",
            name="diverged_at_step",
        )
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.mi_loss_tracker = keras.metrics.Mean(name="mi_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")
        self.pixel_std_real_tracker = keras.metrics.Mean(name="pixel_std_real")
        self.pixel_std_fake_tracker = keras.metrics.Mean(name="pixel_std_fake")
        self.mi_trackers = [keras.metrics.Mean(name=f"mi_{name}") for name in spec.code_names()]
        self.built = True

    def compile(self, d_optimizer: keras.optimizers.Optimizer, g_optimizer: keras.optimizers.Optimizer, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer

    def set_steps_per_execution(self, steps: int) -> None:
        """Steps per compiled call for the next `fit`; a change rebuilds the train function."""
        if steps != self.steps_per_execution:
            self.steps_per_execution = steps
            self.train_function = None

    def make_train_function(self, force: bool = False):
        """Keras' own loop over several steps per call fails under MirroredStrategy (a tf.cond over dataset Optionals
        around the optimizers' merge_call; keras-team/keras#19246). With several replicas and steps per call, the
        steps run in a `tf.range` loop of `strategy.run` instead, as in TensorFlow's custom training loops; the
        datasets of `train_lib` repeat, so the loop never runs out of batches."""
        strategy = self.distribute_strategy
        if self.steps_per_execution == 1 or strategy.num_replicas_in_sync == 1:
            return super().make_train_function(force)
        if self.train_function is not None and not force:
            return self.train_function

        @tf.function
        def several_steps(iterator):
            outputs = strategy.run(self.train_step, args=(next(iterator),))
            for _ in tf.range(self.steps_per_execution - 1):
                outputs = strategy.run(self.train_step, args=(next(iterator),))
            return reduce_per_replica(outputs, strategy, reduction="auto")

        self.train_function = several_steps
        return several_steps

    def build_optimizers(self) -> None:
        """Creates optimizer slots up front: required under a strategy and for an exact checkpoint restore."""
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)
        for regularizer in self.regularizers:
            regularizer.build_optimizer()

    def activate_regularizers(self, step: int) -> None:
        """Switches on the regularisers whose start step has come and off those whose end step has; a change rebuilds
        the train function, so a term that is off costs nothing. Call before each `fit` (train_lib splits training
        at every switch step)."""
        active = [regularizer for regularizer in self.regularizers if regularizer.active_at(step)]
        if active != self.active_regularizers:
            self.active_regularizers = active
            self.train_function = None

    @property
    def metrics(self):
        return [
            self.d_loss_tracker, self.g_loss_tracker, self.mi_loss_tracker, self.d_real_tracker, self.d_fake_tracker,
            self.pixel_std_real_tracker, self.pixel_std_fake_tracker, *self.mi_trackers,
            *(tracker for regularizer in self.active_regularizers for tracker in regularizer.trackers),
        ]

    def call(self, inputs: dict, training: bool = False):
        return self.generator(networks.generator_inputs(self.spec, inputs), training=training)

    def step_seed(self) -> tf.Tensor:
        """(base seed, step): everything random in a step derives from it, so a resumed run draws the same."""
        return tf.stack([tf.constant(self.seed, tf.int64), tf.cast(self.step, tf.int64)])

    def sample_latents(self, local_batch: tf.Tensor) -> dict[str, tf.Tensor]:
        """This replica's slice of the global batch of latents for the current step."""
        global_latents = latents.sample_latents(self.spec, _global_batch(local_batch), self.step_seed())
        return {name: _replica_slice(value, local_batch) for name, value in global_latents.items()}

    def discriminate(self, real: tf.Tensor, fake: tf.Tensor) -> tuple[dict, dict]:
        """D/Q outputs for the real and the fake batch.

        Separate passes (the default) keep batch-norm statistics of real and fake apart, which worked best on MNIST.
        On sparse images such as dSprites, per-batch normalisation removes what tells the two apart (overall
        brightness) and G learns noise; one joint pass over both fixes that.
        """
        if not self.joint_discriminator_batch:
            return self.discriminator(real, training=True), self.discriminator(fake, training=True)
        both = self.discriminator(tf.concat([tf.cast(real, fake.dtype), fake], axis=0), training=True)
        local_batch = tf.shape(real)[0]
        return ({name: value[:local_batch] for name, value in both.items()},
                {name: value[local_batch:] for name, value in both.items()})

    def step_context(self, fake: tf.Tensor, real: tf.Tensor, real_out: dict,
                     sampled: dict[str, tf.Tensor]) -> StepContext:
        """What the regularisers see of this step: this replica's fakes, reals and latents, and the step's seed."""
        local_batch = tf.shape(fake)[0]
        return StepContext(
            spec=self.spec, fake=fake, real=tf.cast(real, fake.dtype), real_q_params=real_out["q_params"],
            sampled=sampled, code_values=latents.code_values(self.spec, sampled),
            seed=self.step_seed(), global_batch=_global_batch(local_batch), generator=self.generator,
            discriminator=self.discriminator, replica_slice=lambda values: _replica_slice(values, local_batch),
        )

    def objective(self, real: tf.Tensor, sampled: dict[str, tf.Tensor], generator_only: bool = False) -> Objective:
        """One forward pass: G's fakes, D/Q on real and fake, the MI term and every active regulariser.

        `generator_only` (the extra G updates) leaves out the terms that only D/Q minimise: only G's loss is used.
        """
        code_values = latents.code_values(self.spec, sampled)
        fake = self.generator(networks.generator_inputs(self.spec, sampled), training=True)
        real_out, fake_out = self.discriminate(real, fake)
        real_logits = real_out["logit"][:, 0]
        fake_logits = fake_out["logit"][:, 0]
        code_dists = distributions.code_distributions(self.spec, fake_out["q_params"])
        if code_dists:
            mi_loss = losses.mutual_information_loss(code_dists, code_values, self.code_weights)
        else:
            mi_loss = tf.zeros_like(fake_logits)
        d_loss = losses.discriminator_loss(real_logits, fake_logits) + mi_loss
        g_loss = losses.generator_loss(fake_logits) + mi_loss
        context = self.step_context(fake, real, real_out, sampled)
        active = [r for r in self.active_regularizers if r.trains_generator or not generator_only]
        terms = [regularizer.terms(context) for regularizer in active]
        for regularizer, term in zip(active, terms):
            if regularizer.trains_discriminator:
                d_loss += regularizer.weight * term.loss
            if regularizer.trains_generator:
                g_loss += regularizer.weight * term.loss
        return Objective(d_loss, g_loss, mi_loss, real_logits, fake_logits, code_dists, code_values, terms,
                         pixel_std(real), pixel_std(fake))

    def train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        local_batch = tf.shape(real)[0]
        global_batch = tf.cast(_global_batch(local_batch), tf.float32)
        sampled = self.sample_latents(local_batch)
        with tf.GradientTape(persistent=True) as tape:
            out = self.objective(real, sampled)
            scaled_d_loss = self.d_optimizer.scale_loss(tf.reduce_sum(out.d_loss) / global_batch)
            scaled_g_loss = self.g_optimizer.scale_loss(tf.reduce_sum(out.g_loss) / global_batch)
            scaled_own_losses = [
                regularizer.optimizer.scale_loss(tf.reduce_sum(term.own_loss) / global_batch)
                for regularizer, term in zip(self.active_regularizers, out.terms) if regularizer.network is not None
            ]
        self._descend(tape, scaled_d_loss, self.d_optimizer, self.discriminator)
        self._descend(tape, scaled_g_loss, self.g_optimizer, self.generator)
        owners = [regularizer for regularizer in self.active_regularizers if regularizer.network is not None]
        for regularizer, scaled_loss in zip(owners, scaled_own_losses):
            self._descend(tape, scaled_loss, regularizer.optimizer, regularizer.network)
        del tape
        for _ in range(self.g_steps_per_d_step - 1):
            with tf.GradientTape() as g_tape:
                g_loss = self.objective(real, sampled, generator_only=True).g_loss
                scaled_g_loss = self.g_optimizer.scale_loss(tf.reduce_sum(g_loss) / global_batch)
            self._descend(g_tape, scaled_g_loss, self.g_optimizer, self.generator)
        self.step.assign_add(1)
        self._note_divergence(out)
        return _reportable(self._update_metrics(out))

    def _note_divergence(self, out: Objective) -> None:
        """Records the current step in `diverged_at_step` if it is the first whose losses are not all finite on
        every replica."""
        losses_of_step = (out.d_loss, out.g_loss, out.mi_loss)
        finite = tf.reduce_all([tf.reduce_all(tf.math.is_finite(loss)) for loss in losses_of_step])
        context = tf.distribute.get_replica_context()
        if context is not None and context.num_replicas_in_sync > 1:
            non_finite_replicas = context.all_reduce(tf.distribute.ReduceOp.SUM, tf.cast(~finite, tf.float32))
            finite = tf.equal(non_finite_replicas, 0.0)
        first = tf.logical_and(tf.logical_not(finite), tf.equal(self.diverged_at_step, 0))
        self.diverged_at_step.assign(tf.where(first, self.step, self.diverged_at_step))

    @staticmethod
    def _descend(tape: tf.GradientTape, scaled_loss: tf.Tensor, optimizer, network: keras.Model) -> None:
        variables = network.trainable_variables
        apply_gradients(optimizer, tape.gradient(scaled_loss, variables), variables)

    def _update_metrics(self, out: Objective) -> dict[str, tf.Tensor]:
        self.d_loss_tracker.update_state(out.d_loss)
        self.g_loss_tracker.update_state(out.g_loss)
        self.mi_loss_tracker.update_state(out.mi_loss)
        self.d_real_tracker.update_state(tf.sigmoid(out.real_logits))
        self.d_fake_tracker.update_state(tf.sigmoid(out.fake_logits))
        self.pixel_std_real_tracker.update_state(out.real_pixel_std)
        self.pixel_std_fake_tracker.update_state(out.fake_pixel_std)
        estimates = losses.mutual_information_estimates(self.spec, out.code_dists, out.code_values)
        for tracker, estimate in zip(self.mi_trackers, estimates):
            tracker.update_state(estimate)
        for regularizer, term in zip(self.active_regularizers, out.terms):
            regularizer.update_metrics(term)
        return {metric.name: metric.result() for metric in self.metrics}


class Objective(NamedTuple):
    """Per-example losses and what the metrics need, from one forward pass."""

    d_loss: tf.Tensor
    g_loss: tf.Tensor
    mi_loss: tf.Tensor
    real_logits: tf.Tensor
    fake_logits: tf.Tensor
    code_dists: list
    code_values: list
    terms: list[Terms]
    real_pixel_std: tf.Tensor
    fake_pixel_std: tf.Tensor


def pixel_std(images: tf.Tensor) -> tf.Tensor:
    """float32 [B]: each image's pixel standard deviation, its contrast. Logged for real and fake images, so a
    generator that stops drawing (blank or flat frames, which D's outputs alone do not show) is visible as it
    happens."""
    flat = tf.reshape(tf.cast(images, tf.float32), [tf.shape(images)[0], -1])
    return tf.math.reduce_std(flat, axis=1)


def _global_batch(local_batch: tf.Tensor) -> tf.Tensor:
    return local_batch * tf.distribute.get_replica_context().num_replicas_in_sync


def _replica_slice(global_values: tf.Tensor, local_batch: tf.Tensor) -> tf.Tensor:
    """Rows of this replica from a tensor drawn for the global batch."""
    replica_id = tf.cast(tf.distribute.get_replica_context().replica_id_in_sync_group, tf.int32)
    return global_values[replica_id * local_batch : (replica_id + 1) * local_batch]


def _reportable(logs: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
    """Keras reduces logs across workers with `strategy.reduce("MEAN", v, axis=0)`, which fails on scalars under
    MultiWorkerMirroredStrategy; one-element vectors reduce to the same scalar (every replica holds the same value)."""
    if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
        return {name: tf.reshape(value, [1]) for name, value in logs.items()}
    return logs
