"""Figures for the core package (issue 3), printed and saved to bench/out/core_figures.json.

1. `dense`, 5 epochs, full MNIST through the CLI: test accuracy and wall time.
2. The CLI's training throughput against a bare `model.fit` of the same model and data.
3. Prediction latency per image, preprocessing included (in-process, and through the
   worker process the Draw page uses).
4. Accuracy of the bundled default model on real pen digits rendered as canvas drawings.

usage: python bench/core_figures.py [--pen N] [--skip-train]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

# TensorFlow runs in this process: its C++ log shows errors only (set before it loads)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from mnist_core.config import TrainConfig
from mnist_core.preprocess import canvas_to_mnist
from mnist_core.processes.prediction import PredictionWorker
from mnist_core.store import MODELS_DIR
from mnist_core.tf.predict import cached_model, probabilities
from testkit.apprunner import PROJECT_DIR
from testkit.figures import bare_fit_images_per_second, save_figures
from testkit.pen_replay import rendered_sample

DEFAULT = MODELS_DIR / "default.keras"


def cli_dense_five_epochs() -> dict:
    with tempfile.TemporaryDirectory() as models:
        start = time.perf_counter()
        train = f"--models-dir {models} train --arch dense --epochs 5 --name bench --json"
        done = subprocess.run(
            [sys.executable, "-m", "mnist_core", *train.split()],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - start
    result = json.loads(done.stdout)
    return {
        "test_accuracy": result["accuracy"],
        "wall_seconds": round(wall, 1),
        "fit_seconds": result["seconds"],
        "cli_images_per_second": result["images_per_second"],
    }


def latency(images) -> dict:
    model = cached_model(DEFAULT)
    probabilities(model, np.zeros((1, 28, 28), np.float32))  # first call builds the function
    direct = []
    for image in images:
        start = time.perf_counter()
        probabilities(model, canvas_to_mnist(image)[None])
        direct.append(time.perf_counter() - start)
    worker = PredictionWorker(warm_model=DEFAULT)
    via_worker = []
    try:
        worker.probabilities(DEFAULT, np.zeros((28, 28), np.float32))
        for image in images:
            start = time.perf_counter()
            worker.probabilities(DEFAULT, canvas_to_mnist(image))
            via_worker.append(time.perf_counter() - start)
    finally:
        worker.close()

    def ms(ts):
        return {
            "median_ms": round(1000 * float(np.median(ts)), 2),
            "p95_ms": round(1000 * float(np.percentile(ts, 95)), 2),
        }

    return {"in_process": ms(direct), "through_worker": ms(via_worker), "images": len(images)}


def pen_accuracy(images, labels) -> dict:
    model = cached_model(DEFAULT)
    inputs = [canvas_to_mnist(im) for im in images]
    drawn = np.array([x is not None for x in inputs])
    x = np.stack([x if x is not None else np.zeros((28, 28), np.float32) for x in inputs])
    predicted = probabilities(model, x).argmax(axis=1)
    correct = (predicted == labels) & drawn
    per_digit = {int(d): round(float(correct[labels == d].mean()), 4) for d in range(10)}
    return {
        "accuracy": round(float(correct.mean()), 4),
        "digits": len(labels),
        "per_digit": per_digit,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pen", type=int, default=3000, help="pen digits to render and classify")
    ap.add_argument("--skip-train", action="store_true")
    args = ap.parse_args()
    figures = {}
    images, labels = rendered_sample(args.pen, seed=2026)
    figures["pen_digits_default_model"] = pen_accuracy(images, labels)
    print("pen digits:", figures["pen_digits_default_model"], flush=True)
    figures["prediction_latency"] = latency(images[:300])
    print("latency:", figures["prediction_latency"], flush=True)
    if not args.skip_train:
        figures["cli_dense_5_epochs"] = cli_dense_five_epochs()
        print("CLI dense 5 epochs:", figures["cli_dense_5_epochs"], flush=True)
        bare = bare_fit_images_per_second(TrainConfig(arch="dense", epochs=5))  # as the CLI
        cli = figures["cli_dense_5_epochs"]["cli_images_per_second"]
        figures["throughput"] = {
            "cli_images_per_second": cli,
            "bare_fit_images_per_second": round(bare, 1),
            "ratio": round(cli / bare, 3),
        }
        print("throughput:", figures["throughput"], flush=True)
    save_figures("core_figures", figures)


if __name__ == "__main__":
    main()
