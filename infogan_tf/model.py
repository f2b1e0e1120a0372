"""InfoGAN as a `keras.Model`: one `train_step` updates D/Q and G on the GAN loss plus the mutual-information term
(and, if weighted, the categorical-invariance term).

Latents are drawn for the *global* batch from a stateless seed (base seed, step) and each replica keeps its own slice,
so a step is the same whatever the number of replicas, and a resumed run draws what the uninterrupted run would have.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from infogan_tf import distributions, latents, losses, networks, perturbations


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
    """Trains G and D/Q; `fit(images)` is all a caller needs after `compile(d_optimizer, g_optimizer)`."""

    def __init__(
        self,
        spec: latents.LatentSpec,
        generator: keras.Model,
        discriminator: keras.Model,
        *,
        mi_weights: dict[str, float] | None = None,
        seed: int = 0,
        joint_discriminator_batch: bool = False,
        categorical_invariance_weight: float = 0.0,
        perturbation: perturbations.Perturbation | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.joint_discriminator_batch = joint_discriminator_batch
        self.spec = spec
        self.generator = generator
        self.discriminator = discriminator
        mi_weights = mi_weights or {}
        self.code_weights = [float(mi_weights.get(code.kind, 1.0)) for code in spec.codes]
        self.categorical_invariance_weight = float(categorical_invariance_weight)
        self.categorical_codes = [i for i, code in enumerate(spec.codes) if code.kind == latents.CATEGORICAL]
        self.perturbation = perturbation or perturbations.Perturbation()
        self.seed = int(seed)
        self.step = self.add_weight(
            shape=(), dtype="int64", initializer="zeros", trainable=False, aggregation="only_first_replica",
            name="step",
        )
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.mi_loss_tracker = keras.metrics.Mean(name="mi_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")
        self.mi_trackers = [keras.metrics.Mean(name=f"mi_{name}") for name in spec.code_names()]
        self.built = True

    def compile(self, d_optimizer: keras.optimizers.Optimizer, g_optimizer: keras.optimizers.Optimizer, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer

    def build_optimizers(self) -> None:
        """Creates optimizer slots up front: required under a strategy and for an exact checkpoint restore."""
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    @property
    def metrics(self):
        return [
            self.d_loss_tracker, self.g_loss_tracker, self.mi_loss_tracker, self.d_real_tracker, self.d_fake_tracker,
            *self.mi_trackers,
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

    def categorical_invariance_loss(self, fake: tf.Tensor, code_values: list[tf.Tensor]) -> tf.Tensor | None:
        """-lambda_inv sum_k log Q(c_k | T(G(z, c))) over the categorical codes, T a random `Perturbation`.

        Zero weight or no categorical code: None, and no extra D/Q pass. Draws come from a stream of their own,
        global-batch first like the latents.
        """
        if self.categorical_invariance_weight <= 0.0 or not self.categorical_codes:
            return None
        local_batch = tf.shape(fake)[0]
        seed = tf.random.experimental.stateless_fold_in(self.step_seed(), 1)
        draws = _replica_slice(self.perturbation.sample(_global_batch(local_batch), seed), local_batch)
        perturbed_out = self.discriminator(self.perturbation.apply(fake, draws), training=True)
        dists = distributions.code_distributions(self.spec, perturbed_out["q_params"])
        return losses.mutual_information_loss(
            [dists[i] for i in self.categorical_codes],
            [code_values[i] for i in self.categorical_codes],
            [self.categorical_invariance_weight] * len(self.categorical_codes),
        )

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

    def train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        local_batch = tf.shape(real)[0]
        global_batch = tf.cast(_global_batch(local_batch), tf.float32)
        sampled = self.sample_latents(local_batch)
        code_values = latents.code_values(self.spec, sampled)
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake = self.generator(networks.generator_inputs(self.spec, sampled), training=True)
            real_out, fake_out = self.discriminate(real, fake)
            real_logits = real_out["logit"][:, 0]
            fake_logits = fake_out["logit"][:, 0]
            code_dists = distributions.code_distributions(self.spec, fake_out["q_params"])
            if code_dists:
                mi_loss = losses.mutual_information_loss(code_dists, code_values, self.code_weights)
            else:
                mi_loss = tf.zeros_like(fake_logits)
            invariance_loss = self.categorical_invariance_loss(fake, code_values)
            if invariance_loss is not None:
                mi_loss += invariance_loss
            d_loss = losses.discriminator_loss(real_logits, fake_logits) + mi_loss
            g_loss = losses.generator_loss(fake_logits) + mi_loss
            scaled_d_loss = self.d_optimizer.scale_loss(tf.reduce_sum(d_loss) / global_batch)
            scaled_g_loss = self.g_optimizer.scale_loss(tf.reduce_sum(g_loss) / global_batch)
        d_vars = self.discriminator.trainable_variables
        g_vars = self.generator.trainable_variables
        apply_gradients(self.d_optimizer, d_tape.gradient(scaled_d_loss, d_vars), d_vars)
        apply_gradients(self.g_optimizer, g_tape.gradient(scaled_g_loss, g_vars), g_vars)
        self.step.assign_add(1)

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.mi_loss_tracker.update_state(mi_loss)
        self.d_real_tracker.update_state(tf.sigmoid(real_logits))
        self.d_fake_tracker.update_state(tf.sigmoid(fake_logits))
        estimates = losses.mutual_information_estimates(self.spec, code_dists, code_values)
        for tracker, estimate in zip(self.mi_trackers, estimates):
            tracker.update_state(estimate)
        return _reportable({metric.name: metric.result() for metric in self.metrics})


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
