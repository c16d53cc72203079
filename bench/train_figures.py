"""Figures for the Train page (issue 4), printed and saved to bench/out/train_figures.json.

1. Training throughput with the page open in headless Chromium, charts refreshing, against
   a bare `model.fit` of the same model and data in this process.
2. The Streamlit server's memory (RSS) after each of N trainings started from the page.

usage: python bench/train_figures.py [--trainings N]
"""

import argparse
import json
import os
import tempfile
from pathlib import Path

# TensorFlow runs in this process: its C++ log shows errors only (set before it loads)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from mnist_core.config import TrainConfig
from testkit.apprunner import (
    CHROMIUM_ARGS,
    models_with_default,
    start_app,
    stop_app,
)
from testkit.figures import bare_fit_images_per_second, rss_mb, save_figures, train_from_page

# The same run both ways: no augmentation, so bare fit can take the same numpy arrays.
CONFIG = TrainConfig(arch="cnn", epochs=2, batch_size=64, train_size=20_000, augment=False)


def main():
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser()
    ap.add_argument("--trainings", type=int, default=10)
    args = ap.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        models = models_with_default(Path(tmp))
        process, url = start_app(models_dir=models)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 1400})
                train_from_page(page, url, "bench", epochs=CONFIG.epochs, arch="cnn", augment=False)
                meta = json.loads((models / "bench.json").read_text())
                assert meta["config"] == CONFIG.as_dict(), meta["config"]
                figures["page_images_per_second"] = meta["images_per_second"]
                rss = []
                for k in range(args.trainings):
                    train_from_page(
                        page, url, f"mem{k}", epochs=1, arch="dense", size="10,000 (quick demo)"
                    )
                    rss.append(rss_mb(process.pid))
                    print(f"training {k + 1}: server RSS {rss[-1]} MB", flush=True)
                browser.close()
        finally:
            stop_app(process)
    bare = bare_fit_images_per_second(CONFIG)
    figures.update(
        bare_fit_images_per_second=round(bare, 1),
        ratio=round(figures["page_images_per_second"] / bare, 3),
        server_rss_mb_after_each_training=rss,
        rss_growth_after_first_mb=round(rss[-1] - rss[0], 1),
    )
    print(json.dumps(figures), flush=True)
    save_figures("train_figures", figures)


if __name__ == "__main__":
    main()
