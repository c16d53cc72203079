"""Split a drawn number into its digits, each prepared exactly like a single drawing.

The ink (preprocess.ink_image) falls into connected parts. Specks and pen dots are
dropped. Parts at least half as tall as the tallest are grouped by their columns: one
whose span (less the pen's width) lies mostly within another's (a crossed 7, a slashed 0)
is the same digit, while neighbours whose ink boxes merely overlap (slant, tight spacing)
keep apart. Every digit of a number is about as tall as the others, so a shorter part
is a piece of one (a 5's separate top bar, a 1's foot, a 4's first stroke) and joins the
group whose columns it overlaps most, or the nearest. A group of a number wider than one
digit usually is (MAY_TOUCH) may be digits whose ink touches: it also gets options cut in
two, each along the path from its top to its bottom that crosses least ink near a start
column (cut_paths: round the slant or overlap of two digits, through the point where they
touch), and number_reading lets the model choose (a group drawn alone is its whole
drawing, exactly as a single digit's, and is cut only where that reads as not sure); by
shape alone (split_number) a group TOO_WIDE for any one digit is cut along the path that
crosses least ink. Each digit's own ink then goes through preprocess.ink_steps, the
single drawing's recipe (MNIST's).

Bounded work on any image: at most MAX_PARTS parts (those with most ink), MAX_DIGITS
groups and MAX_INPUTS model inputs in all, so a canvas of specks or one filled with ink
costs a few passes over the pixels and at most MAX_INPUTS crops prepared; an 840×280
canvas of random noise, the worst case tried, takes about 1 s here
(tests/test_numbers.py holds it under 2 s), a drawn number tens of milliseconds.

Pure functions on numpy arrays; no TensorFlow.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from .preprocess import (
    DOT_ELONGATION,
    INK_LEVEL,
    MIN_EXTENT,
    Steps,
    distance_to_background,
    ink_image,
    ink_steps,
)

MAX_PARTS = 64  # connected parts considered, the ones with most ink: a number has ~2 a digit
MAX_DIGITS = 32  # digits read from one image at most
MAX_INPUTS = 64  # model inputs made for one image at most, all options included
FRAGMENT = 0.5  # a part shorter than this share of the tallest is a piece of a digit
SAME_DIGIT = 0.5  # share of the narrower part's column span inside the other's: one digit
# A group's width over its height, the pen's width taken off both: in a number, above
# MAY_TOUCH it may be touching digits (a model's reading decides); above TOO_WIDE it is
# taken to be, also alone and by shape alone: 99% of the pen digits are narrower than
# that, and 99.9% narrower than 2. Measured on composed numbers (bench/number_figures.py).
MAY_TOUCH = 0.6
TOO_WIDE = 1.6
# Only a group wider than WIDER_THAN times the median of its number's other digits may be
# touching digits, and it is cut from at most MAX_CUTS start columns: on 900 composed numbers
# (3 seeds) as many were counted right as with every group and 12 cuts (881), against
# 873 with 1.3 and 12, with 30% fewer inputs than the first.
WIDER_THAN = 1.0
CUT_STEP = 0.06  # cuts are tried this share of the height apart
MAX_CUTS = 6  # and at most this many in one group, spread over it
MIN_CUT = 0.1  # each side of a cut keeps at least this share of the height, pen taken off
TALL_PIECE = 0.5  # each side of a cut spans at least this share of the group's ink height
# A cut path may drift this share of the group's height either side of its start column,
# and pays DRIFT_COST a row for each pixel it is off it (a pixel of ink costs 1), so that
# with no ink in the way it stays straight. On 800 composed numbers (seeds 7 and 8) cuts
# along paths counted 776 right against 765 for straight cuts at the same columns; DRIFT
# 0.5, TURN_COST 0.2, MIN_CUT 0 or WIDER_THAN 0.9 gave 770-776: the first values stayed.
DRIFT = 0.35
DRIFT_COST = 0.002
TURN_COST = 0.05  # for each row where the path moves sideways


@dataclass(frozen=True)
class DigitInk:
    """One digit of a number: where its ink is, and how its model input was made.

    box: (x0, y0, x1, y1), the digit's ink in image pixels, ends exclusive.
    steps: preprocess.Steps of the digit's own ink, cropped to `box` (steps.digit is the
    (28, 28) float32 model input in [0, 1]).
    """

    box: tuple[int, int, int, int]
    steps: Steps

    @property
    def digit(self) -> np.ndarray:
        return self.steps.digit


@dataclass(frozen=True)
class Cut:
    """A cut through a group: xs[k] is the first column right of it in row top + k."""

    top: int
    xs: np.ndarray

    def columns(self, y0: int, y1: int) -> np.ndarray:
        """The cut's column in each of the rows y0..y1 (ends exclusive); rows beyond the
        cut's take its end rows'."""
        rows = np.clip(np.arange(y0, y1) - self.top, 0, len(self.xs) - 1)
        return self.xs[rows]


@dataclass(frozen=True)
class _Part:
    """A connected part of the ink: its label, ink box (ends exclusive), ink and pen width."""

    label: int
    x0: int
    y0: int
    x1: int
    y1: int
    mass: float
    pen: float

    def span(self) -> tuple[float, float]:
        """Its columns, less half the pen's width at both ends: where the strokes run."""
        middle, half = (self.x0 + self.x1) / 2, max((self.x1 - self.x0 - self.pen) / 2, 0.5)
        return middle - half, middle + half

    @property
    def core_height(self) -> float:
        """Its rows less the pen's width: how tall its strokes run."""
        return max(self.y1 - self.y0 - self.pen, 1.0)


def split_number(image: np.ndarray) -> list[DigitInk]:
    """The digits drawn in `image`, left to right; [] when nothing is drawn.

    `image` is what preprocess.canvas_to_mnist accepts: (H, W) or (H, W, 3|4), uint8 or
    float, any size. A single digit gives exactly the input canvas_to_mnist makes of it on
    a square canvas (MIN_EXTENT is a share of the image's shorter side here). Ink that may
    be touching digits is cut by its shape alone (each group's first option); a reader
    with a model chooses among the options of `number_options` instead.
    """
    return [d for group in number_options(image) for d in group.options[0]]


@dataclass(frozen=True)
class InkGroup:
    """One group of ink and the ways to read it, as digits left to right.

    options[0] is the choice by shape alone: whole, or cut where the group is TOO_WIDE
    for one digit. Where it is wide enough to be touching digits (MAY_TOUCH), the other
    options are the group whole and cut along other paths; a model's reading decides.
    """

    options: tuple[tuple[DigitInk, ...], ...]
    lone: bool = False  # the only group drawn, narrower than TOO_WIDE: see number_reading


def number_options(image: np.ndarray) -> list[InkGroup]:
    """The groups of ink in `image`, left to right, each with its options (InkGroup); []
    when nothing is drawn. Same input as split_number."""
    ink = ink_image(image)
    if not ink.any():
        return []
    side = min(ink.shape)
    mask = ink > INK_LEVEL
    labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
    groups = grouped(ink_parts(ink, mask, labels, count, side))[:MAX_DIGITS]
    owner = _owners(ink, labels)
    found, inputs = [], len(groups)
    for group in sorted(groups, key=lambda g: min(p.x0 for p in g)):
        options = []
        others = [g for g in groups if g is not group]
        room = max(MAX_INPUTS - inputs, 0) // 2  # cuts the inputs' bound leaves room for
        tried = cuts(group, labels)[:room] if room and wider_than(group, others) else []
        inputs += 2 * len(tried)
        for cut in [None, *tried]:
            if len(groups) == 1 and cut is None:  # one digit whole: as a single drawing
                steps = ink_steps(ink, side)
                options += [] if steps is None else [(_digit_ink(steps, 0, 0),)]
                continue
            edges = [None, cut, None] if cut is not None else [None, None]
            pieces = [_read_piece(ink, owner, group, a, b, side) for a, b in zip(edges, edges[1:])]
            if all(p is not None for p in pieces) and _new(pieces, options):
                options.append(tuple(pieces))
        if too_wide(group) and len(options) > 1:  # by shape alone: the best cut
            options.insert(0, options.pop(1))
        if options:
            # one digit drawn alone keeps today's input and, unless no one digit is that
            # wide, today's answer unless it is not sure (number_reading)
            found.append(InkGroup(tuple(options), lone=len(groups) == 1 and not too_wide(group)))
    return found


def _new(pieces: list[DigitInk], options: list[tuple[DigitInk, ...]]) -> bool:
    """Whether no option holds these pieces already (two paths through the same gap)."""
    key = [(d.box, d.digit.tobytes()) for d in pieces]
    return all(key != [(d.box, d.digit.tobytes()) for d in option] for option in options)


def ink_parts(
    ink: np.ndarray, mask: np.ndarray, labels: np.ndarray, count: int, side: int
) -> list[_Part]:
    """The connected parts of `mask` (labelled 1..count in `labels`) that may be digits or
    pieces of digits: not specks (under MIN_EXTENT of `side`) nor dots (no longer than
    DOT_ELONGATION pen widths); the MAX_PARTS with most ink."""
    if count == 0:
        return []
    mass = np.bincount(labels.ravel(), weights=ink.ravel(), minlength=count + 1)[1:]
    objects = ndimage.find_objects(labels)
    extents = np.array([max(r.stop - r.start, c.stop - c.start) for r, c in objects])
    large = np.flatnonzero(extents >= MIN_EXTENT * side)
    parts = []
    for k in large[np.argsort(-mass[large], kind="stable")][: 2 * MAX_PARTS]:
        rows, cols = objects[k]
        pen = pen_width(np.pad(labels[rows, cols] == k + 1, 1))  # a ring of background
        if extents[k] < DOT_ELONGATION * pen:
            continue
        parts.append(_Part(k + 1, cols.start, rows.start, cols.stop, rows.stop, mass[k], pen))
    return parts[:MAX_PARTS]


def grouped(parts: list[_Part]) -> list[list[_Part]]:
    """Parts gathered into digits by their columns.

    Tall parts (at least FRAGMENT of the tallest, the pen's width taken off) come first,
    most ink first: one joins the group whose span (less the pen) covers most of it, when
    that is at least SAME_DIGIT of the narrower of the two, or starts a digit of its own.
    Every digit of a number is about as tall as the others, so a short part is a piece of
    one (a bar, a foot, a 4's first stroke): it joins the group whose span overlaps it
    most, or the nearest one.
    """
    if not parts:
        return []
    tallest = max(p.core_height for p in parts)
    tall = [p for p in parts if p.core_height >= FRAGMENT * tallest]
    short = [p for p in parts if p.core_height < FRAGMENT * tallest]
    groups: list[list[_Part]] = []
    spans: list[tuple[float, float]] = []
    for part in sorted(tall, key=lambda p: -p.mass):
        low, high = part.span()
        best, best_share = None, SAME_DIGIT
        for g, (g_low, g_high) in enumerate(spans):
            share = _overlap((low, high), (g_low, g_high)) / max(
                min(high - low, g_high - g_low), 1.0
            )
            if share >= best_share:
                best, best_share = g, share
        if best is None:
            groups.append([part])
            spans.append((low, high))
        else:
            groups[best].append(part)
            spans[best] = (min(low, spans[best][0]), max(high, spans[best][1]))
    for part in short:
        # the most overlap first; with none, the least distance (a negative overlap)
        g = max(range(len(spans)), key=lambda g: _overlap(part.span(), spans[g]))
        groups[g].append(part)
    return groups


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    """How far two column spans overlap; negative: how far apart they are."""
    return min(a[1], b[1]) - max(a[0], b[0])


def _shape(group: list[_Part]) -> tuple[float, float, float]:
    """A group's (width, height) less the pen's width, and the pen's width."""
    pen = max(p.pen for p in group)
    width = max(p.x1 for p in group) - min(p.x0 for p in group) - pen
    height = max(p.y1 for p in group) - min(p.y0 for p in group) - pen
    return max(width, 1.0), max(height, 1.0), pen


def too_wide(group: list[_Part]) -> bool:
    """Wider than almost any one digit is tall (TOO_WIDE): digits whose ink touches."""
    width, height, _ = _shape(group)
    return width > TOO_WIDE * height


def wider_than(group: list[_Part], others: list[list[_Part]]) -> bool:
    """Whether a group is WIDER_THAN the other digits of its number usually are (their
    median ink width), as two touching digits are; True when it is alone."""
    if not others:
        return True
    widths = [max(p.x1 for p in g) - min(p.x0 for p in g) for g in others]
    width = max(p.x1 for p in group) - min(p.x0 for p in group)
    return width > WIDER_THAN * float(np.median(widths))


def cuts(group: list[_Part], labels: np.ndarray) -> list[Cut]:
    """Where a group may be two touching digits: paths from its top to its bottom (Cut),
    one started at each column CUT_STEP of its height apart that leaves both sides at
    least MIN_CUT of the height wide; each runs where it crosses least of the group's ink
    (cut_paths), so it goes round the slant or overlap of two digits and through the
    point where they touch. Kept where both sides span TALL_PIECE of the group's ink
    height, as a digit of the number does; the path crossing least ink first. [] where
    the group is no wider than MAY_TOUCH, as one digit is. The model's reading chooses
    (number_reading)."""
    width, height, pen = _shape(group)
    if width <= MAY_TOUCH * height:
        return []
    x0, x1 = min(p.x0 for p in group), max(p.x1 for p in group)
    y0, y1 = min(p.y0 for p in group), max(p.y1 for p in group)
    own = np.isin(labels[y0:y1, x0:x1], [p.label for p in group])  # (h, w)
    margin = int(np.ceil(pen + MIN_CUT * height))
    step = max(2, int(CUT_STEP * height))
    columns = np.arange(margin, own.shape[1] - margin + 1, step)
    if not len(columns):
        return []
    if len(columns) > MAX_CUTS:  # spread over the whole group
        columns = columns[np.linspace(0, len(columns) - 1, MAX_CUTS).round().astype(int)]
    found: dict[bytes, tuple[float, np.ndarray]] = {}
    across = np.arange(own.shape[1])
    for path, crossed in cut_paths(own, columns, int(np.ceil(DRIFT * height))):
        left = own & (across[None, :] < path[:, None])
        right = own & ~left
        tall = min(_extent(left.any(axis=1)), _extent(right.any(axis=1)))
        if tall >= TALL_PIECE * (y1 - y0):
            found.setdefault(path.tobytes(), (crossed, path + x0))
    return [Cut(y0, path) for _, path in sorted(found.values(), key=lambda c: c[0])]


def cut_paths(own: np.ndarray, columns: np.ndarray, drift: int) -> list[tuple[np.ndarray, float]]:
    """For each start column, (xs, ink crossed): the path from the top row of `own`
    ((h, w) bool, the group's ink) to its bottom, moving at most one column a row, within
    `drift` of its column and clear of the edges, that crosses least ink (DRIFT_COST,
    TURN_COST); xs[k] is its column in row k. All columns in one pass over the rows."""
    h, w = own.shape
    offsets = np.arange(-drift, drift + 1)
    at = np.asarray(columns)[:, None] + offsets[None, :]  # (n, b): each path's band
    cost = own[:, np.clip(at, 0, w - 1)].astype(np.float64)  # (h, n, b)
    cost += DRIFT_COST * np.abs(offsets)
    cost[:, (at < 1) | (at > w - 1)] = np.inf
    total = cost[0].copy()
    moves = np.zeros(cost.shape, np.int8)
    shifted = np.empty((3, *total.shape))
    for row in range(1, h):
        shifted[:] = np.inf
        shifted[0, :, 1:] = total[:, :-1] + TURN_COST  # from the column to the left
        shifted[1] = total
        shifted[2, :, :-1] = total[:, 1:] + TURN_COST  # from the right
        choice = shifted.argmin(axis=0)
        moves[row] = choice - 1
        total = np.take_along_axis(shifted, choice[None], axis=0)[0] + cost[row]
    found = []
    for n in range(len(at)):
        k = int(total[n].argmin())
        crossed = float(total[n, k])
        xs = np.empty(h, np.int64)
        for row in range(h - 1, -1, -1):
            xs[row] = at[n, k]
            k += int(moves[row, n, k])
        found.append((xs, crossed))
    return found


def _extent(rows: np.ndarray) -> int:
    found = np.flatnonzero(rows)
    return 0 if not len(found) else int(found[-1] - found[0] + 1)


def _owners(ink: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(H, W) int: each pixel's part, the nearest labelled pixel's label, so the faint edge
    of a stroke (below INK_LEVEL, kept by the crop) goes with its stroke."""
    faint = (ink > INK_LEVEL / 2) & (labels == 0)
    if not faint.any():
        return labels
    _, (rows, cols) = ndimage.distance_transform_edt(labels == 0, return_indices=True)
    return np.where(faint, labels[rows, cols], labels)


def _read_piece(
    ink: np.ndarray,
    owner: np.ndarray,
    group: list[_Part],
    left: Cut | None,
    right: Cut | None,
    side: int,
) -> DigitInk | None:
    """A group's own ink between two cuts (None: the group's edge), cropped and prepared
    as a single drawing."""
    pad = 2  # the faint edge of the strokes
    y0 = max(min(p.y0 for p in group) - pad, 0)
    y1 = min(max(p.y1 for p in group) + pad, ink.shape[0])
    g0 = max(min(p.x0 for p in group) - pad, 0)
    g1 = min(max(p.x1 for p in group) + pad, ink.shape[1])
    starts = np.full(y1 - y0, g0) if left is None else left.columns(y0, y1)
    ends = np.full(y1 - y0, g1) if right is None else right.columns(y0, y1)
    x0, x1 = int(starts.min()), int(ends.max())
    across = np.arange(x0, x1)[None, :]
    inside = (across >= starts[:, None]) & (across < ends[:, None])
    mine = inside & np.isin(owner[y0:y1, x0:x1], [p.label for p in group])
    piece = np.where(mine, ink[y0:y1, x0:x1], 0.0).astype(np.float32)
    steps = prepared(piece, side)
    return None if steps is None else _digit_ink(steps, x0, y0)


class _Remembered:
    """A pure function's results on arrays, remembered by the arrays' pixels (a digest),
    up to `kept` of them. The page reads the whole number again after each stroke, and a
    stroke changes one digit's ink: the other digits' parts and pieces come back
    unchanged, and so do their results."""

    def __init__(self, kept: int):
        self.kept = kept
        self.results: dict[bytes, object] = {}

    def __call__(self, compute, array: np.ndarray, *args):
        key = hashlib.blake2b(array.tobytes(), digest_size=16).digest()
        key += repr((array.shape, array.dtype.str, args)).encode()
        if key not in self.results:
            if len(self.results) >= self.kept:  # dropped wholesale: cheaper than an order
                self.results.clear()
            self.results[key] = compute(array, *args)
        return self.results[key]


_PIECES = _Remembered(256)  # a few numbers' pieces, some 10 MB at most
_PENS = _Remembered(256)


def prepared(piece: np.ndarray, side: int) -> Steps | None:
    """ink_steps(piece, side), remembered (_Remembered); its images are read-only."""
    return _PIECES(_read_only_steps, piece, side)


def _read_only_steps(piece: np.ndarray, side: int) -> Steps | None:
    steps = ink_steps(piece, side)
    for image in (steps.ink, steps.boxed, steps.digit) if steps is not None else ():
        image.flags.writeable = False  # shared by every reading that meets this piece
    return steps


def pen_width(own: np.ndarray) -> float:
    """The pen's width in one part (a boolean (h, w) mask with a ring of background): the
    widest disc inside it; remembered (_Remembered)."""
    return _PENS(_widest_disc, own)


def _widest_disc(own: np.ndarray) -> float:
    return 2 * float(distance_to_background(own).max())


def _digit_ink(steps: Steps, x0: int, y0: int) -> DigitInk:
    top, left, bottom, right = steps.bbox
    box = (int(x0 + left), int(y0 + top), int(x0 + right), int(y0 + bottom))
    return DigitInk(box=box, steps=steps)
