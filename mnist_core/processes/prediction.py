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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from ..data import DataError, load_mnist, to_float
from ..evidence import Why
from ..pinned import Untrained
from ..quiet import tensorflow_quietly, verbose_from_env
from ..store import ModelError
from .child import background_threads, parent_connection, spawn

ANSWERS, STUDIES = "answers", "studies"


# ---- the messages ----------------------------------------------------------------------
# parent → child: (a request below, the model file's path as a string); child → parent:
# Answer or Refused. Each request names its lane: a drawing's answer never waits behind
# the others.


@dataclass(frozen=True)
class Probabilities:
    """(10,) probabilities for one (28, 28) input in [0, 1]."""

    digit: np.ndarray
    lane: ClassVar[str] = ANSWERS


@dataclass(frozen=True)
class NumberProbabilities:
    """(K, 10) probabilities for a number's (K, 28, 28) inputs, in one predict_on_batch."""

    inputs: np.ndarray
    lane: ClassVar[str] = ANSWERS


@dataclass(frozen=True)
class Classify:
    """(N, 10) probabilities for (N, 28, 28) inputs in [0, 1]."""

    images: np.ndarray
    lane: ClassVar[str] = STUDIES


@dataclass(frozen=True)
class TestSet:
    """(10000, 10) probabilities for the MNIST test images, in their order."""

    lane: ClassVar[str] = STUDIES


@dataclass(frozen=True)
class Explain:
    """explain.Explanation's fields as a dict, for one (28, 28) input."""

    digit: np.ndarray
    lane: ClassVar[str] = STUDIES


@dataclass(frozen=True)
class WhyAsked:
    """evidence.Why: the evidence map and nearest training images for one input."""

    digit: np.ndarray
    lane: ClassVar[str] = STUDIES


@dataclass(frozen=True)
class UntrainedAsked:
    """pinned.Untrained: what a new `arch` model built with `seed` answers for (N, 28, 28)
    `images`, and its loss on a batch; needs no model file."""

    arch: str
    seed: int
    images: np.ndarray
    lane: ClassVar[str] = STUDIES


Request = (
    Probabilities | NumberProbabilities | Classify | TestSet | Explain | WhyAsked | UntrainedAsked
)


@dataclass(frozen=True)
class Answer:
    value: object


@dataclass(frozen=True)
class Refused:
    """The model or the input could not be used: why, in words for people."""

    reason: str


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

    def ask(self, request: Request, model_path: Path, timeout: float):
        """The request's answer; ModelError if the model or input can't be used, or the
        process stopped (it restarts on the next request)."""
        with self._lock:
            self._busy.set()
            try:
                if self._process is None or self._process.poll() is not None:
                    self._start()
                self._conn.send((request, str(model_path)))
                if not self._conn.poll(timeout):
                    raise TimeoutError
                reply: Answer | Refused = self._conn.recv()
            except (EOFError, OSError, TimeoutError) as err:
                if self._process is not None:
                    self._process.kill()
                raise ModelError(
                    "the prediction process stopped; it restarts on the next try"
                ) from err
            finally:
                self._busy.clear()
        if isinstance(reply, Refused):
            raise ModelError(reply.reason)
        return reply.value

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
        return self._ask(Probabilities(np.asarray(digit, np.float32)), model_path, timeout)

    def number(self, model_path: Path, inputs: np.ndarray, timeout: float = 60) -> np.ndarray:
        """(K, 10) probabilities for a number's (K, 28, 28) inputs (number_reading's
        model_inputs), in one request answered by one predict_on_batch; a drawing's lane."""
        return self._ask(NumberProbabilities(np.asarray(inputs, np.float32)), model_path, timeout)

    def classify(self, model_path: Path, images: np.ndarray, timeout: float = 120) -> np.ndarray:
        """(N, 10) probabilities for (N, 28, 28) inputs in [0, 1]."""
        return self._ask(Classify(np.asarray(images, np.float32)), model_path, timeout)

    def test_set(self, model_path: Path, timeout: float = 300) -> np.ndarray:
        """(10000, 10) float32 probabilities for the MNIST test images, in their order."""
        return self._ask(TestSet(), model_path, timeout)

    def explain(self, model_path: Path, digit: np.ndarray, timeout: float = 60):
        """explain.Explanation's fields as a dict (logits, kind, pictures, strengths)."""
        return self._ask(Explain(np.asarray(digit, np.float32)), model_path, timeout)

    def why(self, model_path: Path, digit: np.ndarray, timeout: float = 300) -> Why:
        """Evidence and nearest training images for one (28, 28) input (evidence.Why). The
        first request for a model computes its 60,000 training embeddings (tens of seconds
        for a convolutional model, unless cached on disk), in the studies lane: the
        answers lane never waits for them."""
        return self._ask(WhyAsked(np.asarray(digit, np.float32)), model_path, timeout)

    def untrained(
        self, arch: str, seed: int, images: np.ndarray, timeout: float = 120
    ) -> Untrained:
        """What a new `arch` model built with `seed` answers for (N, 28, 28) `images`
        before training (pinned.Untrained)."""
        request = UntrainedAsked(arch, seed, np.asarray(images, np.float32))
        return self._ask(request, Path(), timeout)

    def _ask(self, request: Request, model_path: Path, timeout: float):
        return self.lanes[request.lane].ask(request, model_path, timeout)

    def close(self) -> None:
        for lane in self.lanes.values():
            lane.close()


def child_main(conn, lane: str, warm_model: str | None) -> None:
    """Child side: answer each (request, model path) with Answer, or Refused and why."""
    # the one place this module loads TensorFlow: in the child, never in the server, and
    # without its start-up and retracing lines in the terminal of `make run`
    with tensorflow_quietly(verbose_from_env()):
        from ..tf.explain import cached_embeddings, explain, why
        from ..tf.pinned import untrained
        from ..tf.predict import cached_model, classify, probabilities

    def answer(request: Request, path: str):
        if isinstance(request, UntrainedAsked):  # a new model: no file to load
            return untrained(request.arch, request.seed, request.images)
        model = cached_model(path)
        match request:
            case Probabilities(digit=digit):
                return probabilities(model, digit)[0]
            case NumberProbabilities(inputs=inputs):  # all of a number's inputs in one batch
                return probabilities(model, inputs).astype(np.float32)
            case Classify(images=images):
                return classify(model, images).astype(np.float32)
            case TestSet():
                return classify(model, to_float(load_mnist()[2])).astype(np.float32)
            case Explain(digit=digit):  # a dict: unpickling it needs no Keras in the server
                return asdict(explain(model, digit))
            case WhyAsked(digit=digit):  # evidence's records import no Keras either
                return why(model, digit, cached_embeddings(path))
        raise TypeError(f"unknown request {type(request).__name__}")

    if lane == STUDIES:
        os.nice(STUDIES_NICENESS)
    if warm_model is not None:
        try:
            probabilities(cached_model(warm_model), np.zeros((1, 28, 28), np.float32))
        except Exception:  # a broken default is reported when it is first asked for
            pass
    while True:
        try:
            request, path = conn.recv()
        except (EOFError, OSError):
            return  # the server went away
        try:
            reply = Answer(answer(request, path))
        except (ModelError, DataError) as err:
            reply = Refused(str(err))
        except ValueError as err:  # the input, not the model
            reply = Refused(f"cannot read this drawing: {err}")
        except Exception as err:  # noqa: BLE001 - any failure must reach the page as a message
            reply = Refused(f"{Path(path).name}: {type(err).__name__}: {err}")
        conn.send(reply)


if __name__ == "__main__":
    # Run from the module under its own name, not as __main__: requests and replies are
    # pickled by class path, and the server knows mnist_core.processes.prediction.
    from mnist_core.processes.prediction import child_main as main

    main(parent_connection(), sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
