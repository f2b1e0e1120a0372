import numpy as np
import pytest

from infogan_tf import latents
from infogan_tf.evaluation import code_metrics


def test_factor_followers_name_the_code_that_tracks_each_factor():
    spec = latents.parse_latent_spec("cat:3,cont:2", noise_dim=1)
    rng = np.random.default_rng(0)
    factors = np.stack([rng.integers(0, 3, 500), rng.integers(0, 8, 500), np.zeros(500, int)], axis=1)
    columns = np.stack([(factors[:, 0] + 1) % 3,  # the categorical code relabels factor 0
                        rng.normal(size=500),  # cont_0: noise
                        -factors[:, 1] + 0.1 * rng.normal(size=500)], axis=1)  # cont_1: follows factor 1, reversed
    followers = code_metrics._factor_followers(spec, columns, factors, ("shape", "x", "constant"))
    assert set(followers) == {"shape", "x"}  # a constant factor has nobody to follow it
    assert followers["shape"]["categorical"] == {"code": "cat3_0", "matched_accuracy": 1.0}
    assert followers["x"]["continuous"]["code"] == "cont_1"
    assert followers["x"]["continuous"]["abs_correlation"] == pytest.approx(1.0, abs=0.01)
