"""Why the model answered: the evidence map and its deletion check, the nearest training
images, as pure functions and on the bundled model (the bench measures 500 drawings)."""

import numpy as np
import pytest

from mnist_core.data import to_float
from mnist_core.evidence import (
    Deletion,
    deleted_count,
    faithfulness,
    ink_pixels,
    nearest,
    on_ink,
    random_ink,
    top_ink,
    without,
)
from mnist_core.preprocess import canvas_to_mnist
from mnist_core.processes.prediction import PredictionWorker
from mnist_core.tf.explain import evidence
from mnist_core.tf.predict import cached_model, probabilities


def test_deletions_pick_only_ink_the_highest_ranked_first():
    digit = np.zeros((28, 28), np.float32)
    digit[10, 5:25] = 1.0  # 20 ink pixels
    heat = np.zeros((28, 28), np.float32)
    heat[10, 7], heat[10, 20], heat[0, 0] = 3.0, 2.0, 9.0  # (0, 0) is not ink
    assert deleted_count(20) == 2 and deleted_count(3) == 1 and deleted_count(0) == 0
    assert top_ink(heat, digit).tolist() == [10 * 28 + 7, 10 * 28 + 20]
    picked = random_ink(digit, np.random.default_rng(0))
    assert len(set(picked)) == 2 and set(picked) <= set(ink_pixels(digit))
    assert without(digit, picked).sum() == 18 and digit.sum() == 20  # a copy


def test_on_ink_blurs_a_map_and_keeps_it_on_the_ink():
    digit = np.zeros((28, 28), np.float32)
    digit[10, 5:25] = 0.5
    heat = np.zeros((28, 28), np.float32)
    heat[10, 10], heat[11, 20] = 1.0, -1.0  # (11, 20) is beside the stroke
    smooth = on_ink(heat, digit)
    assert not smooth[digit == 0].any() and smooth.dtype == np.float32
    assert smooth[10, 10] > smooth[10, 11] > smooth[10, 12] > 0 and smooth[10, 20] < 0
    np.testing.assert_array_equal(on_ink(heat, digit, sigma=0), heat * (digit > 0))


def test_nearest_rows_nearest_first():
    rows = np.array([[0.0, 0.0], [5.0, 5.0], [1.0, 1.0], [0.9, 1.2]], np.float32)
    assert nearest(rows, np.array([1.0, 1.0], np.float32), k=3).tolist() == [2, 3, 0]
    assert nearest(rows, np.array([9.0, 9.0], np.float32), k=9).tolist() == [1, 3, 2, 0]


def test_faithfulness_is_the_ratio_of_mean_drops():
    checks = [Deletion(1.0, 0.2, 0.9), Deletion(0.8, 0.6, 0.7)]
    summary = faithfulness(checks)
    assert summary.drawings == 2 and summary.answer == pytest.approx(0.9)
    assert summary.ratio == pytest.approx((0.9 - 0.4) / (0.9 - 0.8))


def test_evidence_on_pen_drawings_is_faithful(default_model_path, pen_sample):
    """The bench's check on 20 drawings: deleting the top-ranked 10% of the ink lowers the
    answer's probability at least twice as much as a random 10%."""
    model = cached_model(default_model_path)
    canvases, labels = pen_sample
    found = []
    for canvas in canvases[:20]:
        digit = canvas_to_mnist(canvas)
        e = evidence(model, digit)
        probs = probabilities(model, digit)[0]
        assert (e.digit, e.runner_up) == tuple(np.argsort(probs)[::-1][:2])
        assert e.deletion.answer == pytest.approx(probs[e.digit], abs=1e-6)
        assert e.map.shape == (28, 28) and not e.map[digit == 0].any()  # on the ink only
        assert e.map.max() > 0  # some ink made the answer
        found.append(e)
    assert sum(e.digit == y for e, y in zip(found, labels)) >= 18
    assert faithfulness([e.deletion for e in found]).ratio >= 2


def test_a_training_image_is_its_own_nearest_neighbour_through_the_worker(
    default_model_path, mnist
):
    x_train, y_train = mnist[0], mnist[1]
    worker = PredictionWorker()
    try:
        found = worker.why(default_model_path, to_float(x_train[123]))
    finally:
        worker.close()
    neighbours = found.neighbours
    assert neighbours.indices[0] == 123 and len(neighbours.indices) == 8
    assert neighbours.labels.tolist() == y_train[neighbours.indices].tolist()
    np.testing.assert_array_equal(neighbours.images[0], x_train[123])
    assert (neighbours.labels == y_train[123]).sum() >= 6
    assert found.evidence.digit == y_train[123]


def test_evidence_picture_is_red_towards_the_answer_and_blue_towards_the_runner_up():
    from ui.explain import evidence_picture

    digit = np.zeros((28, 28), np.float32)
    digit[5:20, 14] = 1.0
    heat = np.zeros((28, 28), np.float32)
    heat[6, 14], heat[18, 14] = 2.0, -2.0
    picture = evidence_picture(digit, heat, scale=2)
    assert picture.shape == (56, 56, 3)
    red, blue, plain, paper = (
        picture[2 * r, 2 * c] for r, c in ((6, 14), (18, 14), (10, 14), (1, 1))
    )
    assert red[0] > 0.8 and red[2] < 0.3 and blue[2] > 0.7 and blue[0] < 0.3
    assert np.allclose(paper, 1) and np.allclose(plain, 0.65)  # faint grey ink, white paper
    assert np.allclose(picture[0], 0.8) and np.allclose(picture[:, -1], 0.8)  # framed
