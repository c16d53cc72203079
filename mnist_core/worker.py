"""A child process that owns TensorFlow and answers digit predictions.

Why a process: Streamlit calls `keras.backend.clear_session()` after every script run once
Keras is imported in its process (~130 ms a run, plus a garbage collection), which would
double the time from mouse-up to answer. Keeping TensorFlow in this child leaves the
server light; a request is a pipe round trip plus under a millisecond of inference.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import asdict
from pathlib import Path

import numpy as np

from .child import parent_connection, spawn
from .store import ModelError


class PredictionWorker:
    """Client side: starts the child on creation, restarts it if it dies, thread-safe."""

    def __init__(self, warm_model: Path | None = None):
        self._lock = threading.Lock()
        self._warm = warm_model
        self._start()

    def _start(self) -> None:
        warm = [] if self._warm is None else [str(self._warm)]
        self._process, self._conn = spawn("mnist_core.worker", *warm)

    def probabilities(self, model_path: Path, digit: np.ndarray, timeout: float = 60) -> np.ndarray:
        """(10,) probabilities for one (28, 28) input; ModelError if the model is unusable."""
        return self._ask("probabilities", model_path, np.asarray(digit, np.float32), timeout)

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
        with self._lock:
            if self._process.poll() is not None:
                self._start()
            try:
                self._conn.send((kind, str(model_path), payload))
                if not self._conn.poll(timeout):
                    raise TimeoutError
                status, answer = self._conn.recv()
            except (EOFError, OSError, TimeoutError) as err:
                self._process.kill()
                raise ModelError(
                    "the prediction process stopped; it restarts on the next try"
                ) from err
        if status != "ok":
            raise ModelError(answer)
        return answer

    def close(self) -> None:
        self._process.kill()
        self._process.wait(timeout=5)
        self._conn.close()


def _answer(kind: str, model, payload):
    from .data import load_mnist, to_float
    from .explain import explain
    from .predict import classify, probabilities

    if kind == "probabilities":
        return probabilities(model, payload)[0]
    if kind == "classify":
        return classify(model, payload).astype(np.float32)
    if kind == "test_set":
        return classify(model, to_float(load_mnist()[2])).astype(np.float32)
    if kind == "explain":
        return asdict(explain(model, payload))  # a dict: unpickling it needs no Keras here
    raise ValueError(f"unknown request {kind!r}")


def _serve(conn, warm_model) -> None:
    """Child side: answer (kind, model path, payload) with ("ok", answer) or ("error", why)."""
    from .data import DataError
    from .predict import cached_model, probabilities

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
            reply = ("ok", _answer(kind, cached_model(path), payload))
        except (ModelError, DataError) as err:
            reply = ("error", str(err))
        except ValueError as err:  # the input, not the model
            reply = ("error", f"cannot read this drawing: {err}")
        except Exception as err:  # noqa: BLE001 - any failure must reach the page as a message
            reply = ("error", f"{Path(path).name}: {type(err).__name__}: {err}")
        conn.send(reply)


if __name__ == "__main__":
    _serve(parent_connection(), sys.argv[2] if len(sys.argv) > 2 else None)
