"""Test-set figures from a model's answers: accuracy, loss, accuracy per digit, confusion
matrix, mistakes. Pure functions of (N, 10) probabilities and labels, so the app computes
probabilities once (in its TensorFlow process, tf/predict.py) and the server the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Score:
    """How well a model reads a set of labelled images."""

    accuracy: float  # the share read right
    loss: float  # the mean cross-entropy: lower is better


def accuracy_and_loss(probs: np.ndarray, labels: np.ndarray) -> Score:
    """The Score of (N, 10) probabilities against (N,) labels (NaN for no images)."""
    labels = np.asarray(labels, np.int64)
    if len(labels) == 0:
        return Score(float("nan"), float("nan"))
    picked = probs[np.arange(len(labels)), labels]
    return Score(
        accuracy=round(float((probs.argmax(1) == labels).mean()), 6),
        loss=round(float(-np.log(np.clip(picked, 1e-12, 1)).mean()), 6),
    )


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """(10, 10) counts: row = true digit, column = predicted digit."""
    counts = np.zeros((10, 10), np.int64)
    np.add.at(counts, (np.asarray(labels, np.int64), np.asarray(predicted, np.int64)), 1)
    return counts


def per_digit_accuracy(confusion: np.ndarray) -> np.ndarray:
    """(10,) share of each true digit read right (NaN for a digit with no examples)."""
    totals = confusion.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(confusion) / totals, np.nan)


def mistakes(probs: np.ndarray, labels: np.ndarray, true: int, predicted: int) -> np.ndarray:
    """Indices of the images of digit `true` read as `predicted`, most confident first."""
    guess = probs.argmax(1)
    index = np.flatnonzero((np.asarray(labels) == true) & (guess == predicted))
    return index[np.argsort(-probs[index, predicted], kind="stable")]
