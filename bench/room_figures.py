"""Figures for a classroom (issue 17), printed and saved to bench/out/room_figures*.json.

A teacher trains a `cnn` from the Train page on the projector while the room draws on
their phones: light sessions (testkit/light_sessions.py: a recorded browser's messages, each
person's browser on their own device), one pen digit every 2 s each, and the Evaluate page
tests a model this server has not tested before (the default, on the 10,000 MNIST test
digits, in the prediction's studies lane), opened by a light session too (the teacher's
laptop). The Train page is open in Chromium, as in bench/load_figures.py: its live charts
cost the server what they cost in a class, and this machine what a laptop would.
On one server, in phases:

1. the training alone, its page open: images/s;
2. the room alone: N sessions for --seconds: answers, share read right, latency;
3. the room while the training runs (at least --seconds) and, --evaluate-after seconds
   into it, the Evaluate page opens and tests its model: the same figures, the training's
   images/s, and the drawings whose stroke was sent while the model was being tested;
4. the training alone again (its speed varies between runs here): the ratio uses the mean
   of 1 and 4.

--knee 10,30,60,100,150 instead: the room alone at each size for --seconds, each on a
fresh server: p95 and the share answered, and per rerun (3 per digit: Clear, the empty
canvas, the stroke) the server's CPU, the wait before a rerun's first message (the
websocket and the event loop) and the bytes sent; CPU of every part; docs/room_knee.svg.

--memory 100 instead: the server's memory (RSS) before, with N sessions open (each has
drawn), just after they left (every third mid-stroke: a drawing sent, closed before its
answer), and once Streamlit dropped the sessions it keeps for a reconnect (120 s; it
drops them when its store is next written: one more visitor comes and goes) and the
server handed the memory back (server/memory.py: a collection and a trim, every 60 s).

The last line printed is one JSON object; for the room (the default) it has at least
drawings, answered, p95_ms, median_ms and training_ratio.

usage: python bench/room_figures.py [--sessions 30] [--seconds 60]
       python bench/room_figures.py --knee 10,30,60,100,150 [--seconds 40]
       python bench/room_figures.py --memory 100
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from cpu_meter import CpuMeter, role
from knee_plot import KneePoint, write_knee_svg
from mnist_core.config import TrainConfig
from server.memory import CLEAN_EVERY_S
from testkit.apprunner import (
    CHROMIUM_ARGS,
    PROJECT_DIR,
    child_processes,
    models_with_default,
    start_app,
    stop_app,
)
from testkit.drawers import summary
from testkit.figures import (
    OUT_DIR,
    images_per_second,
    rss_mb,
    save_figures,
    start_training_from_page,
    wait_trained,
)
from testkit.light_sessions import (
    Gathering,
    LightDrawing,
    draw_lightly,
    make_scripts,
    record,
    visit,
)

# the Train page's cnn on 20,000 images, as bench/load_figures.py; 6 epochs outlast a minute
# (about 10 s each alone on two cores)
EPOCHS = 6


def training(epochs: int) -> TrainConfig:
    """What the Train page runs with the settings filled in by `start(…)`."""
    return TrainConfig(arch="cnn", epochs=epochs, batch_size=64, train_size=20_000, augment=False)


def start(page, url, name, config: TrainConfig) -> None:
    start_training_from_page(page, url, name, epochs=config.epochs, arch="cnn", augment=False)


PERIOD_S = 2.0  # a digit every 2 s per person
LIMIT_MS = 500
ENDLESS = 1_000_000  # digits per session: drawing ends when keep_going says so
RERUNS_PER_DIGIT = 3  # Clear, the empty canvas, the stroke
SESSION_TTL_S = 120  # Streamlit's server.disconnectedSessionTTL, left at its default
KNEE_SVG = PROJECT_DIR / "docs" / "room_knee.svg"


def figures(drawings: list[LightDrawing], seconds: float) -> dict:
    """Counts, latency (from mouse-up, the canvas's wait included), where the time went."""
    base = summary(drawings, seconds)
    waited = [d.waited_ms for d in drawings if d.waited_ms is not None]
    n = max(len(drawings), 1)
    return {
        "drawings": base["drawings"],
        "answered": base["answered"],
        "correct": base["correct"],
        "answered_share": round(base["answered"] / n, 4),
        "right_share": round(base["correct"] / n, 4),
        "median_ms": base["latency_median_ms"],
        "p95_ms": base["latency_p95_ms"],
        "digits_per_second": round(len(drawings) / seconds, 2),
        "wait_before_rerun_p95_ms": round(float(np.percentile(waited, 95)), 1) if waited else None,
        "answer_bytes_median": int(np.median([d.bytes for d in drawings])) if drawings else 0,
    }


def p95_per_window(drawings: list[LightDrawing], began: float, window_s: float = 10) -> list:
    """The p95 latency of the strokes sent in each `window_s` from `began`: stalls show."""
    windows: dict[int, list[float]] = {}
    for d in drawings:
        if d.sent_s is not None and d.latency_ms is not None:
            windows.setdefault(int((d.sent_s - began) // window_s), []).append(d.latency_ms)
    return [round(float(np.percentile(windows.get(k, [0]), 95))) for k in range(max(windows) + 1)]


def same_answers(quiet: list[LightDrawing], loaded: list[LightDrawing]) -> dict:
    """The drawings made in both phases (the same pen digit for the same session's n-th
    digit): how many, and how many got the same digit back."""
    before = {(d.session, d.number): d.shown for d in quiet}
    pairs = [
        (before[d.session, d.number], d.shown) for d in loaded if (d.session, d.number) in before
    ]
    return {"in_both": len(pairs), "same_answer": sum(a == b for a, b in pairs)}


def until(seconds: float):
    deadline = time.monotonic() + seconds
    return lambda: time.monotonic() < deadline


def per_session(seconds: float) -> int:
    return math.ceil(seconds / PERIOD_S) + 1


def warm(url, recording) -> None:
    """Until a drawing is answered: the prediction process has loaded TensorFlow (seconds
    on a busy machine, longer than a light session waits for one answer)."""
    for _ in range(12):
        if draw_lightly(url, recording, 1, 1)[0].shown is not None:
            return
    raise RuntimeError("the app answered no drawing in 12 tries")


def room_alone(url, recording, sessions, seconds, server) -> tuple[list, dict]:
    """`sessions` drawing for `seconds`, nothing else."""
    scripts = make_scripts(recording, sessions, per_session(seconds))
    with CpuMeter(server) as meter:
        made = draw_lightly(
            url,
            recording,
            sessions,
            ENDLESS,
            period=PERIOD_S,
            keep_going=until(seconds),
            scripts=scripts,
        )
    return made, {**figures(made, meter.seconds), "cores": meter.cores()}


def training_alone(page, url, name, server, models, config: TrainConfig) -> dict:
    with CpuMeter(server) as meter:
        start(page, url, name, config)
        wait_trained(page, name)
    return {"images_per_second": images_per_second(models, name, config), "cores": meter.cores()}


def room_loaded(page, url, recording, args, server, models) -> tuple[list, dict]:
    """The room drawing for the whole training, at least --seconds, while the Evaluate page
    tests its model --evaluate-after seconds in."""
    # the same digits as room_alone's, in the same order, then round again
    scripts = make_scripts(recording, args.sessions, per_session(args.seconds))
    trained, made = threading.Event(), []

    def draw():
        long_enough = until(args.seconds)
        made.extend(
            draw_lightly(
                url,
                recording,
                args.sessions,
                ENDLESS,
                period=PERIOD_S,
                keep_going=lambda: long_enough() or not trained.is_set(),
                scripts=scripts,
            )
        )

    drawers = threading.Thread(target=draw)
    with CpuMeter(server) as meter:
        start(page, url, "room", training(args.epochs))
        began = time.monotonic()
        drawers.start()
        time.sleep(args.evaluate_after)
        tested_from = time.monotonic()
        evaluation = visit(url, recording, "evaluate")  # the teacher's laptop is elsewhere
        tested_until = time.monotonic()
        wait_trained(page, "room")
        trained.set()
        drawers.join()
    during = [d for d in made if d.sent_s is not None and tested_from <= d.sent_s <= tested_until]
    return made, {
        **figures(made, time.monotonic() - began),
        "training_images_per_second": images_per_second(models, "room", training(args.epochs)),
        "p95_ms_per_10_s": p95_per_window(made, began),
        "evaluate_page_from_s": round(tested_from - began, 1),
        "evaluate_page_seconds": round(evaluation.seconds, 1),
        "evaluate_page_test_accuracy": evaluation.metrics.get("Test accuracy"),
        "while_testing": figures(during, max(tested_until - tested_from, 1e-9)),
        "cores": meter.cores(),
    }


def room(args, recording, url, server, models) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        alone = training_alone(page, url, "alone", server, models, training(args.epochs))
        print("training alone:", json.dumps(alone), flush=True)
        quiet, quiet_figures = room_alone(url, recording, args.sessions, args.seconds, server)
        print("room alone:", json.dumps(quiet_figures), flush=True)
        loaded, loaded_figures = room_loaded(page, url, recording, args, server, models)
        print("room during training and testing:", json.dumps(loaded_figures), flush=True)
        again = training_alone(page, url, "alone_again", server, models, training(args.epochs))
        print("training alone again:", json.dumps(again), flush=True)
        browser.close()
    mean_alone = statistics.mean([alone["images_per_second"], again["images_per_second"]])
    ratio = loaded_figures["training_images_per_second"] / mean_alone
    return {
        "sessions": args.sessions,
        "period_s": PERIOD_S,
        **{
            k: loaded_figures[k] for k in ("drawings", "answered", "correct", "p95_ms", "median_ms")
        },
        "training_ratio": round(ratio, 3),
        "right_share": loaded_figures["right_share"],
        "right_share_without_load": quiet_figures["right_share"],
        "same_drawings_both_phases": same_answers(quiet, loaded),
        "training_alone": alone,
        "room_alone": quiet_figures,
        "room_during_training_and_testing": loaded_figures,
        "training_alone_again": again,
    }


def knee(args, recording, models) -> dict:
    rows = []
    for sessions in (int(n) for n in args.knee.split(",")):
        process, url = start_app(models_dir=models)
        try:
            warm(url, recording)
            made, row = room_alone(url, recording, sessions, args.seconds, process.pid)
        finally:
            stop_app(process)
        reruns = len(made) * RERUNS_PER_DIGIT + sessions  # + each session's page opening
        server_cpu = row["cores"].get("server", 0) * args.seconds
        row = {
            "sessions": sessions,
            **row,
            "server_cpu_ms_per_rerun": round(1000 * server_cpu / max(reruns, 1), 1),
        }
        rows.append(row)
        print("knee:", json.dumps(row), flush=True)
    plot_knee(rows)
    over = [r["sessions"] for r in rows if r["p95_ms"] is None or r["p95_ms"] > LIMIT_MS]
    return {
        "rows": rows,
        "first_over_limit": over[0] if over else None,
        "plot": str(KNEE_SVG.relative_to(PROJECT_DIR)),
    }


def plot_knee(rows: list[dict]) -> None:
    """docs/room_knee.svg from the knee's rows (as saved in bench/out/room_knee.json)."""
    points = [
        KneePoint(r["sessions"], r["p95_ms"], r["answered_share"], r["digits_per_second"])
        for r in rows
    ]
    others = max(r["cores"].get("everything else", 0) for r in rows)
    machine = (
        f"{os.cpu_count()} CPU cores: the app, its child processes and the load driver; "
        f"other work took up to {others:.1f} of them"
    )
    write_knee_svg(points, KNEE_SVG, limit_ms=LIMIT_MS, machine=machine, period_s=PERIOD_S)


def memory(args, recording, models) -> dict:
    process, url = start_app(models_dir=models)
    server = process.pid
    try:
        warm(url, recording)  # imports done, TensorFlow loaded, a first visit
        before = rss_mb(server)
        gathering = Gathering(mid_stroke_every=3)
        done = []
        visit = threading.Thread(
            target=lambda: done.extend(
                draw_lightly(url, recording, args.memory, 2, period=PERIOD_S, gathering=gathering)
            )
        )
        visit.start()
        while gathering.waiting < args.memory and visit.is_alive():
            time.sleep(0.5)
        with_open = rss_mb(server)
        children = {
            role(command): rss_mb(pid)
            for pid, command in child_processes(server).items()
            if role(command)
        }
        gathering.leave.set()
        visit.join()
        time.sleep(5)  # mid-stroke reruns finish
        after_leaving = rss_mb(server)
        time.sleep(SESSION_TTL_S + 5)
        # the kept sessions are dropped when the store is next written: someone comes and goes
        draw_lightly(url, recording, 1, 1)
        time.sleep(CLEAN_EVERY_S + 5)  # and the server hands the memory back (server/memory.py)
        after_expiry = rss_mb(server)
    finally:
        stop_app(process)
    return {
        "sessions": args.memory,
        "left_mid_stroke": len(range(0, args.memory, 3)),
        "drawings": figures(done, 1.0)["answered"],
        "server_rss_mb": {
            "before": before,
            "with_sessions_open": with_open,
            "just_after_they_left": after_leaving,
            f"after_{SESSION_TTL_S}_s_one_more_visit_and_a_clean": after_expiry,
        },
        "returned_within_mb": round(after_expiry - before, 1),
        "child_processes_rss_mb": children,
    }


def recorded(url):
    """What a real browser sends while drawing on the Draw page (light_sessions.record)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            return record(browser, url)
        finally:
            browser.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=60, help="of drawing, per phase or rung")
    ap.add_argument("--epochs", type=int, default=EPOCHS, help="of the cnn (fewer: a smoke run)")
    ap.add_argument("--evaluate-after", type=float, default=15, help="s into the training")
    ap.add_argument("--knee", help="session counts, e.g. 10,30,60,100,150: the ramp instead")
    ap.add_argument("--memory", type=int, help="sessions: the memory figures instead")
    ap.add_argument("--replot", action="store_true", help="redraw the knee from its last run")
    args = ap.parse_args()
    if args.replot:
        plot_knee(json.loads((OUT_DIR / "room_knee.json").read_text())["rows"])
        return
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        models = models_with_default(Path(tmp))
        process, url = start_app(models_dir=models)
        try:
            recording = recorded(url)  # the same app: its ids hold on any server
            if not (args.knee or args.memory):
                name, result = "room_figures", room(args, recording, url, process.pid, models)
        finally:
            stop_app(process)
        if args.knee:  # each on a server of its own
            name, result = "room_knee", knee(args, recording, models)
        elif args.memory:
            name, result = "room_memory", memory(args, recording, models)
    result = {
        "cpu_cores": os.cpu_count(),
        # other work on the machine inflates the figures: the 1, 5, 15-minute load averages
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
        **result,
    }
    save_figures(name, result)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
