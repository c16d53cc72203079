"""The evidence map's faithfulness (issue 28): on drawings of the dev pen digits, rendered
as the app renders a canvas, how much deleting the 10% of the ink the map ranks highest
lowers the answer's probability, against deleting a random 10% of the ink. Measured for
both ways of making the map (occlusion, gradient × input; each blurred by a pixel, as the
app shows it, and gradient × input also unblurred) with the bundled model; the app uses
the one that comes out more faithful (mnist_core/tf/explain.py).

With --answers, also what the nearest training images cost the Draw page: how long the
first "why" request for a model takes (its 60,000 training embeddings, in the studies
lane), and the answers lane's time per answer while that runs against while idle.

Printed as one JSON object on the last line, and saved to bench/out/explain_figures.json.

usage: python bench/explain_figures.py [--drawings N] [--seed S] [--answers]
"""

import argparse
import json
import os
import shutil
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path

# TensorFlow runs in this process: its C++ log shows errors only (set before it loads)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from mnist_core.evidence import SMOOTHING, faithfulness
from mnist_core.preprocess import canvas_to_mnist
from mnist_core.processes.prediction import PredictionWorker
from mnist_core.store import DEFAULT_MODEL, model_path
from mnist_core.tf.explain import EVIDENCE_METHODS, evidence
from mnist_core.tf.predict import cached_model
from testkit.figures import save_figures
from testkit.pen_replay import rendered_sample


def answer_times(worker, model, digits, count: int = 200) -> dict:
    """Median and 95th percentile milliseconds of `count` answers, one after another."""
    times = []
    for k in range(count):
        start = time.perf_counter()
        worker.probabilities(model, digits[k % len(digits)])
        times.append(1000 * (time.perf_counter() - start))
    return {
        "p50_ms": round(float(np.median(times)), 2),
        "p95_ms": round(float(np.percentile(times, 95)), 2),
    }


def answers_while_embedding(digits) -> dict:
    """The first "why" request's seconds for a copy of the bundled model with nothing
    cached, and answer times idle and while it runs."""
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "default.keras"
        shutil.copy(model_path(DEFAULT_MODEL), model)
        worker = PredictionWorker(warm_model=model)
        try:
            worker.why(model_path(DEFAULT_MODEL), digits[0])  # studies lane started, warm
            idle = answer_times(worker, model, digits)
            took = {}

            def first_why():
                start = time.perf_counter()
                worker.why(model, digits[0])
                took["seconds"] = round(time.perf_counter() - start, 1)

            thread = threading.Thread(target=first_why)
            thread.start()
            worker.lanes["studies"].wait_busy(10)
            during = answer_times(worker, model, digits)
            thread.join()
            start = time.perf_counter()
            worker.why(model, digits[1])
            again = round(1000 * (time.perf_counter() - start), 1)
        finally:
            worker.close()
    return {
        "first_why_seconds": took["seconds"],
        "next_why_ms": again,
        "answers_idle": idle,
        "answers_during_first_why": during,
    }


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--drawings", type=int, default=500)
    args.add_argument("--seed", type=int, default=0)
    args.add_argument("--answers", action="store_true", help="also the answers' times")
    options = args.parse_args()
    canvases, labels = rendered_sample(options.drawings, seed=options.seed)
    digits = [canvas_to_mnist(canvas) for canvas in canvases]
    model = cached_model(model_path(DEFAULT_MODEL))
    figures = {"model": DEFAULT_MODEL, "drawings": options.drawings, "seed": options.seed}
    # each way of making the map, blurred as the app shows it, and the chosen one unblurred
    ways = {method: (method, SMOOTHING) for method in EVIDENCE_METHODS}
    ways["gradient_unblurred"] = ("gradient", 0.0)
    for name, (method, sigma) in ways.items():
        evidence(model, digits[0], method)  # the first call traces the model: not timed
        start = time.perf_counter()
        found = [evidence(model, digit, method, sigma=sigma) for digit in digits]
        seconds = time.perf_counter() - start
        summary = asdict(faithfulness([e.deletion for e in found]))
        del summary["drawings"]
        figures[name] = {
            **{k: round(v, 4) for k, v in summary.items()},
            "right_answers": round(
                float(np.mean([e.digit == y for e, y in zip(found, labels)])), 4
            ),
            "ms_per_drawing": round(1000 * seconds / len(digits), 1),
        }
    if options.answers:
        figures["answers"] = answers_while_embedding(digits)
    save_figures("explain_figures", figures)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
