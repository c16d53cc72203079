"""Where a first answer's time goes in the browser: a Chrome trace of each answer on the
Draw page and on the canvas alone (../shared/tools/floor_app/), printed and saved to
bench/out/answer_render.json; the last line of stdout is one JSON object.

Round after round, in turn, headless Chromium draws a one-stroke pen digit on a freshly
loaded floor app and Draw page (as bench/number_latency.py does) while Chrome traces its
page's main thread. For each answer, from the mouse-up:

- shown: the Prediction metric on screen (performance.now() in the page, as
  ../shared/tools/draw_eval.py measures);
- first / last frame: the main thread handling the first and the last WebSocket message
  after the canvas's send (the server's answer arriving, delayed by what the main thread
  was busy with);
- react: milliseconds the main thread spent in React (react-dom's functions) from the
  canvas's send to 600 ms after the mouse-up: re-rendering the page's elements.

The page minus the floor, in react, is what the Draw page's own elements cost the
browser; the metric is committed only once React has rendered every new element of the
run, in slices between the server's messages.

usage: nice -n 5 python bench/answer_render.py [--rounds 8] [--seed 5]
"""

import argparse
import json
from collections import Counter

import numpy as np
from number_latency import ELAPSED, WATCH, floor_and_app, fresh

from mnist_core.pendigits import PenDigits
from testkit.apprunner import PROJECT_DIR, draw
from testkit.figures import report_rounds

CANVAS_WAIT_MS = 150  # the canvas sends 200 ms after the mouse-up: count from before that
WINDOW_MS = 600
CATEGORIES = ["devtools.timeline", "v8.execute"]


def main_thread(events: list[dict]) -> list[dict]:
    """The events of the page's renderer main thread (the busiest CrRendererMain)."""
    names = {
        (e["pid"], e["tid"]): e["args"]["name"]
        for e in events
        if e.get("ph") == "M" and e.get("name") == "thread_name"
    }
    busy = Counter(
        (e.get("pid"), e.get("tid"))
        for e in events
        if names.get((e.get("pid"), e.get("tid"))) == "CrRendererMain"
    )
    thread = busy.most_common(1)[0][0]
    return [e for e in events if (e.get("pid"), e.get("tid")) == thread]


def render_figures(events: list[dict]) -> dict:
    """first/last frame and react (ms after the last mouse-up) from one trace's events."""
    own = main_thread(events)
    ups = [
        e
        for e in own
        if e.get("name") == "EventDispatch"
        and e.get("args", {}).get("data", {}).get("type") == "mouseup"
    ]
    up = ups[-1]["ts"]  # microseconds
    start, end = up + CANVAS_WAIT_MS * 1000, up + WINDOW_MS * 1000
    frames = [
        (e["ts"] - up) / 1000
        for e in own
        if e.get("name") == "WebSocketReceive" and start <= e["ts"] < end
    ]
    react = sum(
        e.get("dur", 0)
        for e in own
        if e.get("name") == "FunctionCall"
        and "react-dom" in str(e.get("args", {}).get("data", {}).get("url", ""))
        and start <= e["ts"] < end
    )
    return {
        "first_frame": frames[0] if frames else None,
        "last_frame": frames[-1] if frames else None,
        "react": react / 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    digits = PenDigits()
    rng = np.random.default_rng(args.seed)
    one_stroke = np.flatnonzero([len(digits.strokes(i)) == 1 for i in range(len(digits))])
    found = {"floor": [], "digit": []}
    warm_up = digits.placed(int(one_stroke[0]), rng)
    with floor_and_app(PROJECT_DIR / "app.py", warm_up) as (_, app_url, floor_url, page):
        for round_ in range(args.rounds):
            for kind in ("floor", "digit") if round_ % 2 else ("digit", "floor"):
                fresh(page, floor_url if kind == "floor" else app_url)
                page.evaluate(WATCH, "")
                page.context.browser.start_tracing(page=page, categories=CATEGORIES)
                draw(page, digits.placed(int(rng.choice(one_stroke)), rng))
                page.wait_for_function(ELAPSED, timeout=15000)
                page.wait_for_timeout(WINDOW_MS)
                trace = json.loads(page.context.browser.stop_tracing())
                events = trace["traceEvents"] if isinstance(trace, dict) else trace
                figures = render_figures(events)
                figures["shown"] = float(page.evaluate(ELAPSED))
                found[kind].append(figures)
                print(f"round {round_ + 1} {kind}: {figures}", flush=True)

    def median(kind: str, field: str) -> float | None:
        values = [f[field] for f in found[kind] if f[field] is not None]
        return round(float(np.median(values)), 1) if values else None

    fields = ("shown", "first_frame", "last_frame", "react")
    summary = {kind: {f"{f}_ms": median(kind, f) for f in fields} for kind in found}
    summary["react_above_floor_ms"] = round(
        summary["digit"]["react_ms"] - summary["floor"]["react_ms"], 1
    )
    report_rounds("answer_render", summary, args.rounds)


if __name__ == "__main__":
    main()
