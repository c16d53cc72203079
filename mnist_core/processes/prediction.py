"""Child processes that own TensorFlow and answer digit predictions, in two lanes.

Why processes: Streamlit calls `keras.backend.clear_session()` after every script run once
Keras is imported in its process (~130 ms a run, plus a garbage collection), which would
double the time from mouse-up to answer. Keeping TensorFlow in children leaves the server
light; a request is a pipe round trip plus under a millisecond of inference.

Why two: one process answers its requests in turn, and testing a model on the 10,000 MNIST
test digits holds it for seconds. Drawings go to the *answers* lane, which does nothing
else; evaluations, the drawings' test and explanations go to the *studies* lane, started
at its first request and run at a lower CPU priority with threads for one core fewer than the
machine has (child.background_threads), so that on a busy machine a stroke's answer also
comes before an evaluation's next batch.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ..data import DataError, load_mnist, to_float
from ..store import ModelError
from .child import background_threads, parent_connection, spawn

ANSWERS, STUDIES = "answers", "studies"
# which lane answers each request: a drawing's answer never waits behind the others
LANE_OF = {
    "probabilities": ANSWERS,
    "number": ANSWERS,
    "classify": STUDIES,
    "test_set": STUDIES,
    "explain": STUDIES,
}
# added to the studies process's nice value: answers first, yet a model is still tested
# in seconds while a training takes the cores (at +10, on this machine busy with other
# work, opening the Evaluate page took 74 s)
STUDIES_NICENESS = 5


class Lane:
    """One child process answering requests in turn; restarted if it dies, thread-safe."""

    def __init__(self, name: str, warm_model: Path | None = None, start: bool = True):
        self.name = name
        self._lock = threading.Lock()
        self._warm = warm_model
        self._process = self._conn = None
        self._busy = threading.Event()  # a request is in flight (for tests and figures)
        if start:
            with self._lock:
                self._start()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def busy(self) -> bool:
        return self._busy.is_set()

    def wait_busy(self, timeout: float | None = None) -> bool:
        """Until a request is in flight here; False if none came within `timeout` s."""
        return self._busy.wait(timeout)

    def _start(self) -> None:
        warm = [] if self._warm is None else [str(self._warm)]
        # the studies work in the background: a core stays free for the answers
        threads = background_threads() if self.name == STUDIES else None
        self._process, self._conn = spawn(
            "mnist_core.processes.prediction", self.name, *warm, threads=threads
        )

    def ask(self, kind: str, model_path: Path, payload, timeout: float):
        with self._lock:
            self._busy.set()
            try:
                if self._process is None or self._process.poll() is not None:
                    self._start()
                self._conn.send((kind, str(model_path), payload))
                if not self._conn.poll(timeout):
                    raise TimeoutError
                status, answer = self._conn.recv()
            except (EOFError, OSError, TimeoutError) as err:
                if self._process is not None:
                    self._process.kill()
                raise ModelError(
                    "the prediction process stopped; it restarts on the next try"
                ) from err
            finally:
                self._busy.clear()
        if status != "ok":
            raise ModelError(answer)
        return answer

    def kill(self) -> None:
        """End the process now (as a crash would); the next request starts a new one."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()

    def close(self) -> None:
        if self._process is not None:
            self.kill()
            self._conn.close()


class PredictionWorker:
    """Client side: the answers lane starts on creation (warmed with `warm_model`), the
    studies lane at its first request; each restarts if its process dies."""

    def __init__(self, warm_model: Path | None = None):
        self.lanes = {
            ANSWERS: Lane(ANSWERS, warm_model),
            STUDIES: Lane(STUDIES, start=False),  # memory only where people evaluate
        }

    def probabilities(self, model_path: Path, digit: np.ndarray, timeout: float = 60) -> np.ndarray:
        """(10,) probabilities for one (28, 28) input; ModelError if the model is unusable."""
        return self._ask("probabilities", model_path, np.asarray(digit, np.float32), timeout)

    def number(self, model_path: Path, inputs: np.ndarray, timeout: float = 60) -> np.ndarray:
        """(K, 10) probabilities for a number's (K, 28, 28) inputs (number_reading's
        model_inputs), in one request answered by one predict_on_batch; a drawing's lane."""
        return self._ask("number", model_path, np.asarray(inputs, np.float32), timeout)

    def classify(self, model_path: Path, images: np.ndarray, timeout: float = 120) -> np.ndarray:
        """(N, 10) probabilities for (N, 28, 28) inputs in [0, 1]."""
        return self._ask("classify", model_path, np.asarray(images, np.float32), timeout)

    def test_set(self, model_path: Path, timeout: float = 300) -> np.ndarray:
        """(10000, 10) float32 probabilities for the MNIST test images, in their order."""
        return self._ask("test_set", model_path, None, timeout)

    def explain(self, model_path: Path, digit: np.ndarray, timeout: float = 60):
        """explain.Explanation's fields as a dict (logits, kind, pictures, strengths)."""
        return self._ask("explain", model_path, np.asarray(digit, np.float32), timeout)

    def _ask(self, kind: str, model_path: Path, payload, timeout: float):
        return self.lanes[LANE_OF[kind]].ask(kind, model_path, payload, timeout)

    def close(self) -> None:
        for lane in self.lanes.values():
            lane.close()


def child_main(conn, lane: str, warm_model: str | None) -> None:
    """Child side: answer (kind, model path, payload) with ("ok", answer) or ("error", why)."""
    # the one place this module loads TensorFlow: in the child, never in the server
    from ..tf.explain import explain
    from ..tf.predict import cached_model, classify, probabilities

    answers = {
        "probabilities": lambda model, digit: probabilities(model, digit)[0],
        # all the inputs of a number in one batch: one predict_on_batch
        "number": lambda model, inputs: probabilities(model, inputs).astype(np.float32),
        "classify": lambda model, images: classify(model, images).astype(np.float32),
        "test_set": lambda model, _: classify(model, to_float(load_mnist()[2])).astype(np.float32),
        # a dict: unpickling it needs no Keras in the server
        "explain": lambda model, digit: asdict(explain(model, digit)),
    }
    if lane == STUDIES:
        os.nice(STUDIES_NICENESS)
    if warm_model is not None:
        try:
            probabilities(cached_model(warm_model), np.zeros((1, 28, 28), np.float32))
        except Exception:  # a broken default is reported when it is first asked for
            pass
    while True:
        try:
            kind, path, payload = conn.recv()
        except (EOFError, OSError):
            return  # the server went away
        try:
            if kind not in answers:
                raise ValueError(f"unknown request {kind!r}")
            reply = ("ok", answers[kind](cached_model(path), payload))
        except (ModelError, DataError) as err:
            reply = ("error", str(err))
        except ValueError as err:  # the input, not the model
            reply = ("error", f"cannot read this drawing: {err}")
        except Exception as err:  # noqa: BLE001 - any failure must reach the page as a message
            reply = ("error", f"{Path(path).name}: {type(err).__name__}: {err}")
        conn.send(reply)


if __name__ == "__main__":
    child_main(parent_connection(), sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
