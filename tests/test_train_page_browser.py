"""The Train page in headless Chromium: train, watch, stop, then draw with the result."""

import re

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

CHART = "[data-testid='stVegaLiteChart']"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    process, url = start_app(models_dir=models_with_default(tmp_path_factory.mktemp("models")))
    yield url
    stop_app(process)


def test_train_watch_and_draw_with_the_new_model(app, browser):
    page = open_page(browser, f"{app}/train")
    fill_training_form(page, "browser-test", 1, arch="cnn", size="10,000 (quick demo)")
    page.locator(".st-key-train_start button").click()
    expect(page.locator(".st-key-train_start button")).to_have_count(0)  # no second Start
    watcher = open_page(browser, f"{app}/train")  # a second tab during training
    expect(watcher.get_by_text("A training is running")).to_be_visible()
    expect(watcher.locator(".st-key-train_start button")).to_have_count(0)
    expect(page.locator(CHART).first).to_be_visible(timeout=60000)
    first = page.locator("[data-testid='stProgress']").inner_text()
    expect(page.locator("[data-testid='stProgress']")).not_to_have_text(first, timeout=20000)
    metric = page.locator(METRIC).filter(has_text="Test accuracy")
    expect(metric).to_be_visible(timeout=300000)
    accuracy = (
        float(re.sub(r"[^\d.]", "", metric.locator("[data-testid='stMetricValue']").inner_text()))
        / 100
    )
    assert accuracy > 0.9
    watcher.close()
    page.locator(".st-key-train_draw button").click()
    page.wait_for_url("**/draw", timeout=30000)
    chosen = page.locator(".st-key-draw_model input")
    expect(chosen).to_have_value(re.compile(r"^browser-test · cnn · test accuracy"))


def test_stop_halts_a_long_run(app, browser):
    page = open_page(browser, f"{app}/train")
    fill_training_form(page, "stopped", 30, arch="cnn", size="55,000 (all)")
    page.locator(".st-key-train_start button").click()
    expect(page.locator(CHART).first).to_be_visible(timeout=60000)
    page.locator(".st-key-train_stop button").click()
    expect(page.get_by_text("Stopped early")).to_be_visible(timeout=60000)
    expect(page.locator(METRIC).filter(has_text="Test accuracy")).to_be_visible()
    page.locator(".st-key-train_discard button").click()
    expect(page.get_by_text("Deleted")).to_be_visible()
