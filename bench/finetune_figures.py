"""Figures for fine-tuning on a person's own handwriting (issue 6), saved to
bench/out/finetune_figures.json.

For each writer of the pen-digit set with enough digits: 20 drawings of each digit (drawn
on a 280×280 canvas and preprocessed as the Draw page does) are that person's corrections;
the bundled model is fine-tuned on them mixed with MNIST, with the settings the Train page
offers (config.FINE_TUNE). Reported per writer: accuracy on their *other* drawings
before and after, and MNIST test accuracy before and after.

usage: python bench/finetune_figures.py [--writers N] [--per-digit 20]
"""

import argparse
import json
import os
import time
from dataclasses import replace

# TensorFlow runs in this process: its C++ log shows errors only (set before it loads)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from mnist_core.config import FINE_TUNE
from mnist_core.data import load_mnist
from mnist_core.pendigits import PenDigits, render
from mnist_core.preprocess import canvas_to_mnist
from mnist_core.store import DEFAULT_MODEL, MODELS_DIR
from mnist_core.tf.predict import classify, evaluate, load_model
from mnist_core.tf.training import train
from testkit.figures import save_figures

MIN_DIGITS = 300  # writers with fewer cannot spare 200 drawings and still be tested


def writer_inputs(digits: PenDigits, writer: str, seed: int):
    """(model inputs (N, 28, 28), labels (N,)) of one writer's digits, drawn on a canvas."""
    rng = np.random.default_rng(seed)
    index = np.flatnonzero(digits.writers == writer)
    inputs = [canvas_to_mnist(render(digits.placed(i, rng))) for i in index]
    keep = [k for k, x in enumerate(inputs) if x is not None]
    return np.stack([inputs[k] for k in keep]), digits.labels[index[keep]].astype(np.int64)


def split_corrections(labels: np.ndarray, per_digit: int, seed: int):
    """(indices of `per_digit` drawings of each digit, indices of the rest)."""
    rng = np.random.default_rng(seed)
    picked = np.concatenate(
        [rng.permutation(np.flatnonzero(labels == d))[:per_digit] for d in range(10)]
    )
    rest = np.setdiff1d(np.arange(len(labels)), picked)
    return picked, rest


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", type=int, default=9)
    parser.add_argument("--per-digit", type=int, default=20)
    args = parser.parse_args()
    mnist = load_mnist()
    digits = PenDigits()
    names, counts = np.unique(digits.writers, return_counts=True)
    writers = sorted(names[counts >= MIN_DIGITS])[: args.writers]
    default_path = MODELS_DIR / f"{DEFAULT_MODEL}.keras"
    base = load_model(default_path)
    mnist_before = evaluate(base, mnist[2], mnist[3]).accuracy
    config = replace(FINE_TUNE, base_model=DEFAULT_MODEL, arch=base.name)
    rows = []
    for k, writer in enumerate(writers):
        x, y = writer_inputs(digits, writer, seed=k)
        picked, rest = split_corrections(y, args.per_digit, seed=k)
        before = float((classify(base, x[rest]).argmax(1) == y[rest]).mean())
        start = time.perf_counter()
        result = train(
            config, mnist, model=load_model(default_path), drawings=(x[picked], y[picked])
        )
        after = float((classify(result.model, x[rest]).argmax(1) == y[rest]).mean())
        mnist_after = evaluate(result.model, mnist[2], mnist[3]).accuracy
        row = {
            "writer": writer,
            "corrections": len(picked),
            "tested_on": len(rest),
            "writer_accuracy_before": round(before, 4),
            "writer_accuracy_after": round(after, 4),
            "mnist_before": mnist_before,
            "mnist_after": mnist_after,
            "mnist_drop_points": round(100 * (mnist_before - mnist_after), 2),
            "fine_tune_seconds": round(time.perf_counter() - start, 1),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    summary = {
        "config": config.as_dict(),
        "writers": rows,
        "mean_writer_before": round(float(np.mean([r["writer_accuracy_before"] for r in rows])), 4),
        "mean_writer_after": round(float(np.mean([r["writer_accuracy_after"] for r in rows])), 4),
        "max_mnist_drop_points": max(r["mnist_drop_points"] for r in rows),
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "writers"}))
    save_figures("finetune_figures", summary)


if __name__ == "__main__":
    main()
