"""Figures for load (issue 7), printed and saved to bench/out/load_figures.json.

Five people draw on the Draw page at once (headless Chromium, a browser context each,
one real one-stroke pen digit per second each, see tests/drawers.py) while one training
runs from the Train page. Three phases on one server:

1. the training alone, its page open: images/s;
2. the five sessions drawing, nothing else: mouse-up → answer (the load's own cost);
3. the five sessions drawing while the same training runs: answers, latency, images/s.

CPU time used in phase 3 by the server, the prediction worker, the training process and
everything else (the browsers driving the load) is reported too: on a small machine the
browsers that make the load compete with the app for the same cores.

usage: python bench/load_figures.py [--sessions 5] [--drawings 8]
"""

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from apprunner import (  # noqa: E402
    CHROMIUM_ARGS,
    child_processes,
    models_with_default,
    start_app,
    stop_app,
)
from common import cpu_seconds, start_training_from_page, wait_trained  # noqa: E402
from drawers import draw_together, summary  # noqa: E402
from mnist_core.config import TrainConfig  # noqa: E402

# as bench/train_figures.py: the Train page's cnn, 2 epochs of 20,000 images
CONFIG = TrainConfig(arch="cnn", epochs=2, batch_size=64, train_size=20_000, augment=False)
SETTINGS = dict(epochs=CONFIG.epochs, arch="cnn", augment=False)


def images_per_second(models: Path, name: str) -> float:
    meta = json.loads((models / f"{name}.json").read_text())
    assert meta["config"] == CONFIG.as_dict(), meta["config"]
    return meta["images_per_second"]


def total_cpu_seconds() -> float:
    """CPU time of the whole machine (all processes), from /proc/stat."""
    with open("/proc/stat") as f:
        user, nice, system = (int(v) for v in f.readline().split()[1:4])
    return (user + nice + system) / os.sysconf("SC_CLK_TCK")


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
                page = browser.new_page(viewport={"width": 1280, "height": 1400})

                start_training_from_page(page, url, "alone", **SETTINGS)
                wait_trained(page, "alone")
                figures["training_alone_images_per_second"] = images_per_second(models, "alone")
                print("phase 1:", figures, flush=True)

                began = time.monotonic()
                made = draw_together(url, args.sessions, args.drawings)
                drawing = summary(made, time.monotonic() - began)
                figures["drawing_alone"] = drawing
                print("phase 2:", drawing, flush=True)

                trained = threading.Event()

                def trained_not_yet():
                    return not trained.is_set()

                results = []
                drawers = threading.Thread(
                    target=lambda: results.extend(
                        draw_together(url, args.sessions, 1000, keep_going=trained_not_yet)
                    )
                )
                server, worker = (
                    process.pid,
                    next(
                        pid for pid, cmd in child_processes(process.pid).items() if "worker" in cmd
                    ),
                )
                cpu_before = {
                    "server": cpu_seconds(server),
                    "prediction worker": cpu_seconds(worker),
                }
                machine_before, started = total_cpu_seconds(), time.monotonic()
                start_training_from_page(page, url, "loaded", **SETTINGS)
                drawers.start()
                # the training process's CPU time, sampled until it ends (the server reaps
                # it without adding its time to the server's children's time)
                training_cpu, trainer = 0.0, None
                while trainer is None:
                    trainer = next(
                        (p for p, cmd in child_processes(server).items() if "train_worker" in cmd),
                        None,
                    )
                while True:
                    try:
                        training_cpu = cpu_seconds(trainer)
                    except OSError:
                        break
                    time.sleep(0.2)
                wait_trained(page, "loaded")
                cpu = {
                    "server": cpu_seconds(server) - cpu_before["server"],
                    "prediction worker": cpu_seconds(worker) - cpu_before["prediction worker"],
                    "training": training_cpu,
                }
                trained.set()
                drawers.join()
                elapsed = time.monotonic() - started
                machine = total_cpu_seconds() - machine_before
                loaded = images_per_second(models, "loaded")
                browser.close()
        finally:
            stop_app(process)
    figures["drawing_during_training"] = summary(results, elapsed)
    figures["training_loaded_images_per_second"] = loaded
    figures["training_ratio_loaded_to_alone"] = round(
        loaded / figures["training_alone_images_per_second"], 3
    )
    figures["cores_used_during_training"] = {
        **{role: round(seconds / elapsed, 2) for role, seconds in cpu.items()},
        "everything else (browsers, load driver)": round(
            (machine - sum(cpu.values())) / elapsed, 2
        ),
    }
    print(json.dumps(figures), flush=True)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "load_figures.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
