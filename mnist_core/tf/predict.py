"""Run saved models: load them (safe mode, once per file version), and turn images into
digit probabilities fast enough to answer every stroke; test-set accuracy and loss.

`model.predict` costs ~85 ms a call (it builds a dataset each time); `predict_on_batch`
runs the compiled step directly, under 1 ms for one image.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import keras
import numpy as np

from ..calibration import softmax
from ..data import to_float
from ..evaluation import Score, accuracy_and_loss
from ..preprocess import model_input
from ..store import ModelError, inspect


def load_model(path: Path) -> keras.Model:
    """The Keras model in `path` (safe mode), checked to map 28×28 images to 10 logits."""
    info = inspect(Path(path))
    if not info.usable:
        raise ModelError(f"{info.path.name}: {info.error}")
    try:
        # compile=False: predicting needs no loss or optimizer, and training compiles anew
        model = keras.saving.load_model(path, safe_mode=True, compile=False)
    except Exception as err:
        raise ModelError(f"{Path(path).name}: cannot be loaded ({err})") from err
    if tuple(model.output_shape) != (None, 10):
        raise ModelError(f"{Path(path).name}: outputs {model.output_shape}, not 10 digit scores")
    return model


def cached_model(path: str | os.PathLike) -> keras.Model:
    """The model in `path`, loaded once per version of the file (reloaded after a re-save)."""
    p = Path(path).resolve()
    stat = p.stat()
    return _load(p, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int, size: int) -> keras.Model:
    return load_model(path)


def probabilities(model, images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) or (28, 28) floats in [0, 1] → (N, 10) float64 probabilities."""
    return softmax(np.asarray(model.predict_on_batch(model_input(images)), dtype=np.float64))


def classify(model, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """(N, 28, 28) images → (N, 10) probabilities, in batches (for evaluating many)."""
    return softmax(scores(model, images, batch_size))


def scores(model, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """(N, 28, 28) images → (N, 10) float64 logits, the model's raw output, in batches."""
    parts = [
        np.asarray(model.predict_on_batch(model_input(images[i : i + batch_size])), np.float64)
        for i in range(0, len(images), batch_size)
    ]
    return np.concatenate(parts) if parts else np.zeros((0, 10))


def evaluate(model, x_test: np.ndarray, y_test: np.ndarray) -> Score:
    """The Score of `model` on uint8 images (N, 28, 28) with labels (N,)."""
    return accuracy_and_loss(classify(model, to_float(x_test)), y_test)
