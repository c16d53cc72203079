"""Honesty on marks that are no digit (issue 26): the share of letters, faces, stars,
arrows, hearts, scribbles, lines and dots each model answers "not sure", per kind, with
its MNIST test accuracy and its figures on the held-out writers' pen digits.

The marks are mnist_core.non_digit_tests.NonDigitSet: made apart from training (another
hand, other seeds; held-out letters E K N R X and triangles/squares never trained on),
drawn with the page's 20 px pen and preprocessed as the page does. The pen digits are
those of the calibration writers (pen_training.calibration_drawings), whom neither the
bundled model nor a fine-tune of it trains on. Last line: one JSON object.

With --fine-tune N: the bundled model fine-tuned, with the Train page's settings, on N
drawings of one writer saved as the class's corrections, twice: as the app fine-tunes now
(non-digits train along, the temperature is fitted again) and as it did before (the
drawings and MNIST alone); the three models measured alike.

usage: python bench/honesty_figures.py [MODEL_OR_PATH ...] [--per-kind 100] [--fine-tune N]
"""

import argparse
import json
import os
from dataclasses import asdict

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from mnist_core.calibration import Honesty
from mnist_core.data import load_mnist
from mnist_core.non_digit_tests import NonDigitSet
from mnist_core.pen_training import calibration_drawings
from mnist_core.pendigits import PenDigits
from mnist_core.store import DEFAULT_MODEL, resolve
from testkit.apprunner import models_with_default
from testkit.figures import save_figures


def fine_tuned(count: int) -> dict:
    """{name: model}: the bundled model fine-tuned on `count` drawings of one writer, as
    the app does now and as it did before (see the module's docstring)."""
    import tempfile
    from dataclasses import replace
    from pathlib import Path

    from mnist_core.config import FINE_TUNE
    from mnist_core.drawings import save_drawing
    from mnist_core.pen_training import page_drawings, writer_split
    from mnist_core.store import TrainingRequest
    from mnist_core.tf.predict import load_model
    from mnist_core.tf.training import train, train_and_save

    digits = PenDigits()
    trained, _ = writer_split(digits)  # a writer the bundled model trained on, as a pupil
    writer = sorted(set(digits.writers[trained]))[0]
    x, y = page_drawings(digits, np.flatnonzero(digits.writers == writer)[:count], seed=5)
    config = replace(FINE_TUNE, base_model=DEFAULT_MODEL, arch="cnn")
    with tempfile.TemporaryDirectory() as tmp:
        models, drawings = Path(tmp) / "models", Path(tmp) / "drawings"
        models.mkdir()
        models_with_default(models)
        for image, label in zip(x, y):
            save_drawing(image, int(label), folder=drawings)
        now = train_and_save(TrainingRequest(config, "tuned", models, drawings_dir=drawings))
        before = train(
            config, load_mnist(), model=load_model(models / "default.keras"), drawings=(x, y)
        )
        return {
            f"fine-tuned on {len(y)} drawings, as now": load_model(now.path),
            f"fine-tuned on {len(y)} drawings, as before": before.model,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=[DEFAULT_MODEL])
    parser.add_argument("--per-kind", type=int, default=100)
    parser.add_argument("--fine-tune", type=int, default=0, metavar="N")
    args = parser.parse_args()

    from mnist_core.tf.predict import classify, evaluate, load_model

    models = {ref: load_model(resolve(ref)) for ref in args.models}
    if args.fine_tune:
        models.update(fine_tuned(args.fine_tune))

    marks = NonDigitSet.make(args.per_kind)
    x_cal, y_cal = calibration_drawings(PenDigits())
    _, _, x_test, y_test = load_mnist()
    figures = {"per_kind": args.per_kind, "models": {}}
    for ref, model in models.items():
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
