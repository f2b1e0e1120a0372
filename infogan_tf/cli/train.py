"""`infogan-train` (and `python train.py`): trains an InfoGAN from flags, a config file or a shipped config.

    infogan-train --config=quickstart --workdir=runs/quickstart --export_dir=exports
    python train.py --flagfile=configs/quickstart.cfg --workdir=runs/quickstart

Flags are parsed here and packed into `infogan_tf.config.TrainConfig`; all logic lives in `infogan_tf.train_lib`.
"""

from __future__ import annotations

import dataclasses

from absl import app, flags, logging

from infogan_tf import config as config_lib
from infogan_tf import cli, latents, named_configs
from infogan_tf.export import writer as export_writer

FLAGS = flags.FLAGS
_DEFAULTS = config_lib.TrainConfig(workdir="")

flags.DEFINE_string("config", None, "A config shipped with the package, by name: "
                    f"{', '.join(named_configs.names())}. Flags after it override it.")
flags.DEFINE_string("workdir", None, "Run folder: checkpoints, samples, TensorBoard logs, models, run summary.")
flags.DEFINE_string("dataset", _DEFAULTS.dataset,
                    "mnist | fashion_mnist | svhn_cropped | celeb_a | dsprites | shapes3d (TFDS), shapes (built-in), "
                    "idx:DIR (MNIST-format files), folder:DIR (PNG/JPEG).")
flags.DEFINE_string("data_dir", None, "TFDS data_dir (where TFDS datasets are downloaded and prepared).")
flags.DEFINE_integer("image_size", None, "Resize images to this square size (28, 32 or 64); default: the data's own.")
flags.DEFINE_string("train_split", _DEFAULTS.train_split, "Split to train on, TFDS syntax, e.g. train, test[:9000].")
flags.DEFINE_string("codes", _DEFAULTS.codes, "Structured codes: comma list of cat:K, cont:N[:normal][:learned_std], "
                    "bern:N.")
flags.DEFINE_integer("noise_dim", _DEFAULTS.noise_dim, "Dimension of the unstructured noise z.", lower_bound=0)
flags.DEFINE_enum("noise_prior", _DEFAULTS.noise_prior, ["uniform", "normal"], "Prior of z.")
flags.DEFINE_integer("batch_size", _DEFAULTS.batch_size, "Global batch size (split across replicas).", lower_bound=1)
flags.DEFINE_integer("train_steps", _DEFAULTS.train_steps, "Total training steps (one D and one G update each).",
                     lower_bound=1)
flags.DEFINE_integer("steps_per_epoch", _DEFAULTS.steps_per_epoch, "Steps between summaries and traversal grids.",
                     lower_bound=1)
flags.DEFINE_float("d_learning_rate", _DEFAULTS.d_learning_rate, "Adam learning rate of D/Q.")
flags.DEFINE_float("g_learning_rate", _DEFAULTS.g_learning_rate, "Adam learning rate of G.")
flags.DEFINE_float("adam_beta1", _DEFAULTS.adam_beta1, "Adam beta_1.")
flags.DEFINE_float("adam_beta2", _DEFAULTS.adam_beta2, "Adam beta_2.")
flags.DEFINE_float("mi_weight_categorical", _DEFAULTS.mi_weight_categorical, "lambda of categorical codes.")
flags.DEFINE_float("mi_weight_continuous", _DEFAULTS.mi_weight_continuous, "lambda of continuous codes.")
flags.DEFINE_float("mi_weight_bernoulli", _DEFAULTS.mi_weight_bernoulli, "lambda of Bernoulli codes.")
flags.DEFINE_boolean("batch_norm", _DEFAULTS.batch_norm, "Batch normalisation in G and D/Q.")
flags.DEFINE_boolean("d_batch_norm", _DEFAULTS.d_batch_norm, "Batch normalisation in D/Q (and the contrastive "
                     "head); off with --batch_norm off. --nod_batch_norm keeps it in G only, as InfoGAN-CR does.")
flags.DEFINE_boolean("spectral_norm", _DEFAULTS.spectral_norm, "Spectral normalisation of every layer of D/Q (and "
                     "of the contrastive head but its output layer), as InfoGAN-CR does.")
flags.DEFINE_float("leaky_slope", _DEFAULTS.leaky_slope, "Negative slope of D's leaky ReLUs.")
flags.DEFINE_boolean("joint_discriminator_batch", _DEFAULTS.joint_discriminator_batch,
                     "Pass real and fake images through D as one batch (needed for sparse images such as dSprites: "
                     "with separate batches, batch norm hides their difference in brightness).")
flags.DEFINE_float("categorical_invariance_weight", _DEFAULTS.categorical_invariance_weight,
                   "lambda of log Q(c_cat | perturbed G(z, c)): categorical codes must survive a small random "
                   "rotation, zoom, shift and stroke change (0 = off, the paper's objective).", lower_bound=0.0)
flags.DEFINE_float("invariance_rotation_deg", _DEFAULTS.invariance_rotation_deg,
                   "Largest rotation of that perturbation, in degrees.", lower_bound=0.0, upper_bound=180.0)
flags.DEFINE_float("invariance_scale_change", _DEFAULTS.invariance_scale_change,
                   "Largest zoom of that perturbation, as a fraction (0.1: 0.9x to 1.1x).", lower_bound=0.0,
                   upper_bound=0.99)
flags.DEFINE_float("invariance_shift_px", _DEFAULTS.invariance_shift_px,
                   "Largest shift of that perturbation along each axis, in pixels.", lower_bound=0.0)
flags.DEFINE_boolean("invariance_canonical_pose", _DEFAULTS.invariance_canonical_pose,
                     "Before that perturbation, centre each image on its intensity centroid and zoom it to a fixed "
                     "spread, so the categorical codes cannot name position or size (one object on a dark "
                     "background: sprites, digits).")
flags.DEFINE_float("contrastive_weight", _DEFAULTS.contrastive_weight,
                   "lambda of InfoGAN-CR's contrastive term for G: a pair discriminator H must tell which code two "
                   "generated images share (0 = off).", lower_bound=0.0)
flags.DEFINE_integer("contrastive_start_step", _DEFAULTS.contrastive_start_step,
                     "Step from which the contrastive term (and H's training) is on; InfoGAN-CR's progressive "
                     "schedule switches it on late.", lower_bound=0)
flags.DEFINE_float("contrastive_gap", _DEFAULTS.contrastive_gap,
                   "Smallest distance between the values of a continuous code that a pair does not share.",
                   lower_bound=0.0, upper_bound=2.0)
flags.DEFINE_float("contrastive_learning_rate", _DEFAULTS.contrastive_learning_rate, "Adam learning rate of H.")
flags.DEFINE_boolean("contrastive_spectral_norm", _DEFAULTS.contrastive_spectral_norm,
                     "Spectral norm on H's layers but its output, as InfoGAN-CR does; such an H needs tens of "
                     "thousands of steps to learn.")
flags.DEFINE_integer("g_steps_per_d_step", _DEFAULTS.g_steps_per_d_step,
                     "G updates per D/Q update (InfoGAN-CR makes 2).", lower_bound=1)
flags.DEFINE_enum("strategy", _DEFAULTS.strategy, list(config_lib.STRATEGIES),
                  "auto = MirroredStrategy when more than one GPU is visible.")
flags.DEFINE_integer("cpu_devices", 0, "Split the CPU into N logical devices (MirroredStrategy without GPUs).",
                     lower_bound=0)
flags.DEFINE_enum("precision", _DEFAULTS.precision, list(config_lib.PRECISIONS), "Keras mixed-precision policy.")
flags.DEFINE_boolean("jit_compile", _DEFAULTS.jit_compile, "Compile the train step with XLA (single replica only).")
flags.DEFINE_integer("seed", _DEFAULTS.seed, "Seed of latents, shuffling and initial weights.")
flags.DEFINE_integer("shuffle_buffer", _DEFAULTS.shuffle_buffer, "Shuffle buffer size.", lower_bound=1)
flags.DEFINE_integer("checkpoint_every_steps", _DEFAULTS.checkpoint_every_steps, "Checkpoint period in steps.",
                     lower_bound=1)
flags.DEFINE_integer("keep_checkpoints", _DEFAULTS.keep_checkpoints, "How many checkpoints to keep.", lower_bound=1)
flags.DEFINE_integer("traversal_rows", _DEFAULTS.traversal_rows, "Rows (noise samples) per traversal grid.",
                     lower_bound=1)
flags.DEFINE_enum("verbose", _DEFAULTS.verbose, ["auto", "0", "1", "2"], "Keras progress output.")
flags.DEFINE_string("export_dir", None, "After training, export the models for TF Serving into this folder "
                    "(EXPORT_DIR/generator/<version>/, EXPORT_DIR/encoder/<version>/).")
flags.DEFINE_string("model_name", "", "Servable name prefix for --export_dir: foo gives foo_generator, foo_encoder.")
flags.DEFINE_boolean("evaluate", False, "After training, run evaluate.py's metrics and write metrics.json and "
                     "report.html into the workdir.")
flags.mark_flag_as_required("workdir")


def _validate_codes(text: str) -> bool:
    try:
        latents.parse_codes(text)
    except latents.LatentSpecError as error:
        raise flags.ValidationError(str(error)) from None
    return True


flags.register_validator("codes", _validate_codes)


def _validate_model_name(name: str) -> bool:
    """The export's own rule, checked before training rather than after it."""
    try:
        export_writer.servable_names(name or None)
    except export_writer.ExportError as error:
        raise flags.ValidationError(f"--model_name: {error}") from None
    return True


flags.register_validator("model_name", _validate_model_name)

CONFIG_FIELDS = [field.name for field in dataclasses.fields(config_lib.TrainConfig)]
PROGRAM_FLAGS = CONFIG_FIELDS + ["cpu_devices", "export_dir", "model_name", "evaluate"]


def flags_text() -> str:
    """This program's resolved flags, one per line, reusable as a --flagfile."""
    return "".join(f"{line}\n" for name in PROGRAM_FLAGS if (line := FLAGS[name].serialize()))


def main(argv: list[str]) -> None:
    cli.refuse_positional_arguments(argv)
    logging.set_verbosity(logging.INFO)
    from infogan_tf import runtime

    runtime.split_cpu(FLAGS.cpu_devices)
    from infogan_tf import checkpoints, datasets, export, messages, train_lib, workdir
    from infogan_tf.evaluation import runner

    values = {name: FLAGS[name].value for name in CONFIG_FIELDS}
    try:
        summary = train_lib.train(config_lib.TrainConfig(**values), flags_text=flags_text())
        # Non-chief workers of a multi-worker run get an empty summary: the chief alone exports and evaluates.
        if FLAGS.export_dir and summary:
            export.export_servables(FLAGS.workdir, FLAGS.export_dir, model_name=FLAGS.model_name or None)
        if FLAGS.evaluate and summary:
            runner.evaluate_workdir(FLAGS.workdir)
    except (
        config_lib.ConfigError,
        latents.LatentSpecError,
        datasets.DatasetError,
        runtime.SetupError,
        train_lib.TrainingDiverged,
        train_lib.TrainingInterrupted,
        train_lib.CheckpointError,
        checkpoints.CheckpointWriteError,
        workdir.WorkdirBusy,
        export.ExportError,
        runner.EvaluationError,
    ) as error:
        logging.error("%s", error)
        cli.fail(error)
    except messages.MACHINE_FAULTS as error:
        logging.error("%s", messages.fault_line(error))
        cli.fail(messages.fault_line(error))


def parse_flags(argv: list[str]) -> list[str]:
    """absl's parsing, after `--config=NAME` has been replaced by the flags of that shipped config."""
    try:
        argv = named_configs.expand_config_flags(argv, FLAGS)
    except config_lib.ConfigError as error:
        cli.fail(error)
    return app.parse_flags_with_usage(argv)


def run() -> None:
    app.run(main, flags_parser=parse_flags)
