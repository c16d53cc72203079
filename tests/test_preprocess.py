"""Canvas → 28×28: compared against MNIST itself, in every colour scheme, and with junk."""

import numpy as np
import pytest
from scipy import ndimage

from conftest import paste_on_canvas
from mnist_core.preprocess import canvas_steps, canvas_to_mnist


def _similarity(a, b):
    """Best correlation over placements a pixel apart: MNIST rounded its centring too."""
    return max(
        float(np.corrcoef(np.roll(a, (dy, dx), axis=(0, 1)).ravel(), b.ravel())[0, 1])
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
    )


@pytest.mark.parametrize("index", [0, 1, 2, 7, 42])
def test_mnist_digit_pasted_on_a_canvas_comes_back_as_itself(mnist, index):
    original = mnist[0][index]
    result = canvas_to_mnist(paste_on_canvas(original))
    assert result.shape == (28, 28) and result.dtype == np.float32
    assert _similarity(result, original / 255.0) > 0.93


def test_colour_schemes_give_the_same_input(mnist):
    ink = paste_on_canvas(mnist[0][3])
    white_on_black = canvas_to_mnist(ink)
    dark_on_light = canvas_to_mnist(255 - ink)
    rgba = np.dstack([ink, ink, ink, np.full_like(ink, 255)])
    transparent = np.dstack([np.zeros((*ink.shape, 3), np.uint8), ink])  # black pen, no background
    floats = ink.astype(np.float64) / 255
    for other in (
        dark_on_light,
        canvas_to_mnist(rgba),
        canvas_to_mnist(transparent),
        canvas_to_mnist(floats),
    ):
        np.testing.assert_allclose(other, white_on_black, atol=1e-5)


def test_ink_is_boxed_in_20_pixels_and_centred_by_mass(mnist):
    result = canvas_to_mnist(paste_on_canvas(mnist[0][5], at=(10, 80)))
    rows, cols = np.nonzero(result > 0.05)
    assert max(np.ptp(rows), np.ptp(cols)) + 1 <= 21
    assert np.allclose(ndimage.center_of_mass(result), (14, 14), atol=0.6)
    assert 0 <= result.min() and result.max() <= 1


@pytest.mark.parametrize(
    "canvas",
    [
        np.zeros((280, 280, 4), np.uint8),  # untouched canvas
        np.full((280, 280, 4), 255, np.uint8),  # all white
        np.pad(np.full((6, 6), 255, np.uint8), 137),  # one small tap
    ],
    ids=["empty", "all-white", "dot"],
)
def test_nothing_drawn_gives_nothing(canvas):
    assert canvas_to_mnist(canvas) is None


@pytest.mark.parametrize("drag", [0, 6])
def test_a_lone_pen_touch_is_nothing_at_any_pen_size(drag):
    from mnist_core.pendigits import render

    for pen in (20, 40):
        touch = [np.array([[140.0, 140.0], [140.0 + drag, 140.0 + drag / 2]])]
        assert canvas_to_mnist(render(touch, 280, pen)) is None
    short_stroke = [np.array([[100.0, 100.0], [100.0, 160.0]])]  # a stroke, not a touch
    assert canvas_to_mnist(render(short_stroke, 280, 20)) is not None


def test_a_stray_dot_is_ignored(mnist):
    digit = paste_on_canvas(mnist[0][0])
    dotted = digit.copy()
    yy, xx = np.mgrid[:280, :280]
    dotted[(yy - 250) ** 2 + (xx - 30) ** 2 < 100] = 255  # a pen touch-down far from the digit
    np.testing.assert_allclose(canvas_to_mnist(dotted), canvas_to_mnist(digit))


def test_steps_show_the_intermediate_images(mnist):
    steps = canvas_steps(paste_on_canvas(mnist[0][0], at=(50, 70)))
    top, left, bottom, right = steps.bbox
    assert 50 <= top < bottom <= 50 + 196 and 70 <= left < right <= 70 + 196
    assert max(steps.boxed.shape) == 20


def test_nan_and_odd_shapes_do_not_crash():
    canvas = np.full((100, 50), np.nan)
    canvas[20:80, 20:30] = 1.0
    assert canvas_to_mnist(canvas).shape == (28, 28)
    with pytest.raises(ValueError, match="expected an"):
        canvas_to_mnist(np.zeros((5, 5, 7)))


def test_distance_to_background_is_the_full_distance_transform():
    from scipy import ndimage

    from mnist_core.preprocess import distance_to_background

    rng = np.random.default_rng(0)
    for _ in range(200):
        mask = rng.random((rng.integers(1, 40), rng.integers(1, 40))) < rng.uniform(0.05, 0.9)
        expected = ndimage.distance_transform_edt(mask)
        np.testing.assert_array_equal(distance_to_background(mask), expected)
    stroke = np.zeros((280, 280), bool)
    stroke[100:180, 130:150] = True
    assert distance_to_background(stroke).max() == 10
