"""Drawings are answered in their own lane: never behind a test-set evaluation (seconds)."""

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from mnist_core.preprocess import canvas_to_mnist
from mnist_core.processes.child import THREAD_SETTINGS, background_threads, usable_cores
from mnist_core.processes.prediction import ANSWERS, STUDIES, STUDIES_NICENESS, PredictionWorker

# answer times are asserted: timed with no other test beside it (pytest.ini)
pytestmark = pytest.mark.alone


def test_drawings_are_answered_while_a_model_is_tested(default_model_path, pen_sample):
    digit = canvas_to_mnist(pen_sample[0][0])
    worker = PredictionWorker(warm_model=default_model_path)
    try:
        expected = worker.probabilities(default_model_path, digit)
        assert worker.lanes[STUDIES].pid is None  # started at its first request only
        with ThreadPoolExecutor(1) as pool:
            tested = pool.submit(worker.test_set, default_model_path)
            assert worker.lanes[STUDIES].wait_busy(timeout=30)
            during = []  # seconds per answer, for answers finished while the test ran
            while not tested.done():
                began = time.perf_counter()
                probs = worker.probabilities(default_model_path, digit)
                if not tested.done():
                    during.append(time.perf_counter() - began)
                np.testing.assert_array_equal(probs, expected)
            assert tested.result().shape == (10000, 10)
        studies = worker.lanes[STUDIES].pid
        assert studies != worker.lanes[ANSWERS].pid
        assert os.getpriority(os.PRIO_PROCESS, studies) == min(
            19, os.getpriority(os.PRIO_PROCESS, 0) + STUDIES_NICENESS
        )
        # the studies leave a core to the answers; the answers take every core
        assert thread_settings(studies) == {
            name: str(background_threads()) for name in THREAD_SETTINGS
        }
        assert thread_settings(worker.lanes[ANSWERS].pid) == {}
    finally:
        worker.close()
    # one lane would have answered nothing until the test set was done
    assert len(during) >= 20, during
    assert np.median(during) < 0.05 and max(during) < 1.0, sorted(during)[-5:]


def thread_settings(pid: int) -> dict:
    """The TensorFlow thread settings in the environment process `pid` started with."""
    variables = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    pairs = (v.decode().partition("=") for v in variables if v)
    return {name: value for name, _, value in pairs if name in THREAD_SETTINGS}


def test_background_children_leave_one_core_and_never_take_none():
    assert background_threads(2) == 1 and background_threads(8) == 7
    assert background_threads(1) == 1
    assert background_threads() == max(1, usable_cores() - 1)
