"""Long-lived objects the pages share across reruns and sessions, and their caches.

Nothing here imports TensorFlow: predictions and training run in child processes (see
mnist_core.worker for why), so the Streamlit server stays quick to answer.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from mnist_core.atomic import remove_stale_temporaries
from mnist_core.data import DataError, load_mnist, mnist_path
from mnist_core.jobs import JobRunner
from mnist_core.store import (
    DEFAULT_MODEL,
    MODELS_DIR,
    ModelInfo,
    list_models,
    model_path,
)
from mnist_core.worker import PredictionWorker


@st.cache_resource(show_spinner=False)
def prediction_worker() -> PredictionWorker:
    """One TensorFlow process per server, started at first use with the default model."""
    return PredictionWorker(warm_model=model_path(DEFAULT_MODEL))


def saved_models(models_dir: Path = MODELS_DIR) -> list[ModelInfo]:
    """The models folder's listing, re-read only when a file in it changes.

    Temporaries left by a save that was killed (a crash, a kill -9) are removed first.
    """
    remove_stale_temporaries(models_dir)
    stamp = tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(Path(models_dir).glob("*"))
    )
    return _listing(str(models_dir), stamp)


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
