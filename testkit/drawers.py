"""Several people drawing on the Draw page at once: browser sessions replaying pen digits.

Each session is its own browser context (its own Streamlit session) on one headless
Chromium, driven with Playwright's asyncio API so all draw at the same time. A session
clears the canvas, draws one real one-stroke pen digit with the mouse, waits for the
Prediction metric, and starts its next digit one period after the previous one started.
The time from mouse-up to the answer on screen is taken inside the page.
"""

from __future__ import annotations

import asyncio
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from mnist_core.pendigits import PenDigits

from .apprunner import CHROMIUM_ARGS

ANSWER_TIMEOUT_S = 10

# Clock in the page: the last mouse-up and the first moment after it that a Prediction
# metric shows a digit, both from performance.now().
WATCH = """() => {
  window.__up = null; window.__shown = null;
  window.addEventListener('mouseup', () => { window.__up = performance.now(); window.__shown = null; }, true);
  new MutationObserver(() => {
    if (window.__up === null || window.__shown !== null) return;
    for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
      if (m.innerText.trim().toLowerCase().startsWith('prediction') &&
          /[0-9]/.test(m.querySelector('[data-testid="stMetricValue"]')?.innerText ?? ''))
        { window.__shown = performance.now(); return; }
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""  # noqa: E501
SHOWN_AFTER_UP = "() => window.__shown === null ? null : window.__shown - window.__up"
SHOWN_DIGIT = """() => {
  for (const m of document.querySelectorAll('[data-testid="stMetric"]'))
    if (m.innerText.trim().toLowerCase().startsWith('prediction'))
      return (m.querySelector('[data-testid="stMetricValue"]')?.innerText ?? '').trim();
  return null;
}"""


@dataclass
class Drawing:
    session: int
    label: int
    shown: int | None  # the digit on screen once the app was idle; None: no answer
    latency_ms: float | None  # mouse-up → answer on screen


def one_stroke_digits(digits: PenDigits, rng: np.random.Generator, n: int) -> list[int]:
    """n random digits drawn in a single stroke (so each has one mouse-up to time)."""
    single = [i for i in range(len(digits)) if len(digits.strokes(i)) == 1]
    return list(rng.choice(single, n, replace=False))


async def _open(browser, url):
    context = await browser.new_context(viewport={"width": 1280, "height": 1000})
    page = await context.new_page()
    await page.goto(f"{url}/draw")
    await page.wait_for_selector(
        "[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=60000
    )
    await page.wait_for_selector("canvas.upper-canvas", timeout=60000)
    await page.evaluate(WATCH)
    return context, page


async def _canvas_box(page) -> dict:
    """The drawing surface's box, once exactly one canvas is on screen and laid out."""
    from playwright.async_api import expect

    canvas = page.locator("canvas.upper-canvas")
    deadline = time.monotonic() + ANSWER_TIMEOUT_S
    while True:
        await expect(canvas).to_have_count(1, timeout=ANSWER_TIMEOUT_S * 1000)
        box = await canvas.bounding_box()
        if box is not None or time.monotonic() > deadline:
            return box  # None (no box) fails the drawing that asked
        await page.wait_for_timeout(50)  # replaced by a rerun in between: look again


async def _draw_one(page, box, strokes) -> None:
    # the pointer rests on the canvas first: a freshly mounted canvas drops early strokes
    await page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    await page.wait_for_timeout(300)
    for stroke in strokes:
        await page.mouse.move(box["x"] + stroke[0][0], box["y"] + stroke[0][1])
        await page.mouse.down()
        for x, y in stroke[1:]:
            await page.mouse.move(box["x"] + float(x), box["y"] + float(y))
        await page.mouse.up()


async def _idle(page) -> None:
    """Until no script runs: the page has redrawn after the last event."""
    await page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')?.innerText"
        ".includes('Running')",
        timeout=ANSWER_TIMEOUT_S * 1000,
    )


async def _answer(page) -> tuple[int | None, float | None]:
    """(digit shown once the app is idle, mouse-up → first answer in ms), or Nones."""
    deadline = time.monotonic() + ANSWER_TIMEOUT_S
    latency = None
    while latency is None and time.monotonic() < deadline:
        latency = await page.evaluate(SHOWN_AFTER_UP)
        if latency is None:
            await page.wait_for_timeout(20)
    if latency is None:
        return None, None
    await _idle(page)
    text = await page.evaluate(SHOWN_DIGIT)
    return (int(text.rstrip("?")) if text else None), latency  # '6?': a 6, not sure


async def _session(k, browser, url, digits, picks, rng, period, keep_going) -> list[Drawing]:
    from playwright.async_api import Error as PlaywrightError

    context, page = await _open(browser, url)
    drawings = []
    try:
        for i in picks:
            if not keep_going():
                break
            started = time.monotonic()
            label = int(digits.labels[i])
            try:
                if drawings:
                    await page.locator(".st-key-draw_clear button").click()
                    await page.locator("[data-testid='stMetric']").first.wait_for(
                        state="detached", timeout=ANSWER_TIMEOUT_S * 1000
                    )
                    await _idle(page)
                box = await _canvas_box(page)
                await _draw_one(page, box, digits.placed(i, rng, canvas=box["width"]))
                shown, latency = await _answer(page)
            except (PlaywrightError, TypeError) as err:
                # counted as a drawing without an answer; start the next one on a fresh page
                print(f"session {k}: drawing failed: {err}".splitlines()[0], flush=True)
                shown, latency = None, None
                await page.reload()
                await page.wait_for_selector("canvas.upper-canvas", timeout=60000)
                await page.evaluate(WATCH)
            drawings.append(Drawing(k, label, shown, latency))
            if shown is None and os.environ.get("DRAWERS_SHOTS"):
                await page.screenshot(path=f"{os.environ['DRAWERS_SHOTS']}/{k}_{len(drawings)}.png")
            await asyncio.sleep(max(0.0, period - (time.monotonic() - started)))
    finally:
        await context.close()
    return drawings


async def _run(url, sessions, per_session, period, keep_going, seed) -> list[Drawing]:
    from playwright.async_api import async_playwright

    digits = PenDigits()
    rng = np.random.default_rng(seed)
    picks = one_stroke_digits(digits, rng, sessions * per_session)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            results = await asyncio.gather(
                *(
                    _session(
                        k,
                        browser,
                        url,
                        digits,
                        picks[k::sessions],
                        np.random.default_rng(seed + k),
                        period,
                        keep_going,
                    )
                    for k in range(sessions)
                )
            )
        finally:
            await browser.close()
    return [d for session in results for d in session]


def draw_together(
    url: str,
    sessions: int = 5,
    per_session: int = 10,
    period: float = 1.0,
    keep_going=lambda: True,
    seed: int = 3,
) -> list[Drawing]:
    """Every drawing made by `sessions` people at once, up to `per_session` each, one per
    `period` seconds, while `keep_going()` is true."""
    return run_apart(_run(url, sessions, per_session, period, keep_going, seed))


def run_apart(coroutine):
    """asyncio.run(coroutine) in a thread of its own: asyncio.run refuses to run where an
    event loop already runs (Playwright's sync API in the caller has one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def summary(drawings: list[Drawing], seconds: float | None = None) -> dict:
    """Counts and latency of `drawings`; with the `seconds` they took, the pace too."""
    latencies = [d.latency_ms for d in drawings if d.latency_ms is not None]
    pace = {}
    if seconds:
        sessions = len({d.session for d in drawings}) or 1
        pace["digits_per_second_per_session"] = round(len(drawings) / seconds / sessions, 2)
    return {
        **pace,
        "drawings": len(drawings),
        "answered": sum(d.shown is not None for d in drawings),
        "correct": sum(d.shown == d.label for d in drawings),
        "latency_median_ms": round(float(np.median(latencies)), 1) if latencies else None,
        "latency_p95_ms": round(float(np.percentile(latencies, 95)), 1) if latencies else None,
    }
