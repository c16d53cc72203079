"""The bundled model reads real pen digits through the Draw page's preprocessing, quickly."""

import time

import numpy as np
import pytest

from mnist_core.preprocess import canvas_to_mnist, model_input
from mnist_core.processes.prediction import ANSWERS, PredictionWorker
from mnist_core.store import ModelError
from mnist_core.tf.predict import cached_model, probabilities


def test_default_model_reads_real_pen_digits(default_model_path, pen_sample):
    images, labels = pen_sample
    model = cached_model(default_model_path)
    inputs = np.stack([canvas_to_mnist(im) for im in images])
    predicted = probabilities(model, inputs).argmax(axis=1)
    assert (predicted == labels).mean() >= 0.93


@pytest.mark.alone
def test_one_prediction_takes_milliseconds(default_model_path, pen_sample):
    model = cached_model(default_model_path)
    assert cached_model(default_model_path) is model  # loaded once
    images, _ = pen_sample
    times = []
    for image in images[:50]:
        start = time.perf_counter()
        probs = probabilities(model, canvas_to_mnist(image)[None])
        times.append(time.perf_counter() - start)
        assert probs.shape == (1, 10) and abs(probs.sum() - 1) < 1e-5
    assert np.median(times) < 0.05


def test_worker_process_answers_like_the_model(default_model_path, pen_sample, tmp_path):
    images, _ = pen_sample
    digit = canvas_to_mnist(images[0])
    worker = PredictionWorker()
    try:
        direct = probabilities(cached_model(default_model_path), digit[None])[0]
        np.testing.assert_allclose(
            worker.probabilities(default_model_path, digit), direct, atol=1e-5
        )
        corrupt = tmp_path / "corrupt.keras"
        corrupt.write_text("junk")
        with pytest.raises(ModelError, match="corrupt"):
            worker.probabilities(corrupt, digit)
        with pytest.raises(ModelError, match="cannot read this drawing.*NaN"):
            worker.probabilities(default_model_path, np.full((28, 28), np.nan))
        worker.lanes[ANSWERS].kill()  # a crashed worker is started again at the next request
        np.testing.assert_allclose(
            worker.probabilities(default_model_path, digit), direct, atol=1e-5
        )
    finally:
        worker.close()


@pytest.mark.parametrize(
    "images, reason",
    [
        (np.full((28, 28), np.nan), "NaN"),
        (np.full((2, 28, 28), np.inf), "infinite"),
        (np.full((28, 28), 255.0), r"\[0, 1\]"),
        (np.zeros((28, 27)), "28×28"),
        (np.zeros((1, 1, 28, 28)), "28×28"),
        (np.zeros((28, 28), complex), "numbers"),
        (np.array("seven"), "numbers"),
    ],
)
def test_model_input_refuses_what_a_model_cannot_read(images, reason):
    with pytest.raises(ValueError, match=reason):
        model_input(images)


def test_model_input_accepts_one_image_or_a_batch():
    assert model_input(np.zeros((28, 28), np.uint8)).shape == (1, 28, 28)
    assert model_input(np.ones((5, 28, 28))).dtype == np.float32
