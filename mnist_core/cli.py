"""`python -m mnist_core`: train, evaluate, predict, explain and list models from a terminal.

With --json every result is one JSON object on its own line of stdout, and nothing else
goes to stdout; progress and messages go to stderr. Bad input exits with status 2 and a
one-line reason on stderr, in well under a second: arguments, names and files are checked
before TensorFlow loads (about 4 s). TensorFlow's start-up chatter is kept off stderr
unless -v or MNIST_VERBOSE=1 asks for it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np

from .architectures import ARCHITECTURES
from .config import (
    MAX_TRAIN_SIZE,
    TUTORIAL,
    TrainConfig,
    command_line_preset,
    describe_preset,
)
from .data import DataError, load_mnist
from .images import read_image
from .number_reading import NumberReading, read_number
from .preprocess import canvas_to_mnist
from .quiet import VERBOSE_ENV, tensorflow_quietly, verbose_from_env
from .reservations import Refused, holding
from .store import (
    MODELS_DIR,
    ModelError,
    ModelInfo,
    TrainingRequest,
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
# Their defaults are those of the chosen architecture's preset (COMMAND_LINE_PRESETS): left
# unset, an option is None until config_from_args fills it in.
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
        "does for cnn)",
    ),
    ("--seed", "seed", {"type": int}, "for repeatable runs"),
)


def parser() -> argparse.ArgumentParser:

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

    train = command(
        "train",
        "train a model on MNIST and save it; --arch dense (the default) starts from "
        f"{describe_preset(command_line_preset('dense'))}",
    )
    for option, field, kind, text in CONFIG_OPTIONS:
        if field == "arch":
            train.add_argument(option, dest=field, default=TUTORIAL.arch, help=text, **kind)
        else:
            train.add_argument(option, dest=field, help=f"{text} {preset_default(field)}", **kind)
    train.add_argument(
        "--name",
        help="saved as models/NAME.keras: letters, digits, _ - . (default: ARCH-DATE-TIME)",
    )
    train.add_argument("--overwrite", action="store_true", help="replace a model of that name")
    train.add_argument("--json", action="store_true", help="print the result as JSON")

    evaluate = command("evaluate", "test-set accuracy and loss of a model")
    evaluate.add_argument("model", help="a saved model's name or a .keras path")
    evaluate.add_argument("--json", action="store_true", help="print the result as JSON")

    def on_images(name: str, about: str, done: str):
        """A sub-command that takes a model and image files: `done` says what is done to
        the readable ones."""
        sub = command(name, about)
        sub.add_argument("model", help="a saved model's name or a .keras path")
        sub.add_argument(
            "images",
            nargs="+",
            type=Path,
            help=f"image files; unreadable ones are reported and the rest {done}",
        )
        sub.add_argument("--json", action="store_true", help="one JSON object per image")
        return sub

    on_images("predict", "read digits from drawings (PNG/JPEG)", "answered").add_argument(
        "--number",
        action="store_true",
        help="read a whole number: its digits left to right, each with its confidence and box",
    )
    on_images(
        "explain",
        "why a model read drawings (PNG/JPEG) as it did: the evidence on the ink, the "
        "deletion check, the nearest MNIST training images",
        "explained",
    )

    listing = command("list", "saved models with their metadata")
    listing.add_argument("--json", action="store_true", help="one JSON object per model")
    return top


def preset_default(field: str) -> str:
    """The help text's "(default: …)" for a TrainConfig field, per architecture where the
    presets differ: "(default: off for dense, on for cnn)"."""

    def shown(value) -> str:
        return ("on" if value else "off") if isinstance(value, bool) else str(value)

    values = {arch: shown(getattr(command_line_preset(arch), field)) for arch in ARCHITECTURES}
    if len(set(values.values())) == 1:
        return f"(default: {next(iter(values.values()))})"
    return f"(default: {', '.join(f'{v} for {arch}' for arch, v in values.items())})"


def config_from_args(args) -> TrainConfig:
    """The run that `train`'s arguments ask for: each option given, and the chosen
    architecture's preset for the rest."""
    preset = command_line_preset(args.arch)
    given = {field: getattr(args, field) for _, field, _, _ in CONFIG_OPTIONS}
    return TrainConfig(
        **{field: getattr(preset, field) if v is None else v for field, v in given.items()}
    )


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:
        # The reader went away (`list --json | head -1`): what it wanted it has. Python would
        # print a traceback when flushing stdout at exit, so point stdout at nothing first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ValueError, DataError, ModelError, OSError, Refused) as err:
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
        # every batch it trained: the whole epochs' and a stopped epoch's part
        "batches": (m.epochs_done or 0) * m.steps_per_epoch + m.batches_done,
        "steps_per_epoch": m.steps_per_epoch,
        "stopped": m.stopped_early,
        "seconds": m.training_seconds,
        "images_per_second": m.images_per_second,
        "replaced_accuracy": m.replaced_accuracy,
    }


def cmd_train(args) -> int:

    config = config_from_args(args)
    # the page's rules: an empty or bad name is refused, not replaced by a made-up one
    name = validate_name(args.name) if args.name is not None else None
    name = name or f"{args.arch}-{datetime.now():%Y%m%d-%H%M%S}"
    request = TrainingRequest(config, name, args.models_dir, args.overwrite)  # checked here
    # the name is held in the models folder as the app's trainings hold theirs: a replica
    # (or another shell) starting the same name meanwhile is refused, not overwritten
    with holding(request.name, request.models_dir):
        with tensorflow_quietly(args.verbose):
            from .tf.training import Progress, train_and_save

        bar = None if args.json else ProgressBar(config)
        progress = Progress() if bar is None else Progress(bar.batch, bar.epoch)
        saved = train_and_save(request, progress)
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


def read_images(args) -> tuple[Path, list[tuple[Path, object]], int]:
    """(the model's path, [(file, image)] of the readable images, how many were not): the
    model checked and each unreadable image named on stderr, before TensorFlow loads."""
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
    return path, readable, failed


def cmd_predict(args) -> int:
    """Answers every readable image; the others are named on stderr, and the exit status is
    then 2 (after the answers), so one bad file in a batch costs only its own answer."""

    path, readable, failed = read_images(args)
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


def cmd_explain(args) -> int:
    """Explains every readable image, as `predict` answers them (same refusals, same exit
    status). The model's training embeddings are computed at the first run for a model
    (tens of seconds for a convolutional one) and cached beside it."""

    path, readable, failed = read_images(args)
    if not readable:
        return EXIT_BAD_INPUT
    with tensorflow_quietly(args.verbose):
        from .tf.explain import cached_embeddings, why
        from .tf.predict import cached_model

    model = cached_model(path)
    embeddings = None
    for image_path, image in readable:
        digit = canvas_to_mnist(image)
        if digit is None:
            fields = ("digit", "runner_up", "evidence", "deletion", "neighbours")
            emit(
                args,
                {"file": str(image_path), **dict.fromkeys(fields)},
                f"{image_path}: nothing drawn",
            )
            continue
        if embeddings is None:
            embeddings = cached_embeddings(path)
        found = why(model, digit, embeddings)
        evidence, deletion = found.evidence, found.evidence.deletion
        neighbours = found.neighbours
        emit(
            args,
            {
                "file": str(image_path),
                "digit": evidence.digit,
                "runner_up": evidence.runner_up,
                "evidence": np.round(evidence.map.astype(np.float64), 4).tolist(),
                "deletion": {
                    "answer": round(deletion.answer, 6),
                    "after_top_10": round(deletion.after_top_10, 6),
                    "after_random_10": round(deletion.after_random_10, 6),
                },
                "neighbours": [
                    {"index": int(i), "label": int(y)}
                    for i, y in zip(neighbours.indices, neighbours.labels)
                ],
            },
            f"{image_path}: {evidence.digit} (runner-up {evidence.runner_up}); its "
            f"probability {deletion.answer:.1%}, {deletion.after_top_10:.1%} without the 10% "
            f"of the ink the map ranks highest, {deletion.after_random_10:.1%} without a random "
            f"10%; looks most like training images "
            + ", ".join(f"#{i} ({y})" for i, y in zip(neighbours.indices, neighbours.labels)),
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
                "mistake": m.mistake,
            },
            info.describe(),
        )
    return 0


COMMANDS = {
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "predict": cmd_predict,
    "explain": cmd_explain,
    "list": cmd_list,
}


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
