"""Why a model gave its answer, as plain data and numpy (no TensorFlow): which ink of the
drawing pushed towards the answer and which towards the runner-up, the check that the map
tells the truth (deleting the ink it ranks highest must hurt the answer more than deleting
ink at random), and the training images the drawing looks most like to the model.

tf/explain.py computes these on a Keras model; the records cross from the prediction
process to the server as they are (unpickling them needs no Keras).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

SMOOTHING = 1.0  # pixels: the Gaussian blur that makes a map read as strokes (see on_ink)
DELETED_SHARE = 0.1  # of the ink pixels, in the deletion check
RANDOM_DRAWS = 8  # random deletions averaged: one alone is a noisy yardstick
NEIGHBOURS = 8


@dataclass(frozen=True)
class Deletion:
    """The answer's probability before, after deleting the share of ink pixels the map
    ranks highest, and after deleting as many at random (averaged over RANDOM_DRAWS)."""

    answer: float
    after_top_10: float
    after_random_10: float


@dataclass(frozen=True)
class Evidence:
    """Which ink made the answer: `map` (28, 28) float32, positive where the ink pushed
    towards `digit`, negative where it pushed towards `runner_up`, 0 off the ink; in
    logits: about how much the answer's lead over the runner-up would fall without that
    pixel's ink, blurred by a pixel (tf/explain.py says how it is estimated)."""

    digit: int
    runner_up: int
    map: np.ndarray
    deletion: Deletion


@dataclass(frozen=True)
class Neighbours:
    """The training images nearest to a drawing in the model's last hidden layer, nearest
    first: their `indices` into MNIST's training set (K,), `labels` (K,) and `images`
    (K, 28, 28) uint8 as in the file."""

    indices: np.ndarray
    labels: np.ndarray
    images: np.ndarray


@dataclass(frozen=True)
class Why:
    """Everything the explainer shows on why the model answered what it did."""

    evidence: Evidence
    neighbours: Neighbours


def ink_pixels(digit: np.ndarray) -> np.ndarray:
    """(K,) flat indices of the ink of a (28, 28) input in [0, 1]: every pixel above 0."""
    return np.flatnonzero(np.asarray(digit).ravel() > 0)


def on_ink(heat: np.ndarray, digit: np.ndarray, sigma: float = SMOOTHING) -> np.ndarray:
    """(28, 28) float32: `heat` blurred by a Gaussian of `sigma` pixels and kept on the
    ink of `digit` (0 elsewhere). Per pixel, a gradient alternates red and blue along a
    stroke, which reads as noise; blurred by a pixel, whole strokes show, and the map
    stays about as faithful (bench/explain_figures.py measures both; at 1.5 pixels, the
    deletion check's ratio fell from 6.1 to 5.0 on 150 pen drawings)."""
    blurred = ndimage.gaussian_filter(np.asarray(heat, np.float32), sigma) if sigma else heat
    return np.where(np.asarray(digit) > 0, blurred, 0).astype(np.float32)


def deleted_count(ink: int, share: float = DELETED_SHARE) -> int:
    """How many of `ink` pixels a deletion of `share` removes: at least one, if any."""
    return min(ink, max(1, round(share * ink)))


def top_ink(evidence: np.ndarray, digit: np.ndarray, share: float = DELETED_SHARE) -> np.ndarray:
    """Flat indices of the `share` of the ink pixels with the highest evidence, highest
    first (ties in pixel order)."""
    ink = ink_pixels(digit)
    order = np.argsort(-np.asarray(evidence).ravel()[ink], kind="stable")
    return ink[order[: deleted_count(len(ink), share)]]


def random_ink(
    digit: np.ndarray, rng: np.random.Generator, share: float = DELETED_SHARE
) -> np.ndarray:
    """Flat indices of a random `share` of the ink pixels."""
    ink = ink_pixels(digit)
    return rng.choice(ink, deleted_count(len(ink), share), replace=False)


def without(digit: np.ndarray, pixels: np.ndarray) -> np.ndarray:
    """A (28, 28) copy of `digit` with the flat `pixels` set to 0 (the ink deleted)."""
    out = np.array(digit, np.float32, copy=True)
    out.ravel()[pixels] = 0
    return out


def nearest(embeddings: np.ndarray, query: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
    """(k,) rows of `embeddings` (N, D) nearest to `query` (D,) in Euclidean distance,
    nearest first."""
    # |e - q|² = |e|² - 2 e·q + |q|²; the last term is the same for all rows
    distance = np.einsum("nd,nd->n", embeddings, embeddings) - 2 * embeddings @ query
    best = np.argpartition(distance, k)[:k] if len(distance) > k else np.arange(len(distance))
    return best[np.argsort(distance[best], kind="stable")]


@dataclass(frozen=True)
class Faithfulness:
    """The deletion check over many drawings: mean probabilities of the answer before and
    after each deletion, and `ratio`, how many times more the top-ranked deletion lowers
    it than the random one (the map is faithful at 2 or more)."""

    drawings: int
    answer: float
    after_top_10: float
    after_random_10: float
    ratio: float


def faithfulness(deletions: list[Deletion]) -> Faithfulness:
    """The deletion checks of many drawings summed up (see Faithfulness)."""
    answer, top, rand = (
        float(np.mean([getattr(d, field) for d in deletions]))
        for field in ("answer", "after_top_10", "after_random_10")
    )
    return Faithfulness(
        len(deletions), answer, top, rand, (answer - top) / max(answer - rand, 1e-12)
    )
