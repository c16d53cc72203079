"""Screenshots of the pages for the README: docs/draw.png, docs/train.png,
docs/train_done.png, docs/evaluate.png and docs/draw_phone.png. Starts its own app on a
copy of the models.

usage: python bench/screenshots.py
"""

import tempfile
from pathlib import Path

import numpy as np
from paths import ROOT
from playwright.sync_api import expect, sync_playwright

from apprunner import (
    CHROMIUM_ARGS,
    canvas_box,
    draw,
    models_with_default,
    start_app,
    stop_app,
    wait_idle,
)
from mnist_core.pendigits import PenDigits

DOCS = ROOT / "docs"


def draw_digit(page, index, seed=3):
    box = canvas_box(page)
    draw(page, PenDigits().placed(index, np.random.default_rng(seed), canvas=box["width"]))
    expect(page.locator("[data-testid='stMetric']")).to_be_visible(timeout=30000)
    page.wait_for_timeout(600)  # the canvas sends the last stroke 200 ms after mouse-up
    wait_idle(page)


def main():
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        process, url = start_app(models_dir=models_with_default(Path(tmp)))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"{url}/draw")
                page.locator("canvas.upper-canvas").wait_for(timeout=60000)
                wait_idle(page)
                draw_digit(page, 11)
                page.screenshot(path=DOCS / "draw.png", full_page=True)

                phone = browser.new_page(
                    viewport={"width": 390, "height": 844}, device_scale_factor=2, has_touch=True
                )
                phone.goto(f"{url}/draw")
                phone.locator("canvas.upper-canvas").wait_for(timeout=60000)
                wait_idle(phone)
                phone.screenshot(path=DOCS / "draw_phone.png")

                page.goto(f"{url}/evaluate")
                page.locator(".st-key-eval_gallery img").first.wait_for(timeout=120000)
                wait_idle(page)
                page.screenshot(path=DOCS / "evaluate.png", full_page=True)

                page.goto(f"{url}/train")
                page.locator(".st-key-train_start button").wait_for(timeout=60000)
                page.locator(".st-key-train_epochs input").fill("3")
                page.locator(".st-key-train_epochs input").press("Enter")
                page.locator(".st-key-train_name input").fill("screenshot")
                page.locator(".st-key-train_name input").press("Enter")
                page.locator(".st-key-train_start button").click()
                progress = page.locator("[data-testid='stProgress']")
                expect(progress).to_contain_text("Epoch 2/3", timeout=300000)
                page.wait_for_timeout(1500)
                page.screenshot(path=DOCS / "train.png", full_page=True)
                expect(page.get_by_text("Test accuracy")).to_be_visible(timeout=300000)
                wait_idle(page)
                page.screenshot(path=DOCS / "train_done.png", full_page=True)
                browser.close()
        finally:
            stop_app(process)


if __name__ == "__main__":
    main()
