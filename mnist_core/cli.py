"""`python -m mnist_core`: train, evaluate, predict and list models from a terminal.

With --json every result is one JSON object on its own line of stdout, and nothing else
goes to stdout; progress and messages go to stderr. Bad input exits with status 2 and a
one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path

from .data import DataError
from .store import MODELS_DIR, ModelError

EXIT_BAD_INPUT = 2


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} must be a positive number")
    return value


def parser() -> argparse.ArgumentParser:
    from .config import MAX_TRAIN_SIZE, TrainConfig

    defaults = TrainConfig()
    top = argparse.ArgumentParser(prog="python -m mnist_core", description=__doc__.splitlines()[0])
    top.add_argument("--models-dir", type=Path, default=MODELS_DIR, help="where models are saved")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = sub.add_parser("train", help="train a model on MNIST and save it")
    train.add_argument("--arch", choices=["dense", "cnn"], default=defaults.arch)
    train.add_argument("--epochs", type=_positive_int, default=defaults.epochs)
    train.add_argument("--batch-size", type=_positive_int, default=defaults.batch_size)
    train.add_argument("--learning-rate", type=_positive_float, default=defaults.learning_rate)
    train.add_argument(
        "--size",
        type=_positive_int,
        default=defaults.train_size,
        help=f"training images, 100-{MAX_TRAIN_SIZE} (5,000 more are held out for validation)",
    )
    train.add_argument(
        "--augment",
        action=argparse.BooleanOptionalAction,
        default=defaults.augment,
        help="randomly distort training images so drawings are read better",
    )
    train.add_argument("--seed", type=int, default=defaults.seed)
    train.add_argument("--name", help="saved as models/NAME.keras (default: ARCH-DATE-TIME)")
    train.add_argument("--overwrite", action="store_true", help="replace a model of that name")
    train.add_argument("--json", action="store_true", help="print the result as JSON")

    evaluate = sub.add_parser("evaluate", help="test-set accuracy and loss of a model")
    evaluate.add_argument("model", help="a saved model's name or a .keras path")
    evaluate.add_argument("--json", action="store_true")

    predict = sub.add_parser("predict", help="read digits from drawings (PNG/JPEG)")
    predict.add_argument("model", help="a saved model's name or a .keras path")
    predict.add_argument("images", nargs="+", type=Path)
    predict.add_argument("--json", action="store_true")

    listing = sub.add_parser("list", help="saved models with their metadata")
    listing.add_argument("--json", action="store_true")
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


def cmd_train(args) -> int:
    from .config import TrainConfig
    from .training import check_new_run, train_evaluate_save

    config = TrainConfig(
        arch=args.arch,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        train_size=args.size,
        augment=args.augment,
        seed=args.seed,
    )
    name = args.name or f"{args.arch}-{datetime.now():%Y%m%d-%H%M%S}"
    check_new_run(config, name, args.models_dir, args.overwrite)
    bar = None if args.json else ProgressBar(config)
    summary = train_evaluate_save(
        config,
        name,
        args.models_dir,
        overwrite=args.overwrite,
        on_batch=bar and bar.batch,
        on_epoch=bar and bar.epoch,
    )
    emit(
        args,
        summary,
        f"saved {summary['path']}: test accuracy {summary['accuracy']:.4f}, loss "
        f"{summary['loss']:.4f}, {summary['seconds']:.1f} s, "
        f"{summary['images_per_second']:.0f} images/s",
    )
    return 0


def cmd_evaluate(args) -> int:
    from .data import load_mnist
    from .evaluation import evaluate
    from .predict import cached_model
    from .store import resolve

    model = cached_model(resolve(args.model, args.models_dir))
    _, _, x_test, y_test = load_mnist()
    test = evaluate(model, x_test, y_test)
    emit(
        args,
        {"model": args.model, **test},
        f"{args.model}: test accuracy {test['accuracy']:.4f}, loss {test['loss']:.4f}",
    )
    return 0


def cmd_predict(args) -> int:
    from .images import read_image
    from .predict import cached_model, probabilities
    from .preprocess import canvas_to_mnist
    from .store import resolve

    model = cached_model(resolve(args.model, args.models_dir))
    images = [read_image(path) for path in args.images]  # all readable before any output
    for path, image in zip(args.images, images):
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
    return 0


def cmd_list(args) -> int:
    from .store import list_models

    for info in list_models(args.models_dir):
        m = info.metadata
        emit(
            args,
            {
                "model": info.name,
                "path": str(info.path),
                "usable": info.usable,
                "error": info.error,
                "arch": m.get("arch"),
                "test_accuracy": m.get("test_accuracy"),
                "created": m.get("created"),
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
