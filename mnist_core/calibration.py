"""Honest confidence: a temperature that makes shown probabilities match how often the
model is right, and the measures of whether they do.

A network trained to low loss on MNIST is over-confident on drawings unlike MNIST: it
said "99%" for digits it read wrong. Dividing its logits by one number T > 1 fitted on
drawings by writers it never trained on (temperature scaling, Guo et al. 2017) keeps every
answer the same and only makes the stated confidence match the hit rate.

Pure numpy; no TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Below this confidence the page says "not sure" instead of presenting a digit as read.
NOT_SURE_BELOW = 0.5
CONFIDENT = 0.9  # "shown as confident": the share of wrong answers at or above this matters
# The temperatures searched: from 1 up. A set of held-out digits can show that a model
# is over-confident on digits, but holds no scribbles or letters, so it cannot show that
# sharpening (T < 1) is safe for everything people draw: leaving one source of writers out,
# models fitted T of 0.4-0.55 and then answered 22-25% of non-digits with a confident digit,
# against 9% for a T above 1.
TEMPERATURES = np.exp(np.linspace(0.0, np.log(8.0), 300))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of (N, 10) logits → probabilities summing to 1 per row."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise log-probabilities of (N, 10) logits."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def negative_log_likelihood(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    """Mean cross-entropy of softmax(logits / temperature) against integer labels."""
    log_p = log_softmax(np.asarray(logits, np.float64) / temperature)
    return float(-log_p[np.arange(len(labels)), labels].mean())


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The T ≥ 1 in TEMPERATURES that minimises the held-out cross-entropy of logits / T.

    logits (N, 10) float, labels (N,) ints 0-9; N ≥ 1.
    """
    labels = np.asarray(labels, np.int64)
    losses = [negative_log_likelihood(logits, labels, t) for t in TEMPERATURES]
    return round(float(TEMPERATURES[int(np.argmin(losses))]), 4)


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = 15) -> float:
    """Mean |confidence − accuracy| over equal-width confidence bins, weighted by their size."""
    confidence = probs.max(axis=1)
    right = probs.argmax(axis=1) == np.asarray(labels)
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    gap = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            gap += members.mean() * abs(confidence[members].mean() - right[members].mean())
    return float(gap)


@dataclass(frozen=True)
class Honesty:
    """How a model's confidence on labelled drawings matches its answers."""

    drawings: int
    accuracy: float
    calibration_error: float  # expected calibration error, 0 is perfect
    confidently_wrong: float  # share of all drawings read wrong with ≥ CONFIDENT
    right_and_sure: float  # share of the right answers at or above NOT_SURE_BELOW

    @classmethod
    def of(cls, probs: np.ndarray, labels: np.ndarray) -> Honesty:
        labels = np.asarray(labels)
        confidence = probs.max(axis=1)
        right = probs.argmax(axis=1) == labels
        return cls(
            drawings=len(labels),
            accuracy=round(float(right.mean()), 4),
            calibration_error=round(expected_calibration_error(probs, labels), 4),
            confidently_wrong=round(float((~right & (confidence >= CONFIDENT)).mean()), 4),
            right_and_sure=round(float((confidence[right] >= NOT_SURE_BELOW).mean()), 4),
        )


def not_sure_share(probs: np.ndarray | None, nothing: int = 0) -> float:
    """Share of marks that are no digit answered "not sure": below NOT_SURE_BELOW, or with
    nothing to predict at all (`nothing` of them, e.g. a dot preprocessing removed)."""
    low = 0 if probs is None else int((probs.max(axis=1) < NOT_SURE_BELOW).sum())
    total = (0 if probs is None else len(probs)) + nothing
    return (low + nothing) / total if total else float("nan")
