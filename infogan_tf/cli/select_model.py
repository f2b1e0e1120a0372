"""`infogan-select` (and `python select_model.py`): picks one of several finished runs without labels, by
ModelCentrality (InfoGAN-CR).

    infogan-select --workdirs=runs/a,runs/b,runs/c [--num_examples=1000] [--output=model_centrality.json]

Prints the cross-score matrix and the choice, and writes both as JSON; all logic lives in
`infogan_tf.evaluation.model_centrality`.
"""

from __future__ import annotations

from pathlib import Path

from absl import flags, logging

from infogan_tf import cli

# This program's flags, joined to absl's global ones in `run()`, so that importing the module defines none.
FLAGS = flags.FlagValues()

flags.DEFINE_list("workdirs", None, "Comma-separated run folders written by train.py (two or more).", flag_values=FLAGS)
flags.DEFINE_string("output", "model_centrality.json", "Where to write the matrix, the centralities and the choice.",
                    flag_values=FLAGS)
flags.DEFINE_integer("num_examples", None, "Scale the FactorVAE protocol to this many examples instead of 10000.",
                     lower_bound=4, flag_values=FLAGS)
flags.DEFINE_integer("seed", 0, "Seed of the latents and votes.", flag_values=FLAGS)
flags.mark_flag_as_required("workdirs", flag_values=FLAGS)


def main(argv: list[str]) -> None:
    cli.refuse_positional_arguments(argv)
    logging.set_verbosity(logging.INFO)
    from infogan_tf import config, workdir
    from infogan_tf.evaluation import loaded_run, model_centrality, protocol

    try:
        runs = [loaded_run.load_run(path) for path in FLAGS.workdirs]
        result = model_centrality.compute_model_centrality(
            runs, protocol.protocol_for(FLAGS.num_examples), seed=FLAGS.seed
        )
        result["protocol"] = protocol.protocol_for(FLAGS.num_examples).to_json()
        workdir.atomic_write_json(Path(FLAGS.output), result)
    except (loaded_run.EvaluationError, config.ConfigError, OSError) as error:
        cli.fail(error)
    print(model_centrality.format_table(result))


def run() -> None:
    cli.run_program(main, FLAGS)
