"""Rebuild the bundled model: a cnn that learnt MNIST learns real handwriting, then honesty.

`make default-model` trains `mnist-cnn` on MNIST alone, then runs
`python -m mnist_core.tf.default_model`, which
1. fine-tunes a copy on pen digits of real writers (pen_training: strokes restyled,
   rendered and preprocessed as the Draw page does), non-digits labelled NOT_A_DIGIT,
   and MNIST mixed in so it is not forgotten;
2. fits a temperature on the digits of writers kept out of that training, and puts it in
   the model as its last layer, so every caller (the page, the CLI, Evaluate) shows
   calibrated probabilities;
3. saves it as `default` with a model card in its metadata.

bench/writers_figures.py calls `learn_handwriting` with one source of writers left out,
to measure what the model does for writers it never saw.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..calibration import fit_temperature
from ..data import load_mnist
from ..pen_training import (
    HandwritingRecipe,
    calibration_drawings,
    training_images,
    writer_split,
)
from ..pendigits import PenDigits, pen_digits_path
from ..store import MODELS_DIR, model_path, save_model
from .models import with_temperature
from .predict import evaluate, load_model, scores
from .training import run_metadata, train

BASE_MODEL = "mnist-cnn"


@dataclass
class LearnedModel:
    """A model fine-tuned on handwriting, with what it learnt from and how it was calibrated."""

    model: object  # keras.Model, logits divided by `temperature` in its last layer
    result: object  # training.TrainResult of the fine-tune
    temperature: float
    pen_images: int  # training images made from pen digits and non-digits
    writers: int  # writers whose digits were trained on
    calibration_digits: int
    calibration_writers: int


def learn_handwriting(
    base_path: Path,
    pen_path: Path | None = None,
    left_out: tuple[str, ...] = (),
    recipe: HandwritingRecipe | None = None,
    mnist=None,
) -> LearnedModel:
    """Fine-tune the model at `base_path` on the pen digits of every source not in
    `left_out`, except the calibration writers, then calibrate it on those writers."""
    recipe = recipe or HandwritingRecipe()
    pen_path = Path(pen_path or pen_digits_path())
    digits = PenDigits(pen_path)
    trained, calibration = writer_split(digits, left_out, recipe.calibration_writers, recipe.seed)
    x_pen, y_pen = training_images(pen_path, trained, recipe)
    x_cal, y_cal = calibration_drawings(digits, calibration, recipe)
    base = load_model(base_path)
    mnist = mnist or load_mnist()
    result = train(recipe.train_config(), mnist, model=base, drawings=(x_pen, y_pen))
    temperature = fit_temperature(scores(result.model, x_cal), y_cal)
    return LearnedModel(
        model=with_temperature(result.model, temperature),
        result=result,
        temperature=temperature,
        pen_images=len(y_pen),
        writers=len(np.unique(digits.writers[trained])),
        calibration_digits=len(y_cal),
        calibration_writers=len(np.unique(digits.writers[calibration])),
    )


def model_card(learned: LearnedModel, base: str, recipe: HandwritingRecipe) -> dict:
    """What the model was trained on and how it was calibrated, for its metadata."""
    return {
        "fine_tuned_from": base,
        "temperature": learned.temperature,
        "trained_on": (
            "MNIST (55,000 training digits by US Census Bureau staff and students), then "
            f"{learned.pen_images:,} drawings made from pen digits of {learned.writers} "
            "UNIPEN writers (CC BY 4.0), restyled (slashed 0s, flagged 1s, two-stroke 5s, "
            "crossed 7s, open 4s, stray dots), and scribbles, lone lines, made-up signs, "
            "capital letters, smileys, stars, arrows and hearts as no digit"
        ),
        "calibration": (
            f"temperature {learned.temperature:g} fitted on {learned.calibration_digits:,} "
            f"digits of {learned.calibration_writers} other writers"
        ),
        "note": f"learnt real handwriting; confidence calibrated (T = {learned.temperature:.2f})",
        "handwriting_recipe": asdict(recipe),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mnist_core.tf.default_model", description=__doc__
    )
    parser.add_argument("--base", default=BASE_MODEL, help="the MNIST-trained model to start from")
    parser.add_argument("--name", default="default", help="saved as models/NAME.keras")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    args = parser.parse_args(argv)
    recipe = HandwritingRecipe()
    mnist = load_mnist()
    learned = learn_handwriting(model_path(args.base, args.models_dir), recipe=recipe, mnist=mnist)
    test = evaluate(learned.model, mnist[2], mnist[3])
    card = model_card(learned, args.base, recipe)
    result = learned.result
    result.model = learned.model
    save_model(learned.model, args.name, run_metadata(result, test, **card), args.models_dir, True)
    print(f"saved {args.name}: MNIST test accuracy {test.accuracy:.4f}, T {learned.temperature}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
