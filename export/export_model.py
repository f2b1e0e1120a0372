"""Exports a trained run for TF Serving: `python export/export_model.py --workdir=W --export_dir=E` (the same as
`infogan-export`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from infogan_tf.cli.export import run  # noqa: E402  (after the path insert above)

if __name__ == "__main__":
    run()
