"""Figures for the Draw page (issue 5), printed and saved to bench/out/draw_figures.json.

1. Start-up: server start → interactive canvas, and → first prediction (TensorFlow import
   in the worker included), in headless Chromium.
2. Accuracy and mouse-up → prediction latency on real pen digits replayed with the mouse,
   by ../shared/tools/draw_eval.py (the tool the page is judged with).

usage: python bench/draw_figures.py [N]   (N drawings, default 300)
"""

import re
import subprocess
import sys
import time

from mnist_core.pendigits import pen_digits_path
from testkit.apprunner import CHROMIUM_ARGS, PROJECT_DIR, free_port, start_app, stop_app
from testkit.figures import OUT_DIR, save_figures

DRAW_EVAL = PROJECT_DIR.parent / "shared" / "tools" / "draw_eval.py"


def startup(url_port: int):
    """(server process, URL, start-up figures) for a freshly started app."""
    from playwright.sync_api import sync_playwright

    start = time.perf_counter()
    process, url = start_app(port=url_port)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(f"{url}/draw")
        page.wait_for_selector("canvas.upper-canvas", timeout=60000)
        interactive = time.perf_counter() - start
        box = page.locator("canvas.upper-canvas").bounding_box()
        page.mouse.move(box["x"] + 140, box["y"] + 140)
        page.wait_for_timeout(400)  # the canvas drops strokes drawn while it first settles
        page.mouse.move(box["x"] + 140, box["y"] + 40)
        page.mouse.down()
        page.mouse.move(box["x"] + 140, box["y"] + 240, steps=10)
        page.mouse.up()
        page.locator("[data-testid='stMetric']").filter(has_text="Prediction").wait_for(
            timeout=60000
        )
        first_prediction = time.perf_counter() - start
        browser.close()
    return (
        process,
        url,
        {
            "server_start_to_interactive_canvas_s": round(interactive, 2),
            "server_start_to_first_prediction_s": round(first_prediction, 2),
        },
    )


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    process, url, figures = startup(free_port())
    print("start-up:", figures, flush=True)
    try:
        done = subprocess.run(
            [sys.executable, str(DRAW_EVAL), f"{url}/draw", str(pen_digits_path()), str(n)],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        stop_app(process)
    summary = done.stdout.strip().splitlines()[-1]
    print(summary, flush=True)
    numbers = re.search(
        r"accuracy ([\d.]+) over (\d+) \(no prediction: (\d+)\).* over (\d+) one-stroke digits: "
        r"p95 (\d+) ms, median (\d+) ms",
        summary,
    )
    accuracy, drawings, none, one_stroke, p95, median = numbers.groups()
    figures.update(
        drawn_digit_accuracy=float(accuracy),
        drawings=int(drawings),
        no_prediction=int(none),
        one_stroke_digits=int(one_stroke),
        latency_median_ms=int(median),
        latency_p95_ms=int(p95),
    )
    save_figures("draw_figures", figures)
    (OUT_DIR / "draw_eval.log").write_text(done.stdout)


if __name__ == "__main__":
    main()
