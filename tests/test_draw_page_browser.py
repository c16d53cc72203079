"""The Draw page in headless Chromium: real pen digits drawn with the mouse are read."""

import shutil

import numpy as np
import pytest
from playwright.sync_api import expect

from mnist_core.pendigits import PenDigits
from mnist_core.store import MODELS_DIR
from testkit.apprunner import (
    METRIC,
    SEVEN,
    canvas_box,
    canvas_ink,
    clear_canvas,
    draw,
    models_with_default,
    open_page,
    prediction,
)


@pytest.fixture(scope="module")
def app(tmp_path_factory, app_server):
    """The app serving a models folder with the default, a second model, and a corrupt file."""
    models = models_with_default(tmp_path_factory.mktemp("models"))
    shutil.copy(MODELS_DIR / "default.keras", models / "second.keras")  # no metadata
    (models / "broken.keras").write_text("not a model")
    return app_server(models)


def test_real_pen_digits_are_read(app, browser):
    digits = PenDigits()
    rng = np.random.default_rng(5)
    picks = rng.choice(len(digits), 10, replace=False)
    page = open_page(browser, f"{app}/draw")
    right = 0
    for i in picks:
        clear_canvas(page)
        draw(page, digits.placed(i, rng, canvas=canvas_box(page)["width"]))
        shown = prediction(page)
        right += shown == digits.labels[i]
        # the highlighted probability bar is the digit the metric shows
        expect(page.locator(".digit-bars [data-best='true']")).to_have_attribute(
            "data-digit", str(shown)
        )
    assert right >= 9


# The moments the Prediction and the bars first appear on the page, from a page clock.
APPEARANCES = """() => {
  window.__seen = {};
  const look = () => {
    const now = performance.now();
    if (!window.__seen.metric && document.querySelector('[data-testid="stMetric"]'))
      window.__seen.metric = now;
    if (!window.__seen.bars && document.querySelector('.digit-bars')) window.__seen.bars = now;
  };
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true});
}"""


@pytest.mark.alone
def test_the_prediction_shows_before_what_can_wait(app, browser):
    # The bars, the preview and the pills are sent ANSWER_FIRST_SECONDS after the answer,
    # so the browser renders them after it (sent together, they showed in one render).
    # Timed after a first answer: a fresh page first loads the metric's code.
    digits, rng = PenDigits(), np.random.default_rng(2)
    one_stroke = [i for i in range(100) if len(digits.strokes(i)) == 1]
    page = open_page(browser, f"{app}/draw")
    canvas_box(page)
    gaps = []
    for k, i in enumerate(one_stroke[:4]):
        if k:
            clear_canvas(page)
        page.evaluate(APPEARANCES)
        draw(page, digits.placed(i, rng))
        page.wait_for_function("() => window.__seen.metric && window.__seen.bars", timeout=15000)
        seen = page.evaluate("() => window.__seen")
        gaps.append(seen["bars"] - seen["metric"])
    # ms from the metric's appearance to the bars' (the first answer left out); sent
    # together, most were 0
    assert np.median(gaps[1:]) > 60, gaps


def test_empty_canvas_predicts_nothing_and_clear_removes_the_answer(app, browser):
    page = open_page(browser, f"{app}/draw")
    canvas_box(page)
    expect(page.get_by_text("Draw one digit")).to_be_visible()
    expect(page.locator(METRIC)).to_have_count(0)
    draw(page, [np.array([[140, 40], [140, 240]])])  # a 1
    assert prediction(page) == 1
    clear_canvas(page)


def test_root_lands_on_draw_and_bad_models_are_flagged(app, browser):
    page = open_page(browser, app)
    page.wait_for_url("**/draw", timeout=30000)
    canvas_box(page)
    expect(page.get_by_text("Can't use broken.keras")).to_be_visible()


def test_switching_model_changes_the_metadata_shown(app, browser):
    page = open_page(browser, f"{app}/draw")
    canvas_box(page)
    expect(page.get_by_text("parameters")).to_be_visible()
    page.locator(".st-key-draw_model").click()
    page.get_by_role("option", name="second").click()
    expect(page.get_by_text("no metadata")).to_be_visible()
    expect(page.get_by_text("parameters")).to_have_count(0)


def test_undo_then_another_page_and_back_starts_an_empty_canvas(app, browser):
    """The canvas restarts from the drawing an Undo left; one mounted afresh, after a
    visit to another page, must start empty rather than show strokes without an answer."""
    page = open_page(browser, f"{app}/draw")
    side = canvas_box(page)["width"]
    draw(page, [stroke * side for stroke in SEVEN])
    assert prediction(page) == 7
    page.locator(".st-key-draw_undo button").click()
    expect(page.locator(f"{METRIC} [data-testid='stMetricValue']")).to_have_text("1")
    page.get_by_role("link", name="Train").click()
    page.locator(".st-key-train_start button").wait_for(timeout=60000)
    page.get_by_role("link", name="Draw").click()
    canvas_box(page)
    expect(page.get_by_text("Draw one digit")).to_be_visible()
    expect(page.locator(".st-key-draw_undo button")).to_be_disabled()
    assert not canvas_ink(page).any()
