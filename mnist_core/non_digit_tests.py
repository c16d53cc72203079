"""The test set of marks that are no digit, and how many of them a model calls "not sure".

A model that is honest says "not sure" (below calibration.NOT_SURE_BELOW) to what is no
digit, or finds nothing to read at all (a dot). Measured on marks made apart from
training's: scribbles and lone lines of other lengths and angles (handwriting.TESTING),
back-and-forth hatching and pen touches (never trained on), and shapes.TEST_MARKS
(letters and shapes in another hand, held-out letters, triangles and squares). Every mark
is drawn with the page's pen at a random size and spot and preprocessed as the page does.

Used by bench/writers_figures.py and by every fine-tune, which compares the model it
starts from with its result on the same set. Pure numpy; no TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calibration import not_sure_share
from .handwriting import TESTING, distorted, lone_line, scribble
from .pen_training import CANVAS, PAGE_PEN, drawing_input
from .pendigits import render
from .preprocess import canvas_to_mnist
from .shapes import TEST_HAND, TEST_MARKS, polyline

SEED = 2026  # never a training seed
LETTER_KINDS = ("letter", "letter_never_trained")


def hatching(rng) -> list:
    """A scribble of another kind than training's: quick back-and-forth strokes."""
    turns = int(rng.integers(4, 12))
    xs = np.where(np.arange(turns) % 2 == 0, 0.0, 1.0) + rng.normal(0, 0.08, turns)
    ys = np.linspace(0, rng.uniform(0.3, 1.0), turns) + rng.normal(0, 0.04, turns)
    return distorted([polyline(np.column_stack([xs, ys]), rng, TEST_HAND)], rng, 1.5)


def dots(rng) -> np.ndarray | None:
    """One to three pen touches anywhere on the canvas, drawn at their real size (placing
    them like a digit would blow them up into lines), then preprocessed."""
    touches = [np.array([xy, xy + rng.uniform(0, 4, 2)]) for xy in rng.uniform(30, 250, (3, 2))]
    return canvas_to_mnist(render(touches[: rng.integers(1, 4)], CANVAS, PAGE_PEN))


# Each kind's maker of strokes; dots are made apart (drawn at their real size).
STROKE_KINDS = {
    "scribble": lambda rng: scribble(rng, TESTING),
    "hatching": hatching,
    "lone_line": lambda rng: lone_line(rng, TESTING),
    **TEST_MARKS,
}


@dataclass(frozen=True)
class NonDigitSet:
    """Model inputs per kind of mark: images (N, 28, 28) float32 in [0, 1], and how many
    marks of the kind preprocessed to nothing (nothing to read counts as "not sure")."""

    images: dict[str, np.ndarray]
    nothing: dict[str, int]

    @classmethod
    def make(cls, per_kind: int, seed: int = SEED) -> NonDigitSet:
        """`per_kind` marks of every kind, each drawn once."""
        rng = np.random.default_rng(seed)
        images, nothing = {}, {}
        for kind, make in STROKE_KINDS.items():
            drawn = [drawing_input(make(rng), rng, PAGE_PEN) for _ in range(per_kind)]
            images[kind], nothing[kind] = _kept(drawn)
        images["dots"], nothing["dots"] = _kept([dots(rng) for _ in range(per_kind)])
        return cls(images, nothing)

    def all_images(self) -> np.ndarray:
        """Every kind's images in one (N, 28, 28) array, kinds in order."""
        return np.concatenate(list(self.images.values()))

    def not_sure(self, probs: np.ndarray) -> dict[str, float]:
        """{kind: share answered "not sure"}, plus "letters" (both letter kinds) and "all"
        (every mark), from `probs` (N, 10): a model's answers to all_images(), in order."""
        shares, counts, start = {}, {}, 0
        low = {}
        for kind, x in self.images.items():
            answers = probs[start : start + len(x)]
            start += len(x)
            shares[kind] = round(not_sure_share(answers, self.nothing[kind]), 4)
            counts[kind] = len(x) + self.nothing[kind]
            low[kind] = shares[kind] * counts[kind]
        for name, kinds in (("letters", LETTER_KINDS), ("all", tuple(self.images))):
            total = sum(counts[k] for k in kinds)
            shares[name] = round(sum(low[k] for k in kinds) / total, 4) if total else 0.0
        return shares


def _kept(drawn) -> tuple[np.ndarray, int]:
    kept = [x for x in drawn if x is not None]
    images = np.stack(kept).astype(np.float32) if kept else np.zeros((0, 28, 28), np.float32)
    return images, len(drawn) - len(kept)
