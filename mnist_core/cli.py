"""`python -m mnist_core`: train, evaluate, predict and list models from a terminal.

With --json every result is one JSON object on its own line of stdout, and nothing else
goes to stdout; progress and messages go to stderr. Bad input exits with status 2 and a
one-line reason on stderr, in well under a second: arguments, names and files are checked
before TensorFlow loads (about 4 s). TensorFlow's start-up chatter is kept off stderr
unless -v or MNIST_VERBOSE=1 asks for it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path

from .architectures import ARCHITECTURES
from .config import COMMAND_LINE, MAX_TRAIN_SIZE, TrainConfig, TrainingRequest
from .data import DataError, load_mnist
from .images import read_image
from .number_reading import NumberReading, read_number
from .preprocess import canvas_to_mnist
from .quiet import VERBOSE_ENV, tensorflow_quietly, verbose_from_env
from .store import (
    MODELS_DIR,
    ModelError,
    ModelInfo,
    check_new_run,
    inspect,
    list_models,
    resolve,
    validate_name,
)

EXIT_BAD_INPUT = 2


def _positive(read, what: str, bound: str):
    """An argparse type: the text read by `read` (int or float), refused unless it is a
    finite number above 0; `what` and `bound` word the refusals."""

    def parse(text: str):
        try:
            value = read(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not 0 < value < float("inf"):
            raise argparse.ArgumentTypeError(f"{text} must be {bound}")
        return value

    return parse


_positive_int = _positive(int, "a whole number", "at least 1")
_positive_float = _positive(float, "a number", "a positive number")


class _ShowDefaults(argparse.ArgumentDefaultsHelpFormatter):
    """'(default: …)' on every help line that has a default to tell."""

    def _get_help_string(self, action):
        if action.default is None or isinstance(action.default, bool) and not action.default:
            return action.help
        return super()._get_help_string(action)


# The `train` options that set a TrainConfig field: (option, field, how it is read, help).
# Their defaults are the COMMAND_LINE preset's.
CONFIG_OPTIONS = (
    ("--arch", "arch", {"choices": list(ARCHITECTURES)}, "the network"),
    ("--epochs", "epochs", {"type": _positive_int, "metavar": "N"}, "passes over the images"),
    (
        "--batch-size",
        "batch_size",
        {"type": _positive_int, "metavar": "N"},
        "images per weight update",
    ),
    (
        "--learning-rate",
        "learning_rate",
        {"type": _positive_float, "metavar": "RATE"},
        "Adam's starting rate; it decays to 2%% of it by the last batch",
    ),
    (
        "--size",
        "train_size",
        {"type": _positive_int, "metavar": "N"},
        f"training images, 100-{MAX_TRAIN_SIZE} (5,000 more are held out for validation)",
    ),
    (
        "--augment",
        "augment",
        {"action": argparse.BooleanOptionalAction},
        "randomly distort training images so drawings are read better (as the Train page "
        "does by default)",
    ),
    ("--seed", "seed", {"type": int}, "for repeatable runs"),
)


def parser() -> argparse.ArgumentParser:

    defaults = COMMAND_LINE
    shows_defaults = _ShowDefaults
    top = argparse.ArgumentParser(
        prog="python -m mnist_core",
        description=__doc__.splitlines()[0],
        formatter_class=shows_defaults,
    )
    top.add_argument("--models-dir", type=Path, default=MODELS_DIR, help="where models are saved")
    top.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=verbose_from_env(),
        help=f"show TensorFlow's own messages on stderr (or set {VERBOSE_ENV}=1)",
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=text, description=text, formatter_class=shows_defaults)

    train = command("train", "train a model on MNIST and save it")
    for option, field, kind, text in CONFIG_OPTIONS:
        train.add_argument(option, dest=field, default=getattr(defaults, field), help=text, **kind)
    train.add_argument(
        "--name",
        help="saved as models/NAME.keras: letters, digits, _ - . (default: ARCH-DATE-TIME)",
    )
    train.add_argument("--overwrite", action="store_true", help="replace a model of that name")
    train.add_argument("--json", action="store_true", help="print the result as JSON")

    evaluate = command("evaluate", "test-set accuracy and loss of a model")
    evaluate.add_argument("model", help="a saved model's name or a .keras path")
    evaluate.add_argument("--json", action="store_true", help="print the result as JSON")

    predict = command("predict", "read digits from drawings (PNG/JPEG)")
    predict.add_argument("model", help="a saved model's name or a .keras path")
    predict.add_argument(
        "images",
        nargs="+",
        type=Path,
        help="image files; unreadable ones are reported and the rest answered",
    )
    predict.add_argument(
        "--number",
        action="store_true",
        help="read a whole number: its digits left to right, each with its confidence and box",
    )
    predict.add_argument("--json", action="store_true", help="one JSON object per image")

    listing = command("list", "saved models with their metadata")
    listing.add_argument("--json", action="store_true", help="one JSON object per model")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (ValueError, DataError, ModelError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT


def emit(args, result: dict, text: str) -> None:
    print(json.dumps(result) if args.json else text, flush=True)


def train_json(saved: ModelInfo) -> dict:
    """What `train --json` prints: the saved model's metadata under the names `evaluate`
    prints too (model, accuracy, loss), and how much and how fast it trained."""
    m = saved.metadata
    return {
        "model": saved.name,
        "path": str(saved.path),
        "accuracy": m.test_accuracy,
        "loss": m.test_loss,
        "epochs": m.epochs_done,
        "batches": m.batches_done,
        "steps_per_epoch": m.steps_per_epoch,
        "stopped": m.stopped_early,
        "seconds": m.training_seconds,
        "images_per_second": m.images_per_second,
        "replaced_accuracy": m.replaced_accuracy,
    }


def cmd_train(args) -> int:

    config = TrainConfig(**{field: getattr(args, field) for _, field, _, _ in CONFIG_OPTIONS})
    # the page's rules: an empty or bad name is refused, not replaced by a made-up one
    name = validate_name(args.name) if args.name is not None else None
    name = name or f"{args.arch}-{datetime.now():%Y%m%d-%H%M%S}"
    check_new_run(config, name, args.models_dir, args.overwrite)
    with tensorflow_quietly(args.verbose):
        from .tf.training import Progress, train_and_save

    bar = None if args.json else ProgressBar(config)
    progress = Progress() if bar is None else Progress(bar.batch, bar.epoch)
    saved = train_and_save(TrainingRequest(config, name, args.models_dir, args.overwrite), progress)
    m = saved.metadata
    emit(
        args,
        train_json(saved),
        f"saved {saved.path}: test accuracy {m.test_accuracy:.4f}, loss "
        f"{m.test_loss:.4f}, {m.training_seconds:.1f} s, "
        f"{m.images_per_second:.0f} images/s",
    )
    return 0


def cmd_evaluate(args) -> int:

    path = resolve(args.model, args.models_dir)
    if not (info := inspect(path)).usable:
        raise ModelError(f"{path.name}: {info.error}")
    _, _, x_test, y_test = load_mnist()
    with tensorflow_quietly(args.verbose):
        from .tf.predict import cached_model, evaluate

    test = evaluate(cached_model(path), x_test, y_test)
    emit(
        args,
        {"model": args.model, "accuracy": test.accuracy, "loss": test.loss},
        f"{args.model}: test accuracy {test.accuracy:.4f}, loss {test.loss:.4f}",
    )
    return 0


def cmd_predict(args) -> int:
    """Answers every readable image; the others are named on stderr, and the exit status is
    then 2 (after the answers), so one bad file in a batch costs only its own answer."""

    path = resolve(args.model, args.models_dir)
    if not (info := inspect(path)).usable:
        raise ModelError(f"{path.name}: {info.error}")
    readable, failed = [], 0
    for image_path in args.images:
        try:
            readable.append((image_path, read_image(image_path)))
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            failed += 1
    if not readable:
        return EXIT_BAD_INPUT
    with tensorflow_quietly(args.verbose):
        from .tf.predict import cached_model, probabilities

    model = cached_model(path)
    if args.number:
        for path, image in readable:
            emit_number(args, path, read_number(image, lambda x: probabilities(model, x)))
        return EXIT_BAD_INPUT if failed else 0
    for path, image in readable:
        digit = canvas_to_mnist(image)
        if digit is None:
            emit(
                args,
                {"file": str(path), "digit": None, "confidence": None, "probabilities": None},
                f"{path}: nothing drawn",
            )
            continue
        probs = probabilities(model, digit[None])[0]
        best = int(probs.argmax())
        emit(
            args,
            {
                "file": str(path),
                "digit": best,
                "confidence": round(float(probs[best]), 6),
                "probabilities": [round(float(p), 6) for p in probs],
            },
            f"{path}: {best} ({probs[best]:.1%})",
        )
    return EXIT_BAD_INPUT if failed else 0


def emit_number(args, path: Path, reading: NumberReading) -> None:
    """What `predict --number` prints for one image: the number (digits only, "" when
    nothing is drawn) and each digit's reading, its box [x0, y0, x1, y1] in the image's
    pixels; the text shows "?" after each digit under the not-sure line."""
    digits = [
        {"digit": d.digit, "confidence": round(d.confidence, 6), "box": list(d.box)}
        for d in reading.digits
    ]
    sureness = ", ".join(f"{d.digit} {d.confidence:.0%}" for d in reading.digits)
    emit(
        args,
        {"file": str(path), "number": reading.number, "digits": digits},
        f"{path}: {reading.shown} ({sureness})" if digits else f"{path}: nothing drawn",
    )


def cmd_list(args) -> int:

    for info in list_models(args.models_dir):
        m = info.metadata
        emit(
            args,
            {
                "model": info.name,
                "path": str(info.path),
                "usable": info.usable,
                "error": info.error,
                "arch": m.arch,
                "test_accuracy": m.test_accuracy,
                "created": m.created,
            },
            info.describe(),
        )
    return 0


COMMANDS = {"train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict, "list": cmd_list}


class ProgressBar:
    """A Keras-like progress line on stderr: epoch i/N, a bar, loss, accuracy, images/s."""

    WIDTH = 30

    def __init__(self, config):
        self.config = config
        self.steps = 1
        self.epoch_start = time.perf_counter()

    def batch(self, epoch: int, batch: int, logs: dict) -> None:
        if batch == 0:
            self.epoch_start = time.perf_counter()
        self.steps = logs.get("steps") or max(self.steps, batch + 1)
        done = batch + 1
        if done % 10 and done != self.steps:
            return
        elapsed = time.perf_counter() - self.epoch_start
        rate = done * self.config.batch_size / max(elapsed, 1e-9)
        left = (self.steps - done) * elapsed / done
        filled = self.WIDTH * done // self.steps
        sys.stderr.write(
            f"\rEpoch {epoch + 1}/{self.config.epochs} {done}/{self.steps} "
            f"[{'=' * filled}{'.' * (self.WIDTH - filled)}] loss {logs.get('loss', 0):.4f} "
            f"accuracy {logs.get('accuracy', 0):.4f} {rate:.0f} img/s ETA {left:.0f}s "
        )
        sys.stderr.flush()

    def epoch(self, epoch: int, logs: dict) -> None:
        sys.stderr.write(
            f"- val_loss {logs.get('val_loss', 0):.4f} val_accuracy "
            f"{logs.get('val_accuracy', 0):.4f}\n"
        )
        sys.stderr.flush()


if __name__ == "__main__":
    sys.exit(main())
