"""Mouse-up to the answer on the Draw page, against the canvas alone (issue 31), printed
and saved to bench/out/number_latency.json; the last line of stdout is one JSON object.

Two servers run side by side: the app, and ../shared/tools/floor_app/ (the same canvas
component and a Prediction metric, no model: the latency floor, most of it the canvas's
200 ms wait after the last stroke). Headless Chromium times, round after round, in turn:

- floor: a one-stroke pen digit drawn on the floor app's canvas;
- digit: the same kind of digit on the Draw page (One digit);
- before (with --before): the same kind of digit on an earlier checkout's Draw page;
- number: a 6-digit number on the Draw page (A number, the 840×280 canvas), of one
  writer, composed as testkit.number_canvas composes them. Its first five digits are
  drawn and answered first; the timed stroke is the sixth digit, a one-stroke digit.

Each time runs from the last mouse-up to the first moment the Prediction metric shows a
new answer (for the number: other than the first five digits' reading), both read from
performance.now() inside the page (as
../shared/tools/draw_eval.py does), so the harness's polling adds nothing. Each page is
loaded afresh for every drawing, as draw_eval.py does.

The server's own CPU per stroke (the Streamlit process and its prediction process,
/proc's user + system time from before the first stroke to the app being idle after the
last, over the strokes drawn) is given for the digit and the number.

usage: nice -n 5 python bench/number_latency.py [--rounds 30] [--seed 5] [--kinds floor,digit]
       [--app CHECKOUT/app.py] [--before CHECKOUT/app.py]
"""

import argparse
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from mnist_core.pendigits import PenDigits
from testkit.apprunner import (
    CHROMIUM_ARGS,
    PROJECT_DIR,
    canvas_box,
    canvas_sent,
    child_processes,
    draw,
    models_with_default,
    start_app,
    stop_app,
    wait_idle,
)
from testkit.figures import cpu_seconds, report_rounds
from testkit.number_canvas import layout, writers_digits

FLOOR_APP = PROJECT_DIR.parent / "shared" / "tools" / "floor_app" / "app.py"
LENGTH = 6

# In-page clock: the last mouse-up, and the first time after it that the Prediction metric
# shows an answer other than window.__before (what it showed before the stroke: nothing
# for a single digit, the first five digits' reading for a number).
WATCH = """(before) => {
  window.__up = null; window.__shown = null; window.__before = before;
  window.addEventListener('mouseup',
    () => { window.__up = performance.now(); window.__shown = null; }, true);
  const seen = () => {
    if (window.__up === null || window.__shown !== null) return;
    for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
      const l = m.querySelector('[data-testid="stMetricLabel"]');
      const v = m.querySelector('[data-testid="stMetricValue"]');
      if (l && v && l.innerText.trim().toLowerCase().startsWith('prediction')
          && /[0-9]/.test(v.innerText) && v.innerText.trim() !== window.__before)
        { window.__shown = performance.now(); return; }
    }
  };
  new MutationObserver(seen).observe(document.body,
    {subtree: true, childList: true, characterData: true});
}"""
ELAPSED = (
    "() => window.__shown !== null && window.__up !== null ? window.__shown - window.__up : null"
)


@contextmanager
def floor_and_app(script: Path, warm_up: list[np.ndarray]):
    """The app (`script`, the bundled models) and the floor app served side by side, and a
    1280×1000 Chromium page that has drawn `warm_up` on both and seen their answers (the
    app's first starts its prediction process; each server's first is slow): yields (app
    process, app URL, floor URL, page)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        app, app_url = start_app(models_with_default(Path(tmp)), script=script)
        floor, floor_url = start_app(script=FLOOR_APP)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                for url in (app_url, floor_url):
                    answered_once(page, url, warm_up)
                yield app, app_url, floor_url, page
                browser.close()
        finally:
            stop_app(app)
            stop_app(floor)


@contextmanager
def served_before(script: Path | None, page, warm_up: list[np.ndarray]):
    """A third server, `script` (an earlier checkout's app.py, the bundled models), warmed
    as floor_and_app warms its two (answered_once): yields its URL (None, and no server,
    without one)."""
    if script is None:
        yield None
        return
    with tempfile.TemporaryDirectory() as tmp:
        process, url = start_app(models_with_default(Path(tmp)), script=script)
        try:
            answered_once(page, url, warm_up)
            yield url
        finally:
            stop_app(process)


def answered_once(page, url: str, warm_up: list[np.ndarray]) -> None:
    """Draw `warm_up` on the server at `url` and wait for its answer: a server's first
    answer is slow (the app's starts its prediction process), and is no figure."""
    fresh(page, url)
    draw(page, warm_up)
    page.locator("[data-testid='stMetric']").wait_for(timeout=120000)


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server and its children (the prediction process)."""
    total = cpu_seconds(pid)
    for child in child_processes(pid):
        try:
            total += cpu_seconds(child)
        except OSError:  # ended meanwhile
            pass
    return total


def fresh(page, url: str, number: bool = False) -> None:
    page.goto(f"{url}/draw")
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=60000
    )
    if number:
        page.locator(".st-key-draw_mode button").filter(has_text="A number").click()
        page.wait_for_function(
            "() => document.querySelector('canvas.upper-canvas')?.width === 840", timeout=60000
        )
    canvas_box(page)  # the floor app's canvas is in a shadow root: canvas_box finds it there
    wait_idle(page)


def timed(page, strokes, before: str = "") -> float | None:
    """Draw `strokes`; ms from the last mouse-up to the Prediction showing an answer other
    than `before`, None if it never does."""
    page.evaluate(WATCH, before)
    draw(page, strokes)
    try:
        page.wait_for_function(ELAPSED, timeout=15000)
    except Exception:
        return None
    return float(page.evaluate(ELAPSED))


def shown(page) -> str:
    """What the Prediction shows once the app is idle after the canvas's last send."""
    canvas_sent(page)
    value = page.locator("[data-testid='stMetricValue']")
    return value.first.inner_text().strip() if value.count() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--app",
        type=Path,
        default=PROJECT_DIR / "app.py",
        help="the app to time, e.g. a checkout of an earlier commit (the same models)",
    )
    parser.add_argument(
        "--before",
        type=Path,
        help="also time a single digit on this app (a checkout of an earlier commit), in "
        "turn with the others in the same run: a before and after on the same machine",
    )
    parser.add_argument(
        "--kinds",
        default="floor,digit,number",
        help="what to time; floor,digit on a checkout from before numbers could be drawn",
    )
    args = parser.parse_args()

    digits = PenDigits()
    rng = np.random.default_rng(args.seed)
    one_stroke = np.flatnonzero([len(digits.strokes(i)) == 1 for i in range(len(digits))])
    writers = [w for w in writers_digits(digits) if np.isin(w, one_stroke).any()]

    def number_strokes():
        own = writers[rng.integers(len(writers))]
        last = rng.choice(np.intersect1d(own, one_stroke))
        picks = [*rng.choice(np.setdiff1d(own, [last]), LENGTH - 1, replace=False), last]
        placed = layout([digits.strokes(i) for i in picks], rng)
        return [s for d in placed[:-1] for s in d], placed[-1]

    kinds = args.kinds.split(",") + (["before"] if args.before else [])
    times = {kind: [] for kind in kinds}
    cpu = {"digit": [], "number": []}
    missed = {k: 0 for k in times}
    digits_read = []  # digits in each number's final answer
    warm_up = digits.placed(int(one_stroke[0]), rng)
    with (
        floor_and_app(args.app, warm_up) as (app, app_url, floor_url, page),
        served_before(args.before, page, warm_up) as before_url,
    ):
        for round_ in range(args.rounds):
            for kind in kinds if round_ % 2 else kinds[::-1]:
                url = {"floor": floor_url, "before": before_url}.get(kind, app_url)
                fresh(page, url, number=kind == "number")
                if kind == "number":
                    first, last = number_strokes()
                    before = server_cpu(app.pid)
                    draw(page, first)
                    ms = timed(page, last, shown(page))
                    digits_read.append(sum(c.isdigit() for c in shown(page)))
                    strokes = len(first) + 1
                else:
                    before = server_cpu(app.pid) if kind == "digit" else 0.0
                    ms = timed(page, digits.placed(int(rng.choice(one_stroke)), rng))
                    strokes = 1
                if ms is None:
                    missed[kind] += 1
                else:
                    times[kind].append(ms)
                if kind in cpu:
                    canvas_sent(page)
                    cpu[kind].append((server_cpu(app.pid) - before) / strokes)
            print(
                f"round {round_ + 1}: "
                + ", ".join(f"{k} {v[-1]:.0f} ms" for k, v in times.items() if v),
                flush=True,
            )

    def summary(values):
        return {
            "median_ms": round(float(np.median(values)), 1),
            "p95_ms": round(float(np.percentile(values, 95)), 1),
            "n": len(values),
        }

    figures = {k: summary(v) for k, v in times.items() if v}
    figures["missed"] = missed
    figures["digit_above_floor_median_ms"] = round(
        figures["digit"]["median_ms"] - figures["floor"]["median_ms"], 1
    )
    if "before" in figures:
        figures["before_above_floor_median_ms"] = round(
            figures["before"]["median_ms"] - figures["floor"]["median_ms"], 1
        )
    if "number" in figures:
        figures["number_above_digit_median_ms"] = round(
            figures["number"]["median_ms"] - figures["digit"]["median_ms"], 1
        )
    figures["server_cpu_ms_per_stroke"] = {
        k: round(1000 * float(np.median(v)), 1) for k, v in cpu.items() if v
    }
    figures["numbers_read_with_six_digits"] = f"{digits_read.count(LENGTH)}/{len(digits_read)}"
    report_rounds("number_latency", figures, args.rounds)


if __name__ == "__main__":
    main()
