"""The app on a phone in headless Chromium: a 390×844 touch screen, strokes sent as touch
events with nothing hovering first. On the Draw page, real pen digits started near every
corner of the canvas are read, with the answer on screen beside the whole canvas without
scrolling; Undo and Clear work by tap; drawing never scrolls the page, a swipe beside it
does. The Train and Evaluate pages fit the screen's width."""

import numpy as np
import pytest
from playwright.sync_api import expect

from mnist_core.pendigits import PenDigits
from testkit.apprunner import (
    METRIC,
    SEVEN,
    canvas_box,
    canvas_ink,
    clear_canvas,
    correction_pill,
    draw,
    fill_training_form,
    fits_the_width,
    in_viewport,
    models_with_default,
    open_page,
    open_phone,
    prediction,
    scrolled,
    touch,
    touch_draw,
)
from testkit.pen_replay import placed_in_corner

CORNERS = ("top left", "top right", "bottom left", "bottom right")
# The component's hidden toolbar covered the top 30 px of the 280 px canvas, right half
TOOLBAR_STRIP = 30 / 280


@pytest.fixture(scope="module")
def app(tmp_path_factory, app_server):
    models = models_with_default(tmp_path_factory.mktemp("models"))
    return app_server(models, tmp_path_factory.mktemp("drawings"))


def starts_near(strokes, corner: str, side: float) -> bool:
    """Whether the first stroke begins in `corner`'s quarter of the canvas, and for a top
    corner within the top strip that the component's toolbar covered."""
    x, y = strokes[0][0]
    vertical, horizontal = corner.split()
    across = x < side / 2 if horizontal == "left" else x >= side / 2
    down = y <= TOOLBAR_STRIP * side if vertical == "top" else y >= side / 2
    return across and down


def corner_digits(side: float, per_corner: int, seed: int):
    """(label, strokes, corner): `per_corner` random pen digits placed in each corner of
    a canvas `side` pixels wide on screen, each starting near its corner."""
    digits, rng = PenDigits(), np.random.default_rng(seed)
    chosen = []
    for corner in CORNERS:
        found = 0
        for i in rng.permutation(len(digits)):
            strokes = placed_in_corner(digits, i, corner, rng, canvas=side)
            if starts_near(strokes, corner, side):
                chosen.append((int(digits.labels[i]), strokes, corner))
                found += 1
                if found == per_corner:
                    break
    return chosen


def test_pen_digits_started_at_every_corner_are_read_in_view(app, browser):
    page = open_phone(browser, f"{app}/draw")
    side = canvas_box(page)["width"]
    assert side >= 350  # the phone's width less Streamlit's margins: 358 of 390 px
    canvas, answer = page.locator("canvas.upper-canvas"), page.locator(METRIC)
    wrong = []
    # three in each corner: a corner that swallowed or cut strokes shows in all three
    for k, (label, strokes, corner) in enumerate(corner_digits(side, 3, seed=15)):
        if k:
            clear_canvas(page, finger=True)
        touch_draw(page, strokes)
        shown = prediction(page)
        if shown != label:
            wrong.append((label, shown, corner))
        assert scrolled(page) == 0
        assert in_viewport(page, answer) and in_viewport(page, canvas), corner
    print(f"read right: {12 - len(wrong)}/12; wrong (label, shown, corner): {wrong}")
    assert len(wrong) <= 1, wrong


def test_a_stroke_begun_anywhere_along_the_top_edge_is_kept(app, browser):
    """The component's toolbar, invisible until hovered, lay over the top right strip of
    the canvas and swallowed strokes begun there by a finger."""
    page = open_phone(browser, f"{app}/draw")
    side = canvas_box(page)["width"]
    for k, across in enumerate((0.1, 0.5, 0.7, 0.9)):
        if k:
            clear_canvas(page, finger=True)
        touch_draw(page, [np.array([[across, 0.01], [across, 0.8]]) * side])
        assert prediction(page) == 1, across
        assert canvas_ink(page)[:8, round(across * 280)].any(), across


def test_undo_takes_back_the_last_stroke_and_clear_empties_the_canvas(app, browser):
    page = open_phone(browser, f"{app}/draw")
    side = canvas_box(page)["width"]
    undo = page.locator(".st-key-draw_undo button")
    value = page.locator(f"{METRIC} [data-testid='stMetricValue']")
    expect(undo).to_be_disabled()
    stem, bar = (stroke * side for stroke in SEVEN)
    touch_draw(page, [stem])
    assert prediction(page) == 1
    one_stroke = canvas_ink(page)
    touch_draw(page, [bar])
    assert prediction(page) == 7
    assert canvas_ink(page).sum() > one_stroke.sum()

    undo.tap()
    expect(value).to_have_text("1")  # the answer follows the canvas
    assert (canvas_ink(page) == one_stroke).mean() > 0.999
    undo.tap()
    expect(page.locator(METRIC)).to_have_count(0)
    expect(page.get_by_text("Draw one digit")).to_be_visible()
    assert not canvas_ink(page).any()
    expect(undo).to_be_disabled()

    touch_draw(page, [stem, bar])
    assert prediction(page) == 7
    clear_canvas(page, finger=True)
    assert not canvas_ink(page).any()
    expect(undo).to_be_disabled()


def test_the_next_digit_can_begin_under_the_toast_of_a_saved_correction(app, browser):
    """After a correction its toast ("Draw the next one") lies over the canvas's top: a
    finger that begins the next digit there draws on the canvas. It touched the toast
    once, and a sideways stroke went back a page."""
    page = open_phone(browser, f"{app}/draw")
    digits, rng = PenDigits(), np.random.default_rng(8)
    i = int(np.flatnonzero(digits.labels == 6)[3])
    touch_draw(page, digits.placed(i, rng, canvas=canvas_box(page)["width"]))
    prediction(page)
    correction_pill(page, 6).tap()
    expect(page.get_by_text("Draw one digit")).to_be_visible()
    toast = page.locator("[data-testid='stToast']").first
    expect(toast).to_be_visible()
    at, box = toast.bounding_box(), canvas_box(page)
    y = at["y"] + at["height"] / 2 - box["y"]
    assert 0 < y < box["height"]  # the toast is over the canvas
    w = box["width"]
    touch_draw(page, [np.array([[0.2 * w, y], [0.5 * w, y], [0.8 * w, y]])])  # a 7's bar
    prediction(page)
    assert page.url.endswith("/draw")


def test_drawing_never_scrolls_the_page_and_a_swipe_beside_it_does(app, browser):
    page = open_phone(browser, f"{app}/draw")
    box = canvas_box(page)
    upward = np.array([[0.5, 0.9], [0.5, 0.1]])
    touch_draw(page, [upward * box["width"]])
    assert prediction(page) == 1
    assert scrolled(page) == 0
    # the same swipe on the page's title and text, above the canvas
    title = page.locator("h1").bounding_box()
    touch(page, [np.array([[title["x"] + 150, box["y"] - 10], [title["x"] + 150, title["y"]]])])
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stMain]').scrollTop > 50", timeout=5000
    )


def test_the_canvas_reads_the_same_on_a_phone_and_a_desktop(app, browser):
    """The canvas keeps its 280×280 pixels at any size on screen: the same digit drawn
    across the phone's wider canvas by touch and the desktop's by mouse inks the same
    canvas pixels and gets the same answer."""
    digits = PenDigits()
    strokes = digits.placed(7, np.random.default_rng(2))  # in a 280 px canvas
    inks, answers = [], []
    for page, finger in (
        (open_phone(browser, f"{app}/draw"), True),
        (open_page(browser, f"{app}/draw"), False),
    ):
        on_screen = [s * canvas_box(page)["width"] / 280 for s in strokes]
        if finger:
            touch_draw(page, on_screen)
        else:
            draw(page, on_screen)
        answers.append(prediction(page))
        inks.append(canvas_ink(page))
    phone, desktop = inks
    assert phone.shape == desktop.shape == (280, 280)
    assert (phone & desktop).sum() / (phone | desktop).sum() > 0.9
    assert answers[0] == answers[1] == digits.labels[7]


def test_train_page_fits_the_phone_while_training(app, browser):
    page = open_phone(browser, f"{app}/train")
    fill_training_form(page, "phone", 1, arch="dense", size="10,000 (quick demo)")
    assert fits_the_width(page)
    page.locator(".st-key-train_start button").tap()
    charts = page.locator("[data-testid='stVegaLiteChart']")
    expect(charts.first).to_be_visible(timeout=60000)
    assert charts.count() == 2 and fits_the_width(page)
    expect(page.get_by_text("Test accuracy")).to_be_visible(timeout=120000)
    assert fits_the_width(page)


def test_evaluate_page_fits_the_phone(app, browser):
    page = open_phone(browser, f"{app}/evaluate")
    pictures = page.locator(".st-key-eval_gallery img")
    expect(pictures.first).to_be_visible(timeout=120000)
    assert fits_the_width(page)
    # the gallery's row of 8 wraps 4 to a row, not 1
    assert pictures.nth(0).bounding_box()["y"] == pictures.nth(3).bounding_box()["y"]
    # and in order, surest first, row after row
    shown = [
        float(c.rstrip("%"))
        for c in page.locator(".st-key-eval_gallery_images")
        .locator("[data-testid='stImageCaption']")
        .all_inner_texts()
    ]
    assert shown == sorted(shown, reverse=True) and len(shown) >= 8


def test_one_tap_changes_page_and_leaves_nothing_open(app, browser):
    page = open_phone(browser, f"{app}/draw")
    page.locator(".st-key-phone_nav a").filter(has_text="Train").tap()
    page.wait_for_url("**/train")
    expect(page.locator(".st-key-train_start button")).to_be_visible(timeout=30000)
    # nothing covers the page: its title is the topmost element where it is
    title = page.locator("h1").first
    box = title.bounding_box()
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('h1') !== null",
        [box["x"] + 20, box["y"] + box["height"] / 2],
    )
    assert on_top and "Train" in title.inner_text()
    expect(page.locator("[data-testid='stSidebar']")).to_be_hidden()
    nav = page.locator(".st-key-phone_nav").bounding_box()
    assert nav["y"] == 0 and nav["height"] <= 60  # in the header, taking no room below it
