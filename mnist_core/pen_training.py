"""Training images from real pen strokes, made as the Draw page makes its input.

Each pen digit is distorted, sometimes restyled (handwriting.STYLES) or given stray
dots (a digit that has a style can be drawn a few more times in it), placed on a
280-pixel canvas at a random size and spot, drawn with a random pen width, and
preprocessed by `canvas_to_mnist`, so the model learns from exactly what the
page will give it. Marks that are no digit come with the label NOT_A_DIGIT.

Writers are split, never single digits: the writers kept for calibration (and any source
left out to measure new writers) contribute nothing to training. No TensorFlow here; the
images are made in worker processes.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from .config import TrainConfig
from .handwriting import (
    NOT_A_DIGIT,
    NOT_DIGITS,
    STYLES,
    TRAINING,
    StyleRanges,
    distorted,
    stray_dots,
)
from .pendigits import PenDigits, place, render
from .preprocess import canvas_to_mnist
from .shapes import training_mark

CANVAS = 280  # the Draw page's canvas side, pixels
PAGE_PEN = 20  # the Draw page's default pen width, pixels
CHUNKS = 16  # pieces of work handed to the processes that make the images


@dataclass(frozen=True)
class HandwritingRecipe:
    """How the bundled model learns real handwriting after MNIST (see default_model.py)."""

    renders_per_digit: int = 3  # each pen digit drawn this many times, differently
    style_share: float = 0.35  # of the renders of a styled digit, drawn in that style
    # Extra renders of each digit that has a style, always in that style: (style, count)
    # pairs. A style set apart only by a stroke MNIST never has, on a digit with few pen
    # samples, is outnumbered by the digit it is read as: without syn, 3 sources hold 207
    # 1s (about 215 flagged 1s against some 2,700 7s, MNIST's included), and that model
    # read 12% of syn's flagged 1s as 7s. Six more flagged renders of each 1 lifted those
    # to 97.1% (three: 92.8%), MNIST kept (README). Two more of *every* style reached
    # 92.7%, and its thousands of extra crossed 7s and slashed 0s cost MNIST 0.1-0.2 points.
    styled_renders: tuple[tuple[str, int], ...] = (("flagged_one", 6),)
    dots_share: float = 0.08  # of all renders, given stray dots
    pen_widths: tuple[int, int] = (12, 32)  # pixels on the 280-pixel canvas
    not_digits: int = 8000  # scribbles, lone lines, made-up signs, letters, shapes: NOT_A_DIGIT
    # Of the non-digits, letters, smileys, stars, arrows and hearts (shapes.training_mark):
    # without them a drawn A was read as "4, 99%" and a smiley (its eyes dropped as dots)
    # as "0, 99%". The rest are scribbles, lone lines and made-up signs, as before.
    marks_share: float = 0.35
    calibration_writers: float = 0.15  # of each source's writers, kept out to fit T
    # MNIST mixed in, so MNIST is not forgotten: 24,000 since letters and shapes joined
    # the non-digits (with 20,000 its MNIST test accuracy fell from 99.43% to 99.37%)
    mnist_images: int = 24_000
    epochs: int = 4
    batch_size: int = 128
    learning_rate: float = 3e-4  # a third of the base model's: adapt, don't start over
    seed: int = 0

    def train_config(self) -> TrainConfig:
        """The fine-tune's settings: a cnn (as mnist-cnn), augmented as every preset."""
        settings = {field: getattr(self, mine) for field, mine in RECIPE_SETTINGS.items()}
        return TrainConfig(arch="cnn", augment=True, **settings)


# The TrainConfig fields a HandwritingRecipe sets, and the recipe's names for them.
RECIPE_SETTINGS = {
    "epochs": "epochs",
    "batch_size": "batch_size",
    "learning_rate": "learning_rate",
    "train_size": "mnist_images",
    "seed": "seed",
}


def writer_split(
    digits: PenDigits, left_out: tuple[str, ...] = (), share: float = 0.15, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """(training indices, calibration indices) of the digits whose source is not in
    `left_out`; `share` of each source's writers (at least one) go to calibration."""
    rng = np.random.default_rng(seed)
    sources = digits.sources()
    training, calibration = [], []
    for source in sorted(set(sources) - set(left_out)):
        writers = np.unique(digits.writers[sources == source])
        held = rng.choice(writers, max(1, round(share * len(writers))), replace=False)
        members = np.flatnonzero(sources == source)
        kept = np.isin(digits.writers[members], held)
        calibration.append(members[kept])
        training.append(members[~kept])
    return np.concatenate(training), np.concatenate(calibration)


def drawing_input(strokes, rng, pen: int) -> np.ndarray | None:
    """Strokes placed and drawn on the canvas, then preprocessed: (28, 28) or None."""
    return canvas_to_mnist(render(place(strokes, rng, CANVAS), CANVAS, pen))


def page_drawings(digits: PenDigits, indices: np.ndarray, seed: int, pen: int = PAGE_PEN):
    """(x, y): each digit at `indices` drawn once on the canvas as a person would with the
    page's pen, and preprocessed; digits that preprocess to nothing are skipped."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for i in indices:
        image = drawing_input(digits.strokes(i), rng, pen)
        if image is not None:
            images.append(image)
            labels.append(int(digits.labels[i]))
    return np.stack(images), np.array(labels, np.int64)


def calibration_drawings(
    digits: PenDigits, indices: np.ndarray | None = None, recipe: HandwritingRecipe | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(x, y): the digits of the calibration writers (writer_split's, with the recipe's
    seed, unless `indices` names them) drawn once with the page's pen: the held-out
    drawings a temperature is fitted on. The bundled model never trained on them, nor does
    a fine-tune of it, so they can calibrate both."""
    recipe = recipe or HandwritingRecipe()
    if indices is None:
        _, indices = writer_split(digits, (), recipe.calibration_writers, recipe.seed)
    return page_drawings(digits, indices, recipe.seed + 1)


def styled(strokes, label: int, rng, recipe: HandwritingRecipe, ranges: StyleRanges):
    """The strokes, maybe restyled as writers of that digit do, maybe with stray dots."""
    for digit, restyle in STYLES.values():
        if digit == label and rng.random() < recipe.style_share:
            strokes = restyle(strokes, rng, ranges)
    if rng.random() < recipe.dots_share:
        strokes = stray_dots(strokes, rng, ranges)
    return distorted(strokes, rng, ranges.distortion)


def in_style(strokes, restyle, rng, recipe: HandwritingRecipe, ranges: StyleRanges):
    """The strokes restyled by `restyle` (maybe with stray dots), or None when this digit
    cannot take the style (a 5 or 4 in one stroke)."""
    restyled = restyle(strokes, rng, ranges)
    if restyled is strokes:
        return None
    if rng.random() < recipe.dots_share:
        restyled = stray_dots(restyled, rng, ranges)
    return distorted(restyled, rng, ranges.distortion)


def renders(strokes, label: int, rng, recipe: HandwritingRecipe, ranges: StyleRanges):
    """The drawings to make of one pen digit, as strokes: its renders_per_digit, then its
    styled_renders, each in the style named there (none if it cannot take the style)."""
    for _ in range(recipe.renders_per_digit):
        yield styled(strokes, label, rng, recipe, ranges)
    for style, count in recipe.styled_renders:
        digit, restyle = STYLES[style]
        if digit != label:
            continue
        for _ in range(count):
            restyled = in_style(strokes, restyle, rng, recipe, ranges)
            if restyled is None:
                break
            yield restyled


def _render_digits(job) -> tuple[np.ndarray, np.ndarray]:
    path, indices, recipe, ranges, seed = job
    digits = PenDigits(path)
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for i in indices:
        label = int(digits.labels[i])
        for strokes in renders(digits.strokes(i), label, rng, recipe, ranges):
            image = drawing_input(strokes, rng, int(rng.integers(*recipe.pen_widths)))
            if image is not None:
                images.append(image)
                labels.append(label)
    return _stacked(images, labels)


def _render_not_digits(job) -> tuple[np.ndarray, np.ndarray]:
    count, recipe, ranges, seed = job
    rng = np.random.default_rng(seed)
    makers = list(NOT_DIGITS.values())
    images = []
    for _ in range(count):
        if rng.random() < recipe.marks_share:
            strokes = training_mark(rng)
        else:
            strokes = makers[rng.integers(len(makers))](rng, ranges)
        image = drawing_input(strokes, rng, int(rng.integers(*recipe.pen_widths)))
        if image is not None:
            images.append(image)
    return _stacked(images, [NOT_A_DIGIT] * len(images))


def non_digit_images(
    count: int, seed: int, recipe: HandwritingRecipe | None = None, workers: int = 1
) -> np.ndarray:
    """(count or fewer, 28, 28) float32: marks that are no digit, made as the bundled
    model's training makes them (scribbles, lone lines, signs, letters and shapes), for a
    fine-tune to keep training on, so that it keeps answering them "not sure"."""
    recipe = recipe or HandwritingRecipe()
    counts = np.diff(np.linspace(0, count, CHUNKS + 1).astype(int))
    seeds = np.random.SeedSequence(seed).spawn(CHUNKS)
    jobs = [(int(n), recipe, TRAINING, s) for n, s in zip(counts, seeds) if n]
    if workers == 1:
        parts = list(map(_render_not_digits, jobs))
    else:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            parts = list(pool.map(_render_not_digits, jobs))
    return np.concatenate([p[0] for p in parts])


def _stacked(images, labels) -> tuple[np.ndarray, np.ndarray]:
    x = np.stack(images).astype(np.float32) if images else np.zeros((0, 28, 28), np.float32)
    return x, np.array(labels, np.uint8)


def training_images(
    path,
    indices: np.ndarray,
    recipe: HandwritingRecipe,
    ranges: StyleRanges = TRAINING,
    workers: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(x (N, 28, 28) float32 in [0, 1], y (N,) uint8 with NOT_A_DIGIT): the pen digits at
    `indices` of the file at `path`, rendered as the recipe says, plus the non-digits.

    Made in `workers` processes (default: one per core, at most 4; about 7 ms an image on
    one core), or in this process with workers=1; the same recipe and indices give the
    same images either way.
    """
    workers = workers or max(1, min(os.cpu_count() or 1, 4))
    # A fixed split into chunks, each with its own seed: the same images for any `workers`.
    chunks = np.array_split(np.asarray(indices), CHUNKS)
    seeds = np.random.SeedSequence(recipe.seed).spawn(len(chunks) + CHUNKS)
    digit_jobs = [(str(path), chunk, recipe, ranges, seed) for chunk, seed in zip(chunks, seeds)]
    counts = np.diff(np.linspace(0, recipe.not_digits, CHUNKS + 1).astype(int))
    junk_jobs = [(int(n), recipe, ranges, seeds[len(chunks) + k]) for k, n in enumerate(counts)]
    if workers == 1:
        parts = [*map(_render_digits, digit_jobs), *map(_render_not_digits, junk_jobs)]
    else:
        # spawn, not fork: forking a process whose TensorFlow threads run can deadlock. An
        # executor, not a Pool: a worker that dies at start is an error here, where a Pool
        # starts another forever (seen under pytest in a clean environment).
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            parts = [*pool.map(_render_digits, digit_jobs)]
            parts += [*pool.map(_render_not_digits, junk_jobs)]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
