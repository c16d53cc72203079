"""Numbers composed from real pen digits, drawn as on the Draw page's wide canvas: what
bench/number_figures.py measures and the number tests read.

As the issue's "Measure" section says: 2-6 digits of one writer, each scaled to 70-100%
of a common height, each baseline moved by up to ±10% of that height, gaps between
neighbouring digits' ink boxes (the pen's width included) from -5% to +40% of the height
(so some boxes overlap and ink sometimes touches), drawn with the canvas's 20 px round
pen on 840×280 at a random place. The strokes are rendered by mnist_core.pendigits.render,
as every pen digit the project measures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from mnist_core.pendigits import PenDigits, render

WIDTH, HEIGHT = 840, 280  # the number canvas, pixels
PEN = 20  # the canvas's pen width, pixels
MARGIN = 4  # ink stays this far inside the canvas
HEIGHTS = (100.0, 180.0)  # the common height of a number's digits' strokes, before fitting
SIZES = (0.70, 1.00)  # each digit's height, a share of the common height
BASELINE = 0.10  # each baseline moves by up to this share of the common height
GAPS = (-0.05, 0.40)  # between neighbouring ink boxes, a share of the common height


@dataclass(frozen=True)
class ComposedNumber:
    """One composed number: the image and what is in it.

    image: (280, 840, 4) uint8 RGBA, white ink on black, as the canvas sends it.
    labels: each digit's label, left to right. picks: their indices in the PenDigits.
    boxes: each digit's own ink box [x0, y0, x1, y1] in image pixels, ends exclusive.
    touching: for each neighbouring pair, whether their ink touches.
    """

    image: np.ndarray
    labels: tuple[int, ...]
    picks: tuple[int, ...]
    boxes: tuple[tuple[int, int, int, int], ...]
    touching: tuple[bool, ...]

    @property
    def text(self) -> str:
        return "".join(map(str, self.labels))


def writers_digits(digits: PenDigits, at_least: int = 6) -> list[np.ndarray]:
    """The digit indices of each writer with `at_least` digits, writers in sorted order."""
    order = np.argsort(digits.writers, kind="stable")
    names, starts = np.unique(digits.writers[order], return_index=True)
    groups = np.split(order, starts[1:])
    return [g for g in groups if len(g) >= at_least]


def layout(strokes: list[list[np.ndarray]], rng: np.random.Generator) -> list[list[np.ndarray]]:
    """Each digit's strokes in canvas pixels, composed as the module docstring says."""
    n = len(strokes)
    sizes = rng.uniform(*SIZES, n)
    shifts = rng.uniform(-BASELINE, BASELINE, n)
    gaps = rng.uniform(*GAPS, max(n - 1, 0))
    height = rng.uniform(*HEIGHTS)
    while True:  # the largest common height up to the drawn one that fits the canvas
        placed, x = [], 0.0
        for k, digit in enumerate(strokes):
            every = np.concatenate(digit)
            low = every.min(axis=0)
            w, h = every.max(axis=0) - low
            scale = sizes[k] * height / max(h, 0.5 * w, 1e-6)  # a flat glyph by its width
            # the baseline: each digit's bottom on one line, moved by its shift
            offset = np.array([x, height * (1 + shifts[k]) - h * scale])
            placed.append([(s - low) * scale + offset for s in digit])
            if k < n - 1:
                x += w * scale + PEN + gaps[k] * height  # ink box to ink box, pen included
        every = np.concatenate([np.concatenate(d) for d in placed])
        low, high = every.min(axis=0) - PEN / 2, every.max(axis=0) + PEN / 2
        room = np.array([WIDTH, HEIGHT]) - 2 * MARGIN - (high - low)
        if (room >= 0).all():
            break
        height *= 0.95
    spot = MARGIN + rng.uniform(0, 1, 2) * room - low
    return [[s + spot for s in d] for d in placed]


def compose(
    digits: PenDigits, rng: np.random.Generator, length: int, writers: list[np.ndarray]
) -> ComposedNumber:
    """A `length`-digit number of one writer (drawn from `writers`, see writers_digits)."""
    own = writers[rng.integers(len(writers))]
    picks = rng.choice(own, length, replace=False)
    placed = layout([digits.strokes(i) for i in picks], rng)
    masks = [render(d, WIDTH, PEN, HEIGHT)[..., 0] > 0 for d in placed]
    boxes = []
    for mask in masks:
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        boxes.append((int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1))
    near = np.ones((3, 3), bool)
    touching = tuple(
        bool((ndimage.binary_dilation(a, near) & b).any()) for a, b in zip(masks, masks[1:])
    )
    image = render([s for d in placed for s in d], WIDTH, PEN, HEIGHT)
    return ComposedNumber(
        image=image,
        labels=tuple(int(digits.labels[i]) for i in picks),
        picks=tuple(int(i) for i in picks),
        boxes=tuple(boxes),
        touching=touching,
    )


def number_strokes(seed: int, length: int) -> tuple[str, list[np.ndarray]]:
    """A composed number of one writer of the dev pen digits, for drawing in a browser:
    (its text, its strokes in the number canvas's pixels)."""
    digits = PenDigits()
    rng = np.random.default_rng(seed)
    writers = writers_digits(digits)
    own = writers[rng.integers(100) % len(writers)]  # the draw of earlier seeds, kept
    picks = rng.choice(own, length, replace=False)
    placed = layout([digits.strokes(i) for i in picks], rng)
    return "".join(str(digits.labels[i]) for i in picks), [s for d in placed for s in d]
