"""The run reporter's check that G still draws: per-image pixel contrast of fakes against reals, each epoch."""

import logging

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import callbacks, config, latents, model, train_lib, traversal, workdir


def test_pixel_std_is_each_images_own_standard_deviation():
    images = np.random.RandomState(0).rand(3, 5, 4, 2).astype("float32")
    images[1] = 0.25
    expected = images.reshape(3, -1).std(axis=1)
    np.testing.assert_allclose(model.pixel_std(tf.constant(images)).numpy(), expected, rtol=1e-5)
    assert model.pixel_std(tf.constant(images))[1] == 0.0


@pytest.mark.parametrize("fake, warned", [(0.01, True), (0.049, True), (0.05, False), (0.18, False)])
def test_blank_images_are_called_so_below_a_quarter_of_the_real_contrast(fake, warned):
    warning = callbacks.blank_images_warning(800, {"pixel_std_real": 0.2, "pixel_std_fake": fake})
    assert (warning is not None) == warned
    if warned:
        assert warning.startswith("step 800: the generator draws blank images") and "0.200" in warning
        assert f"{fake:.3f}" in warning


@pytest.mark.parametrize("logs", [{}, {"pixel_std_fake": 0.0}, {"pixel_std_real": 0.0, "pixel_std_fake": 0.0}])
def test_no_blank_warning_without_both_contrasts(logs):
    """Runs written before the contrast was logged, and all-flat real data, give no verdict."""
    assert callbacks.blank_images_warning(5, logs) is None


@pytest.mark.parametrize("share, warned", [(1.0, True), (0.5, True), (0.49, False), (None, False)])
def test_a_generator_blank_at_the_epochs_end_is_called_so_although_the_epoch_average_is_not(share, warned):
    logs = {"pixel_std_real": 0.18, "pixel_std_fake": 0.12, **({} if share is None else {"blank_share": share})}
    warning = callbacks.blank_images_warning(3000, logs)
    assert (warning is not None) == warned
    if warned:
        assert warning.startswith(f"step 3000: the generator draws blank images for {share:.0%} of the traversal")
        assert "0.180" in warning


def test_blank_share_counts_the_drawings_under_a_quarter_of_the_real_contrast():
    rng = np.random.RandomState(0)
    drawn = [rng.rand(3, 4, 4, 1).astype("float32"), np.full((1, 4, 4, 1), 0.3, np.float32)]
    drawn[0][1] = 0.5 + 0.01 * rng.rand(4, 4, 1)  # std about 0.003, under a quarter of 0.2
    assert callbacks.blank_share(drawn, 0.2) == pytest.approx(0.5)
    assert callbacks.blank_share(drawn, None) is None and callbacks.blank_share([], 0.2) is None


def _images(batch, steps):
    data = np.random.RandomState(0).rand(batch * steps, 28, 28, 1).astype("float32")
    return tf.data.Dataset.from_tensor_slices(data).batch(batch, drop_remainder=True).repeat()


def _reported_fit(tmp_path, gan, caplog):
    run_dir = workdir.Workdir(tmp_path / "run")
    run_dir.create()
    summary = {}
    reporter = callbacks.RunReporter(run_dir, summary, rows=1, seed=0)
    with caplog.at_level(logging.WARNING):
        gan.fit(_images(4, 2), steps_per_epoch=2, epochs=1, verbose=0, callbacks=[reporter])
    return summary, [record.getMessage() for record in caplog.records if "blank images" in record.getMessage()]


def _gan():
    cfg = config.TrainConfig(workdir="unused", codes="cat:3,cont:1", noise_dim=2, network_width=0.125,
                             precision="float32")
    return train_lib.build_infogan(cfg, latents.parse_latent_spec(cfg.codes, cfg.noise_dim), (28, 28, 1), replicas=1)


def test_reporter_warns_once_per_epoch_when_g_draws_flat_frames(tmp_path, caplog):
    gan = _gan()
    last = [layer for layer in gan.generator.layers if layer.get_weights()][-1]
    last.set_weights([np.zeros_like(weight) for weight in last.get_weights()])
    gan.g_optimizer.learning_rate.assign(0.0)
    summary, warnings = _reported_fit(tmp_path, gan, caplog)
    progress = summary["progress"]["final_losses"]
    assert progress["pixel_std_fake"] < 1e-6 < progress["pixel_std_real"]
    assert len(warnings) == 1 and warnings[0].startswith("step 2: the generator draws blank images")
    assert progress["blank_share"] == 1.0
    assert workdir.Workdir(tmp_path / "run").read_history()[-1]["blank_share"] == 1.0


def test_reporter_draws_the_grids_over_its_span(tmp_path, monkeypatch):
    spans = []
    original = traversal.traversal_images

    def recording(*args):
        spans.append(args[-1])
        return original(*args)

    monkeypatch.setattr(traversal, "traversal_images", recording)
    run_dir = workdir.Workdir(tmp_path / "run")
    run_dir.create()
    reporter = callbacks.RunReporter(run_dir, {}, rows=1, seed=0, span=0.5)
    _gan().fit(_images(4, 2), steps_per_epoch=2, epochs=1, verbose=0, callbacks=[reporter])
    assert spans == [0.5, 0.5]
