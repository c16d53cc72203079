"""Screenshots of the pages for the README: docs/draw.png, docs/train.png,
docs/train_done.png and docs/evaluate.png on a desktop; docs/draw_phone.png (a digit drawn
by touch, with its answer) and docs/train_phone.png (a training under way) on a phone,
390×844. Starts its own app on a copy of the models.

usage: python bench/screenshots.py
"""

import tempfile
from pathlib import Path

import numpy as np
from playwright.sync_api import expect, sync_playwright

from mnist_core.pendigits import PenDigits
from testkit.apprunner import (
    CHROMIUM_ARGS,
    PROJECT_DIR,
    canvas_box,
    draw,
    fill_training_form,
    models_with_default,
    open_page,
    open_phone,
    start_app,
    stop_app,
    touch_draw,
    wait_idle,
)

DOCS = PROJECT_DIR / "docs"


def draw_digit(page, index, finger=False, seed=3):
    """Draw pen digit `index` (by touch with a `finger`) and wait for its answer."""
    side = canvas_box(page)["width"]
    strokes = PenDigits().placed(index, np.random.default_rng(seed), canvas=side)
    if finger:
        touch_draw(page, strokes)
    else:
        draw(page, strokes)
    expect(page.locator("[data-testid='stMetric']")).to_be_visible(timeout=30000)
    page.wait_for_timeout(600)  # the canvas sends the last stroke 200 ms after lifting
    wait_idle(page)


def train_until_epoch_2(page, name):
    """Start a 3-epoch cnn training on the Train page; return once its 2nd epoch runs."""
    fill_training_form(page, name, 3)
    page.locator(".st-key-train_start button").click()
    page.mouse.move(0, 0)  # left on Start, the pointer would hover a chart's toolbar into view
    progress = page.locator("[data-testid='stProgress']")
    expect(progress).to_contain_text("Epoch 2/3", timeout=300000)
    page.wait_for_timeout(1500)


def main():
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        process, url = start_app(models_dir=models_with_default(Path(tmp)))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = open_page(browser, f"{url}/draw")
                page.set_viewport_size({"width": 1280, "height": 900})
                draw_digit(page, 11)
                page.screenshot(path=DOCS / "draw.png", full_page=True)

                phone = open_phone(browser, f"{url}/draw")
                draw_digit(phone, 11, finger=True)
                phone.screenshot(path=DOCS / "draw_phone.png")  # the screen, unscrolled

                page.goto(f"{url}/evaluate")
                page.locator(".st-key-eval_gallery img").first.wait_for(timeout=120000)
                wait_idle(page)
                page.screenshot(path=DOCS / "evaluate.png", full_page=True)

                page.goto(f"{url}/train")
                train_until_epoch_2(page, "screenshot")
                page.screenshot(path=DOCS / "train.png", full_page=True)
                expect(page.get_by_text("Test accuracy")).to_be_visible(timeout=300000)
                wait_idle(page)
                page.screenshot(path=DOCS / "train_done.png", full_page=True)

                phone.goto(f"{url}/train")
                train_until_epoch_2(phone, "screenshot-phone")
                # scrolled as a person would, the training's heading just under the header
                phone.get_by_role("heading", name="Training screenshot-phone").evaluate(
                    "h => document.querySelector('[data-testid=stMain]').scrollTop +="
                    " h.getBoundingClientRect().top - 64"
                )
                phone.screenshot(path=DOCS / "train_phone.png")
                phone.locator(".st-key-train_stop button").click()
                expect(phone.get_by_text("Test accuracy")).to_be_visible(timeout=300000)
                browser.close()
        finally:
            stop_app(process)


if __name__ == "__main__":
    main()
