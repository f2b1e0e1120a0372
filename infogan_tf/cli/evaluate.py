"""`infogan-evaluate` (and `python evaluate.py`): scores a finished run.

    infogan-evaluate --workdir=W [--num_examples=1000]

Writes W/metrics.json, TensorBoard scalars in W/tensorboard/eval and W/report.html; all logic lives in
`infogan_tf.evaluation.runner.evaluate_workdir`.
"""

from __future__ import annotations

from absl import flags, logging

from infogan_tf import cli

# This program's flags, joined to absl's global ones in `run()`, so that importing the module defines none.
FLAGS = flags.FlagValues()

flags.DEFINE_string("workdir", None, "Run folder written by train.py (models, run_summary.json, flags.cfg).",
                    flag_values=FLAGS)
flags.DEFINE_string("dataset", None, "Dataset to evaluate on; default: the one the run trained on.", flag_values=FLAGS)
flags.DEFINE_string("data_dir", None, "TFDS data_dir; default: the run's --data_dir.", flag_values=FLAGS)
flags.DEFINE_string(
    "split",
    None,
    "Held-out split of labelled data; default: test, or the rest of test when the run trained on a slice of it.",
    flag_values=FLAGS,
)
flags.DEFINE_integer(
    "num_examples",
    None,
    "Scale the metric protocols to this many examples instead of 10000 (quick runs); default: the full ones.",
    lower_bound=4,
    flag_values=FLAGS,
)
flags.DEFINE_integer("seed", 0, "Seed of sampled factors, latents, KID subsets and the feature classifier.",
                     flag_values=FLAGS)
flags.mark_flag_as_required("workdir", flag_values=FLAGS)


def main(argv: list[str]) -> None:
    cli.refuse_positional_arguments(argv)
    logging.set_verbosity(logging.INFO)
    from infogan_tf import config, datasets, messages
    from infogan_tf.evaluation import runner

    try:
        runner.evaluate_workdir(
            FLAGS.workdir,
            dataset=FLAGS.dataset,
            data_dir=FLAGS.data_dir,
            split=FLAGS.split,
            num_examples=FLAGS.num_examples,
            seed=FLAGS.seed,
        )
    except (runner.EvaluationError, datasets.DatasetError, config.ConfigError) as error:
        cli.fail(error)
    except messages.MACHINE_FAULTS as error:
        cli.fail(messages.fault_line(error))


def run() -> None:
    cli.run_program(main, FLAGS)
