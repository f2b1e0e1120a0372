"""`infogan-explore`: a local web page to turn codes into images and images into codes.

    infogan-explore --export_dir=exports [--port=8090]
    infogan-explore --workdir=runs/quickstart
    infogan-explore --server=http://localhost:8501 --metadata=exports/generator

It binds 127.0.0.1 unless --host says otherwise and writes nothing to disk; all logic lives in `infogan_tf.explorer`.
"""

from __future__ import annotations

from absl import flags, logging

from infogan_tf import cli

# This program's flags, joined to absl's global ones in `run()`, so that importing the module defines none.
FLAGS = flags.FlagValues()
flags.DEFINE_string("export_dir", None, "An infogan-export folder: its newest generator and encoder versions.",
                    flag_values=FLAGS)
flags.DEFINE_string("workdir", None, "A finished training run: its generator.keras and encoder.keras.",
                    flag_values=FLAGS)
flags.DEFINE_string("server", None, "A running TF Serving's REST address, e.g. http://localhost:8501.",
                    flag_values=FLAGS)
flags.DEFINE_string("metadata", None, "--server: the export's generator folder, for the category counts the server's "
                    "metadata lacks.", flag_values=FLAGS)
flags.DEFINE_string("model_name", "", "Servable name prefix used at export (foo: foo_generator, foo_encoder).",
                    flag_values=FLAGS)
flags.DEFINE_string("host", "127.0.0.1", "Address to listen on; another than 127.0.0.1 makes the page reachable by "
                    "other machines.", flag_values=FLAGS)
flags.DEFINE_integer("port", 8090, "Port to listen on (0: any free one).", lower_bound=0, upper_bound=65535,
                     flag_values=FLAGS)
flags.mark_flags_as_mutual_exclusive(["export_dir", "workdir", "server"], required=True, flag_values=FLAGS)


def main(argv: list[str]) -> None:
    cli.refuse_positional_arguments(argv)
    logging.set_verbosity(logging.WARNING)
    from infogan_serving.client import ClientError
    from infogan_tf import messages
    from infogan_tf.explorer import server, service, sources

    try:
        if FLAGS.export_dir:
            source = sources.from_export(FLAGS.export_dir, FLAGS.model_name or None)
        elif FLAGS.workdir:
            source = sources.from_workdir(FLAGS.workdir)
        else:
            source = sources.from_server(FLAGS.server, FLAGS.metadata, FLAGS.model_name or None)
        explorer = server.ExplorerServer(service.ExplorerService(source), FLAGS.host, FLAGS.port)
    except ClientError as error:
        cli.fail(error)
    except messages.MACHINE_FAULTS as error:
        cli.fail(messages.fault_line(error))
    print(f"infogan-explore: {source.description} at {explorer.url} (Ctrl-C stops)", flush=True)
    try:
        explorer.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        explorer.server_close()


def run() -> None:
    cli.run_program(main, FLAGS)
