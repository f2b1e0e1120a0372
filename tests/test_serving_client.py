"""Tests for serving/client.py and its library against a loopback stand-in for TF Serving's REST (and gRPC) API
(`serving_fakes`). A live test runs against a real server, on a real tiny export, when TF_SERVING_URL is set
or tensorflow_model_server is on PATH.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent import futures
from typing import Any

import numpy as np
import pytest
from PIL import Image
from serving_fakes import (
    IMAGE_SHAPE,
    NOISE_DIM,
    NUM_CATEGORIES,
    NUM_CONTINUOUS,
    SIGNATURES,
    FakeServing,
    fake_outputs,
    infogan_json,
    signature_def_json,
)

from infogan_serving import client as infogan_client
from infogan_serving import transports as serving_api

SERVING_DIR = pathlib.Path(__file__).resolve().parents[1] / "serving"
ClientError, ModelTarget = infogan_client.ClientError, infogan_client.ModelTarget


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keeps loopback requests away from any proxy configured in the environment."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def server() -> Iterator[FakeServing]:
    """A fresh stand-in per test, so its request log belongs to that test only."""
    fake = FakeServing()
    thread = threading.Thread(target=fake.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield fake
    fake.shutdown()
    fake.server_close()
    thread.join(timeout=5)


@pytest.fixture
def export_dir(tmp_path: pathlib.Path) -> pathlib.Path:
    """An export folder holding only the infogan.json files (versions 1 and 3) of both servables."""
    for servable in SIGNATURES:
        for version in (1, 3):
            folder = tmp_path / "exports" / servable / str(version) / "assets.extra"
            folder.mkdir(parents=True)
            (folder / "infogan.json").write_text(json.dumps(infogan_json(servable)))
    return tmp_path / "exports"


def _free_port() -> int:
    """A port nothing listens on right now: for a server to start on, or to find unreachable."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_cli(*args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess:
    """Runs the real CLI in a subprocess, as a user would, to check output lines and exit codes."""
    env = {**os.environ, "no_proxy": "127.0.0.1,localhost", "NO_PROXY": "127.0.0.1,localhost"}
    return subprocess.run(
        [sys.executable, str(SERVING_DIR / "client.py"), *args],
        cwd=cwd,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_server_metadata_gives_the_layout(server: FakeServing) -> None:
    """The REST metadata alone must give input names, widths and the image shape; versions and labels go in the path."""
    client = serving_api.RestClient(server.url, timeout=5)
    info = client.metadata(ModelTarget("generator", label="stable"))
    assert server.requests[-1][:2] == ("GET", "/v1/models/generator/labels/stable/metadata")
    assert set(info.signatures) == {"serving_default", "sample"}
    default = info.signature("serving_default")
    assert (default.width("noise"), default.width("categorical"), default.width("continuous")) == (4, 1, 2)
    assert default.width("bernoulli") == 0
    assert info.signature("sample").inputs["seed"] == infogan_client.TensorSpec("int64", (None,))
    assert info.categorical_sizes is None
    assert info.image_shape == tuple(IMAGE_SHAPE)
    client.metadata(ModelTarget("encoder", version=3))
    assert server.requests[-1][1] == "/v1/models/encoder/versions/3/metadata"


def test_sample_request_sends_seeds_and_codes_as_json_numbers(server: FakeServing) -> None:
    """TF Serving rejects 7.0 for an int input, so indices and seeds must stay JSON ints in the columnar body."""
    client = serving_api.RestClient(server.url, timeout=5)
    info = client.metadata(ModelTarget("generator"))
    images = infogan_client.generate(
        client, ModelTarget("generator"), info, "sample", num=3, seed=5, categorical=["7"], continuous=["-1.5", "0"]
    )
    (body,) = server.predicts()
    assert server.requests[-1][1] == "/v1/models/generator:predict"
    assert body["signature_name"] == "sample"
    assert body["inputs"] == {"seed": [5, 6, 7], "categorical": [[7]] * 3, "continuous": [[-1.5, 0.0]] * 3}
    assert all(type(v) is int for v in body["inputs"]["seed"] + [row[0] for row in body["inputs"]["categorical"]])
    assert all(type(v) is float for row in body["inputs"]["continuous"] for v in row)
    assert images.shape == (3, *IMAGE_SHAPE) and images.dtype == np.float32
    np.testing.assert_allclose(images, 0.75)


def test_serving_default_draws_noise_here_from_the_seed(server: FakeServing) -> None:
    """serving_default noise comes from the client's --seed: same seed, same request."""
    client = serving_api.RestClient(server.url, timeout=5)
    target = ModelTarget("generator")
    info = client.metadata(target)
    for seed in (1, 1, 2):
        infogan_client.generate(client, target, info, "serving_default", num=3, seed=seed, categorical=[2])
    first, again, other = (np.asarray(body["inputs"]["noise"]) for body in server.predicts())
    assert first.shape == (3, NOISE_DIM) and np.all(np.abs(first) <= 1.0)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
    assert set(server.predicts()[0]["inputs"]) == {"noise", "categorical", "continuous"}
    assert server.predicts()[0]["inputs"]["continuous"] == [[0.0, 0.0]] * 3


def test_omitted_categorical_is_drawn_when_the_sizes_are_known(export_dir: pathlib.Path) -> None:
    """Random categories need K from infogan.json; with server metadata only, the client must ask for them."""
    info = infogan_client.load_metadata_file(export_dir / "generator")
    inputs = infogan_client.generator_inputs(info, "sample", num=64, seed=0)
    assert inputs["categorical"].shape == (64, 1)
    assert 0 <= inputs["categorical"].min() and inputs["categorical"].max() < NUM_CATEGORIES
    assert len(np.unique(inputs["categorical"])) > 1
    with pytest.raises(ClientError, match="--categorical is required"):
        infogan_client.generator_inputs(server_generator_info(), "sample", num=2, seed=0)


def server_generator_info() -> infogan_client.ModelInfo:
    """The generator's layout as the server's metadata gives it (no categorical sizes)."""
    response = {"metadata": {"signature_def": {"signature_def": signature_def_json("generator")}}}
    return infogan_client.info_from_server_metadata(response)


@pytest.mark.parametrize(
    "codes, message",
    [
        ({"categorical": ["12"]}, r"--categorical=12: out of range \[0, 10\)"),
        ({"categorical": ["-1"]}, r"--categorical=-1: out of range"),
        ({"categorical": ["7", "1"]}, r"--categorical=7,1: expected 1 value"),
        ({"categorical": ["seven"]}, r"--categorical=seven: expected int values"),
        ({"continuous": ["0.5"]}, r"--continuous=0.5: expected 2 value\(s\), one per code of that kind; got 1"),
        ({"continuous": ["0.5", "nan"]}, r"input 'continuous': values must be finite"),
        ({"bernoulli": ["1"]}, r"--bernoulli=1: expected 0 value"),
    ],
)
def test_bad_codes_fail_before_sending(
    server: FakeServing, export_dir: pathlib.Path, codes: dict[str, list[str]], message: str
) -> None:
    """Bad flag values fail in one line naming the flag, and nothing reaches the server."""
    client = serving_api.RestClient(server.url, timeout=5)
    info = infogan_client.load_model_info(client, ModelTarget("generator"), str(export_dir / "generator"), "generator")
    with pytest.raises(ClientError, match=message):
        infogan_client.generate(client, ModelTarget("generator"), info, "sample", num=2, seed=0, **codes)
    assert server.requests == []


def test_validation_converts_float64_and_int64_and_rejects_mismatches() -> None:
    """numpy defaults (float64, int64) are converted where lossless; other mismatches name the input."""
    signature = server_generator_info().signature("serving_default")
    inputs = {
        "noise": np.zeros((2, NOISE_DIM), np.float64),
        "categorical": np.array([[3], [4]], np.int64),
        "continuous": np.array([[0.1, -0.2], [0.3, 0.4]], np.float64),
    }
    checked = infogan_client.validate_inputs(inputs, signature)
    assert {k: v.dtype for k, v in checked.items()} == {
        "noise": np.float32,
        "categorical": np.int32,
        "continuous": np.float32,
    }
    body = serving_api.predict_request_body("serving_default", checked)
    assert body["inputs"]["categorical"] == [[3], [4]]
    assert body["inputs"]["continuous"][0][0] == pytest.approx(0.1)
    bad_cases = [
        ({"categorical": np.array([[0.5], [1.0]])}, r"input 'categorical': dtype float64 does not match .* int32"),
        ({"categorical": np.array([[2**40], [0]])}, r"input 'categorical': values do not fit the signature's int32"),
        ({"noise": np.zeros((2, 3))}, r"input 'noise': shape \[2, 3\] does not match the signature's \[-1, 4\]"),
        ({"continuous": np.zeros((3, 2))}, r"inputs disagree on the batch size"),
        ({"bernoulli": np.zeros((2, 1))}, r"inputs \['bernoulli', .* do not match the signature's"),
    ]
    for change, message in bad_cases:
        with pytest.raises(ClientError, match=message):
            infogan_client.validate_inputs({**inputs, **change}, signature)


def test_response_parsing_handles_both_output_forms() -> None:
    """TF Serving drops the output name for a single-output signature."""
    info = server_generator_info()
    images = [[[[0.5]] * 5] * 6]
    parsed = serving_api.parse_predict_response({"outputs": images}, info.signature("sample"))
    assert parsed["images"].shape == (1, 6, 5, 1) and parsed["images"].dtype == np.float32
    parsed = serving_api.parse_predict_response({"outputs": {"images": images}}, info.signature("sample"))
    assert parsed["images"].shape == (1, 6, 5, 1)
    with pytest.raises(ClientError, match="without 'outputs'"):
        serving_api.parse_predict_response({"predictions": images}, info.signature("sample"))
    with pytest.raises(ClientError, match="'images' of the reply is not a rectangular array"):
        serving_api.parse_predict_response({"outputs": [[[[0.5]]], [[[0.5], [0.1]]]]}, info.signature("sample"))


def test_a_huge_server_message_is_cut_to_one_readable_line() -> None:
    line = infogan_client.one_line("boom\n" * 40_000)
    assert len(line) < 500 and "\n" not in line
    assert line.startswith("boom boom") and line.endswith("more characters)")


@pytest.mark.parametrize("out, message", [
    ("missing/x.png", "folder 'missing' does not exist"),
    ("x.unknown", "unknown image extension '.unknown'"),
])
def test_a_bad_out_fails_before_the_server_is_asked(server: FakeServing, tmp_path: pathlib.Path, out: str,
                                                    message: str) -> None:
    calls = len(server.requests)
    result = run_cli(f"--url={server.url}", f"--out={out}", cwd=tmp_path)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"error: --out={out}: {message}")
    assert len(server.requests) == calls


def test_metadata_file_forms(export_dir: pathlib.Path) -> None:
    """--metadata takes the file, a version folder or a servable folder, and refuses the other servable's file."""
    version_dir = export_dir / "generator" / "3"
    for path in (version_dir / "assets.extra" / "infogan.json", version_dir, export_dir / "generator"):
        info = infogan_client.load_metadata_file(path)
        assert info.servable == "generator" and info.categorical_sizes == (NUM_CATEGORIES,)
        assert info.image_shape == tuple(IMAGE_SHAPE)
        assert info.signature("serving_default").inputs["noise"].shape == (None, NOISE_DIM)
    with pytest.raises(ClientError, match="describes the encoder, not the generator"):
        infogan_client.load_model_info(
            serving_api.RestClient("http://unused"),
            ModelTarget("g"),
            str(version_dir.parents[1] / "encoder"),
            "generator",
        )
    with pytest.raises(ClientError, match="--metadata: cannot read"):
        infogan_client.load_metadata_file(export_dir / "missing")


def test_cli_generate_writes_a_png_grid(server: FakeServing, tmp_path: pathlib.Path) -> None:
    """The PNG is a grid of --num images, --columns per row, empty cells black."""
    out = tmp_path / "grid.png"
    result = run_cli(
        f"--url={server.url}",
        "--categorical=7",
        "--continuous=-1.5,0",
        "--num=5",
        "--columns=2",
        f"--out={out}",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert f"wrote 5 images to {out}" in result.stdout
    with Image.open(out) as image:
        assert image.size == (2 * IMAGE_SHAPE[1], 3 * IMAGE_SHAPE[0]) and image.mode == "L"
        pixels = np.asarray(image)
    assert np.all(pixels[: 2 * IMAGE_SHAPE[0]] == 191) and np.all(pixels[2 * IMAGE_SHAPE[0] :, : IMAGE_SHAPE[1]] == 191)
    assert np.all(pixels[2 * IMAGE_SHAPE[0] :, IMAGE_SHAPE[1] :] == 0)


def test_cli_prints_the_server_error_in_one_line(server: FakeServing, tmp_path: pathlib.Path) -> None:
    """Server errors (multi-line TF messages included) become one `error:` line and exit status 1."""
    result = run_cli(f"--url={server.url}", "--categorical=12", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: server answered HTTP 400 for {server.url}/v1/models/generator:predict: input 'categorical': "
        + "indices[0] = 12 is not in [0, 10) [[{{node one_hot}}]]"
    ]
    result = run_cli(f"--url={server.url}", "--model=nope", cwd=tmp_path)
    assert result.returncode == 1 and "HTTP 404" in result.stderr and "Servable not found" in result.stderr
    result = run_cli(f"--url={server.url}", "--metadata=/does/not/exist", cwd=tmp_path)
    assert result.returncode == 1 and result.stderr.startswith("error: --metadata: cannot read")


def test_unreachable_server_is_one_clear_error() -> None:
    """A server that is not running is named, not shown as a traceback."""
    port = _free_port()
    with pytest.raises(ClientError, match=f"cannot reach http://127.0.0.1:{port}/v1/models/generator/metadata"):
        serving_api.RestClient(f"http://127.0.0.1:{port}", timeout=2).metadata(ModelTarget("generator"))


def write_gray_images(folder: pathlib.Path) -> list[str]:
    """A 12x10 RGB image of gray 191 (category 7) and a 6x5 gray image of 38 (category 1)."""
    rgb, gray = folder / "rgb.png", folder / "gray.png"
    Image.new("RGB", (10, 12), (191, 191, 191)).save(rgb)
    Image.new("L", (5, 6), 38).save(gray)
    return [str(rgb), str(gray)]


def test_encode_sends_resized_images_and_reads_the_codes(server: FakeServing, tmp_path: pathlib.Path) -> None:
    """Images are converted to the encoder's [H, W, C] in [0, 1]; each gets its codes and realness."""
    client = serving_api.RestClient(server.url, timeout=5)
    target = ModelTarget("encoder")
    paths = write_gray_images(tmp_path)
    records = infogan_client.encode(client, target, client.metadata(target), paths)
    (body,) = server.predicts()
    assert body["signature_name"] == "serving_default"
    sent = np.asarray(body["inputs"]["images"])
    assert sent.shape == (2, *IMAGE_SHAPE)
    np.testing.assert_allclose(sent[0], 191 / 255, atol=1e-6)
    assert [r["categorical"] for r in records] == [[7], [1]]
    assert records[0]["image"] == paths[0] and records[0]["realness"] == pytest.approx(191 / 255, abs=1e-6)
    assert len(records[0]["categorical_probs"]) == NUM_CATEGORIES
    assert (
        infogan_client.format_encoding(records[0])
        == f"{paths[0]}: categorical=[7] continuous=[0.749, -0.749] realness=0.749"
    )


def test_cli_encode_text_and_json(server: FakeServing, tmp_path: pathlib.Path) -> None:
    """encode prints one line per image, or one JSON object per image with --json."""
    paths = write_gray_images(tmp_path)
    result = run_cli("encode", f"--url={server.url}", f"--images={','.join(paths)}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"{paths[1]}: categorical=[1] continuous=[0.149, -0.149]")
    result = run_cli("encode", f"--url={server.url}", f"--images={paths[0]}", "--json", cwd=tmp_path)
    (record,) = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert record["categorical"] == [7] and record["image"] == paths[0]
    assert run_cli("encode", f"--url={server.url}", cwd=tmp_path).stderr.startswith("error: encode needs --images")


def test_grpc_client_against_a_loopback_prediction_service() -> None:
    """The gRPC transport builds the same request and reads the same layout as REST."""
    grpc = pytest.importorskip("grpc")
    apis = pytest.importorskip("tensorflow_serving.apis.prediction_service_pb2_grpc")
    import tensorflow as tf
    from google.protobuf import json_format
    from tensorflow_serving.apis import get_model_metadata_pb2, predict_pb2

    received: list[Any] = []

    class Service(apis.PredictionServiceServicer):
        def GetModelMetadata(self, request: Any, context: Any) -> Any:
            """Answers like TF Serving: a SignatureDefMap packed in an Any."""
            signature_defs = json_format.ParseDict(
                {"signature_def": signature_def_json(request.model_spec.name)}, get_model_metadata_pb2.SignatureDefMap()
            )
            response = get_model_metadata_pb2.GetModelMetadataResponse()
            response.metadata["signature_def"].Pack(signature_defs)
            return response

        def Predict(self, request: Any, context: Any) -> Any:
            """Runs the stand-in model on the request's TensorProtos."""
            received.append(request)
            inputs = {name: tf.make_ndarray(proto) for name, proto in request.inputs.items()}
            try:
                outputs = fake_outputs(request.model_spec.name, inputs)
            except ValueError as error:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(error))
            response = predict_pb2.PredictResponse()
            for name, value in outputs.items():
                response.outputs[name].CopyFrom(tf.make_tensor_proto(value))
            return response

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    apis.add_PredictionServiceServicer_to_server(Service(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        client = serving_api.make_client("http://unused", f"127.0.0.1:{port}", timeout=10)
        target = ModelTarget("generator", label="stable")
        info = client.metadata(target)
        assert info.signature("sample").inputs["seed"].dtype == "int64"
        images = infogan_client.generate(client, target, info, "sample", num=2, seed=3, categorical=[1])
        assert images.shape == (2, *IMAGE_SHAPE)
        np.testing.assert_allclose(images, 0.15, rtol=1e-6)
        request = received[-1]
        assert (request.model_spec.version_label, request.model_spec.signature_name) == ("stable", "sample")
        assert tf.make_ndarray(request.inputs["categorical"]).dtype == np.int32
        np.testing.assert_array_equal(tf.make_ndarray(request.inputs["seed"]), [3, 4])
        with pytest.raises(
            ClientError, match=r"gRPC INVALID_ARGUMENT from 127.0.0.1:\d+: input 'categorical': indices\[0\] = 12"
        ):
            infogan_client.generate(client, target, info, "sample", num=1, seed=0, categorical=[12])
    finally:
        server.stop(grace=None)


def test_models_config_is_a_valid_model_server_config() -> None:
    """serving/models.config parses as the ModelServerConfig text proto TF Serving reads."""
    pytest.importorskip("tensorflow_serving.config.model_server_config_pb2")
    from google.protobuf import text_format
    from tensorflow_serving.config import model_server_config_pb2

    config = text_format.Parse((SERVING_DIR / "models.config").read_text(), model_server_config_pb2.ModelServerConfig())
    models = {model.name: model for model in config.model_config_list.config}
    assert set(models) == {"generator", "encoder"}
    for name, model in models.items():
        assert model.base_path == f"/models/{name}" and model.model_platform == "tensorflow"
        assert "stable" in model.version_labels


# --- Live test against a real TF Serving ---------------------------------------------------------------------------


def _write_tiny_export(root: pathlib.Path) -> None:
    """A real export (`infogan_tf.export`) of a one-step run, for a server started by the test."""
    from infogan_tf import config, train_lib
    from infogan_tf.export import export_servables

    run = root / "run"
    train_lib.train(config.TrainConfig(
        workdir=str(run), dataset="shapes", image_size=28, codes=f"cat:{NUM_CATEGORIES},cont:{NUM_CONTINUOUS}",
        noise_dim=NOISE_DIM, batch_size=8, train_steps=1, steps_per_epoch=1, checkpoint_every_steps=1,
        traversal_rows=1, shuffle_buffer=16, verbose=0,
    ))
    export_servables(run, root / "models")


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """TF_SERVING_URL, or a tensorflow_model_server started here on a tiny export; skips when neither exists."""
    if os.environ.get("TF_SERVING_URL"):
        yield os.environ["TF_SERVING_URL"]
        return
    binary = shutil.which("tensorflow_model_server")
    if binary is None:
        pytest.skip("no live TF Serving: set TF_SERVING_URL or put tensorflow_model_server on PATH")
    root = tmp_path_factory.mktemp("live")
    _write_tiny_export(root / "models")
    config = (
        "model_config_list {\n"
        + "".join(
            f'  config {{ name: "{name}" base_path: "{root / "models" / name}" model_platform: "tensorflow" }}\n'
            for name in SIGNATURES
        )
        + "}\n"
    )
    (root / "models.config").write_text(config)
    rest_port = _free_port()
    url = f"http://127.0.0.1:{rest_port}"
    with open(root / "server.log", "wb") as log:
        process = subprocess.Popen(
            [
                binary,
                f"--port={_free_port()}",
                f"--rest_api_port={rest_port}",
                f"--model_config_file={root / 'models.config'}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        ready: set[str] = set()
        while ready != set(SIGNATURES) and time.monotonic() < deadline and process.poll() is None:
            for name in set(SIGNATURES) - ready:
                try:
                    with urllib.request.urlopen(f"{url}/v1/models/{name}", timeout=2) as response:
                        states = [v["state"] for v in json.loads(response.read())["model_version_status"]]
                    if "AVAILABLE" in states:
                        ready.add(name)
                except OSError:
                    pass
            time.sleep(0.5)
        if ready != set(SIGNATURES):
            log_tail = (root / "server.log").read_text()[-2000:]
            pytest.fail(f"tensorflow_model_server did not serve {sorted(SIGNATURES)}: {log_tail}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_live_tf_serving_generate_and_encode(live_url: str) -> None:
    """Both signatures, the encoder and a server-side error against a real TF Serving."""
    client = serving_api.RestClient(live_url, timeout=30)
    generator, encoder = ModelTarget("generator"), ModelTarget("encoder")
    info = client.metadata(generator)
    categorical = [0] * info.signature("sample").width("categorical")
    batches = [
        infogan_client.generate(client, generator, info, signature, num=4, seed=0, categorical=categorical)
        for signature in ("sample", "sample", "serving_default")
    ]
    for images in batches:
        assert images.shape[0] == 4 and images.ndim == 4
        assert 0.0 <= images.min() and images.max() <= 1.0
    np.testing.assert_allclose(batches[0], batches[1], atol=1e-6)  # same seeds, same images
    encoder_info = client.metadata(encoder)
    signature = encoder_info.signature("serving_default")
    outputs = infogan_client.predict(client, encoder, encoder_info, "serving_default", {"images": batches[0]})
    assert outputs["categorical"].shape == (4, len(categorical)) and outputs["realness"].shape == (4,)
    assert outputs["continuous"].shape == (4, signature.outputs["continuous"].shape[1])
    if categorical:
        with pytest.raises(ClientError, match=r"HTTP 400 .*categorical"):
            infogan_client.generate(
                client, generator, info, "sample", num=1, seed=0, categorical=[10**6] * len(categorical)
            )


def test_the_rest_client_imports_neither_tensorflow_nor_keras() -> None:
    """The client package must stay light: REST users should not pay for (or need) TensorFlow."""
    script = (
        "import sys\n"
        "from infogan_serving import cli, client, transports\n"
        "transports.make_client('http://127.0.0.1:1', None, 1.0)\n"
        "print(sorted({name.split('.')[0] for name in sys.modules} & {'tensorflow', 'keras'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"


def test_grpc_refuses_a_serving_api_of_another_tensorflow_minor(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("tensorflow_serving.apis")
    versions = {"tensorflow": "2.19.1", "tensorflow-serving-api": "2.21.0"}
    monkeypatch.setattr(serving_api.importlib.metadata, "version", versions.__getitem__)
    with pytest.raises(ClientError, match=r"tensorflow-serving-api 2\.21\.0 does not match TensorFlow 2\.19\.1: "
                       r"pip install 'tensorflow-serving-api==2\.19\.\*'"):
        serving_api.make_client("http://unused", "127.0.0.1:1", timeout=1)


def test_grpc_without_the_serving_api_names_the_matching_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tensorflow_serving.apis", None)
    monkeypatch.setattr(serving_api.importlib.metadata, "version", {"tensorflow": "2.20.0"}.__getitem__)
    with pytest.raises(ClientError, match=r"--grpc needs tensorflow-serving-api: "
                       r"pip install 'tensorflow-serving-api==2\.20\.\*'"):
        serving_api.make_client("http://unused", "127.0.0.1:1", timeout=1)
