"""Real pen digits replayed for measuring how well the app reads what people draw, which
MNIST test accuracy does not tell: a rendered sample, and digits placed in a corner.

The digits, `place` and `render` are mnist_core.pendigits's, the same that the bundled
model learns from.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mnist_core.pendigits import PenDigits, render, scaled


def rendered_sample(n: int, seed: int = 0, path: Path | str | None = None):
    """(images (n, 280, 280, 4) uint8, labels (n,)) for n random digits, reproducibly."""
    digits = PenDigits(path)
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(digits), n, replace=False)
    images = np.stack([render(digits.placed(i, rng)) for i in pick])
    return images, digits.labels[pick]


def placed_in_corner(
    digits: PenDigits, i: int, corner: str, rng: np.random.Generator, canvas: float = 280
) -> list[np.ndarray]:
    """Digit i's strokes in canvas pixels, 45-60% of the side, its box 4% of the side
    from both edges of one `corner`: "top left", "top right", "bottom left" or
    "bottom right"."""
    strokes, extent = scaled(digits.strokes(i), rng.uniform(0.45, 0.6) * canvas, canvas)
    vertical, horizontal = corner.split()
    margin = 0.04 * canvas
    far = canvas - margin - extent
    offset = np.array(
        [margin if horizontal == "left" else far[0], margin if vertical == "top" else far[1]]
    )
    return [s + offset for s in strokes]
