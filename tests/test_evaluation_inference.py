import gc
import logging
import weakref

import numpy as np
import pytest

from infogan_tf import encoder as encoder_lib
from infogan_tf import latents, networks
from infogan_tf.evaluation import inference

SPEC = latents.parse_latent_spec("cat:3,cont:2", noise_dim=4)
SHAPE = (28, 28, 1)
OPTIONS = networks.NetworkOptions(width=0.125)


@pytest.fixture(scope="module")
def models():
    generator = networks.build_generator(SPEC, SHAPE, OPTIONS)
    encoder = encoder_lib.build_encoder(SPEC, networks.build_discriminator(SPEC, SHAPE, OPTIONS))
    return generator, encoder


def _images(count: int) -> np.ndarray:
    return np.random.default_rng(count).uniform(0.0, 1.0, (count, *SHAPE)).astype(np.float32)


def test_compiled_encoder_reads_what_the_eager_call_reads(models):
    _, encoder = models
    images = _images(9)
    eager = encoder(images, training=False)
    compiled = inference.run(encoder, images)
    assert set(compiled) == set(eager)
    for name, value in eager.items():
        assert compiled[name].dtype == np.asarray(value).dtype  # the categorical reading keeps its integer dtype
        np.testing.assert_allclose(compiled[name], np.asarray(value), rtol=1e-5, atol=1e-6)


def test_compiled_generator_takes_its_input_groups(models):
    generator, _ = models
    sampled = latents.sample_latents(SPEC, 5, np.array([1, 2]))
    inputs = networks.generator_inputs(SPEC, sampled)
    np.testing.assert_allclose(inference.run(generator, inputs), np.asarray(generator(inputs, training=False)),
                               rtol=1e-5, atol=1e-6)


def test_one_function_per_model_traced_at_most_twice_whatever_the_batch_sizes(models):
    _, encoder = models
    for count in (3, 7, 11, 7, 2):
        inference.run(encoder, _images(count))
    function = inference.compiled(encoder)
    assert inference.compiled(encoder) is function
    assert function.experimental_get_tracing_count() <= 2


def test_the_cache_does_not_keep_a_model_alive():
    encoder = encoder_lib.build_encoder(SPEC, networks.build_discriminator(SPEC, SHAPE, OPTIONS))
    inference.run(encoder, _images(2))
    assert encoder in inference._COMPILED
    alive = weakref.ref(encoder)
    del encoder
    gc.collect()
    assert alive() is None


def test_many_models_compiled_in_turn_raise_no_retracing_warning(caplog):
    """ModelCentrality loads one encoder per run; their first traces must not add up to TF's retracing warning."""
    encoders = [encoder_lib.build_encoder(SPEC, networks.build_discriminator(SPEC, SHAPE, OPTIONS)) for _ in range(4)]
    with caplog.at_level(logging.WARNING):
        for encoder in encoders:
            for count in (3, 5):
                inference.run(encoder, _images(count))
    assert not [record for record in caplog.records if "retracing" in record.getMessage()]
