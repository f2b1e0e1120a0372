import numpy as np
import pytest

from infogan_tf import latents
from infogan_tf.evaluation import code_metrics
from infogan_tf.evaluation.protocol import protocol_for


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


class _Sprites:
    """Two factors (a pixel's row and column on a 6x6 canvas); counts the images it renders."""

    factor_sizes = (6, 6)
    factor_names = ("row", "column")

    def __init__(self) -> None:
        self.rendered = 0

    def sample_factors(self, num: int, rng: np.random.Generator) -> np.ndarray:
        return np.stack([rng.integers(size, size=num) for size in self.factor_sizes], axis=1)

    def images_from_factors(self, factors: np.ndarray) -> np.ndarray:
        self.rendered += len(factors)
        images = np.zeros((len(factors), 6, 6, 1))
        images[np.arange(len(factors)), factors[:, 0], factors[:, 1], 0] = 1.0
        return images


def _position(images: np.ndarray) -> np.ndarray:
    flat = images.reshape(len(images), -1).argmax(axis=1)
    return np.stack([flat // 6, flat % 6], axis=1).astype(float)


def _noise(images: np.ndarray) -> np.ndarray:
    return np.random.default_rng(len(images)).normal(size=(len(images), 2))


def test_factor_scores_of_rivals_equal_their_scores_alone_and_share_the_images():
    protocol = protocol_for(200)
    shared = _Sprites()
    together = code_metrics.factor_scores({"position": _position, "noise": _noise}, shared, protocol, seed=3)
    for name, represent in (("position", _position), ("noise", _noise)):
        alone = _Sprites()
        assert together[name] == code_metrics.factor_scores({name: represent}, alone, protocol, seed=3)[name]
        assert alone.rendered == shared.rendered
    assert together["position"]["mig"] > 0.9 > 0.1 > together["noise"]["mig"]
    assert together["position"]["factor_vae"]["eval_accuracy"] == 1.0
    assert together["position"]["factor_names"] == ["row", "column"]


def test_the_most_correlated_column_is_found_whatever_its_sign():
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, 5_000)
    readings = np.column_stack([rng.uniform(-1, 1, 5_000), -x + rng.normal(0, 0.1, 5_000), np.zeros(5_000)])
    best, correlation = code_metrics.most_correlated_column(readings, x)
    assert best == 1
    assert correlation == pytest.approx(abs(np.corrcoef(readings[:, 1], x)[0, 1]))
