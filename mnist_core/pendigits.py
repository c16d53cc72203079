"""Real pen-drawn digits (UNIPEN strokes) as canvas drawings: the bundled model learns
from them (mnist_core.pen_training); testkit.pen_replay replays them for measuring.

The file (data/pen_digits_dev.npz, or $PEN_DIGITS) keeps each digit as strokes
scaled to 0..1; `placed` puts one on a canvas at a random size (45-85% of the side) and
spot, and `render` draws it white on black with a round pen, as a person draws on the page.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from .data import PROJECT_DIR

# Shipped with the project (data/, UNIPEN, CC BY 4.0): the bundled model learns from it.
DEFAULT_PATH = PROJECT_DIR / "data" / "pen_digits_dev.npz"


def pen_digits_path() -> Path:
    return Path(os.environ.get("PEN_DIGITS") or DEFAULT_PATH)


class PenDigits:
    """Digits as strokes: labels (N,), writers (N,), and each digit's list of (P, 2) strokes."""

    def __init__(self, path: Path | str | None = None):
        with np.load(path or pen_digits_path()) as d:
            self.labels = d["labels"]
            self.writers = d["writers"]
            points = d["points"]
            stroke_ends = np.cumsum(d["stroke_lens"])
            digit_ends = np.cumsum(d["digit_nstrokes"])
        strokes = np.split(points, stroke_ends[:-1])
        self._strokes = np.split(np.array(strokes, dtype=object), digit_ends[:-1])

    def __len__(self) -> int:
        return len(self.labels)

    def strokes(self, i: int) -> list[np.ndarray]:
        return list(self._strokes[i])

    def sources(self) -> np.ndarray:
        """(N,) the source of each digit's writer file: 'syn', 'ced', 'aga' or 'imp'."""
        return np.array([w.split("/", 1)[0] for w in self.writers])

    def placed(self, i: int, rng: np.random.Generator, canvas: float = 280) -> list[np.ndarray]:
        """Digit i's strokes in canvas pixels: height 45-85% of the side, random spot."""
        return place(self.strokes(i), rng, canvas)


def place(strokes: list[np.ndarray], rng: np.random.Generator, canvas: float = 280):
    """Strokes moved into canvas pixels: the longer side 45-85% of the canvas side, at a
    random spot at least 20 px from the edges."""
    strokes, extent = scaled(strokes, rng.uniform(0.45, 0.85) * canvas, canvas)
    margin = 20
    offset = np.array([rng.uniform(margin, max(margin, canvas - margin - e)) for e in extent])
    return [s + offset for s in strokes]


def scaled(strokes, size: float, canvas: float) -> tuple[list[np.ndarray], np.ndarray]:
    """The strokes, their larger side `size` (a very flat glyph is not blown up to the full
    height), from (0, 0); and their (width, height)."""
    every = np.concatenate(strokes)
    low = every.min(axis=0)
    w, h = every.max(axis=0) - low
    scale = size / max(w, h, 1e-6)
    if h < w * 0.5:
        scale = min(scale, 0.85 * canvas / max(w, 1e-6))
    return [(s - low) * scale for s in strokes], np.array([w, h]) * scale


def render(
    strokes: list[np.ndarray], canvas: int = 280, pen: int = 20, height: int | None = None
) -> np.ndarray:
    """(height, canvas, 4) uint8 RGBA: white round-pen strokes on black, like the canvas;
    square (height = canvas) unless `height` is given, as for the number canvas."""
    im = Image.new("RGBA", (canvas, canvas if height is None else height), (0, 0, 0, 255))
    draw = ImageDraw.Draw(im)
    r = pen / 2
    for stroke in strokes:
        points = [tuple(map(float, p)) for p in stroke]
        draw.line(points * (2 if len(points) == 1 else 1), fill="white", width=pen, joint="curve")
        for x, y in (points[0], points[-1]):
            draw.ellipse([x - r, y - r, x + r, y + r], fill="white")
    return np.asarray(im)
