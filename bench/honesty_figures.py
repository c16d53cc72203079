"""Honesty on marks that are no digit (issue 26): the share of letters, faces, stars,
arrows, hearts, scribbles, lines and dots each model answers "not sure", per kind, with
its MNIST test accuracy and its figures on the held-out writers' pen digits.

The marks are mnist_core.non_digit_tests.NonDigitSet: made apart from training (another
hand, other seeds; held-out letters E K N R X and triangles/squares never trained on),
drawn with the page's 20 px pen and preprocessed as the page does. The pen digits are
those of the calibration writers (pen_training.calibration_drawings), whom neither the
bundled model nor a fine-tune of it trains on. Last line: one JSON object.

usage: python bench/honesty_figures.py [MODEL_OR_PATH ...] [--per-kind 100]
"""

import argparse
import json
import os
from dataclasses import asdict

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from mnist_core.calibration import Honesty
from mnist_core.data import load_mnist
from mnist_core.non_digit_tests import NonDigitSet
from mnist_core.pen_training import calibration_drawings
from mnist_core.pendigits import PenDigits
from mnist_core.store import DEFAULT_MODEL, resolve
from testkit.figures import save_figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=[DEFAULT_MODEL])
    parser.add_argument("--per-kind", type=int, default=100)
    args = parser.parse_args()

    from mnist_core.tf.predict import classify, evaluate, load_model

    marks = NonDigitSet.make(args.per_kind)
    x_cal, y_cal = calibration_drawings(PenDigits())
    _, _, x_test, y_test = load_mnist()
    figures = {"per_kind": args.per_kind, "models": {}}
    for ref in args.models:
        model = load_model(resolve(ref))
        found = {
            "not_sure": marks.not_sure(classify(model, marks.all_images())),
            "held_out_writers": asdict(Honesty.of(classify(model, x_cal), y_cal)),
            "mnist_test_accuracy": evaluate(model, x_test, y_test).accuracy,
        }
        figures["models"][ref] = found
        print(ref, json.dumps(found))
    save_figures("honesty_figures", figures)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
