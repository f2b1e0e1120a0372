"""MirroredStrategy on 2 logical CPU devices. The devices split before TF starts, so the cases run in one fresh
process (one TensorFlow start for all of them) and each test reads its own case's result."""

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.slow  # starts TensorFlow in a new process

PROGRAM = textwrap.dedent(
    """
    import json, sys, traceback
    import numpy as np, tensorflow as tf, keras
    from infogan_tf import config, latents, runtime, train_lib
    runtime.split_cpu(2)
    MIRRORED = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])  # one for all cases: collectives keep state

    def build(strategy, precision="float32", replicas=2, **overrides):
        keras.mixed_precision.set_global_policy(precision)
        cfg = config.TrainConfig(workdir="unused", codes="cat:4,cont:1", noise_dim=4, precision=precision,
                                 **overrides)
        spec = latents.parse_latent_spec(cfg.codes, cfg.noise_dim)
        with strategy.scope():
            return train_lib.build_infogan(cfg, spec, (28, 28, 1), replicas=replicas)

    def images(batch, steps):
        data = np.random.RandomState(0).rand(batch * steps, 28, 28, 1).astype("float32")
        return tf.data.Dataset.from_tensor_slices(data).batch(batch, drop_remainder=True)

    def mirrored_matches_single(**overrides):
        keras.utils.set_random_seed(0)
        single = build(tf.distribute.get_strategy(), replicas=2, **overrides)  # replicas=2: same synchronized BN
        mirrored = build(MIRRORED, **overrides)
        networks = lambda gan: [gan.generator, gan.discriminator, *(r.network for r in gan.regularizers if r.network)]
        for source, target in zip(networks(single), networks(mirrored)):
            target.set_weights(source.get_weights())
        start = [np.concatenate([w.ravel() for w in net.get_weights()]) for net in networks(single)]
        # Plain SGD with a small step: Adam's first steps are about lr * sign(grad), which would hide a real mismatch.
        for gan in (single, mirrored):
            with gan.distribute_strategy.scope():
                gan.compile(d_optimizer=keras.optimizers.SGD(1e-3), g_optimizer=keras.optimizers.SGD(1e-3),
                            steps_per_execution=gan.steps_per_execution)
                for regularizer in gan.regularizers:
                    regularizer.optimizer = keras.optimizers.SGD(1e-3)
                gan.build_optimizers()
        single.fit(images(8, 3), epochs=1, verbose=0, shuffle=False)
        mirrored.fit(images(8, 3), epochs=1, verbose=0, shuffle=False)
        updates = lambda gan: [np.concatenate([w.ravel() for w in net.get_weights()]) - before
                               for net, before in zip(networks(gan), start)]
        gaps = [float(np.linalg.norm(m - s) / np.linalg.norm(s)) for s, m in zip(updates(single), updates(mirrored))]
        return {"replicas": mirrored.distribute_strategy.num_replicas_in_sync, "relative_gap": max(gaps),
                "steps": [int(single.step.numpy()), int(mirrored.step.numpy())]}

    def mixed_precision_stays_finite(precision):
        gan = build(MIRRORED, precision=precision,
                    contrastive_weight=1.0, spectral_norm=True, d_batch_norm=False)
        logs = gan.fit(images(8, 6), epochs=1, verbose=0, shuffle=False).history
        weights = [w for model in (gan.generator, gan.discriminator, gan.regularizers[0].network)
                   for w in model.get_weights()]
        return {"finite_weights": all(bool(np.isfinite(w).all()) for w in weights),
                "finite_logs": all(bool(np.isfinite(v[-1])) for v in logs.values()),
                "step": int(gan.step.numpy())}

    results = {}
    for name, check, argument in json.loads(sys.argv[1]):
        try:
            results[name] = (mirrored_matches_single(**argument) if check == "matches"
                             else mixed_precision_stays_finite(argument))
        except Exception:
            results[name] = {"error": traceback.format_exc()[-3000:]}
    print(json.dumps(results))
    """
)

OVERRIDES = [
    {},
    {"categorical_invariance_weight": 1.0},
    {"categorical_invariance_weight": 1.0, "invariance_batch_fraction": 0.5},
    {"contrastive_weight": 1.0, "g_steps_per_d_step": 2},
    {"contrastive_weight": 1.0, "contrastive_shared_noise": False},
    {"real_reconstruction_weight": 1.0},
    {"categorical_swap_weight": 1.0},
    {"r1_weight": 1.0, "d_batch_norm": False},
    {"spectral_norm": True, "d_batch_norm": False},
    {"steps_per_execution": 3},
]
PRECISIONS = ["mixed_float16", "mixed_bfloat16"]
CASES = [(f"matches {o}", "matches", o) for o in OVERRIDES] + [(f"finite {p}", "finite", p) for p in PRECISIONS]


@pytest.fixture(scope="module")
def results() -> dict:
    """Every case's result, from one process."""
    ran = subprocess.run([sys.executable, "-c", PROGRAM, json.dumps(CASES)], capture_output=True, text=True,
                         timeout=900)
    assert ran.returncode == 0, ran.stderr[-3000:]
    return json.loads(ran.stdout.strip().splitlines()[-1])


def _result(results: dict, case: str) -> dict:
    out = results[case]
    assert "error" not in out, out["error"]
    return out


@pytest.mark.parametrize("overrides", OVERRIDES, ids=lambda o: ", ".join(f"{k}={v}" for k, v in o.items()))
def test_mirrored_step_matches_single_device_step(results, overrides):
    """Three mirrored steps on 2 replicas change every network as three one-device steps do.

    Compared as the relative L2 distance of the two weight updates, per network. The replicas sum in another order,
    and rounding that moves one (leaky) ReLU input across zero changes that unit's gradient outright, so single
    weights may differ by far more than float32 rounding; the whole update moves by <3e-4 of its norm. A real
    mismatch (a replica drawing its own perturbations or latents, statistics not synchronized) moves it by >1e-2.
    """
    out = _result(results, f"matches {overrides}")
    assert out["replicas"] == 2
    assert out["steps"] == [3, 3]
    assert out["relative_gap"] < 1e-3, out


@pytest.mark.parametrize("precision", PRECISIONS)
def test_mirrored_mixed_precision_stays_finite(results, precision):
    out = _result(results, f"finite {precision}")
    assert out == {"finite_weights": True, "finite_logs": True, "step": 6}
