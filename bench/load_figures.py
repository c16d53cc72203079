"""Figures for load (issue 7), printed and saved to bench/out/load_figures.json.

Five people draw on the Draw page at once, one real one-stroke pen digit per second each,
while one training runs from the Train page. Five phases on one server:

1. the training alone, its page open: images/s;
2. five headless Chromium sessions drawing with the mouse (testkit/drawers.py), nothing
   else: mouse-up → answer on screen;
3. the same five browser sessions while the training runs: answers, latency, images/s;
4. five light sessions (testkit/light_sessions.py: a recorded browser session's messages,
   replayed with other pen digits) while the same training runs: the room as it is, with
   each person's browser on their own device;
5. the training alone again; the ratios compare with the mean of 1 and 5.

The CPU used during each training by the server, the prediction worker, the training
process, the light sessions and everything else (the browsers) is reported too: on a small
machine the Chromium sessions that make the load compete with the app for the same cores.

usage: python bench/load_figures.py [--sessions 5] [--drawings 8]
"""

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from mnist_core.config import TrainConfig
from testkit.apprunner import (
    CHROMIUM_ARGS,
    child_processes,
    models_with_default,
    start_app,
    stop_app,
)
from testkit.drawers import draw_together, summary
from testkit.figures import (
    cpu_seconds,
    images_per_second,
    save_figures,
    start_training_from_page,
    total_cpu_seconds,
    wait_trained,
)
from testkit.light_sessions import draw_lightly, record

# as bench/train_figures.py: the Train page's cnn, 2 epochs of 20,000 images
CONFIG = TrainConfig(arch="cnn", epochs=2, batch_size=64, train_size=20_000, augment=False)
SETTINGS = dict(epochs=CONFIG.epochs, arch="cnn", augment=False)


def while_training(page, url, name, draw, process, models: Path) -> dict:
    """Start the training `name` from the Train page and `draw(keep_going)` until it ends:
    the drawings, the seconds they took, the training's images/s and the CPU time of each
    part (the server reaps the training process without adding its time to its own)."""
    trained = threading.Event()
    results = []
    drawers = threading.Thread(target=lambda: results.extend(draw(lambda: not trained.is_set())))
    server = process.pid
    worker = next(
        pid
        for pid, cmd in child_processes(server).items()
        if "mnist_core.processes.prediction" in cmd
    )
    pids = {
        "server": server,
        "prediction worker": worker,
        "bench process (light sessions)": os.getpid(),
    }
    before = {role: cpu_seconds(pid) for role, pid in pids.items()}
    machine_before, started = total_cpu_seconds(), time.monotonic()
    start_training_from_page(page, url, name, **SETTINGS)
    drawing_began = time.monotonic()
    drawers.start()
    training_cpu, trainer = 0.0, None
    while trainer is None:  # looked for every 50 ms: spinning would take a core from it
        trainer = next(
            (
                p
                for p, cmd in child_processes(server).items()
                if "mnist_core.processes.training" in cmd
            ),
            None,
        )
        time.sleep(0.05)
    while True:  # sampled until it ends
        try:
            training_cpu = cpu_seconds(trainer)
        except OSError:
            break
        time.sleep(0.2)
    wait_trained(page, name)
    cpu = {role: cpu_seconds(pid) - before[role] for role, pid in pids.items()}
    cpu["training"] = training_cpu
    trained.set()
    drawers.join()
    drawing_seconds = time.monotonic() - drawing_began
    elapsed = time.monotonic() - started
    machine = total_cpu_seconds() - machine_before
    cores = {role: round(seconds / elapsed, 2) for role, seconds in cpu.items()}
    cores["everything else (browsers, load driver)"] = round(
        (machine - sum(cpu.values())) / elapsed, 2
    )
    return {
        "drawing": summary(results, drawing_seconds),
        "training_images_per_second": images_per_second(models, name, CONFIG),
        "cores_used": cores,
    }


def main():
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=5)
    ap.add_argument("--drawings", type=int, default=8, help="per session, in phase 2")
    args = ap.parse_args()
    figures = {"sessions": args.sessions, "cpu_cores": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        models = models_with_default(Path(tmp))
        process, url = start_app(models_dir=models)
        try:
            draw_together(url, sessions=1, per_session=1)  # warm: the worker has loaded TF
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                recording = record(browser, url)
                page = browser.new_page(viewport={"width": 1280, "height": 1400})

                def nobody(keep_going):
                    return []

                trainings = {
                    "training_alone": (nobody, "alone"),
                    "browsers_drawing_during_training": (
                        lambda go: draw_together(url, args.sessions, 1000, keep_going=go),
                        "with_browsers",
                    ),
                    "light_sessions_drawing_during_training": (
                        lambda go: draw_lightly(url, recording, args.sessions, 1000, keep_going=go),
                        "with_light_sessions",
                    ),
                    # the speed of the same training alone varies from run to run on a
                    # shared machine: measured before and after, the ratios use the mean
                    "training_alone_again": (nobody, "alone_again"),
                }
                for phase, (draw, name) in trainings.items():
                    figures[phase] = while_training(page, url, name, draw, process, models)
                    print(f"{phase}:", json.dumps(figures[phase]), flush=True)
                    if phase == "training_alone":
                        began = time.monotonic()
                        made = draw_together(url, args.sessions, args.drawings)
                        figures["browsers_drawing_alone"] = summary(made, time.monotonic() - began)
                        print("browsers alone:", figures["browsers_drawing_alone"], flush=True)
                alone = statistics.mean(
                    [
                        figures[phase]["training_images_per_second"]
                        for phase in ("training_alone", "training_alone_again")
                    ]
                )
                for phase in trainings:
                    figures[phase]["training_ratio_to_alone"] = round(
                        figures[phase]["training_images_per_second"] / alone, 3
                    )
                browser.close()
        finally:
            stop_app(process)
    print(json.dumps(figures), flush=True)
    save_figures("load_figures", figures)


if __name__ == "__main__":
    main()
