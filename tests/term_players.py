"""Which networks a regulariser trains: one step from the same start with the term off and on."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from infogan_tf import config, latents, train_lib

SIZE = 28


def weights_after_one_step(**term_flags) -> tuple[list, list, dict]:
    """G's and D/Q's weights and the logs after one step on a fixed batch, built from seed 3 with `term_flags`."""
    keras.utils.set_random_seed(3)
    cfg = config.TrainConfig(workdir="unused", codes="cat:3,cont:2", noise_dim=4, precision="float32", **term_flags)
    gan = train_lib.build_infogan(cfg, latents.parse_latent_spec(cfg.codes, cfg.noise_dim), (SIZE, SIZE, 1),
                                  replicas=1)
    data = np.random.RandomState(0).rand(4, SIZE, SIZE, 1).astype("float32")
    logs = gan.fit(tf.data.Dataset.from_tensor_slices(data).batch(4), epochs=1, verbose=0).history
    return gan.generator.get_weights(), gan.discriminator.get_weights(), logs


def assert_term_trains(weight_flag: str, loss_name: str, generator: bool, discriminator: bool) -> None:
    """The term named by `weight_flag` changes G's first update iff `generator` and D/Q's iff `discriminator`
    (the first updates of both come from one forward pass, so a network the term does not train ends up equal)."""
    plain_g, plain_d, plain_logs = weights_after_one_step(**{weight_flag: 0.0})
    term_g, term_d, term_logs = weights_after_one_step(**{weight_flag: 1.0})
    assert loss_name not in plain_logs and loss_name in term_logs
    for plain, with_term, trained in ((plain_g, term_g, generator), (plain_d, term_d, discriminator)):
        same = all(np.allclose(a, b, rtol=1e-5, atol=1e-6) for a, b in zip(plain, with_term))
        assert same != trained
