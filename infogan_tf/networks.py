"""Keras models: the generator G and the shared discriminator/recognition trunk D/Q.

Architectures follow InfoGAN (Chen et al. 2016, Table 1 for 28x28 MNIST, the SVHN net for 32x32) and InfoGAN-CR
(Lin et al. 2020) for 64x64 dSprites-like data. The resolution of the data picks the architecture. Output layers
(G's sigmoid, D's logit, Q's parameters) are float32 whatever the mixed-precision policy.
"""

from __future__ import annotations

import dataclasses

import keras
from keras import layers

from infogan_tf import code_kinds, latents
from infogan_tf.batch_norm import SynchronizedBatchNormalization
from infogan_tf.config import ConfigError
from infogan_tf.spectral_norm import PACKAGE, SpectralConv2D, SpectralDense


@dataclasses.dataclass(frozen=True)
class Architecture:
    """Layer widths of one resolution's G and D/Q.

    G: dense layers, reshape to `g_base`, stride-2 transposed convs, a final stride-2 transposed conv to the
    image channels. D: stride-2 convs (no batch norm on the first), dense layers, then a logit head and a Q head.
    """

    g_dense: tuple[int, ...]
    g_base: tuple[int, int, int]
    g_upconv: tuple[int, ...]
    d_conv: tuple[int, ...]
    d_dense: tuple[int, ...]
    q_hidden: int = 128

    def scaled(self, width: float) -> Architecture:
        """Every hidden width times `width` (at least 1); the spatial sizes stay."""
        if width == 1:
            return self

        def scale(units: int) -> int:
            return max(1, round(units * width))

        height, breadth, channels = self.g_base
        return Architecture(
            g_dense=tuple(map(scale, self.g_dense)), g_base=(height, breadth, scale(channels)),
            g_upconv=tuple(map(scale, self.g_upconv)), d_conv=tuple(map(scale, self.d_conv)),
            d_dense=tuple(map(scale, self.d_dense)), q_hidden=scale(self.q_hidden),
        )


ARCHITECTURES = {
    28: Architecture(g_dense=(1024,), g_base=(7, 7, 128), g_upconv=(64,), d_conv=(64, 128), d_dense=(1024,)),
    32: Architecture(g_dense=(), g_base=(2, 2, 448), g_upconv=(256, 128, 64), d_conv=(64, 128, 256), d_dense=()),
    64: Architecture(g_dense=(128,), g_base=(4, 4, 64), g_upconv=(64, 32, 32), d_conv=(32, 32, 64, 64), d_dense=(128,)),
}


@dataclasses.dataclass(frozen=True)
class NetworkOptions:
    """Layer choices on top of the resolution's architecture; `width` scales its hidden widths.

    `q_head_spectral_norm` matters only with `spectral_norm`: off, Q's two head layers are plain dense layers.
    """

    batch_norm: bool = True
    d_batch_norm: bool = True
    spectral_norm: bool = False
    q_head_spectral_norm: bool = True
    leaky_slope: float = 0.1
    sync_batch_norm: bool = False
    width: float = 1.0

    @property
    def discriminator_batch_norm(self) -> bool:
        """D/Q (and H) use batch norm only if both switches allow it; G follows `batch_norm` alone."""
        return self.batch_norm and self.d_batch_norm


def architecture_for(image_shape: tuple[int, int, int], requested_size: int | None = None) -> Architecture:
    """The layer sizes for these images; `requested_size` is the user's --image_size, if any, for the message."""
    height, width, _ = image_shape
    if height != width or height not in ARCHITECTURES:
        if requested_size is not None:
            raise ConfigError(f"--image_size={requested_size}: supported sizes are {sorted(ARCHITECTURES)}")
        raise ConfigError(
            f"no architecture for images of shape {tuple(image_shape)}: supported sizes are "
            f"{sorted(ARCHITECTURES)} (square); resize with --image_size"
        )
    return ARCHITECTURES[height]


def _layer_sizes(image_shape: tuple[int, int, int], options: NetworkOptions) -> Architecture:
    """The resolution's architecture at the options' width: what every network builder lays out."""
    return architecture_for(image_shape).scaled(options.width)


@keras.saving.register_keras_serializable(package=PACKAGE)
class LatentEncoding(layers.Layer):
    """Turns grouped latents (noise, categorical indices, continuous, Bernoulli) into G's input vector.

    Living inside the generator, it lets a saved generator be called with the same named inputs the serving
    signature exposes, one index per categorical code rather than one-hot vectors.
    """

    def __init__(self, codes: str = "", categorical_sizes: list[int] | None = None, **kwargs):
        """`codes` is the spec's `--codes` string; generators saved before it was stored give `categorical_sizes`,
        enough for them, since only a categorical group needs to know its codes."""
        super().__init__(**kwargs)
        if categorical_sizes is not None and not codes:
            codes = ",".join(f"cat:{size}" for size in categorical_sizes)
        self.codes = codes
        self._groups = code_kinds.grouped_by_kind(latents.parse_codes(codes))

    def call(self, inputs: dict):
        parts = []
        if "noise" in inputs:
            parts.append(keras.ops.cast(inputs["noise"], self.compute_dtype))
        for kind in code_kinds.all_kinds():
            if kind.name in inputs:
                parts.append(kind.generator_input(inputs[kind.name], self._groups[kind.name], self.compute_dtype))
        return keras.ops.concatenate(parts, axis=-1)

    def get_config(self):
        return {**super().get_config(), "codes": self.codes}


def generator_input_specs(spec: latents.LatentSpec) -> dict[str, tuple[int, str]]:
    """Named generator inputs that exist for this spec: name -> (width, dtype). Empty kinds are left out."""
    specs = {}
    if spec.noise_dim:
        specs["noise"] = (spec.noise_dim, "float32")
    for kind in code_kinds.all_kinds():
        if spec.count(kind.name):
            specs[kind.name] = (spec.count(kind.name), kind.dtype.name)
    return specs


def generator_inputs(spec: latents.LatentSpec, sampled: dict) -> dict:
    """Keeps only the entries of a sampled latent dict that the generator takes."""
    return {name: sampled[name] for name in generator_input_specs(spec)}


def _batch_norm(options: NetworkOptions) -> layers.Layer:
    if options.sync_batch_norm:
        return SynchronizedBatchNormalization(momentum=0.9)
    return layers.BatchNormalization(momentum=0.9)


def build_generator(
    spec: latents.LatentSpec, image_shape: tuple[int, int, int], options: NetworkOptions = NetworkOptions()
) -> keras.Model:
    """G(z, c) -> images in [0, 1], float32, shape [B, H, W, C]."""
    arch = _layer_sizes(image_shape, options)
    inputs = {
        name: keras.Input(shape=(width,), dtype=dtype, name=name)
        for name, (width, dtype) in generator_input_specs(spec).items()
    }
    x = LatentEncoding(spec.to_string(), name="latent_encoding")(inputs)
    widths = list(arch.g_dense) + [arch.g_base[0] * arch.g_base[1] * arch.g_base[2]]
    for width in widths:
        x = layers.Dense(width, use_bias=not options.batch_norm)(x)
        x = _batch_norm(options)(x) if options.batch_norm else x
        x = layers.ReLU()(x)
    x = layers.Reshape(arch.g_base)(x)
    for filters in arch.g_upconv:
        x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=not options.batch_norm)(x)
        x = _batch_norm(options)(x) if options.batch_norm else x
        x = layers.ReLU()(x)
    x = layers.Conv2DTranspose(image_shape[-1], 4, strides=2, padding="same")(x)
    images = layers.Activation("sigmoid", dtype="float32", name="images")(x)
    return keras.Model(inputs, images, name="generator")


def _conv(filters: int, options: NetworkOptions, use_bias: bool = True) -> layers.Layer:
    kind = SpectralConv2D if options.spectral_norm else layers.Conv2D
    return kind(filters, 4, strides=2, padding="same", use_bias=use_bias)


def _dense(units: int, options: NetworkOptions, use_bias: bool = True, **kwargs) -> layers.Layer:
    kind = SpectralDense if options.spectral_norm else layers.Dense
    return kind(units, use_bias=use_bias, **kwargs)


def _trunk(x, arch: Architecture, options: NetworkOptions):
    """D's shared layers: stride-2 convs (no batch norm on the first) and dense layers, leaky ReLUs."""
    for index, filters in enumerate(arch.d_conv):
        normalised = options.discriminator_batch_norm and index > 0
        x = _conv(filters, options, use_bias=not normalised)(x)
        x = _batch_norm(options)(x) if normalised else x
        x = layers.LeakyReLU(options.leaky_slope)(x)
    x = layers.Flatten()(x)
    for width in arch.d_dense:
        x = _dense(width, options, use_bias=not options.discriminator_batch_norm)(x)
        x = _batch_norm(options)(x) if options.discriminator_batch_norm else x
        x = layers.LeakyReLU(options.leaky_slope)(x)
    return x


def build_discriminator(
    spec: latents.LatentSpec, image_shape: tuple[int, int, int], options: NetworkOptions = NetworkOptions()
) -> keras.Model:
    """D/Q: one trunk, two heads. Outputs {"logit": float32 [B, 1], "q_params": float32 [B, spec.num_q_params]}.

    Q shares every layer of D but the last, as in the paper, so the mutual-information loss also shapes the trunk.
    With spectral norm, every layer of both heads is normalised too, as in InfoGAN-CR, unless the options leave Q's
    head out: a 1-Lipschitz head bounds how far apart Q's outputs for two images can be, which keeps its logits
    within a few units and slows learning a subtle factor (docs/RESULTS.md, "Why no code names the shape").
    """
    arch = _layer_sizes(image_shape, options)
    images = keras.Input(shape=image_shape, name="images")
    x = _trunk(images, arch, options)
    logit = _dense(1, options, dtype="float32", name="logit")(x)
    head = options if options.q_head_spectral_norm else dataclasses.replace(options, spectral_norm=False)
    q = _dense(arch.q_hidden, head, use_bias=not options.discriminator_batch_norm)(x)
    q = _batch_norm(options)(q) if options.discriminator_batch_norm else q
    q = layers.LeakyReLU(options.leaky_slope)(q)
    q_params = _dense(max(spec.num_q_params, 1), head, dtype="float32", name="q_params")(q)
    return keras.Model(images, {"logit": logit, "q_params": q_params}, name="discriminator")


def build_pair_discriminator(
    num_classes: int, image_shape: tuple[int, int, int], options: NetworkOptions = NetworkOptions()
) -> keras.Model:
    """InfoGAN-CR's H: D's trunk over two images stacked on channels [B, H, W, 2C] -> float32 logits [B, classes].

    The output layer is never spectrally normalised, as in the reference.
    """
    height, width, channels = image_shape
    pairs = keras.Input(shape=(height, width, 2 * channels), name="image_pairs")
    x = _trunk(pairs, _layer_sizes(image_shape, options), options)
    logits = layers.Dense(num_classes, dtype="float32", name="shared_code_logits")(x)
    return keras.Model(pairs, logits, name="pair_discriminator")
