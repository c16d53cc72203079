"""The Draw page's number mode in headless Chromium: a number of real pen digits, drawn
with the mouse on a desktop and with a finger on a 390×844 phone, read right in view;
and both modes on a classroom projector's 1366×768."""

import os

import numpy as np
import pytest
from playwright.sync_api import expect

from mnist_core.pendigits import PenDigits
from testkit.apprunner import (
    METRIC,
    canvas_box,
    canvas_ink,
    correction_pill,
    draw,
    in_viewport,
    models_with_default,
    open_page,
    open_phone,
    prediction,
    read_number_mode,
    scrolled,
    shown_number,
    touch_draw,
    wait_idle,
)
from testkit.number_canvas import HEIGHT, WIDTH, number_strokes

SHOTS = os.environ.get("NUMBER_SCREENSHOTS")  # a folder: the pages are saved there too


@pytest.fixture(scope="module")
def app(tmp_path_factory, app_server):
    models = models_with_default(tmp_path_factory.mktemp("models"))
    return app_server(models, tmp_path_factory.mktemp("drawings"))


def test_a_number_drawn_with_the_mouse_is_read(app, browser):
    page = open_page(browser, f"{app}/draw")
    read_number_mode(page)
    box = canvas_box(page)
    assert (box["width"], box["height"]) == (WIDTH, HEIGHT)
    text, strokes = number_strokes(seed=3, length=4)
    draw(page, strokes)
    assert shown_number(page).replace("?", "") == text
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
    assert shown_number(page).replace("?", "") == text
    assert in_viewport(page, page.locator(METRIC)) and in_viewport(
        page, page.locator("canvas.upper-canvas")
    )
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/number_phone.png")


def test_a_projector_shows_a_larger_canvas_and_the_whole_answer_on_one_screen(app, browser):
    """1366×768, what most classroom projectors show: the canvas is larger than its 280
    pixels, and it, the Prediction, all ten bars, the correction row and the tools are
    on the screen without scrolling; a number's answer is in view under its canvas."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{app}/draw")
    box = canvas_box(page)
    assert box["width"] == box["height"] >= 360
    digits = PenDigits()
    rng = np.random.default_rng(11)
    i = int(np.flatnonzero(digits.labels == 3)[0])
    draw(page, digits.placed(i, rng, canvas=box["width"]))  # on-screen pixels
    assert prediction(page) == 3
    assert scrolled(page) == 0
    for part in (
        "canvas.upper-canvas",
        METRIC,
        ".digit-bars",
        "[class*='st-key-draw_correct'] [data-testid='stButtonGroup']",
        ".st-key-draw_tools",
    ):
        assert in_viewport(page, page.locator(part).first), part
    expect(page.locator(".digit-bars [data-digit]")).to_have_count(10)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/draw_projector.png")
    # the image the model reads keeps the canvas's pixels, whatever its size on screen
    assert canvas_ink(page).shape == (280, 280)
    # a teacher saves the drawing as a correction: the page keeps its layout. Its CSS once
    # left with the toast's fragment run: the canvas lost its projector size, and the
    # phone's page links showed over the page
    correction_pill(page, 3).click()
    expect(page.get_by_text("Draw one digit")).to_be_visible()
    wait_idle(page)
    assert canvas_box(page)["width"] == box["width"]
    assert not page.locator(".st-key-phone_nav").is_visible()
    # a number: the wide canvas keeps its 840×280, and the answer is in view under it
    read_number_mode(page)
    text, strokes = number_strokes(seed=3, length=4)
    draw(page, strokes)
    assert shown_number(page).replace("?", "") == text
    assert in_viewport(page, page.locator(METRIC))
    page.close()
