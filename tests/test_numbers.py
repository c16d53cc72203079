"""A drawn number split into digits: constructed strokes (two-stroke 4, 5 with its own top
bar, crossed 7, slashed 0, 1 with a foot, overlapping boxes, touching ink, specks,
blank), a single digit as today, and bounded time on junk."""

import time

import numpy as np
import pytest

from mnist_core.numbers import DigitInk, number_options, split_number
from mnist_core.pendigits import render
from mnist_core.preprocess import canvas_to_mnist
from testkit.pen_replay import rendered_sample


def canvas(*strokes, width=840, height=280):
    """Strokes (lists of (x, y) canvas pixels) drawn with the canvas's 20 px round pen."""
    return render([np.array(s, float) for s in strokes], width, 20, height)


def ellipse(cx, cy, rx, ry, start=0.0, end=2 * np.pi, n=40):
    t = np.linspace(start, end, n)
    return np.column_stack([cx + rx * np.cos(t), cy + ry * np.sin(t)])


FOUR = [[(120, 60), (90, 150), (160, 150)], [(165, 50), (165, 230)]]  # L, then a taller stem
FIVE = [
    [(300, 70), (295, 130), (335, 118), (362, 150), (357, 195), (322, 215), (288, 198)],
    [(306, 42), (376, 42)],  # the top bar, its own stroke, apart from the body
]
SEVEN = [[(470, 60), (570, 60), (505, 225)], [(495, 145), (565, 145)]]  # crossed
ONE = [[(700, 50), (700, 220)], [(668, 252), (732, 252)]]  # a foot apart from the stem


def boxes(digits: list[DigitInk]) -> list[tuple[int, int, int, int]]:
    return [d.box for d in digits]


def test_multi_stroke_digits_stay_whole_and_come_left_to_right():
    digits = split_number(canvas(*ONE, *SEVEN, *FIVE, *FOUR))  # drawn right to left
    assert len(digits) == 4
    x0s = [b[0] for b in boxes(digits)]
    assert x0s == sorted(x0s)
    # each box holds all its digit's strokes, the pen's half-width included
    for box, strokes in zip(boxes(digits), [FOUR, FIVE, SEVEN, ONE]):
        points = np.concatenate([np.array(s) for s in strokes])
        low, high = points.min(axis=0) - 10, points.max(axis=0) + 10
        assert np.allclose(box, [*low, *high], atol=2), (box, low, high)
    for d in digits:
        assert d.digit.shape == (28, 28) and d.digit.dtype == np.float32
        assert 0 <= d.digit.min() and d.digit.max() <= 1 and d.digit.max() > 0.5


def test_slashed_zero_is_one_digit_beside_another():
    zero = [ellipse(150, 140, 45, 80), [(100, 230), (205, 45)]]
    digits = split_number(canvas(*zero, *SEVEN))
    assert len(digits) == 2
    assert digits[0].box[0] <= 92 and digits[0].box[2] >= 213  # the slash's ends
    assert digits[1].box[0] >= 450


def test_overlapping_boxes_whose_ink_is_apart_are_two_digits():
    seven = [(100, 60), (200, 60), (120, 220)]
    one = [(235, 60), (205, 220)]  # slanted back under the 7's bar: the boxes overlap
    digits = split_number(canvas(seven, one))
    assert len(digits) == 2
    assert digits[0].box[2] > digits[1].box[0]  # overlapping boxes
    # each digit's input holds only its own ink: the 1 is one thin stroke
    assert (digits[1].digit > 0.2).sum() < (digits[0].digit > 0.2).sum()


def test_touching_ink_is_cut_between_the_digits():
    left = ellipse(150, 140, 60, 80)
    right = ellipse(272, 140, 60, 80)  # the two rings' ink runs into each other
    beside = [(560, 60), (560, 220)]  # a number: touching groups get cuts to choose from
    (group, one) = number_options(canvas(left, right, beside))
    assert len(one.options) == 1
    cuts = [o for o in group.options if len(o) == 2]
    whole = group.options[0][0].box
    assert len(cuts) > 2 and all(a.box[0] == whole[0] < b.box[0] for a, b in cuts)
    assert all(a.box[2] < b.box[2] == whole[2] for a, b in cuts)
    assert len({tuple(d.box for d in o) for o in group.options}) == len(group.options)
    # far too wide for one digit: cut by shape alone too, also with nothing beside it
    wide = canvas(left, right, ellipse(394, 140, 60, 80))
    assert len(split_number(wide)) >= 2


def slanted(points, lean=0.4, middle=140):
    """Points leant right as handwriting leans: the top moved right by `lean` of the rise."""
    leant = np.array(points, float)
    leant[:, 0] += (middle - leant[:, 1]) * lean
    return leant


def test_slanted_digits_that_touch_are_cut_along_the_gap_between_them():
    zero = slanted(ellipse(200, 140, 42, 85))
    one = slanted([(264, 225), (264, 55)])  # its ink touches the 0's: one connected part
    beside = [(560, 60), (560, 220)]
    alone = [split_number(canvas(digit, beside))[0].box for digit in (zero, one)]
    assert alone[1][0] < alone[0][2]  # their columns overlap: no straight cut parts them
    (group, _) = number_options(canvas(zero, one, beside))
    assert len(group.options[0]) == 1  # whole, first: they touch
    assert alone in [[d.box for d in option] for option in group.options]


def test_specks_are_not_digits():
    specks = [[(x, y)] for x, y in [(40, 30), (420, 260), (800, 20), (600, 140), (220, 150)]]
    digits = split_number(canvas(*FOUR, *specks))
    assert len(digits) == 1
    assert split_number(canvas(*specks)) == []


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((280, 840, 4), np.uint8),
        np.full((280, 840), 255, np.uint8),
        np.zeros((1, 1), np.uint8),
    ],
    ids=["transparent", "white", "one-pixel"],
)
def test_blank_canvas_has_no_digits(image):
    assert split_number(image) == []
    assert number_options(image) == []


def test_a_single_digit_gets_exactly_todays_input():
    images, _ = rendered_sample(20, seed=5)
    for image in images:
        (digit,) = split_number(image)
        np.testing.assert_array_equal(digit.digit, canvas_to_mnist(image))


@pytest.mark.alone
def test_hundreds_of_specks_and_a_canvas_full_of_ink_are_answered_in_bounded_time():
    rng = np.random.default_rng(0)
    grid = np.mgrid[15:840:30, 15:280:30].reshape(2, -1).T  # 252 pen dots
    specks = canvas(*[[tuple(p)] for p in grid + rng.uniform(-4, 4, grid.shape)])
    full = np.zeros((280, 840), np.uint8)
    full[2:-2, 2:-2] = 255  # ink everywhere but the edge
    noise = (rng.random((280, 840)) > 0.5).astype(np.uint8) * 255
    for image, most in [(specks, 0), (full, 32), (noise, 32)]:
        start = time.perf_counter()
        groups = number_options(image)
        seconds = time.perf_counter() - start
        assert len(split_number(image)) <= most
        assert sum(len(o) for g in groups for o in g.options) <= 64
        assert seconds < 2.0, seconds
