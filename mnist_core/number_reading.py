"""A number's reading: each digit the model reads in a drawn number, how sure it is, and
where; chosen among mnist_core.numbers' options with the model's answers.

All the inputs of a number (every option of every group) go to the model in one batch;
for each group the option read with the highest chance of being right throughout (the
product of its digits' confidences) is kept; but a group drawn alone (InkGroup.lone) is
read whole, exactly as a single digit today, unless that reading is not sure. A digit
under calibration.NOT_SURE_BELOW is shown with "?" after it, as a single digit is on the
Draw page (`7?`, `203?6`).

Pure numpy; the model is a function passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .calibration import NOT_SURE_BELOW
from .numbers import InkGroup, number_options


@dataclass(frozen=True)
class DigitReading:
    """One digit of a number as read.

    digit: the most likely digit, 0-9; confidence: its probability, in [0, 1].
    box: (x0, y0, x1, y1) of its ink in image pixels, ends exclusive.
    probabilities: (10,) float64, the model's answer; digit_input: (28, 28) float32 in
    [0, 1], the model input made from its ink (the MNIST recipe).
    """

    digit: int
    confidence: float
    box: tuple[int, int, int, int]
    probabilities: np.ndarray
    digit_input: np.ndarray

    @property
    def sure(self) -> bool:
        return self.confidence >= NOT_SURE_BELOW


@dataclass(frozen=True)
class NumberReading:
    """The digits read in a drawing, left to right; none when nothing is drawn."""

    digits: tuple[DigitReading, ...]

    @property
    def number(self) -> str:
        """The best reading of each digit, digits only: "2026"; "" when nothing is drawn."""
        return "".join(str(d.digit) for d in self.digits)

    @property
    def shown(self) -> str:
        """The number with "?" after each digit under the "not sure" line: "203?6"."""
        return "".join(f"{d.digit}" + ("" if d.sure else "?") for d in self.digits)

    @property
    def sure(self) -> bool:
        return all(d.sure for d in self.digits)


def model_inputs(groups: list[InkGroup]) -> np.ndarray:
    """(K, 28, 28) float32: the inputs of every option of every group, in order."""
    inputs = [d.digit for g in groups for option in g.options for d in option]
    return np.stack(inputs) if inputs else np.zeros((0, 28, 28), np.float32)


def chosen(groups: list[InkGroup], probabilities: np.ndarray) -> NumberReading:
    """The reading of `groups` from `probabilities` (K, 10), the model's answer to
    model_inputs(groups): for each group, the option most likely right throughout."""
    probabilities = np.asarray(probabilities, np.float64)
    if len(probabilities) != sum(len(o) for g in groups for o in g.options):
        raise ValueError(f"{len(probabilities)} answers for the inputs of {len(groups)} groups")
    digits, k = [], 0
    for group in groups:
        best, best_chance = None, -1.0
        for option in group.options:
            answers = probabilities[k : k + len(option)]
            k += len(option)
            if group.lone and best is not None and best_chance >= NOT_SURE_BELOW:
                # a digit drawn alone keeps today's answer unless it is not sure. Not
                # for digits among others: keeping those read whole at 90% lost more
                # touching digits than it saved digits cut in two (composed numbers)
                continue
            # no weight against cuts: on composed numbers one (0.8 a cut) lost more
            # touching digits read whole than it saved single digits read as two
            chance = float(np.prod(answers.max(axis=1)))
            if chance > best_chance:  # ties: the earlier option, the shape's choice
                best, best_chance = (option, answers), chance
        for ink, probs in zip(*best):
            top = int(probs.argmax())
            digits.append(DigitReading(top, float(probs[top]), ink.box, probs, ink.digit))
    return NumberReading(tuple(digits))


def read_number(image: np.ndarray, predict: Callable[[np.ndarray], np.ndarray]) -> NumberReading:
    """The number drawn in `image` (what numbers.split_number accepts): `predict` maps
    (K, 28, 28) inputs to (K, 10) probabilities and is called once, or not at all when
    nothing is drawn."""
    groups = number_options(image)
    if not groups:
        return NumberReading(())
    return chosen(groups, predict(model_inputs(groups)))
