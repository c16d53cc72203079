"""A child process that owns TensorFlow and answers digit predictions.

Why a process: Streamlit calls `keras.backend.clear_session()` after every script run once
Keras is imported in its process (~130 ms a run, plus a garbage collection), which would
double the time from mouse-up to answer. Keeping TensorFlow in this child leaves the
server light; a request is a pipe round trip plus under a millisecond of inference.
"""

from __future__ import annotations

import sys
import threading
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
        with self._lock:
            if self._process.poll() is not None:
                self._start()
            try:
                self._conn.send((str(model_path), np.asarray(digit, np.float32)))
                if not self._conn.poll(timeout):
                    raise TimeoutError
                status, payload = self._conn.recv()
            except (EOFError, OSError, TimeoutError) as err:
                self._process.kill()
                raise ModelError(
                    "the prediction process stopped; it restarts on the next try"
                ) from err
        if status != "ok":
            raise ModelError(payload)
        return payload

    def close(self) -> None:
        self._process.kill()
        self._process.wait(timeout=5)
        self._conn.close()


def _serve(conn, warm_model) -> None:
    """Child side: answer (model path, image) with ("ok", probabilities) or ("error", why)."""
    from .predict import cached_model, probabilities

    if warm_model is not None:
        try:
            probabilities(cached_model(warm_model), np.zeros((1, 28, 28), np.float32))
        except Exception:  # a broken default is reported when it is first asked for
            pass
    while True:
        try:
            path, digit = conn.recv()
        except (EOFError, OSError):
            return  # the server went away
        try:
            reply = ("ok", probabilities(cached_model(path), digit)[0])
        except ModelError as err:
            reply = ("error", str(err))
        except ValueError as err:  # the input, not the model
            reply = ("error", f"cannot read this drawing: {err}")
        except Exception as err:  # noqa: BLE001 - any failure must reach the page as a message
            reply = ("error", f"{Path(path).name}: {type(err).__name__}: {err}")
        conn.send(reply)


if __name__ == "__main__":
    _serve(parent_connection(), sys.argv[2] if len(sys.argv) > 2 else None)
