"""Handwriting styles that MNIST (US writers) barely has, added to training copies of digits.

Many people cross their 7s, slash their 0s, and give their 1 a long flag and a foot; a
model that never saw those reads a crossed 7 as a 2 and a footed 1 as a 2. Each function
here draws the extra stroke onto an MNIST digit where that writer would put it, and the
result is normalised again the way every input is (20×20 box, centre of mass).
Pure numpy/PIL; used by training when augmentation is on.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from .preprocess import canvas_to_mnist

UPSCALE = 4  # draw at 112×112 so the added strokes are anti-aliased like the rest


def _extent(digit: np.ndarray):
    rows = np.flatnonzero((digit > 0.3).any(axis=1))
    cols = np.flatnonzero((digit > 0.3).any(axis=0))
    return rows[0], rows[-1], cols[0], cols[-1]


def _ink_centre(digit: np.ndarray, row: int) -> float:
    cols = np.flatnonzero(digit[row] > 0.3)
    return float(cols.mean()) if cols.size else float(digit.shape[1] / 2)


def _with_strokes(digit: np.ndarray, lines, width: float) -> np.ndarray:
    """`digit` with straight strokes [(x0, y0, x1, y1), ...] (28×28 coordinates) added."""
    side = digit.shape[0] * UPSCALE
    layer = Image.new("L", (side, side))
    draw = ImageDraw.Draw(layer)
    for x0, y0, x1, y1 in lines:
        draw.line(
            [(x0 * UPSCALE, y0 * UPSCALE), (x1 * UPSCALE, y1 * UPSCALE)],
            fill=255,
            width=max(1, round(width * UPSCALE)),
        )
    strokes = np.asarray(layer.resize(digit.shape[::-1], Image.BOX), dtype=np.float32) / 255
    result = canvas_to_mnist(np.maximum(digit, strokes))
    return digit if result is None else result


def cross_seven(digit, rng):
    """A bar across the stem of a 7, a little below the middle."""
    top, bottom, left, right = _extent(digit)
    row = int(top + rng.uniform(0.45, 0.6) * (bottom - top))
    centre = _ink_centre(digit, row)
    half = rng.uniform(0.18, 0.32) * max(right - left, 8)
    tilt = rng.uniform(-1, 1)
    return _with_strokes(
        digit, [(centre - half, row + tilt, centre + half, row - tilt)], rng.uniform(1.6, 2.6)
    )


def slash_zero(digit, rng):
    """A diagonal through a 0, from lower left to upper right."""
    top, bottom, left, right = _extent(digit)
    inset = rng.uniform(-0.05, 0.15)
    w, h = right - left, bottom - top
    return _with_strokes(
        digit,
        [(left + inset * w, bottom - inset * h, right - inset * w, top + inset * h)],
        rng.uniform(1.6, 2.6),
    )


def foot_and_flag(digit, rng):
    """A 1 with a flag from its top down to the left, and (often) a foot along its base."""
    top, bottom, _, _ = _extent(digit)
    h = bottom - top
    x_top, x_bottom = _ink_centre(digit, top), _ink_centre(digit, bottom)
    flag = rng.uniform(0.25, 0.5) * h
    angle = np.radians(rng.uniform(20, 55))  # below the horizontal
    lines = [(x_top, top, x_top - flag * np.cos(angle), top + flag * np.sin(angle))]
    if rng.random() < 0.7:
        half = rng.uniform(0.2, 0.35) * h
        lines.append((x_bottom - half, bottom, x_bottom + half, bottom))
    return _with_strokes(digit, lines, rng.uniform(1.6, 2.6))


STYLES = {7: cross_seven, 0: slash_zero, 1: foot_and_flag}


def add_style_variants(x: np.ndarray, y: np.ndarray, fraction: float = 0.15, seed: int = 0):
    """(x, y) plus restyled copies of `fraction` of each styled digit's images.

    x: (N, 28, 28) float32 in [0, 1]; y: (N,) labels. Returns new arrays, originals first.
    """
    rng = np.random.default_rng(seed)
    extra_x, extra_y = [], []
    for label, restyle in STYLES.items():
        members = np.flatnonzero(y == label)
        for i in rng.choice(members, int(len(members) * fraction), replace=False):
            extra_x.append(restyle(x[i], rng))
            extra_y.append(label)
    if not extra_x:
        return x, y
    return np.concatenate([x, np.stack(extra_x)]), np.concatenate([y, np.array(extra_y, y.dtype)])
