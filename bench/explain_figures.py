"""The evidence map's faithfulness (issue 28): on drawings of the dev pen digits, rendered
as the app renders a canvas, how much deleting the 10% of the ink the map ranks highest
lowers the answer's probability, against deleting a random 10% of the ink. Measured for
both ways of making the map (occlusion, gradient × input) with the bundled model; the
app uses the one that comes out more faithful (mnist_core/tf/explain.py).

Printed as one JSON object on the last line, and saved to bench/out/explain_figures.json.

usage: python bench/explain_figures.py [--drawings N] [--seed S]
"""

import argparse
import json
import os
import time
from dataclasses import asdict

# TensorFlow runs in this process: its C++ log shows errors only (set before it loads)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from mnist_core.evidence import faithfulness
from mnist_core.preprocess import canvas_to_mnist
from mnist_core.store import DEFAULT_MODEL, model_path
from mnist_core.tf.explain import EVIDENCE_METHODS, evidence
from mnist_core.tf.predict import cached_model
from testkit.figures import save_figures
from testkit.pen_replay import rendered_sample


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--drawings", type=int, default=500)
    args.add_argument("--seed", type=int, default=0)
    options = args.parse_args()
    canvases, labels = rendered_sample(options.drawings, seed=options.seed)
    digits = [canvas_to_mnist(canvas) for canvas in canvases]
    model = cached_model(model_path(DEFAULT_MODEL))
    figures = {"model": DEFAULT_MODEL, "drawings": options.drawings, "seed": options.seed}
    for method in EVIDENCE_METHODS:
        evidence(model, digits[0], method)  # the first call traces the model: not timed
        start = time.perf_counter()
        found = [evidence(model, digit, method) for digit in digits]
        seconds = time.perf_counter() - start
        summary = asdict(faithfulness([e.deletion for e in found]))
        del summary["drawings"]
        figures[method] = {
            **{k: round(v, 4) for k, v in summary.items()},
            "right_answers": round(
                float(np.mean([e.digit == y for e, y in zip(found, labels)])), 4
            ),
            "ms_per_drawing": round(1000 * seconds / len(digits), 1),
        }
    save_figures("explain_figures", figures)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
