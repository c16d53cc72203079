"""Screenshots of the pages for the README: docs/draw.png, docs/train.png,
docs/train_done.png and docs/draw_phone.png. Starts its own app on a copy of the models.

usage: python bench/screenshots.py
"""

import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from apprunner import CHROMIUM_ARGS, start_app, wait_idle  # noqa: E402
from mnist_core.pendigits import PenDigits  # noqa: E402
from mnist_core.store import MODELS_DIR  # noqa: E402

DOCS = ROOT / "docs"


def draw_digit(page, index, seed=3):
    digits = PenDigits()
    box = page.locator("canvas.upper-canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(500)  # the canvas drops strokes drawn while it first settles
    for stroke in digits.placed(index, np.random.default_rng(seed), canvas=box["width"]):
        points = [(box["x"] + float(x), box["y"] + float(y)) for x, y in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point)
        page.mouse.up()
    expect(page.locator("[data-testid='stMetric']")).to_be_visible(timeout=30000)
    page.wait_for_timeout(600)
    wait_idle(page)


def main():
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in (".keras", ".json"):
            shutil.copy(MODELS_DIR / f"default{suffix}", Path(tmp) / f"default{suffix}")
        process, url = start_app(models_dir=Path(tmp))
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
            process.kill()


if __name__ == "__main__":
    main()
