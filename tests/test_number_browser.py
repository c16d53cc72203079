"""The Draw page's number mode in headless Chromium: a number of real pen digits, drawn
with the mouse on a desktop and with a finger on a 390×844 phone, read right in view."""

import os
import re

import numpy as np
import pytest
from playwright.sync_api import expect

from mnist_core.pendigits import PenDigits
from testkit.apprunner import (
    METRIC,
    canvas_box,
    draw,
    in_viewport,
    models_with_default,
    open_page,
    open_phone,
    touch_draw,
    wait_idle,
)
from testkit.number_canvas import HEIGHT, WIDTH, layout, writers_digits

SHOTS = os.environ.get("NUMBER_SCREENSHOTS")  # a folder: the pages are saved there too


@pytest.fixture(scope="module")
def app(tmp_path_factory, app_server):
    return app_server(models_with_default(tmp_path_factory.mktemp("models")))


def number_strokes(seed: int, length: int):
    """A composed number of one writer: (its text, its strokes in canvas pixels)."""
    digits = PenDigits()
    rng = np.random.default_rng(seed)
    own = writers_digits(digits)[rng.integers(100)]
    picks = rng.choice(own, length, replace=False)
    placed = layout([digits.strokes(i) for i in picks], rng)
    return "".join(str(digits.labels[i]) for i in picks), [s for d in placed for s in d]


def read_number_mode(page) -> str:
    """Switch to number mode, and wait for the wide canvas."""
    page.locator(".st-key-draw_mode button").filter(has_text="A number").click()
    page.wait_for_function(
        "() => document.querySelector('canvas.upper-canvas')?.width === 840", timeout=60000
    )


def shown_number(page, length: int) -> str:
    """The Prediction's value once it reads `length` digits: the canvas sends each stroke
    200 ms after it ends, and the page answers for each, so a number grows to its length
    (up to 30 s, then whatever it shows)."""
    metric = page.locator(METRIC).filter(has_text="Prediction")
    metric.wait_for(timeout=30000)
    value = metric.locator("[data-testid='stMetricValue']")
    try:
        expect(value).to_have_text(re.compile(rf"^(\d\??){{{length}}}$"), timeout=30000)
    except AssertionError:
        pass
    wait_idle(page)
    return value.inner_text().strip()


def test_a_number_drawn_with_the_mouse_is_read(app, browser):
    page = open_page(browser, f"{app}/draw")
    read_number_mode(page)
    box = canvas_box(page)
    assert (box["width"], box["height"]) == (WIDTH, HEIGHT)
    text, strokes = number_strokes(seed=3, length=4)
    draw(page, strokes)
    assert shown_number(page, len(text)).replace("?", "") == text
    assert in_viewport(page, page.locator(METRIC))
    expect(page.locator(".st-key-draw_number_digits img")).to_have_count(len(text))
    # the steps: the ink with each digit's box, and each digit's 28×28 input
    page.get_by_text("How the model read each digit").click()
    steps = page.locator(".st-key-draw_number_explain")
    expect(steps.get_by_text("Your ink, split into digits")).to_be_visible(timeout=30000)
    expect(steps.locator("img")).to_have_count(1 + len(text))
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/number_desktop.png", full_page=True)
    # back to one digit: the square canvas, as before
    page.locator(".st-key-draw_mode button").filter(has_text="One digit").click()
    page.wait_for_function(
        "() => document.querySelector('canvas.upper-canvas')?.width === 280", timeout=60000
    )
    expect(page.locator(METRIC)).to_have_count(0)


def test_a_number_written_by_finger_on_a_phone_is_read_in_view(app, browser):
    page = open_phone(browser, f"{app}/draw")
    read_number_mode(page)
    box = canvas_box(page)
    assert box["width"] >= 350 and abs(box["height"] - box["width"] / 3) < 2
    text, strokes = number_strokes(seed=8, length=4)
    scale = box["width"] / WIDTH  # the canvas keeps its pixels; the screen shows it smaller
    touch_draw(page, [s * scale for s in strokes])
    assert shown_number(page, len(text)).replace("?", "") == text
    assert in_viewport(page, page.locator(METRIC)) and in_viewport(
        page, page.locator("canvas.upper-canvas")
    )
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/number_phone.png")
