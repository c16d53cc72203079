"""Long-lived objects the pages share across reruns and sessions, and their caches.

Nothing here imports TensorFlow: predictions and training run in child processes (see
mnist_core.processes.prediction for why), so the Streamlit server stays quick to answer.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from mnist_core.atomic import remove_stale_temporaries
from mnist_core.data import DataError, load_mnist, mnist_path
from mnist_core.drawings import DRAWINGS_DIR, DrawingSet, load_drawings
from mnist_core.pinned import Untrained
from mnist_core.processes.prediction import PredictionWorker
from mnist_core.processes.training import JobRunner
from mnist_core.reservations import remove_expired
from mnist_core.store import (
    DEFAULT_MODEL,
    MODELS_DIR,
    ModelInfo,
    list_models,
    model_path,
)
from server.memory import keep_cleaning
from server.nodelay import send_without_delay


@st.cache_resource(show_spinner=False)
def sockets_without_delay() -> int:
    """Once per server: answers leave without waiting for the browser's acknowledgement
    (see server.nodelay). The number of TCP sockets set."""
    return send_without_delay()


@st.cache_resource(show_spinner=False)
def memory_cleaning() -> bool:
    """Once per server: the memory of sessions that ended goes back to the system (see
    server.memory)."""
    return keep_cleaning().is_alive()


@st.cache_resource(show_spinner=False)
def prediction_worker() -> PredictionWorker:
    """One TensorFlow process per server, started at first use with the default model."""
    return PredictionWorker(warm_model=model_path(DEFAULT_MODEL))


def saved_models(models_dir: Path = MODELS_DIR) -> list[ModelInfo]:
    """The models folder's listing, re-read only when a file in it changes.

    Temporaries left by a save that was killed (a crash, a kill -9) are removed first, and
    name reservations of trainings whose server is gone.
    """
    remove_stale_temporaries(models_dir)
    remove_expired(models_dir)
    return _listing(str(models_dir), folder_stamp(models_dir))


def folder_stamp(folder: Path) -> tuple:
    """(name, mtime, size) of every file in `folder`: changes whenever one does."""
    return tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(Path(folder).glob("*"))
    )


def file_stamp(path: Path) -> tuple:
    """(path, mtime, size): a cache key that changes when the file is re-saved."""
    stat = Path(path).stat()
    return (str(path), stat.st_mtime_ns, stat.st_size)


def saved_drawings(folder: Path = DRAWINGS_DIR) -> DrawingSet:
    """The user's drawings, re-read only when one is added or deleted.

    The Draw page asks at every stroke, twice. The folder's own times say when an entry
    was added, removed or renamed, and drawings are never edited in place (each is
    written under a hidden name, then renamed): one stat, where a stat of every file took
    5.7 ms a call here with 500 drawings, more than the rest of a stroke's rerun.
    """
    try:
        stat = Path(folder).stat()
        stamp = (stat.st_mtime_ns, stat.st_ctime_ns)
    except OSError:
        stamp = None  # no folder yet: no drawings
    return _drawings(str(folder), stamp)


@st.cache_data(show_spinner=False, max_entries=4)
def _drawings(folder: str, stamp: tuple | None) -> DrawingSet:
    # temporaries of killed saves go when the folder next changes (they are hidden)
    remove_stale_temporaries(Path(folder))
    return load_drawings(Path(folder))


@st.cache_resource(show_spinner=False)
def mnist_test() -> tuple:
    """(x_test uint8 (10000, 28, 28), y_test (10000,)): for showing test images by index."""
    _, _, x_test, y_test = load_mnist()
    return x_test, y_test


def test_probabilities(model: ModelInfo) -> np.ndarray:
    """(10000, 10) probabilities of `model` on the MNIST test set, computed once per version
    of the model file (a few seconds, in the prediction process)."""
    return _test_probabilities(file_stamp(model.path))


@st.cache_data(show_spinner="Testing the model on 10,000 MNIST digits…", max_entries=16)
def _test_probabilities(stamp: tuple) -> np.ndarray:
    return prediction_worker().test_set(Path(stamp[0]))


def drawings_probabilities(model: ModelInfo, drawings: DrawingSet) -> np.ndarray:
    """(N, 10) probabilities of `model` on the user's drawings, once per model version and
    set of drawings (drawing files never change, so their ids name the set)."""
    return _drawings_probabilities(file_stamp(model.path), tuple(drawings.ids), drawings.digits)


@st.cache_data(show_spinner=False, max_entries=64)
def _drawings_probabilities(stamp: tuple, ids: tuple, _digits: np.ndarray) -> np.ndarray:
    return prediction_worker().classify(Path(stamp[0]), _digits)


def untrained_answer(arch: str, seed: int, images: np.ndarray) -> Untrained:
    """What a new `arch` model built with `seed` answers for (N, 28, 28) `images` before
    training, computed once per architecture, seed and images, in the prediction process."""
    images = np.asarray(images, np.float32)
    return _untrained(arch, seed, hashlib.sha1(images.tobytes()).hexdigest(), images)


@st.cache_data(show_spinner="Asking an untrained model…", max_entries=32)
def _untrained(arch: str, seed: int, images_hash: str, _images: np.ndarray) -> Untrained:
    return prediction_worker().untrained(arch, seed, _images)


@st.cache_data(show_spinner=False, max_entries=4)
def _listing(models_dir: str, stamp: tuple) -> list[ModelInfo]:
    return list_models(Path(models_dir))


def mnist_problem() -> str | None:
    """Why the MNIST file can't be used (missing, corrupt, wrong arrays), or None if it can.

    Checked once per version of the file, and never by downloading: that would import
    Keras into the server and needs the internet.
    """
    path = mnist_path()
    stamp = (path.stat().st_mtime_ns, path.stat().st_size) if path.exists() else None
    return _mnist_problem(str(path), stamp)


@st.cache_data(show_spinner="Checking the MNIST data…", max_entries=2)
def _mnist_problem(path: str, stamp: tuple | None) -> str | None:
    try:
        load_mnist(path)
    except DataError as err:
        return str(err)
    return None


@st.cache_resource(show_spinner=False)
def training_runner() -> JobRunner:
    """The server's one training slot, shared by every tab and visitor."""
    return JobRunner()


def session_id() -> str | None:
    """This browser tab's session, to tell the person who started a training from viewers."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else None
