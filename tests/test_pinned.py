"""Pinned drawings: the record a training request carries, and the default choice."""

import time

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


def test_training_answers_for_the_pinned_inputs_as_it_goes(mnist):
    from mnist_core.config import TrainConfig
    from mnist_core.tf.training import PINNED_EVERY, Progress, train

    pins = pinned(mnist[2], mnist[3])
    seen = []  # (when, epochs done, probabilities)
    progress = Progress(
        pinned=pins.images, on_pinned=lambda at, p: seen.append((time.monotonic(), at, p))
    )
    config = TrainConfig(arch="dense", epochs=1, train_size=10_000, batch_size=32)
    train(config, mnist, progress)
    assert len(seen) >= 3
    # not more often than every PINNED_EVERY s (timed here when each answer is back, so
    # a prediction's own time varies them a little); the last comes at the end anyway
    gaps = np.diff([when for when, _, _ in seen[:-1]])
    assert (gaps >= PINNED_EVERY * 0.75).all(), gaps
    at = [a for _, a, _ in seen]
    assert at == sorted(at) and at[0] == 0 and at[-1] == pytest.approx(1.0)  # untrained first
    first, last = seen[0][2], seen[-1][2]
    assert last.shape == (2, 10)
    assert list(last.argmax(axis=1)) == list(pins.labels)  # a 7 and a 2, read right
    assert (last.max(axis=1) > first.max(axis=1)).all()


def test_a_job_keeps_the_pinned_inputs_last_answer_with_its_result(mnist, tmp_path):
    from mnist_core.config import TrainConfig
    from mnist_core.processes.training import JobRunner
    from mnist_core.store import TrainingRequest

    pins = pinned(mnist[2], mnist[3])
    config = TrainConfig(arch="dense", epochs=1, train_size=3000, batch_size=32)
    job = JobRunner().start(TrainingRequest(config, "pinned", tmp_path, pinned=pins))
    state = job.wait(timeout=300)
    assert state.status == "done", state.error
    assert state.pins is pins or state.pins.captions == pins.captions
    assert state.pinned_bars.at == pytest.approx(1.0)
    assert state.pinned_bars.probabilities.shape == (2, 10)
    assert list(state.pinned_bars.probabilities.argmax(axis=1)) == list(pins.labels)
