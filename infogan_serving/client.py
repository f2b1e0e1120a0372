"""Client library for the InfoGAN servables on TF Serving: model layout, request building, validation, image I/O.

It needs only numpy and Pillow, so querying a server stays light. The transports (REST, gRPC) live in
`infogan_serving.transports` and `infogan_serving.cli` is the CLI over both; everything here can be tested without
flags or a server.
"""

from __future__ import annotations

import dataclasses
import json
import math
import pathlib
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
from PIL import Image

_DTYPES = {
    "DT_FLOAT": "float32",
    "DT_DOUBLE": "float64",
    "DT_INT32": "int32",
    "DT_INT64": "int64",
    "DT_UINT8": "uint8",
    "DT_BOOL": "bool",
}
_METADATA_FILE = pathlib.Path("assets.extra") / "infogan.json"


class ClientError(Exception):
    """A problem the user can fix (a bad flag value, an unreachable server, a server-side error), told in one line."""


MAX_MESSAGE_CHARS = 400


def one_line(text: object) -> str:
    """Collapses a (possibly multi-line, possibly huge) server message into one line of readable length."""
    line = " ".join(str(text).split())
    if len(line) <= MAX_MESSAGE_CHARS:
        return line
    return f"{line[:MAX_MESSAGE_CHARS]}... ({len(line) - MAX_MESSAGE_CHARS} more characters)"


def check_image_path(path: str) -> None:
    """Fails before any server call if the image grid could not be written to `path`."""
    target = pathlib.Path(path)
    Image.init()
    if target.suffix.lower() not in Image.registered_extensions():
        raise ClientError(f"--out={path}: unknown image extension {target.suffix!r}; use e.g. .png or .jpg")
    folder = target.parent
    if not folder.is_dir():
        raise ClientError(f"--out={path}: folder {str(folder)!r} does not exist")
    if target.is_dir():
        raise ClientError(f"--out={path}: is a folder")


@dataclasses.dataclass(frozen=True)
class TensorSpec:
    """dtype (numpy name) and shape of one signature tensor; None marks an unknown dimension or rank."""

    dtype: str
    shape: tuple[int | None, ...] | None


@dataclasses.dataclass(frozen=True)
class Signature:
    """Input and output specs of one signature, keyed by tensor name."""

    inputs: dict[str, TensorSpec]
    outputs: dict[str, TensorSpec]

    def width(self, name: str) -> int:
        """Inner size of a [B, n] input, 0 when the signature lacks it (the model has no code of that kind)."""
        spec = self.inputs.get(name)
        if spec is None:
            return 0
        if spec.shape is None or len(spec.shape) != 2 or spec.shape[1] is None:
            raise ClientError(f"input {name!r} has shape {spec.shape}, expected [batch, n] with a known n")
        return spec.shape[1]


@dataclasses.dataclass(frozen=True)
class ModelInfo:
    """What the client knows about a servable: its signatures, plus the latent details only infogan.json holds."""

    signatures: dict[str, Signature]
    servable: str | None = None
    categorical_sizes: tuple[int, ...] | None = None
    noise_prior: str = "uniform"
    image_shape: tuple[int, ...] | None = None
    traversal_range: float | None = None  # the run's --traversal_range; None in exports written before it was kept

    def signature(self, name: str) -> Signature:
        """Looks a signature up, naming the ones that exist when it is missing."""
        if name not in self.signatures:
            raise ClientError(f"the model has no signature {name!r} (it has {sorted(self.signatures)})")
        return self.signatures[name]


@dataclasses.dataclass(frozen=True)
class ModelTarget:
    """Which servable to query: a name, plus at most one of a version number and a version label."""

    name: str
    version: int | None = None
    label: str | None = None


def _shape(dims: Sequence[Any] | None) -> tuple[int | None, ...] | None:
    """Turns [-1, 62] (or the metadata's ["-1", "62"]) into (None, 62)."""
    if dims is None:
        return None
    return tuple(None if int(d) < 0 else int(d) for d in dims)


def signatures_from_signature_defs(signature_defs: Mapping[str, Any]) -> dict[str, Signature]:
    """Reads the JSON form of a SignatureDefMap's entries, as the REST metadata endpoint returns them."""

    def spec(tensor_info: Mapping[str, Any]) -> TensorSpec:
        dtype = _DTYPES.get(tensor_info.get("dtype", ""))
        if dtype is None:
            raise ClientError(f"unsupported dtype {tensor_info.get('dtype')!r} in the model's signature")
        shape = tensor_info.get("tensor_shape", {})
        dims = None if shape.get("unknown_rank") else [dim.get("size", -1) for dim in shape.get("dim", [])]
        return TensorSpec(dtype, _shape(dims))

    return {
        name: Signature(
            inputs={key: spec(value) for key, value in definition.get("inputs", {}).items()},
            outputs={key: spec(value) for key, value in definition.get("outputs", {}).items()},
        )
        for name, definition in signature_defs.items()
    }


def _image_shape(signatures: Mapping[str, Signature]) -> tuple[int, ...] | None:
    """[H, W, C] from the `images` input (encoder) or output (generator) of serving_default, if fully known."""
    default = signatures.get("serving_default")
    spec = default and (default.inputs.get("images") or default.outputs.get("images"))
    if spec is None or spec.shape is None or None in spec.shape[1:]:
        return None
    return tuple(spec.shape[1:])


def info_from_server_metadata(response: Mapping[str, Any]) -> ModelInfo:
    """Reads `GET /v1/models/<name>/metadata`; categorical sizes and priors are not in it and stay unknown."""
    try:
        signature_defs = response["metadata"]["signature_def"]["signature_def"]
    except (KeyError, TypeError):
        raise ClientError(
            f"the server's metadata has no signature_def: {one_line(json.dumps(response))[:200]}"
        ) from None
    signatures = signatures_from_signature_defs(signature_defs)
    return ModelInfo(signatures=signatures, image_shape=_image_shape(signatures))


def info_from_infogan_json(data: Mapping[str, Any]) -> ModelInfo:
    """Reads the export's assets.extra/infogan.json, which also knows categorical sizes and the noise prior."""
    latent = data.get("latent_spec", {})
    signatures = {
        name: Signature(
            inputs={k: TensorSpec(v["dtype"], _shape(v.get("shape"))) for k, v in entry.get("inputs", {}).items()},
            outputs={k: TensorSpec(v["dtype"], _shape(v.get("shape"))) for k, v in entry.get("outputs", {}).items()},
        )
        for name, entry in data.get("signatures", {}).items()
    }
    image_shape = data.get("image_shape")
    return ModelInfo(
        signatures=signatures,
        servable=data.get("servable"),
        categorical_sizes=tuple(latent["categorical_sizes"]) if "categorical_sizes" in latent else None,
        noise_prior=latent.get("noise_prior", "uniform"),
        image_shape=tuple(image_shape) if image_shape else _image_shape(signatures),
        traversal_range=float(data["traversal_range"]) if data.get("traversal_range") else None,
    )


def load_metadata_file(path: str | pathlib.Path) -> ModelInfo:
    """Loads infogan.json given as the file, an export version folder, or a servable folder (its newest version)."""
    path = pathlib.Path(path)
    if path.is_dir() and not (path / _METADATA_FILE).exists():
        versions = [child for child in path.iterdir() if child.name.isdigit() and (child / _METADATA_FILE).exists()]
        if versions:
            path = max(versions, key=lambda child: int(child.name))
    if path.is_dir():
        path = path / _METADATA_FILE
    try:
        return info_from_infogan_json(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ClientError(f"--metadata: cannot read {path}: {one_line(error)}") from None


def _to_dtype(name: str, array: np.ndarray, dtype: str) -> np.ndarray:
    """Casts where no value changes meaning (float64 -> float32, ints that fit); anything else is an error."""
    want = np.dtype(dtype)
    if array.dtype != want:
        if array.dtype.kind in "iu" and want.kind in "iu":
            info = np.iinfo(want)
            if array.size and (array.min() < info.min or array.max() > info.max):
                raise ClientError(f"input {name!r}: values do not fit the signature's {want}")
        elif not (array.dtype.kind in "fiu" and want.kind == "f"):
            raise ClientError(f"input {name!r}: dtype {array.dtype} does not match the signature's {want}")
        array = array.astype(want)
    if want.kind == "f" and not np.all(np.isfinite(array)):
        raise ClientError(f"input {name!r}: values must be finite")
    return array


def validate_inputs(inputs: Mapping[str, Any], signature: Signature) -> dict[str, np.ndarray]:
    """Checks names, dtypes and shapes against the signature, so a mistake fails here in one line, not on the server.

    Raises:
        ClientError: naming the first bad input.
    """
    if set(inputs) != set(signature.inputs):
        raise ClientError(f"inputs {sorted(inputs)} do not match the signature's {sorted(signature.inputs)}")
    checked: dict[str, np.ndarray] = {}
    for name, spec in signature.inputs.items():
        array = _to_dtype(name, np.asarray(inputs[name]), spec.dtype)
        if spec.shape is not None and (
            array.ndim != len(spec.shape) or any(w is not None and w != n for w, n in zip(spec.shape, array.shape))
        ):
            wanted = [-1 if w is None else w for w in spec.shape]
            raise ClientError(f"input {name!r}: shape {list(array.shape)} does not match the signature's {wanted}")
        checked[name] = array
    if len({array.shape[0] for array in checked.values() if array.ndim}) > 1:
        raise ClientError(f"inputs disagree on the batch size: { {k: v.shape for k, v in checked.items()} }")
    return checked


class ServingClient(Protocol):
    """What the library needs from a transport: a model's layout, and one prediction."""

    def metadata(self, target: ModelTarget) -> ModelInfo: ...

    def predict(
        self, target: ModelTarget, signature_name: str, signature: Signature, inputs: Mapping[str, np.ndarray]
    ) -> dict[str, np.ndarray]: ...


def load_model_info(client: ServingClient, target: ModelTarget, metadata_path: str | None, servable: str) -> ModelInfo:
    """The model's layout from --metadata when given (it knows the categorical sizes), else from the server."""
    if not metadata_path:
        return client.metadata(target)
    info = load_metadata_file(metadata_path)
    if info.servable and info.servable != servable:
        raise ClientError(f"--metadata={metadata_path}: describes the {info.servable}, not the {servable}")
    return info


def predict(
    client: ServingClient, target: ModelTarget, info: ModelInfo, signature_name: str, inputs: Mapping[str, Any]
) -> dict[str, np.ndarray]:
    """Validates the inputs against the signature, then sends them."""
    signature = info.signature(signature_name)
    return client.predict(target, signature_name, signature, validate_inputs(inputs, signature))


def _code_values(flag: str, values: Sequence[Any] | None, count: int, kind: type) -> np.ndarray | None:
    """Parses one flag's values (one per code of its kind); None when the flag was not given."""
    if not values:
        return None
    text = ",".join(str(v) for v in values)
    try:
        parsed = np.array([kind(str(v).strip()) for v in values])
    except ValueError:
        raise ClientError(f"{flag}={text}: expected {kind.__name__} values") from None
    if len(parsed) != count:
        raise ClientError(f"{flag}={text}: expected {count} value(s), one per code of that kind; got {len(parsed)}")
    return parsed


def generator_inputs(
    info: ModelInfo,
    signature_name: str,
    num: int,
    seed: int,
    categorical: Sequence[Any] | None = None,
    continuous: Sequence[Any] | None = None,
    bernoulli: Sequence[Any] | None = None,
) -> dict[str, np.ndarray]:
    """Inputs for `num` images sharing the given code values; what is not given is drawn from `seed`.

    `sample` gets seeds seed..seed+num-1 (the server draws the noise); `serving_default` gets noise drawn here from
    the noise prior. Omitted categorical and Bernoulli codes are drawn uniformly per image; omitted continuous codes
    are 0, the mean of either continuous prior.
    """
    if num < 1:
        raise ClientError(f"--num={num}: must be >= 1")
    signature = info.signature(signature_name)
    rng = np.random.default_rng(seed)
    inputs: dict[str, np.ndarray] = {}
    if "seed" in signature.inputs:
        inputs["seed"] = np.arange(seed, seed + num, dtype=np.int64)
    if "noise" in signature.inputs:
        shape = (num, signature.width("noise"))
        noise = rng.standard_normal(shape) if info.noise_prior == "normal" else rng.uniform(-1.0, 1.0, shape)
        inputs["noise"] = noise.astype(np.float32)

    num_categorical, sizes = signature.width("categorical"), info.categorical_sizes
    if sizes is not None and len(sizes) != num_categorical:
        raise ClientError(f"the metadata lists {len(sizes)} categorical sizes, the signature {num_categorical} codes")
    indices = _code_values("--categorical", categorical, num_categorical, int)
    if indices is not None:
        for code, (index, size) in enumerate(zip(indices, sizes or ())):
            if not 0 <= index < size:
                raise ClientError(f"--categorical={index}: out of range [0, {size}) for categorical code {code}")
        inputs["categorical"] = np.tile(indices, (num, 1))
    elif num_categorical:
        if sizes is None:
            raise ClientError(
                "--categorical is required: the server's metadata lacks the category counts (or pass --metadata)"
            )
        inputs["categorical"] = np.stack([rng.integers(0, size, num) for size in sizes], axis=1)

    values = _code_values("--continuous", continuous, signature.width("continuous"), float)
    if "continuous" in signature.inputs:
        width = signature.width("continuous")
        inputs["continuous"] = np.zeros((num, width)) if values is None else np.tile(values, (num, 1))

    bits = _code_values("--bernoulli", bernoulli, signature.width("bernoulli"), float)
    if bits is not None and not np.isin(bits, (0.0, 1.0)).all():
        raise ClientError(f"--bernoulli={','.join(str(b) for b in bernoulli or ())}: values must be 0 or 1")
    if "bernoulli" in signature.inputs:
        random_bits = rng.integers(0, 2, (num, signature.width("bernoulli")))
        inputs["bernoulli"] = random_bits.astype(np.float32) if bits is None else np.tile(bits, (num, 1))
    return inputs


def generate(
    client: ServingClient,
    target: ModelTarget,
    info: ModelInfo,
    signature_name: str,
    num: int,
    seed: int,
    categorical: Sequence[Any] | None = None,
    continuous: Sequence[Any] | None = None,
    bernoulli: Sequence[Any] | None = None,
) -> np.ndarray:
    """Generated images [num, H, W, C] in [0, 1]: builds, validates and sends one request."""
    inputs = generator_inputs(info, signature_name, num, seed, categorical, continuous, bernoulli)
    images = predict(client, target, info, signature_name, inputs).get("images")
    if images is None or images.ndim != 4:
        raise ClientError(f"the generator's {signature_name} signature returned no [B, H, W, C] 'images' output")
    return images


def image_grid(images: np.ndarray, columns: int) -> Image.Image:
    """Tiles [N, H, W, C] images in [0, 1] row by row, `columns` per row; empty cells stay black."""
    count, height, width, channels = images.shape
    if channels not in (1, 3):
        raise ClientError(f"cannot draw images with {channels} channels")
    columns = max(1, min(columns, count))
    rows = math.ceil(count / columns)
    canvas = np.zeros((rows * height, columns * width, channels), np.uint8)
    pixels = np.round(np.clip(images, 0.0, 1.0) * 255.0).astype(np.uint8)
    for index, image in enumerate(pixels):
        row, column = divmod(index, columns)
        canvas[row * height : (row + 1) * height, column * width : (column + 1) * width] = image
    return Image.fromarray(canvas[..., 0] if channels == 1 else canvas)


def load_images(paths: Sequence[str], image_shape: Sequence[int]) -> np.ndarray:
    """Reads image files as the encoder expects them: resized to [H, W], gray or RGB per C, scaled to [0, 1]."""
    height, width, channels = image_shape
    if channels not in (1, 3):
        raise ClientError(f"the encoder takes {channels}-channel images; only 1 and 3 are supported")
    arrays = []
    for path in paths:
        try:
            with Image.open(path) as image:
                image = image.convert("L" if channels == 1 else "RGB").resize((width, height), Image.BILINEAR)
        except OSError as error:
            raise ClientError(f"--images: cannot read {path}: {one_line(error)}") from None
        arrays.append(np.asarray(image, np.float32).reshape(height, width, channels) / 255.0)
    return np.stack(arrays)


def encodings(paths: Sequence[str], outputs: Mapping[str, np.ndarray]) -> list[dict[str, Any]]:
    """One JSON-ready record per image from the encoder's batched outputs."""
    return [
        {"image": path, **{name: np.asarray(value[index]).tolist() for name, value in sorted(outputs.items())}}
        for index, path in enumerate(paths)
    ]


def encode(client: ServingClient, target: ModelTarget, info: ModelInfo, paths: Sequence[str]) -> list[dict[str, Any]]:
    """Each image's codes and realness, from one request with all the images."""
    if info.image_shape is None:
        raise ClientError("the encoder's image shape is unknown: pass --metadata=<export>/encoder/<version>")
    images = load_images(paths, info.image_shape)
    return encodings(paths, predict(client, target, info, "serving_default", {"images": images}))


def format_encoding(record: Mapping[str, Any]) -> str:
    """One readable line per image: its categorical codes, continuous codes and realness."""
    continuous = ", ".join(f"{value:.3f}" for value in record.get("continuous", []))
    categorical = record.get("categorical", [])
    return f"{record['image']}: categorical={categorical} continuous=[{continuous}] realness={record['realness']:.3f}"
