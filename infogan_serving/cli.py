"""`infogan-client` (and `python serving/client.py`): generate images from chosen codes on TF Serving, or encode images.

    infogan-client --url=http://localhost:8501 --categorical=7 --continuous=-1.5,0 --num=8 --out=x.png
    infogan-client encode --url=http://localhost:8501 --images=a.png,b.png [--json]

Give negative values with `=` (`--continuous=-1.5,0`). All logic lives in `infogan_serving.client` and
`infogan_serving.transports`.
"""

import json
import sys

from absl import app, flags

from infogan_serving import client as infogan_client
from infogan_serving import transports as serving_api

SERVABLES = {"generate": "generator", "encode": "encoder"}

flags.DEFINE_string("url", "http://localhost:8501", "TF Serving REST address.")
flags.DEFINE_string("grpc", None, "host:port of TF Serving's gRPC API; replaces --url (needs tensorflow-serving-api).")
flags.DEFINE_string("model", None, "Servable name; default: generator (generate) or encoder (encode).")
flags.DEFINE_integer("model_version", None, "Version to query; default: the newest one the server has loaded.")
flags.DEFINE_string("version_label", None, "Version label to query instead, e.g. stable.")
flags.DEFINE_string("metadata", None, "infogan.json or an export version folder; default: ask the server.")
flags.DEFINE_enum(
    "signature",
    "sample",
    ["sample", "serving_default"],
    "generate: `sample` sends per-image seeds and the server draws the noise; `serving_default` sends noise.",
)
flags.DEFINE_list("categorical", None, "generate: one index per categorical code; default: random per image.")
flags.DEFINE_list("continuous", None, "generate: one value per continuous code; default: 0.")
flags.DEFINE_list("bernoulli", None, "generate: one 0/1 value per Bernoulli code; default: random per image.")
flags.DEFINE_integer("num", 8, "generate: number of images.")
flags.DEFINE_integer("seed", 0, "generate: seed of the noise and of omitted codes.")
flags.DEFINE_string("out", "samples.png", "generate: PNG file for the image grid.")
flags.DEFINE_integer("columns", 8, "generate: images per grid row.")
flags.DEFINE_list("images", None, "encode: image files to encode.")
flags.DEFINE_bool("json", False, "encode: print one JSON object per image.")
flags.DEFINE_float("timeout", 30.0, "Seconds to wait for each server call.")
flags.mark_flags_as_mutual_exclusive(["model_version", "version_label"])
FLAGS = flags.FLAGS


def run_mode(mode: str) -> None:
    """Runs one mode with the parsed flags; errors surface as ClientError."""
    if mode == "generate":
        infogan_client.check_image_path(FLAGS.out)
    client = serving_api.make_client(FLAGS.url, FLAGS.grpc, FLAGS.timeout)
    target = infogan_client.ModelTarget(FLAGS.model or SERVABLES[mode], FLAGS.model_version, FLAGS.version_label)
    info = infogan_client.load_model_info(client, target, FLAGS.metadata, SERVABLES[mode])
    if mode == "generate":
        codes = {"categorical": FLAGS.categorical, "continuous": FLAGS.continuous, "bernoulli": FLAGS.bernoulli}
        images = infogan_client.generate(client, target, info, FLAGS.signature, FLAGS.num, FLAGS.seed, **codes)
        infogan_client.image_grid(images, FLAGS.columns).save(FLAGS.out)
        print(f"wrote {len(images)} images to {FLAGS.out}")
        return
    if not FLAGS.images:
        raise infogan_client.ClientError("encode needs --images=a.png[,b.png...]")
    for record in infogan_client.encode(client, target, info, FLAGS.images):
        print(json.dumps(record) if FLAGS.json else infogan_client.format_encoding(record))


def main(argv: list[str]) -> None:
    """Picks the mode (generate by default) and turns ClientError into one `error:` line and exit status 1."""
    if len(argv) > 2 or argv[1:] and argv[1] not in SERVABLES:
        raise app.UsageError(f"expected one mode out of {sorted(SERVABLES)}, got {argv[1:]}")
    try:
        run_mode(argv[1] if len(argv) == 2 else "generate")
    except infogan_client.ClientError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)


def run() -> None:
    app.run(main)
