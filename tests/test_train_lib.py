import dataclasses
import json

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from tiny_run import tiny_config

from infogan_tf import latents, train_lib, workdir
from infogan_tf.checkpoints import Checkpoints


@pytest.mark.parametrize(
    "start, end, spe, plan",
    [
        (0, 10, 5, [(0, 2, 5)]),
        (3, 10, 5, [(0, 1, 2), (1, 2, 5)]),
        (0, 12, 5, [(0, 2, 5), (2, 3, 2)]),
        (6, 8, 5, [(1, 2, 2)]),
        (4, 4, 5, []),
    ],
)
def test_epoch_plan_aligns_epochs_to_step_multiples(start, end, spe, plan):
    assert train_lib.epoch_plan(start, end, spe) == plan


@pytest.mark.parametrize(
    "start, end, breaks, plan",
    [
        (0, 10, [3], [(0, 1, 3), (0, 1, 2), (1, 2, 5)]),
        (0, 10, [5], [(0, 1, 5), (1, 2, 5)]),
        (0, 10, [0, 10, 12], [(0, 2, 5)]),
        (6, 12, [8, 8], [(1, 2, 2), (1, 2, 2), (2, 3, 2)]),
    ],
)
def test_epoch_plan_also_ends_a_call_at_every_break(start, end, breaks, plan):
    assert train_lib.epoch_plan(start, end, 5, breaks) == plan


def _summaries(folder):
    """(tag, value) of every summary value in the event files under `folder`."""
    for path in sorted(folder.rglob("events.out.tfevents.*")):
        for record in tf.data.TFRecordDataset(str(path)):
            event = tf.compat.v1.Event.FromString(record.numpy())
            for value in event.summary.value:
                yield value.tag, value


def test_train_writes_the_documented_workdir(tmp_path):
    summary = train_lib.train(tiny_config(tmp_path, train_steps=4), flags_text="--train_steps=4\n")
    run = workdir.Workdir(tmp_path / "run")
    assert summary["global_step"] == 4
    on_disk = json.loads(run.run_summary.read_text())
    assert on_disk["global_step"] == 4 and on_disk["wall_time_s"] > 0
    assert set(on_disk["mi_estimates_nats"]) == {"cat3_0", "cont_0"}
    assert {"d_loss", "g_loss", "mi_loss"} <= set(on_disk["final_losses"])
    assert sorted(p.name for p in run.samples.iterdir()) == [
        f"step_{step:07d}_{name}.{suffix}"
        for step in (2, 4) for name in ("cat3_0", "cont_0") for suffix in ("gif", "png")]
    gifs = {event_tag: value.tensor.string_val[2] for event_tag, value in _summaries(run.tensorboard)
            if event_tag.startswith("traversal_gif/")}
    assert set(gifs) == {"traversal_gif/cat3_0", "traversal_gif/cont_0"}
    assert all(gif.startswith(b"GIF89a") for gif in gifs.values())
    assert run.flags_file.read_text() == "--train_steps=4\n"
    # config.json holds the policy the run trained with: the default `auto`, resolved (float32 on test hosts).
    assert run.read_config() == tiny_config(tmp_path, train_steps=4, precision="float32")
    assert [row["step"] for row in run.read_history()] == [2, 4]
    assert {"d_loss", "g_loss", "mi_cat3_0"} <= set(run.read_history()[-1])
    assert list(run.tensorboard.iterdir())
    assert tf.train.latest_checkpoint(str(run.checkpoints)).endswith("ckpt-4")
    generator = keras.models.load_model(run.generator)
    encoder = keras.models.load_model(run.encoder)
    spec = latents.parse_latent_spec("cat:3,cont:1", 4)
    images = generator({k: v for k, v in latents.sample_latents(spec, 2, tf.constant([0, 0])).items()
                        if k in ("noise", "categorical", "continuous")})
    assert images.shape == (2, 28, 28, 1)
    assert encoder(images)["categorical"].shape == (2, 1)


@pytest.mark.slow
def test_resume_continues_step_counter_and_optimizer_state(tmp_path):
    train_lib.train(tiny_config(tmp_path, train_steps=2))
    run = workdir.Workdir(tmp_path / "run")
    saved = tf.train.load_checkpoint(str(run.checkpoints / "ckpt-2"))
    slot_keys = [k for k in saved.get_variable_to_shape_map() if "g_optimizer" in k and "VARIABLE_VALUE" in k]
    assert slot_keys

    cfg = tiny_config(tmp_path, train_steps=2)
    spec = latents.parse_latent_spec(cfg.codes, cfg.noise_dim)
    gan = train_lib.build_infogan(cfg, spec, (28, 28, 1), replicas=1)
    assert Checkpoints(gan, run.checkpoints, 3).restore_latest() == 2
    assert int(gan.g_optimizer.iterations.numpy()) == 2 and int(gan.d_optimizer.iterations.numpy()) == 2
    restored = {v.path: v.numpy() for v in gan.g_optimizer.variables}
    assert any(np.abs(value).sum() > 0 for name, value in restored.items() if "iteration" not in name)

    summary = train_lib.train(tiny_config(tmp_path, train_steps=5))
    assert summary["resumed_from_steps"] == [2] and summary["global_step"] == 5
    resumed = tf.train.load_checkpoint(tf.train.latest_checkpoint(str(run.checkpoints)))
    iterations = [k for k in resumed.get_variable_to_shape_map() if k.startswith("g_optimizer/_iterations")]
    assert [int(resumed.get_tensor(k)) for k in iterations] == [5]

    again = train_lib.train(tiny_config(tmp_path, train_steps=5))
    assert again["global_step"] == 5 and again["resumed_from_steps"] == [2, 5]


@pytest.mark.slow
def test_contrastive_term_switches_on_at_its_step_and_its_head_resumes_exactly(tmp_path):
    cfg = tiny_config(tmp_path, train_steps=3, checkpoint_every_steps=1, contrastive_weight=1.0,
                      contrastive_start_step=1, spectral_norm=True, d_batch_norm=False, g_steps_per_d_step=2)
    train_lib.train(cfg)
    run = workdir.Workdir(tmp_path / "run")
    history = run.read_history()
    assert [row["step"] for row in history] == [1, 2, 3]
    assert "contrastive_loss" not in history[0] and "contrastive_loss" in history[1]

    spec = latents.parse_latent_spec(cfg.codes, cfg.noise_dim)
    first = train_lib.build_infogan(cfg, spec, (28, 28, 1), replicas=1)
    assert Checkpoints(first, run.checkpoints, 3).restore_latest() == 3
    (head,) = first.regularizers
    assert int(head.optimizer.iterations.numpy()) == 2  # trained from step 1 on
    assert int(first.g_optimizer.iterations.numpy()) == 6 and int(first.d_optimizer.iterations.numpy()) == 3
    # Every variable of the head (and the rest of the model) has a saved value; metric state is not saved.
    Checkpoints(first, run.checkpoints, 3).checkpoint.restore(str(run.checkpoints / "ckpt-3")) \
        .assert_existing_objects_matched()
    saved = tf.train.load_checkpoint(str(run.checkpoints / "ckpt-3")).get_variable_to_shape_map()
    assert any(k.startswith("contrastive/") for k in saved)
    assert not any(k.startswith("contrastive/trackers") for k in saved)
    fresh = train_lib.build_infogan(cfg, spec, (28, 28, 1), replicas=1)
    assert any(not np.array_equal(a, b) for a, b in zip(fresh.regularizers[0].network.get_weights(),
                                                         head.network.get_weights()))

    summary = train_lib.train(dataclasses.replace(cfg, train_steps=5))
    assert summary["resumed_from_steps"] == [3]
    again = train_lib.build_infogan(cfg, spec, (28, 28, 1), replicas=1)
    Checkpoints(again, run.checkpoints, 3).restore_latest()
    assert int(again.regularizers[0].optimizer.iterations.numpy()) == 4


@pytest.mark.slow
def test_contrastive_term_switches_off_at_its_end_step_across_a_resume_and_its_head_is_kept(tmp_path):
    cfg = tiny_config(tmp_path, train_steps=2, checkpoint_every_steps=1, contrastive_weight=1.0,
                      contrastive_start_step=1, contrastive_end_step=3)
    train_lib.train(cfg)
    train_lib.train(dataclasses.replace(cfg, train_steps=5))
    run = workdir.Workdir(tmp_path / "run")
    history = run.read_history()
    assert [row["step"] for row in history] == [1, 2, 3, 4, 5]
    assert ["contrastive_loss" in row for row in history] == [False, True, True, False, False]

    spec = latents.parse_latent_spec(cfg.codes, cfg.noise_dim)

    def head_at(step):
        gan = train_lib.build_infogan(cfg, spec, (28, 28, 1), replicas=1)
        Checkpoints(gan, run.checkpoints, 5).checkpoint.restore(str(run.checkpoints / f"ckpt-{step}")) \
            .assert_existing_objects_matched()
        return gan

    last, at_end = head_at(5), head_at(3)
    (head,) = last.regularizers
    assert int(head.optimizer.iterations.numpy()) == 2  # trained at steps 1 and 2 only
    assert int(last.g_optimizer.iterations.numpy()) == 5
    assert all(np.array_equal(a, b) for a, b in zip(head.network.get_weights(),
                                                    at_end.regularizers[0].network.get_weights()))
    assert any(not np.array_equal(a, b) for a, b in zip(last.generator.get_weights(),
                                                        at_end.generator.get_weights()))


def test_divergence_stops_and_keeps_last_good_checkpoint(tmp_path):
    cfg = tiny_config(tmp_path, train_steps=6, d_learning_rate=1e30, g_learning_rate=1e30)
    with pytest.raises(train_lib.TrainingDiverged, match="became nan|became inf"):
        train_lib.train(cfg)
    kept = tf.train.latest_checkpoint(str(tmp_path / "run" / "checkpoints"))
    if kept is not None:
        reader = tf.train.load_checkpoint(kept)
        values = [reader.get_tensor(k) for k in reader.get_variable_to_shape_map() if k.startswith("generator/")]
        assert all(np.isfinite(v).all() for v in values if np.issubdtype(np.asarray(v).dtype, np.floating))


def test_tfds_dataset_trains_with_mocked_tfds(tmp_path):
    with tfds.testing.mock_data(num_examples=32):
        summary = train_lib.train(tiny_config(tmp_path, dataset="mnist", image_size=None, train_steps=2))
    assert summary["global_step"] == 2 and summary["image_shape"] == [28, 28, 1]


def test_batch_that_does_not_split_across_replicas_is_refused():
    from infogan_tf import runtime

    class TwoReplicas:
        num_replicas_in_sync = 2

    with pytest.raises(runtime.SetupError, match="--batch_size=7 does not divide by the 2 replicas"):
        runtime.check_batch(7, TwoReplicas())


def test_same_seed_gives_the_same_run(tmp_path):
    weights = []
    for name in ("a", "b"):
        train_lib.train(tiny_config(tmp_path / name, train_steps=2, seed=7))
        weights.append(keras.models.load_model(tmp_path / name / "run" / "generator.keras").get_weights())
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)
