"""Figures for the Train page (issue 4), printed and saved to bench/out/train_figures.json.

1. Training throughput with the page open in headless Chromium, charts refreshing, against
   a bare `model.fit` of the same model and data in this process.
2. Server memory over repeated trainings: RSS after each of N jobs run through the page's
   JobRunner in the server process.

usage: python bench/train_figures.py [--trainings N]
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from apprunner import CHROMIUM_ARGS, start_app  # noqa: E402
from mnist_core.config import TrainConfig  # noqa: E402

# The same run both ways: no augmentation, so bare fit can take the same numpy arrays.
CONFIG = TrainConfig(arch="cnn", epochs=2, batch_size=64, train_size=20_000, augment=False)


def page_images_per_second(models_dir: Path) -> dict:
    from playwright.sync_api import expect, sync_playwright

    process, url = start_app(models_dir=models_dir)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.goto(f"{url}/train")
            page.locator(".st-key-train_start button").wait_for(timeout=60000)
            page.locator(".st-key-train_epochs input").fill(str(CONFIG.epochs))
            page.locator(".st-key-train_epochs input").press("Enter")
            page.locator(".st-key-train_augment label").click()  # off
            page.locator(".st-key-train_name input").fill("bench")
            page.locator(".st-key-train_name input").press("Enter")
            page.locator(".st-key-train_start button").click()
            metric = page.locator("[data-testid='stMetric']").filter(has_text="Test accuracy")
            expect(metric).to_be_visible(timeout=600000)
            browser.close()
    finally:
        process.kill()
    meta = json.loads((models_dir / "bench.json").read_text())
    assert meta["config"] == CONFIG.as_dict(), meta["config"]
    return {
        "page_images_per_second": meta["images_per_second"],
        "test_accuracy": meta["test_accuracy"],
    }


def bare_fit_images_per_second() -> float:
    from mnist_core.data import load_mnist
    from mnist_core.models import build_model
    from mnist_core.training import split

    x_train, y_train, _, _ = load_mnist()
    (x, y), validation = split(x_train, y_train, CONFIG.train_size, CONFIG.seed)
    model = build_model(CONFIG.arch, seed=0)
    start = time.perf_counter()
    model.fit(
        x,
        y,
        batch_size=CONFIG.batch_size,
        epochs=CONFIG.epochs,
        validation_data=validation,
        verbose=0,
    )
    return len(x) * CONFIG.epochs / (time.perf_counter() - start)


def rss_over_trainings(n: int, models_dir: Path) -> list[float]:
    """The server's side of a training (JobRunner), n times: RSS in MB after each."""
    from mnist_core.jobs import JobRunner

    runner = JobRunner()
    small = TrainConfig(arch="dense", epochs=1, train_size=2000)
    rss = []
    for k in range(n):
        runner.start(small, f"mem{k}", models_dir).wait()
        with open("/proc/self/status") as f:
            kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
        rss.append(round(kb / 1024, 1))
    return rss


def main():
    import tempfile

    ap = argparse.ArgumentParser()
    ap.add_argument("--trainings", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = page_images_per_second(Path(tmp))
        bare = bare_fit_images_per_second()
        figures.update(
            bare_fit_images_per_second=round(bare, 1),
            ratio=round(figures["page_images_per_second"] / bare, 3),
        )
        print("throughput:", figures, flush=True)
        rss = rss_over_trainings(args.trainings, Path(tmp))
        figures["server_rss_mb_after_each_training"] = rss
        figures["rss_growth_after_first_mb"] = round(rss[-1] - rss[0], 1)
        print("memory:", rss, flush=True)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "train_figures.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
