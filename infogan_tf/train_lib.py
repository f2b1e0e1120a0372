"""`train(config)`: one run from an empty (or interrupted) workdir to saved models and a run summary."""

from __future__ import annotations

import dataclasses
import math
import tempfile
import time
from collections.abc import Sequence

import keras
import tensorflow as tf
from absl import logging

from infogan_tf import callbacks, datasets, encoder, latents, networks, regularizers, runtime, workdir
from infogan_tf import config as config_lib
from infogan_tf.checkpoints import CheckpointCallback, CheckpointError, Checkpoints
from infogan_tf.config import ConfigError, TrainConfig
from infogan_tf.messages import first_line
from infogan_tf.model import InfoGAN


class TrainingInterrupted(RuntimeError):
    """A signal stopped the run; its checkpoint and models were saved at the step it reached."""


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the last good checkpoint is kept."""


def epoch_plan(
    start: int, end: int, steps_per_epoch: int, breaks: Sequence[int] = ()
) -> list[tuple[int, int, int]]:
    """Splits steps [start, end) into `fit` calls (initial_epoch, epochs, steps_per_epoch).

    Epoch e always covers steps [e * steps_per_epoch, (e + 1) * steps_per_epoch), so a run resumed mid-epoch first
    finishes that epoch, and epoch numbers, sample file names and TensorBoard steps match an uninterrupted run.
    A call also ends at every step in `breaks` (where a regulariser switches on or off), like a resume there would.
    """
    bounds = sorted({step for step in breaks if start < step < end})
    return [call for low, high in zip([start, *bounds], [*bounds, end])
            for call in _epoch_plan(low, high, steps_per_epoch)]


def _epoch_plan(start: int, end: int, steps_per_epoch: int) -> list[tuple[int, int, int]]:
    plan = []
    step = start
    while step < end:
        epoch = step // steps_per_epoch
        epoch_end = min((epoch + 1) * steps_per_epoch, end)
        if step % steps_per_epoch == 0 and epoch_end == (epoch + 1) * steps_per_epoch:
            last_full = end // steps_per_epoch
            plan.append((epoch, last_full, steps_per_epoch))
            step = last_full * steps_per_epoch
        else:
            plan.append((epoch, epoch + 1, epoch_end - step))
            step = epoch_end
    return plan


def execution_size(config: TrainConfig, start: int, steps: int) -> int:
    """Steps per compiled call for a `fit` of `steps` steps from `start`: --steps_per_execution, shortened to divide
    the call, the checkpoint period and the start step, so that every call ends exactly where an epoch (summaries,
    traversals), a checkpoint or the `fit` itself is due."""
    size = math.gcd(config.steps_per_execution, steps, config.checkpoint_every_steps, start)
    if size < config.steps_per_execution:
        logging.info("Steps %d-%d run %d step(s) per call (--steps_per_execution=%d does not divide the epoch, "
                     "checkpoint or start steps)", start, start + steps, size, config.steps_per_execution)
    return size


def build_infogan(
    config: TrainConfig, spec: latents.LatentSpec, image_shape: tuple[int, int, int], replicas: int
) -> InfoGAN:
    """G, D/Q and the compiled InfoGAN with built optimizers; call inside the strategy's scope."""
    options = networks.NetworkOptions(
        batch_norm=config.batch_norm,
        d_batch_norm=config.d_batch_norm,
        spectral_norm=config.spectral_norm,
        q_head_spectral_norm=config.q_head_spectral_norm,
        leaky_slope=config.leaky_slope,
        sync_batch_norm=replicas > 1,
        width=config.network_width,
    )

    def make_optimizer(learning_rate: float) -> keras.optimizers.Optimizer:
        return runtime.make_optimizer(learning_rate, config.adam_beta1, config.adam_beta2, config.precision)

    # G and D first, so that they start from the same weights whichever regularisers are on.
    generator = networks.build_generator(spec, image_shape, options)
    discriminator = networks.build_discriminator(spec, image_shape, options)
    terms = build_regularizers(config, spec)
    for regularizer in terms:
        regularizer.build(spec, image_shape, options, make_optimizer)
    gan = InfoGAN(
        spec,
        generator,
        discriminator,
        mi_weights=config.mi_weight_by_kind(),
        seed=config.seed,
        joint_discriminator_batch=config.joint_discriminator_batch,
        regularizers=terms,
        g_steps_per_d_step=config.g_steps_per_d_step,
    )
    gan.compile(
        d_optimizer=make_optimizer(config.d_learning_rate),
        g_optimizer=make_optimizer(config.g_learning_rate),
        jit_compile=config.jit_compile,
        steps_per_execution=config.steps_per_execution,
    )
    gan.build_optimizers()
    return gan


def build_regularizers(config: TrainConfig, spec: latents.LatentSpec) -> list[regularizers.Regularizer]:
    """The objective's extra terms that `config` switches on (a weight of 0 leaves a term out)."""
    terms = []
    if config.categorical_invariance_weight > 0:
        if any(code.nominal for code in spec.codes):
            perturbation = regularizers.Perturbation(
                max_rotation_deg=config.invariance_rotation_deg, max_scale_change=config.invariance_scale_change,
                max_shift_px=config.invariance_shift_px, canonical_pose=config.invariance_canonical_pose,
            )
            terms.append(regularizers.CategoricalInvariance(
                spec, config.categorical_invariance_weight, perturbation,
                every_nth=round(1 / config.invariance_batch_fraction),
            ))
        else:
            logging.warning("--categorical_invariance_weight is ignored: --codes=%s has no categorical code",
                            config.codes)
    if config.real_reconstruction_weight > 0:
        terms.append(regularizers.RealReconstruction(config.real_reconstruction_weight))
    if config.categorical_swap_weight > 0:
        if any(code.nominal for code in spec.codes):
            terms.append(regularizers.CategoricalSwap(spec, config.categorical_swap_weight,
                                                      match=config.categorical_swap_match))
        else:
            logging.warning("--categorical_swap_weight is ignored: --codes=%s has no categorical code", config.codes)
    if config.r1_weight > 0:
        terms.append(regularizers.GradientPenalty(config.r1_weight))
    if config.contrastive_weight > 0:
        terms.append(regularizers.Contrastive(
            spec, config.contrastive_weight, start_step=config.contrastive_start_step,
            end_step=config.contrastive_end_step or None, gap=config.contrastive_gap,
            learning_rate=config.contrastive_learning_rate, spectral_norm=config.contrastive_spectral_norm,
            shared_noise=config.contrastive_shared_noise,
        ))
    return terms


def train(config: TrainConfig, flags_text: str | None = None,
          extra_callbacks: Sequence[keras.callbacks.Callback] = ()) -> dict:
    """Trains (or resumes) the run in `config.workdir` up to `config.train_steps`; returns the run summary.

    `extra_callbacks` (the caller's own Keras callbacks) run on the chief after the library's own ones.
    """
    run_dir = workdir.Workdir(config.workdir)
    spec = latents.parse_latent_spec(config.codes, config.noise_dim, config.noise_prior)
    info = datasets.dataset_info(config.dataset, data_dir=config.data_dir, image_size=config.image_size)
    networks.architecture_for(info.image_shape, config.image_size)
    config = dataclasses.replace(config, precision=runtime.resolve_precision(config.precision))
    runtime.set_precision(config.precision)
    strategy = runtime.make_strategy(config.strategy)
    replicas = strategy.num_replicas_in_sync
    runtime.check_batch(config.batch_size, strategy)
    if config.jit_compile and replicas > 1:
        raise runtime.SetupError("--jit_compile cannot be combined with more than one replica (XLA cannot reach "
                                 "variables on other devices); drop --jit_compile")
    logging.info("Strategy: %s", runtime.describe(strategy))

    keras.utils.set_random_seed(config.seed)
    if not runtime.is_chief(strategy):
        _train_as_worker(config, spec, info.image_shape, strategy, run_dir)
        return {}
    with workdir.exclusive(run_dir):
        return _train_as_chief(config, spec, info.image_shape, strategy, run_dir, flags_text, extra_callbacks)


def _train_as_chief(config: TrainConfig, spec: latents.LatentSpec, image_shape: tuple[int, int, int],
                    strategy: tf.distribute.Strategy, run_dir: workdir.Workdir, flags_text: str | None,
                    extra_callbacks: Sequence[keras.callbacks.Callback]) -> dict:
    """Restores (checking that the workdir's run is this model) before anything is written, then trains."""
    replicas = strategy.num_replicas_in_sync
    with strategy.scope():
        gan = build_infogan(config, spec, image_shape, replicas)
        checkpoints = Checkpoints(gan, run_dir.checkpoints, config.keep_checkpoints)
        start = _restore(checkpoints, run_dir, config)
    run_dir.create()
    if flags_text is not None:
        workdir.atomic_write_text(run_dir.flags_file, flags_text)
    workdir.atomic_write_json(run_dir.config_file, config_lib.to_json(config))
    _log_summaries(gan)

    summary = run_dir.read_summary()
    summary.update(
        dataset=config.dataset,
        image_shape=list(image_shape),
        latent_spec=spec.to_json(),
        strategy=runtime.strategy_name(strategy),
        replicas=replicas,
        precision=config.precision,
        global_batch_size=config.batch_size,
    )
    if start:
        summary.setdefault("resumed_from_steps", []).append(start)
    interrupted = None
    if start >= config.train_steps:
        logging.info("Step %d already reaches --train_steps=%d: nothing to train", start, config.train_steps)
    else:
        interrupted = _fit(gan, config, run_dir, checkpoints, summary, start, extra_callbacks)

    workdir.atomic_save_keras(gan.generator, run_dir.generator)
    workdir.atomic_save_keras(encoder.build_encoder(spec, gan.discriminator), run_dir.encoder)
    callbacks.label_models(summary, int(gan.step.numpy()))
    workdir.atomic_write_json(run_dir.run_summary, summary)
    if interrupted:
        raise TrainingInterrupted(
            f"stopped by {interrupted} at step {summary['global_step']} of {config.train_steps}; its checkpoint and "
            f"models are saved in {run_dir.root}: rerun the same command to continue"
        )
    logging.info("Finished at step %d; models in %s", summary["global_step"], run_dir.root)
    return summary


def _log_summaries(gan: InfoGAN) -> None:
    """The networks' layers, shapes and parameter counts, once per run start, so a log says what was trained."""
    own = [regularizer.network for regularizer in gan.regularizers if regularizer.network is not None]
    for network in [gan.generator, gan.discriminator, *own]:
        lines = [f"{network.name}: {network.count_params():,} parameters"]
        for layer in network.layers:
            shape = tuple(layer.output.shape) if hasattr(layer.output, "shape") else "(several outputs)"
            lines.append(f"  {layer.name:<32} {type(layer).__name__:<28} {str(shape):<22} {layer.count_params():>10,}")
        logging.info("%s", "\n".join(lines))


def _restore(checkpoints: Checkpoints, run_dir: workdir.Workdir, config: TrainConfig) -> int:
    """The step to continue from; refuses, naming the differing flags, when the checkpoints are of another model."""
    try:
        return checkpoints.restore_latest()
    except (ValueError, AssertionError) as error:
        differing = _architecture_changes(run_dir, config)
        detail = f"it was trained with {differing}" if differing else f"({first_line(error)})"
        raise ConfigError(
            f"the checkpoints in {run_dir.checkpoints} are of another model: {detail}. Rerun with the run's own "
            f"flags (--flagfile={run_dir.flags_file}) or use another --workdir"
        ) from None


ARCHITECTURE_FLAGS = ("dataset", "image_size", "codes", "noise_dim", "network_width", "batch_norm", "d_batch_norm",
                      "spectral_norm", "q_head_spectral_norm", "precision", "contrastive_weight",
                      "contrastive_spectral_norm")


def _architecture_changes(run_dir: workdir.Workdir, config: TrainConfig) -> str:
    """"--codes=cat:3,cont:1 (now cat:5,cont:2), ..." for the flags that shape the model and differ from the
    workdir's flags.cfg; empty when there is none or no readable flags.cfg."""
    try:
        previous = run_dir.read_config()
    except (OSError, config_lib.ConfigError):
        return ""
    if previous is None:
        return ""

    def shown(cfg: TrainConfig, name: str):
        value = getattr(cfg, name)
        return (value > 0) if name == "contrastive_weight" else value

    return ", ".join(f"--{name}={getattr(previous, name)} (now {getattr(config, name)})"
                     for name in ARCHITECTURE_FLAGS if shown(previous, name) != shown(config, name))



def _train_as_worker(config: TrainConfig, spec: latents.LatentSpec, image_shape: tuple[int, int, int],
                     strategy: tf.distribute.Strategy, run_dir: workdir.Workdir) -> None:
    """A non-chief worker takes part in every collective step and save, but writes only to a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="infogan-worker-") as scratch:
        scratch_dir = workdir.Workdir(scratch)
        scratch_dir.create()
        with strategy.scope():
            gan = build_infogan(config, spec, image_shape, strategy.num_replicas_in_sync)
            checkpoints = Checkpoints(gan, scratch_dir.checkpoints, 1, restore_directory=run_dir.checkpoints)
            start = checkpoints.restore_latest()
        if start < config.train_steps:
            _fit(gan, config, scratch_dir, checkpoints, None, start)


def _fit(gan: InfoGAN, config: TrainConfig, run_dir: workdir.Workdir, checkpoints: Checkpoints, summary: dict | None,
         start: int, extra_callbacks: Sequence[keras.callbacks.Callback] = ()) -> str | None:
    """Runs `fit` from `start` to `config.train_steps`; `summary` is None on workers that report nothing.

    Returns the name of the signal that stopped the run early (its checkpoint is saved), else None.
    """
    # Reseeding the shuffle with the start step gives a resumed run a fresh, still repeatable, data order.
    dataset = datasets.train_dataset(
        config.dataset,
        config.batch_size,
        split=config.train_split,
        data_dir=config.data_dir,
        image_size=config.image_size,
        seed=config.seed + start,
        shuffle_buffer=config.shuffle_buffer,
    )
    guard = callbacks.DivergenceGuard()
    saver = CheckpointCallback(checkpoints, config.checkpoint_every_steps)
    stopper = callbacks.StopOnSignal()
    hooks = [stopper, guard, saver]
    if summary is not None:
        hooks.append(callbacks.RunReporter(run_dir, summary, rows=config.traversal_rows, seed=config.seed,
                                           span=config.traversal_range))
    hooks.extend(extra_callbacks)
    began = time.monotonic()
    breaks = [step for regularizer in gan.regularizers for step in regularizer.switch_steps()]
    with stopper.installed():
        for initial_epoch, epochs, steps in epoch_plan(start, config.train_steps, config.steps_per_epoch, breaks):
            step = int(gan.step.numpy())
            gan.activate_regularizers(step)
            gan.set_steps_per_execution(execution_size(config, step, steps))
            gan.fit(dataset, initial_epoch=initial_epoch, epochs=epochs, steps_per_epoch=steps, callbacks=hooks,
                    verbose=config.verbose, shuffle=False)
            if guard.diverged or saver.refused:
                _diverged(guard.diverged or saver.refused, checkpoints, config)
            if stopper.received:
                break
    steps_done = int(gan.step.numpy()) - start
    logging.info("Trained %d steps in %.1f s (%.2f steps/s)", steps_done, time.monotonic() - began,
                 steps_done / max(time.monotonic() - began, 1e-9))
    if checkpoints.latest_step != int(gan.step.numpy()):
        try:
            checkpoints.save()
        except CheckpointError as error:
            _diverged(str(error), checkpoints, config)
    return stopper.received


def _diverged(reason: str, checkpoints: Checkpoints, config: TrainConfig) -> None:
    kept = checkpoints.latest_step
    where = (f"the last good checkpoint (step {kept}) is kept in {checkpoints.directory}" if kept is not None
             else "no checkpoint had been written yet")
    advice = "Lower the learning rates" + (" or use --precision=float32" if config.precision != "float32" else "")
    raise TrainingDiverged(f"training diverged: {reason}; {where}. {advice}")
