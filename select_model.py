"""Picks one of several finished runs by ModelCentrality: `python select_model.py --workdirs=a,b,c` (the same as
`infogan-select`)."""

from infogan_tf.cli.select_model import run

if __name__ == "__main__":
    run()
