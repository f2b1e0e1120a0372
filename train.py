"""Trains an InfoGAN: `python train.py --flagfile=configs/quickstart.cfg --workdir=W` (the same as `infogan-train`)."""

from infogan_tf.cli.train import run

if __name__ == "__main__":
    run()
