"""`infogan-train` (and `python train.py`): trains an InfoGAN from flags, a config file or a shipped config.

    infogan-train --config=quickstart --workdir=runs/quickstart --export_dir=exports
    python train.py --flagfile=configs/quickstart.cfg --workdir=runs/quickstart

Flags are parsed here and packed into `infogan_tf.config.TrainConfig`; all logic lives in `infogan_tf.train_lib`.
"""

from __future__ import annotations

import dataclasses

from absl import app, flags, logging

from infogan_tf import cli, latents, named_configs
from infogan_tf import config as config_lib
from infogan_tf.cli import config_flags
from infogan_tf.export import writer as export_writer

# This program's flags, apart from absl's global ones until `run()` joins them, so that importing the module (as
# the in-process tests do next to other programs) defines no global flag.
FLAGS = flags.FlagValues()

config_flags.define_config_flags(FLAGS)
# Flags of the program itself, not of the training run:
flags.DEFINE_string("config", None, "A config shipped with the package, by name: "
                    f"{', '.join(named_configs.names())}. Flags after it override it.", flag_values=FLAGS)
flags.DEFINE_integer("cpu_devices", 0, "Split the CPU into N logical devices (MirroredStrategy without GPUs).",
                     lower_bound=0, flag_values=FLAGS)
flags.DEFINE_string("export_dir", None, "After training, export the models for TF Serving into this folder "
                    "(EXPORT_DIR/generator/<version>/, EXPORT_DIR/encoder/<version>/).", flag_values=FLAGS)
flags.DEFINE_string("model_name", "", "Servable name prefix for --export_dir: foo gives foo_generator, foo_encoder.",
                    flag_values=FLAGS)
flags.DEFINE_boolean("evaluate", False, "After training, run evaluate.py's metrics and write metrics.json and "
                     "report.html into the workdir.", flag_values=FLAGS)
flags.mark_flag_as_required("workdir", flag_values=FLAGS)


def _validate_codes(text: str) -> bool:
    try:
        latents.parse_codes(text)
    except latents.LatentSpecError as error:
        raise flags.ValidationError(str(error)) from None
    return True


flags.register_validator("codes", _validate_codes, flag_values=FLAGS)


def _validate_model_name(name: str) -> bool:
    """The export's own rule, checked before training rather than after it."""
    try:
        export_writer.servable_names(name or None)
    except export_writer.ExportError as error:
        raise flags.ValidationError(f"--model_name: {error}") from None
    return True


flags.register_validator("model_name", _validate_model_name, flag_values=FLAGS)

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


def expand_config(argv: list[str]) -> list[str]:
    """argv with `--config=NAME` replaced by the flags of that shipped config; an unknown name ends the program."""
    try:
        return named_configs.expand_config_flags(argv, FLAGS)
    except config_lib.ConfigError as error:
        cli.fail(error)


def parse_flags(argv: list[str]) -> list[str]:
    """absl's parsing (of the global flags, which hold this program's once `run()` has joined them)."""
    remaining = app.parse_flags_with_usage(expand_config(argv))
    FLAGS.mark_as_parsed()
    return remaining


def run() -> None:
    cli.join_global_flags(FLAGS)
    app.run(main, flags_parser=parse_flags)
