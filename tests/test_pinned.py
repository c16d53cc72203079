"""Pinned drawings: the record a training request carries, and the default choice."""

import numpy as np
import pytest

from mnist_core.pinned import DEFAULT_TEST_INDICES, MAX_PINNED, Pinned, pinned


def test_defaults_are_two_test_digits_then_the_drawing_then_saved_ones(mnist):
    _, _, x_test, y_test = mnist
    drawing = np.full((28, 28), 0.5, np.float32)
    saved = [(np.ones((28, 28)), 3, "a saved 3")]
    pins = pinned(x_test, y_test, drawing, saved)
    assert pins.images.shape == (4, 28, 28) and pins.images.dtype == np.float32
    assert pins.labels == (*(int(y_test[i]) for i in DEFAULT_TEST_INDICES), -1, 3)
    np.testing.assert_allclose(pins.images[0], x_test[DEFAULT_TEST_INDICES[0]] / 255.0, atol=1e-6)
    assert pins.images[2].max() == 0.5 and pins.captions[3] == "a saved 3"
    assert len(pinned(x_test, y_test)) == 2
    assert len(pinned(x_test, y_test, None, saved * 10)) == MAX_PINNED


def test_a_pinned_record_refuses_mismatched_parts():
    with pytest.raises(ValueError, match="28, 28"):
        Pinned(np.zeros((1, 28, 27)), (1,), ("x",))
    with pytest.raises(ValueError, match="differ"):
        Pinned(np.zeros((2, 28, 28)), (1,), ("x", "y"))


@pytest.mark.parametrize("arch", ["dense", "cnn"])
def test_the_untrained_model_guesses_uniformly_in_a_child_process(mnist, arch):
    from mnist_core.pinned import UNIFORM_LOSS
    from mnist_core.processes.prediction import PredictionWorker

    pins = pinned(mnist[2], mnist[3], np.zeros((28, 28), np.float32))
    worker = PredictionWorker()
    try:
        answer = worker.untrained(arch, 0, pins.images)
        again = worker.untrained(arch, 0, pins.images)
    finally:
        worker.close()
    assert answer.probabilities.shape == (3, 10)
    np.testing.assert_allclose(answer.probabilities.sum(axis=1), 1, atol=1e-6)
    assert answer.probabilities.max() < 0.3  # near 10% each
    assert abs(answer.loss - UNIFORM_LOSS) < 0.3, answer.loss
    np.testing.assert_array_equal(answer.probabilities, again.probabilities)  # seeded
