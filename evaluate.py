"""Evaluates a trained run: `python evaluate.py --workdir=W [--num_examples=1000]` (the same as `infogan-evaluate`)."""

from infogan_tf.cli.evaluate import run

if __name__ == "__main__":
    run()
