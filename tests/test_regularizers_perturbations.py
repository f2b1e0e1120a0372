import numpy as np
import pytest
import tensorflow as tf

from infogan_tf.regularizers.perturbations import Perturbation

_STILL = Perturbation(max_rotation_deg=0.0, max_scale_change=0.0, max_shift_px=0.0, stroke_change=False)


def _images(batch=2, size=8, channels=1):
    return np.random.RandomState(0).rand(batch, size, size, channels).astype("float32")


def _draws(*rows):
    return tf.constant(rows, tf.float32)


def test_no_change_returns_the_images():
    images = _images()
    out = _STILL.apply(tf.constant(images), _STILL.sample(2, tf.constant([1, 2])))
    np.testing.assert_allclose(out.numpy(), images, atol=1e-6)


def test_shift_moves_content_by_whole_pixels():
    images = _images()
    shift = Perturbation(max_rotation_deg=0.0, max_scale_change=0.0, max_shift_px=1.0, stroke_change=False)
    out = shift.apply(tf.constant(images), _draws([0, 0, 1, 0, 0], [0, 0, 0, -1, 0])).numpy()
    np.testing.assert_allclose(out[0, :, 1:], images[0, :, :-1], atol=1e-6)
    np.testing.assert_allclose(out[1, :-1, :], images[1, 1:, :], atol=1e-6)


def test_quarter_turn_equals_rot90():
    images = _images(channels=3)
    turn = Perturbation(max_rotation_deg=90.0, max_scale_change=0.0, max_shift_px=0.0, stroke_change=False)
    out = turn.apply(tf.constant(images), _draws([1, 0, 0, 0, 0], [1, 0, 0, 0, 0])).numpy()
    np.testing.assert_allclose(out, np.rot90(images, 1, axes=(1, 2)), atol=1e-5)


@pytest.mark.parametrize("draw, grows", [(0.9, True), (-0.9, False)])
def test_stroke_change_thickens_or_thins_a_line(draw, grows):
    line = np.zeros([1, 8, 8, 1], np.float32)
    line[0, 1:7, 3:5] = 1.0
    strokes = Perturbation(max_rotation_deg=0.0, max_scale_change=0.0, max_shift_px=0.0, stroke_change=True)
    out = strokes.apply(tf.constant(line), _draws([0, 0, 0, 0, draw])).numpy()
    assert (out.sum() > line.sum()) == grows and out.sum() != line.sum()


def test_draws_are_repeatable_in_range_and_keep_dtype_and_shape():
    default = Perturbation()
    first = default.sample(16, tf.constant([3, 4])).numpy()
    np.testing.assert_array_equal(first, default.sample(16, tf.constant([3, 4])).numpy())
    assert first.shape == (16, 5) and first.min() >= -1.0 and first.max() < 1.0
    images = tf.constant(_images(batch=16, size=28), tf.bfloat16)
    out = default.apply(images, first)
    assert out.dtype == tf.bfloat16 and out.shape == images.shape
    assert not np.allclose(out.numpy(), images.numpy())


def test_gradient_reaches_the_images():
    images = tf.constant(_images())
    with tf.GradientTape() as tape:
        tape.watch(images)
        out = Perturbation().apply(images, _draws([0.5, 0.5, 0.5, 0.5, 0.9], [-0.5, -0.5, -0.5, -0.5, -0.9]))
        total = tf.reduce_sum(out)
    grad = tape.gradient(total, images).numpy()
    assert np.isfinite(grad).all() and np.abs(grad).sum() > 0.0


def test_xla_compiled_perturbation_matches_eager():
    images = tf.constant(_images(batch=4, size=28))
    draws = Perturbation().sample(4, tf.constant([5, 6]))
    compiled = tf.function(Perturbation().apply, jit_compile=True)
    np.testing.assert_allclose(compiled(images, draws).numpy(), Perturbation().apply(images, draws).numpy(), atol=1e-5)


def test_canonical_pose_removes_position_and_size_of_a_sprite():
    from infogan_tf.datasets import shapes

    # shape, scale, orientation, x, y: two hearts of one orientation, small at top left, large at bottom right
    sprites = shapes.render(np.array([[2, 0, 0, 3, 4], [2, 5, 0, 28, 26]]), 64)
    still = np.zeros((2, 5), np.float32)  # no rotation, zoom, shift or stroke change
    plain = Perturbation().apply(sprites, still).numpy()
    canonical = Perturbation(canonical_pose=True).apply(sprites, still).numpy()
    assert np.abs(plain[0] - plain[1]).mean() > 0.05
    assert np.abs(canonical[0] - canonical[1]).mean() < 0.3 * np.abs(plain[0] - plain[1]).mean()
    rows, cols = np.mgrid[0:64, 0:64]
    for image in canonical[..., 0]:
        centroid = ((image * cols).sum() / image.sum(), (image * rows).sum() / image.sum())
        assert centroid == pytest.approx((31.5, 31.5), abs=1.0)


def test_canonical_pose_leaves_a_blank_image_blank():
    blank = tf.zeros([1, 28, 28, 1])
    out = Perturbation(canonical_pose=True).apply(blank, tf.zeros([1, 5]))
    assert np.isfinite(out.numpy()).all() and float(tf.reduce_max(out)) == 0.0
