"""`infogan-export` (and `python export/export_model.py`): exports a trained run for TF Serving.

    infogan-export --workdir=W --export_dir=E

Writes E/generator/<version>/ and E/encoder/<version>/ (with --model_name=foo: E/foo_generator/, E/foo_encoder/).
The version defaults to one more than the largest one already in E; an existing version is never overwritten. All
logic lives in `infogan_tf.export`.
"""

from __future__ import annotations

from absl import flags, logging

from infogan_tf import cli

# This program's flags, joined to absl's global ones in `run()`, so that importing the module defines none.
FLAGS = flags.FlagValues()
flags.DEFINE_string("workdir", None, "Run folder written by train.py (generator.keras, encoder.keras, ...).",
                    flag_values=FLAGS)
flags.DEFINE_string("export_dir", None, "TF Serving model folder; servables go to EXPORT_DIR/<name>/<version>/.",
                    flag_values=FLAGS)
flags.DEFINE_integer("version", None, "Version number of both servables; default: the next free one.", lower_bound=1,
                     flag_values=FLAGS)
flags.DEFINE_string("model_name", "", "Servable name prefix: foo gives foo_generator and foo_encoder.",
                    flag_values=FLAGS)
flags.mark_flags_as_required(["workdir", "export_dir"], flag_values=FLAGS)


def main(argv: list[str]) -> None:
    """Runs the export; a problem with the input becomes one line and exit status 1."""
    cli.refuse_positional_arguments(argv)
    logging.set_verbosity(logging.INFO)
    from infogan_tf import export, messages

    try:
        written = export.export_servables(FLAGS.workdir, FLAGS.export_dir, FLAGS.version, FLAGS.model_name or None)
    except export.ExportError as error:
        cli.fail(error)
    except messages.MACHINE_FAULTS as error:
        cli.fail(messages.fault_line(error))
    print(f"exported version {written['version']}: {written['generator']} {written['encoder']}")


def run() -> None:
    cli.run_program(main, FLAGS)
