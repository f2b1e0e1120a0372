"""The latent explorer's endpoints, in-process on a tiny export: images from codes, codes from images, refusals."""

import base64
import dataclasses
import io
import json
import re
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import infogan_tf
from infogan_serving.client import ClientError
from infogan_tf import code_kinds
from infogan_tf.explorer import server, service, sources


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """A 2-step run with Cat(3) + 2 continuous + 1 Bernoulli code whose grids sweep -1.5..1.5, and its export."""
    root = tmp_path_factory.mktemp("explorer")
    run = infogan_tf.train("tiny_test", workdir=str(root / "run"), train_steps=2, codes="cat:3,cont:2,bern:1",
                           traversal_range=1.5)
    infogan_tf.export_servables(run.workdir, root / "exports")
    return run.workdir, root / "exports"


@pytest.fixture(scope="module")
def explorer(tiny_run):
    explorer = server.ExplorerServer(service.ExplorerService(sources.from_export(tiny_run[1])), port=0)
    thread = threading.Thread(target=explorer.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield explorer
    explorer.shutdown()
    explorer.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def request(explorer, path, body=None, content_type="application/json"):
    """(status, JSON reply) of one request; `body` is a dict (sent as JSON) or bytes."""
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    headers = {"Content-Type": content_type} if data is not None else {}
    call = urllib.request.Request(explorer.url.rstrip("/") + path, data=data, headers=headers)
    try:
        with urllib.request.urlopen(call, timeout=60) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def decoded(data_url):
    assert data_url.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))))


def png_bytes(array):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


CODES = {"categorical": [1], "continuous": [0.0, 0.0], "bernoulli": [1], "seed": 3, "grid": 16}


def test_the_page_and_the_controls_it_draws(explorer):
    assert explorer.server_address[0] == "127.0.0.1"
    with urllib.request.urlopen(explorer.url, timeout=30) as page:
        html = page.read().decode()
    assert page.headers["Content-Type"].startswith("text/html") and "/api/generate" in html
    status, model = request(explorer, "/api/model")
    assert status == 200
    assert (model["categorical_sizes"], model["num_continuous"], model["num_bernoulli"]) == ([3], 2, 1)
    assert model["image_shape"] == [28, 28, 1]
    assert model["continuous_range"] == 1.5, "sliders span the run's traversal grids"


def test_generate_gives_the_image_and_a_grid_of_seeds_and_follows_the_codes(explorer):
    status, first = request(explorer, "/api/generate", CODES)
    assert status == 200, first
    image, grid = decoded(first["image"]), decoded(first["grid"])
    assert image.shape == (28, 28) and grid.shape == (2 * 28, 8 * 28) and first["seeds"] == [3, 18]
    np.testing.assert_array_equal(grid[:28, :28], image)
    assert not np.array_equal(grid[:28, :28], grid[:28, 28:56]), "each grid cell has its own seed"
    _, again = request(explorer, "/api/generate", CODES)
    assert again["image"] == first["image"], "same codes and seed give the same image"
    _, moved = request(explorer, "/api/generate", {**CODES, "continuous": [1.5, -1.5]})
    assert moved["image"] != first["image"]
    _, reseeded = request(explorer, "/api/generate", {**CODES, "seed": 4})
    np.testing.assert_array_equal(decoded(reseeded["image"]), grid[:28, 28:56])


@pytest.mark.parametrize(
    "change, message",
    [
        ({"categorical": [3]}, "categorical code 1: expected a category from 0 to 2, got 3"),
        ({"categorical": [0.5]}, "categorical code 1: expected a category from 0 to 2, got 0.5"),
        ({"continuous": [0.0, 1.6]}, r"continuous code 2: 1.6 is outside \[-1.5, 1.5\]"),
        ({"continuous": [0.0]}, "continuous: expected a list of 2 value"),
        ({"continuous": [0.0, "x"]}, "continuous code 2: expected a number, got 'x'"),
        ({"bernoulli": [0.5]}, "bernoulli code 1: expected 0 or 1, got 0.5"),
        ({"seed": -1}, "seed: expected a whole number from 0 to 2147483647, got -1"),
        ({"seed": True}, "seed: expected a whole number"),
        ({"grid": 65}, "grid: expected a whole number from 1 to 64, got 65"),
    ],
)
def test_generate_refuses_out_of_range_codes_with_one_line(explorer, change, message):
    status, reply = request(explorer, "/api/generate", {**CODES, **change})
    assert status == 400 and set(reply) == {"error"}
    assert re.search(message, reply["error"]), reply


def test_bad_bodies_and_paths_get_a_message_not_a_trace(explorer):
    assert request(explorer, "/api/generate", b"not json") == (400, {"error": "the request body is not JSON"})
    assert request(explorer, "/api/generate", b"[1, 2]")[0] == 400
    status, reply = request(explorer, "/api/nothing", {})
    assert status == 404 and reply == {"error": "no endpoint /api/nothing"}
    status, reply = request(explorer, "/api/generate", b"x" * (server.MAX_JSON_BYTES + 1))
    assert status == 400 and "takes up to 65536" in reply["error"]


def test_encode_reads_the_codes_of_an_uploaded_image(explorer):
    sprite = np.zeros((64, 64), np.uint8)
    sprite[20:40, 10:30] = 255
    status, codes = request(explorer, "/api/encode", png_bytes(sprite), "application/octet-stream")
    assert status == 200, codes
    assert codes["categorical"][0] in (0, 1, 2) and len(codes["categorical_probs"]) == 3
    assert len(codes["continuous"]) == 2 and len(codes["bernoulli"]) == 1 and 0 <= codes["realness"] <= 1
    assert decoded(codes["input"]).shape == (28, 28), "the page shows the image as the encoder saw it"


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "no image received"),
        (b"GIF89a but not really", "not an image this explorer can read"),
        (png_bytes(np.zeros((1, 4097), np.uint8)), "the image is 4097x1 pixels; the explorer takes up to 4096x4096"),
    ],
)
def test_encode_refuses_what_is_not_a_usable_image(explorer, body, message):
    status, reply = request(explorer, "/api/encode", body, "application/octet-stream")
    assert status == 400 and message in reply["error"], reply


def test_an_upload_over_the_limit_is_refused_before_it_is_read(explorer):
    status, reply = request(explorer, "/api/encode", b"\0" * (service.MAX_UPLOAD_BYTES + 1), "image/png")
    assert status == 400 and f"takes up to {service.MAX_UPLOAD_BYTES}" in reply["error"]


def test_a_workdir_gives_the_same_images_as_its_export(tiny_run):
    workdir, exports = tiny_run
    from_workdir = service.ExplorerService(sources.from_workdir(workdir)).generate(CODES)
    from_export = service.ExplorerService(sources.from_export(exports)).generate(CODES)
    np.testing.assert_allclose(decoded(from_workdir["grid"]), decoded(from_export["grid"]), atol=1)


def test_every_source_takes_the_runs_traversal_range_and_older_exports_the_default(tiny_run, tmp_path):
    workdir, exports = tiny_run
    assert sources.from_workdir(workdir).continuous_range == 1.5
    metadata = sources._newest_version(exports / "generator") / "assets.extra" / "infogan.json"
    assert json.loads(metadata.read_text())["traversal_range"] == 1.5
    older = tmp_path / "older"
    shutil.copytree(exports, older)
    for servable in ("generator", "encoder"):
        path = sources._newest_version(older / servable) / "assets.extra" / "infogan.json"
        recorded = json.loads(path.read_text())
        del recorded["traversal_range"]
        path.write_text(json.dumps(recorded))
    source = sources.from_export(older)
    assert source.continuous_range == code_kinds.CONTINUOUS_RANGE[1] == 2.0
    assert service.ExplorerService(source).generate({**CODES, "continuous": [2.0, -2.0]})["seeds"] == [3, 18]


def test_a_server_without_category_counts_needs_the_metadata(tiny_run, monkeypatch):
    exported = sources.from_export(tiny_run[1])
    bare = dataclasses.replace(exported.generator_info, categorical_sizes=None, traversal_range=None)
    stand_in = sources.InProcessClient({"generator": (bare, exported.client._servables["generator"][1]),
                                        "encoder": exported.client._servables["encoder"]})
    monkeypatch.setattr(sources.transports, "make_client", lambda url, grpc, timeout: stand_in)
    with pytest.raises(ClientError, match="lacks the category counts: pass --metadata"):
        sources.from_server("http://serving:8501")
    served = sources.from_server("http://serving:8501", metadata=str(tiny_run[1] / "generator"))
    assert served.generator_info.categorical_sizes == (3,) and served.continuous_range == 1.5
    assert service.ExplorerService(served).generate(CODES)["image"] == service.ExplorerService(exported).generate(
        CODES)["image"]


@pytest.mark.slow
def test_the_command_serves_on_localhost_and_names_a_bad_folder(tiny_run, tmp_path):
    command = Path(sys.executable).with_name("infogan-explore")
    bad = subprocess.run([str(command), f"--export_dir={tmp_path}"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines()[-1] == (
        f"infogan-explore: error: {tmp_path / 'generator'}: no export version folder (is it an infogan-export folder?)")
    process = subprocess.Popen([str(command), f"--export_dir={tiny_run[1]}", "--port=0"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("infogan-explore: export ") and " at http://127.0.0.1:" in line, line
        url = line.split(" at ")[1].split()[0]
        with urllib.request.urlopen(url + "api/model", timeout=30) as reply:
            assert json.loads(reply.read())["categorical_sizes"] == [3]
    finally:
        process.terminate()
        process.wait(timeout=30)
