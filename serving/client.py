"""Queries the InfoGAN servables on TF Serving: `python serving/client.py --categorical=7 --num=8 --out=x.png`
(the same as `infogan-client`; see `infogan_serving.cli`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from infogan_serving.cli import run  # noqa: E402  (after the path insert above)

if __name__ == "__main__":
    run()
