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


def test_a_dot_is_what_the_distance_transform_says_wherever_it_lies():
    """is_a_dot skips the distance transform when the ink's area already rules a dot out:
    the same answer as the definition, for blobs, strokes and blobs with tails, at the
    image's edges too (where the widest disc can reach past the ink's area)."""
    from PIL import Image, ImageDraw

    from mnist_core.preprocess import DOT_ELONGATION, INK_LEVEL, is_a_dot

    rng = np.random.default_rng(1)
    dots = 0
    for _ in range(400):
        image = Image.new("L", (120, 120))
        pen = ImageDraw.Draw(image)
        x, y, r = *rng.integers(-10, 130, 2), int(rng.integers(1, 30))
        pen.ellipse([x - r, y - r, x + r, y + r], fill=255)
        if rng.random() < 0.6:  # a tail out of the blob, shorter or longer than a dot
            dx, dy = rng.integers(-60, 60, 2)
            pen.line([x, y, x + dx, y + dy], fill=255, width=int(rng.integers(1, 2 * r + 2)))
        ink = np.asarray(image, np.float32) / 255
        mask = ink > INK_LEVEL
        if not mask.any():
            continue
        rows, cols = np.nonzero(mask)
        extent = max(np.ptp(rows), np.ptp(cols)) + 1
        expected = extent < DOT_ELONGATION * 2 * ndimage.distance_transform_edt(mask).max()
        assert is_a_dot(ink) == expected
        dots += expected
    assert 50 < dots < 350  # both answers were asked for


@pytest.mark.parametrize("channels", [(), (3,), (4,)])
def test_bytes_are_read_as_the_same_values_in_floats(channels):
    """The canvas's uint8 images take a shortcut (checks on the bytes, no float copy of
    alpha): the ink is that of the same image given as floats in [0, 1], up to the last
    bit of a float32 (the colour-to-grey product runs on a copy of three channels)."""
    from mnist_core.preprocess import ink_image

    rng = np.random.default_rng(2)
    shape = (60, 50, *channels)
    stroke = np.zeros(shape, np.uint8)
    stroke[10:50, 20:26] = 255
    if channels == (4,):
        stroke[..., 3] = 255  # opaque, as the canvas sends it
    images = [np.zeros(shape, np.uint8), np.full(shape, 255, np.uint8), stroke]
    speck = np.zeros(shape, np.uint8)
    speck[0, 0] = 200  # one pixel off blank: not uniform
    images += [speck, rng.integers(0, 256, shape, dtype=np.uint8)]
    if channels == (4,):
        for opaque in (255, 128, 127):  # ink on a transparent canvas, and barely so
            transparent = stroke.copy()
            transparent[..., 3] = np.where(stroke[..., 0] > 0, opaque, 0)
            transparent[30:, :, :3] = 90  # colour under the transparent part too
            images.append(transparent)
    for image in images:
        floats = ink_image(image.astype(np.float32) / 255)
        np.testing.assert_allclose(ink_image(image), floats, rtol=0, atol=1e-6)
