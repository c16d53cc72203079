"""Marks people draw that are no digit: capital letters, faces, stars, arrows, hearts.

A teacher tests the app by drawing a letter; a child draws a smiley. The model should say
"not sure" to them, so the bundled model trains on some of these as NOT_A_DIGIT
(handwriting.NOT_DIGITS), and `test_marks` makes a separate set to measure that with: other
seeds, another hand (its own tremor, proportions and slant), and kinds training never saw
(the letters in HELD_OUT_LETTERS, triangles and squares), reported apart.

Letters a digit shares its shape with are left out of both, since a reader could rightly
answer the digit: O (0), I (1), Z (2), S (5), G (6), B (8), Q (a slashed 0).

Strokes as in handwriting.py: lists of (P, 2) float arrays, x right and y down, in a unit
box. Pure numpy; randomness from the `rng` passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .handwriting import Strokes, distorted

# Capital letters as polylines in a unit box (y down), the way most people write them.
LETTERS = {
    "A": [[(0, 1), (0.5, 0), (1, 1)], [(0.22, 0.6), (0.78, 0.6)]],
    "C": [[(0.95, 0.15), (0.6, 0), (0.25, 0.08), (0, 0.5), (0.25, 0.92), (0.6, 1), (0.95, 0.85)]],
    "D": [[(0, 0), (0, 1)], [(0, 0), (0.55, 0.05), (0.95, 0.5), (0.55, 0.95), (0, 1)]],
    "E": [[(1, 0), (0, 0), (0, 1), (1, 1)], [(0, 0.5), (0.7, 0.5)]],
    "F": [[(1, 0), (0, 0), (0, 1)], [(0, 0.5), (0.7, 0.5)]],
    "H": [[(0, 0), (0, 1)], [(1, 0), (1, 1)], [(0, 0.5), (1, 0.5)]],
    "J": [[(0.2, 0), (1, 0)], [(0.65, 0), (0.65, 0.8), (0.45, 1), (0.15, 0.95), (0, 0.75)]],
    "K": [[(0, 0), (0, 1)], [(1, 0), (0, 0.55), (1, 1)]],
    "L": [[(0, 0), (0, 1), (0.9, 1)]],
    "M": [[(0, 1), (0, 0), (0.5, 0.6), (1, 0), (1, 1)]],
    "N": [[(0, 1), (0, 0), (1, 1), (1, 0)]],
    "P": [[(0, 1), (0, 0), (0.75, 0), (1, 0.22), (0.75, 0.45), (0, 0.45)]],
    "R": [[(0, 1), (0, 0), (0.8, 0), (0.95, 0.25), (0.8, 0.5), (0, 0.5)], [(0.4, 0.5), (1, 1)]],
    "T": [[(0, 0), (1, 0)], [(0.5, 0), (0.5, 1)]],
    "U": [[(0, 0), (0, 0.7), (0.25, 1), (0.75, 1), (1, 0.7), (1, 0)]],
    "V": [[(0, 0), (0.5, 1), (1, 0)]],
    "W": [[(0, 0), (0.25, 1), (0.5, 0.4), (0.75, 1), (1, 0)]],
    "X": [[(0, 0), (1, 1)], [(1, 0), (0, 1)]],
    "Y": [[(0, 0), (0.5, 0.5), (1, 0)], [(0.5, 0.5), (0.5, 1)]],
}
# Never in training: the test set's letters a model can only refuse by what it learnt of
# other letters (they were the first letters the app was tested on, before any trained).
HELD_OUT_LETTERS = ("E", "K", "N", "R", "X")
TRAINED_LETTERS = tuple(name for name in LETTERS if name not in HELD_OUT_LETTERS)


@dataclass(frozen=True)
class Hand:
    """How one hand draws the marks: its tremor, how far a letter's width strays from the
    template's, how dense its pen samples are, and how much it slants and turns."""

    tremor: float  # the pen's wobble, times the mark's size
    width: tuple[float, float]  # a letter's width, times its height
    points_per_unit: int
    distortion: float  # handwriting.distorted's amount


TRAINING_HAND = Hand(tremor=0.012, width=(0.55, 1.1), points_per_unit=18, distortion=1.2)
TEST_HAND = Hand(tremor=0.008, width=(0.6, 1.0), points_per_unit=24, distortion=0.8)


def polyline(corners, rng, hand: Hand) -> np.ndarray:
    """A pen stroke through `corners`, sampled as the hand samples it, with its tremor."""
    corners = np.asarray(corners, np.float64)
    parts = [
        np.linspace(a, b, max(2, int(hand.points_per_unit * np.hypot(*(b - a)))))
        for a, b in zip(corners[:-1], corners[1:])
    ]
    stroke = np.concatenate(parts)
    return stroke + rng.normal(0, hand.tremor, stroke.shape)


def arc(centre, radius, start: float, end: float, rng, hand: Hand) -> np.ndarray:
    """A pen stroke along an ellipse from angle `start` to `end` (radians, y down)."""
    n = max(8, int(hand.points_per_unit * abs(end - start) * max(radius)))
    t = np.linspace(start, end, n)
    stroke = np.column_stack([centre[0] + radius[0] * np.cos(t), centre[1] + radius[1] * np.sin(t)])
    return stroke + rng.normal(0, hand.tremor, stroke.shape)


def letter(rng, hand: Hand, names: tuple[str, ...]) -> Strokes:
    """One of the capital letters `names`, in the hand's proportions and slant."""
    name = names[rng.integers(len(names))]
    width = rng.uniform(*hand.width)
    return distorted(
        [polyline(c, rng, hand) * (width, 1.0) for c in LETTERS[name]], rng, hand.distortion
    )


def smiley(rng, hand: Hand) -> Strokes:
    """A face: a round outline, a smiling (or flat) mouth, and two eyes as pen touches
    (which the page's preprocessing drops as stray dots, leaving outline and mouth)."""
    squash = rng.uniform(0.85, 1.15)
    start = rng.uniform(0, 2 * np.pi)
    face = arc(
        (0.5, 0.5),
        (0.5 * squash, 0.5),
        start,
        start + 2 * np.pi * rng.uniform(0.95, 1.05),
        rng,
        hand,
    )
    smile = rng.uniform(0.05, 0.35)
    mouth = arc((0.5, 0.55 - smile / 2), (0.25, smile), 0.15 * np.pi, 0.85 * np.pi, rng, hand)
    eyes = [np.array([[x, 0.35], [x + 0.01, 0.36]]) for x in (0.35, 0.65)]
    strokes = [face, mouth, *eyes] if rng.random() < 0.8 else [face, mouth]
    return distorted(strokes, rng, hand.distortion)


def star(rng, hand: Hand) -> Strokes:
    """A five-pointed star in one stroke (or, sometimes, an asterisk of three lines)."""
    if rng.random() < 0.25:
        turns = rng.uniform(0, np.pi / 3)
        lines = [
            polyline(
                [
                    (0.5 - 0.5 * np.cos(a), 0.5 - 0.5 * np.sin(a)),
                    (0.5 + 0.5 * np.cos(a), 0.5 + 0.5 * np.sin(a)),
                ],
                rng,
                hand,
            )
            for a in turns + np.arange(3) * np.pi / 3
        ]
        return distorted(lines, rng, hand.distortion)
    angles = -np.pi / 2 + np.arange(6) * 4 * np.pi / 5 + rng.normal(0, 0.05, 6)
    corners = np.column_stack([0.5 + 0.5 * np.cos(angles), 0.5 + 0.5 * np.sin(angles)])
    return distorted([polyline(corners, rng, hand)], rng, hand.distortion)


def arrow(rng, hand: Hand) -> Strokes:
    """A straight arrow pointing any way, its head two short strokes (or one bent one)."""
    angle = rng.uniform(0, 2 * np.pi)
    direction = np.array([np.cos(angle), np.sin(angle)])
    tail, tip = 0.5 - direction / 2, 0.5 + direction / 2
    head = rng.uniform(0.2, 0.4)
    spread = np.radians(rng.uniform(25, 45))
    sides = [
        tip - head * np.array([np.cos(angle + s), np.sin(angle + s)]) for s in (spread, -spread)
    ]
    shaft = polyline([tail, tip], rng, hand)
    if rng.random() < 0.5:
        return distorted(
            [shaft, polyline([sides[0], tip, sides[1]], rng, hand)], rng, hand.distortion
        )
    return distorted(
        [shaft, polyline([tip, sides[0]], rng, hand), polyline([tip, sides[1]], rng, hand)],
        rng,
        hand.distortion,
    )


def heart(rng, hand: Hand) -> Strokes:
    """A heart in one stroke: two lobes meeting in a point at the bottom."""
    t = np.linspace(0, 2 * np.pi, 3 * hand.points_per_unit)
    x = 16 * np.sin(t) ** 3
    y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
    points = np.column_stack([x, y])
    points = (points - points.min(axis=0)) / np.ptp(points, axis=0).max()
    return distorted([points + rng.normal(0, hand.tremor, points.shape)], rng, hand.distortion)


def polygon(rng, hand: Hand, sides: int) -> Strokes:
    """A closed triangle or square (never in training: measured as shapes it never saw)."""
    turn = rng.uniform(-0.2, 0.2) + (np.pi / 4 if sides == 4 else -np.pi / 2)
    angles = turn + np.arange(sides + 1) * 2 * np.pi / sides
    corners = np.column_stack([0.5 + 0.5 * np.cos(angles), 0.5 + 0.5 * np.sin(angles)])
    return distorted([polyline(corners, rng, hand)], rng, hand.distortion)


def training_mark(rng) -> Strokes:
    """A mark for training as no digit: a letter of TRAINED_LETTERS, a smiley, a star, an
    arrow or a heart, in the training hand."""
    kind = rng.integers(5)
    if kind == 0:
        return letter(rng, TRAINING_HAND, TRAINED_LETTERS)
    return (smiley, star, arrow, heart)[kind - 1](rng, TRAINING_HAND)


# The test set's kinds, each a maker of strokes in the test hand.
TEST_MARKS = {
    "letter": lambda rng: letter(rng, TEST_HAND, TRAINED_LETTERS),
    "letter_never_trained": lambda rng: letter(rng, TEST_HAND, HELD_OUT_LETTERS),
    "smiley": lambda rng: smiley(rng, TEST_HAND),
    "star": lambda rng: star(rng, TEST_HAND),
    "arrow": lambda rng: arrow(rng, TEST_HAND),
    "heart": lambda rng: heart(rng, TEST_HAND),
    "triangle_or_square": lambda rng: polygon(rng, TEST_HAND, int(rng.choice([3, 4]))),
}
