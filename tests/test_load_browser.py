"""A short version of the load benchmark (bench/load_figures.py): three people draw at
once while a training started from the Train page runs; every drawing is answered."""

import pytest
from playwright.sync_api import expect

from apprunner import fill_training_form, models_with_default, open_page, start_app, stop_app
from drawers import draw_together, summary

METRIC = "[data-testid='stMetric']"


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
    drawings = [
        (d.session, d.label, d.shown, d.latency_ms and round(d.latency_ms)) for d in drawings
    ]
    assert figures["drawings"] == 9 and figures["answered"] == 9, drawings
    assert figures["correct"] >= 7, drawings
    # a loose bound, to catch an answer queued behind the training, not to time the page
    assert figures["latency_p95_ms"] < 3000, drawings
    assert (models / "under-load.keras").exists()
