"""Preprocessing never crashes and always answers in MNIST's terms, whatever it is given.

Property: any finite array of any size, values in range, gives either None (nothing to
predict) or a 28×28 float32 array in [0, 1] whose ink fits MNIST's 20×20 box and whose
centre of mass is the field's centre (up to the half pixel of rounding), except along an
axis where the ink touches the field's edge on the side it was moved towards: there it
was moved as far as it goes without cutting ink off.
"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage

from mnist_core.preprocess import BOX, CENTRE, MAX_PIXELS, SIDE, canvas_to_mnist

PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 150)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def assert_is_mnist_input(result):
    if result is None:
        return
    assert result.shape == (SIDE, SIDE) and result.dtype == np.float32
    assert np.isfinite(result).all() and result.min() >= 0 and result.max() <= 1
    assert result.sum() > 0
    rows, cols = np.nonzero(result)
    assert max(np.ptp(rows), np.ptp(cols)) + 1 <= BOX + 1
    com = ndimage.center_of_mass(result)
    for axis, (c, ink) in enumerate(zip(com, (rows, cols))):
        # short of the centre only where the far edge stopped the shift
        pushed = ink.max() == SIDE - 1 if c < CENTRE else ink.min() == 0
        assert abs(c - CENTRE) <= 0.5 + 1e-4 or pushed, f"axis {axis}: centre of mass {c:.2f}"


# Arbitrary small arrays, element by element: every value and shape a property test can find.
small_images = st.one_of(
    arrays(np.uint8, st.tuples(st.integers(1, 24), st.integers(1, 24), st.sampled_from([4, 3]))),
    arrays(
        np.float32,
        st.tuples(st.integers(1, 24), st.integers(1, 24)),
        elements=st.floats(0, 1, width=32),
    ),
    arrays(
        np.float64,
        st.tuples(st.integers(1, 24), st.integers(1, 24), st.just(4)),
        elements=st.floats(0, 255),
    ),
)


@st.composite
def drawings(draw):
    """A canvas of any size and colours with a few random strokes, blobs and noise on it."""
    height, width = draw(st.integers(1, 600)), draw(st.integers(1, 600))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    background = draw(st.sampled_from([0, 255, int(rng.integers(0, 256))]))
    pen = draw(st.sampled_from([255 - background, int(rng.integers(0, 256))]))
    canvas = np.full((height, width, 4), background, np.uint8)
    canvas[..., 3] = draw(st.sampled_from([255, 0]))  # opaque, or a transparent background
    for _ in range(draw(st.integers(0, 6))):
        top, left = rng.integers(0, height), rng.integers(0, width)
        h, w = rng.integers(1, height + 1), rng.integers(1, max(2, width // 4))
        if rng.random() < 0.5:
            h, w = w, h
        canvas[top : top + h, left : left + w, :3] = pen
        canvas[top : top + h, left : left + w, 3] = 255
    if draw(st.booleans()):
        noise = rng.random((height, width)) < draw(st.floats(0, 0.2))
        canvas[noise, :3] = rng.integers(0, 256, (int(noise.sum()), 3))
    return canvas


@PROPERTY_SETTINGS
@given(small_images)
def test_any_small_array_gives_nothing_or_an_mnist_input(image):
    assert_is_mnist_input(canvas_to_mnist(image))


@PROPERTY_SETTINGS
@given(drawings())
def test_any_drawing_of_any_size_gives_nothing_or_an_mnist_input(canvas):
    assert_is_mnist_input(canvas_to_mnist(canvas))


@pytest.mark.parametrize(
    "canvas",
    [
        np.zeros((1, 1, 4), np.uint8),
        np.full((1, 5000), 255, np.uint8),
        np.eye(3000, dtype=bool),
        np.full((280, 280), np.nan),
        np.full((280, 280), np.inf),
        np.full((280, 280, 4), -7, np.int16),
        np.full((280, 280, 3), 1e30),
    ],
    ids=["1x1", "1x5000-line", "3000-diagonal", "all-nan", "all-inf", "negative", "huge-values"],
)
def test_extreme_canvases_give_nothing_or_an_mnist_input(canvas):
    assert_is_mnist_input(canvas_to_mnist(canvas))


@pytest.mark.parametrize(
    "canvas, reason",
    [
        (np.zeros((280, 280), complex), "dtype"),
        (np.array([["a", "b"], ["c", "d"]]), "dtype"),
        (np.zeros((280, 280), object), "dtype"),
        (np.zeros((280,), np.uint8), "shape"),
        (np.zeros((0, 280, 4), np.uint8), "shape"),
        (np.zeros((280, 280, 2), np.uint8), "shape"),
        (np.broadcast_to(np.uint8(0), (6000, 6000)), "too large"),
    ],
    ids=["complex", "strings", "objects", "1-d", "empty", "2-channels", "36-megapixels"],
)
def test_arrays_that_are_not_images_are_refused_with_a_reason(canvas, reason):
    with pytest.raises(ValueError, match=reason):
        canvas_to_mnist(canvas)
    assert 6000 * 6000 > MAX_PIXELS
