"""Test-set figures for a model: accuracy and mean cross-entropy loss."""

from __future__ import annotations

import numpy as np

from .data import to_float
from .predict import classify


def evaluate(model, x_test: np.ndarray, y_test: np.ndarray) -> dict:
    """{"accuracy", "loss"} of `model` on uint8 images (N, 28, 28) with labels (N,)."""
    probs = classify(model, to_float(x_test))
    picked = probs[np.arange(len(y_test)), y_test]
    return {
        "accuracy": round(float((probs.argmax(1) == y_test).mean()), 6),
        "loss": round(float(-np.log(np.clip(picked, 1e-12, 1)).mean()), 6),
    }
