"""Short versions of the load benchmark (bench/load_figures.py): three people draw at once
in Chromium while a training started from the Train page runs, and five light sessions
(a recorded browser's messages) draw one digit a second each; every drawing is answered."""

import pytest
from playwright.sync_api import expect

from apprunner import (
    METRIC,
    fill_training_form,
    models_with_default,
    open_page,
    start_app,
    stop_app,
)
from drawers import draw_together, summary
from light_sessions import draw_lightly, record


def listed(drawings) -> list[tuple]:
    """(session, digit drawn, digit shown, ms) of each drawing, for assertion messages."""
    return [(d.session, d.label, d.shown, d.latency_ms and round(d.latency_ms)) for d in drawings]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    models = models_with_default(tmp_path_factory.mktemp("models"))
    process, url = start_app(models_dir=models)
    yield url, models
    stop_app(process)


def test_several_people_draw_while_a_training_runs(app, browser):
    url, models = app
    page = open_page(browser, f"{url}/train")
    fill_training_form(page, "under-load", 2, arch="dense", size="10,000 (quick demo)")
    page.locator(".st-key-train_start button").click()
    expect(page.locator("[data-testid='stProgress']")).to_be_visible(timeout=60000)

    drawings = draw_together(url, sessions=3, per_session=3)

    expect(page.locator(METRIC).filter(has_text="Test accuracy")).to_be_visible(timeout=300000)
    figures = summary(drawings)
    drawings = listed(drawings)
    assert figures["drawings"] == 9 and figures["answered"] == 9, drawings
    assert figures["correct"] >= 7, drawings
    # a loose bound, to catch an answer queued behind the training, not to time the page
    assert figures["latency_p95_ms"] < 3000, drawings
    assert (models / "under-load.keras").exists()


def test_five_sessions_drawing_a_digit_a_second_are_answered_within_half_a_second(app, browser):
    url, _ = app
    drawings = draw_lightly(url, record(browser, url), sessions=5, per_session=4)
    figures = summary(drawings)
    drawings = listed(drawings)
    assert figures["drawings"] == 20 and figures["answered"] == 20, drawings
    assert figures["correct"] >= 18, drawings
    # the canvas's own 200 ms wait after mouse-up included
    assert figures["latency_p95_ms"] < 500, drawings
