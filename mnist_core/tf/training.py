"""Train a model from a plain config, reporting progress and stopping between batches.

`train` is the training loop that every run goes through; `train_and_save` is the one
entry for a whole run (the CLI and the Train page's training process call it): a new
model (`train_new`) or a fine-tune on a person's drawings (`fine_tune`), tested, then
saved with its metadata. Progress goes to callbacks so the caller decides how to show it
(a terminal bar, charts).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import astuple, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ..calibration import fit_temperature, softmax
from ..config import (
    FINE_TUNE_NON_DIGITS,
    VALIDATION_SIZE,
    TrainConfig,
    check_fine_tune_drawings,
    drawing_repeats,
)
from ..data import load_mnist, to_float
from ..drawings import DRAWINGS_DIR, load_drawings
from ..evaluation import Score, accuracy_and_loss
from ..handwriting import NOT_A_DIGIT
from ..non_digit_tests import NonDigitSet
from ..pen_training import calibration_drawings, non_digit_images
from ..pendigits import PenDigits, pen_digits_path
from ..store import (
    ModelInfo,
    ModelMetadata,
    TrainingRequest,
    epochs_trained,
    inspect,
    model_path,
    save_model,
)
from ..stored import cached_path, file_identity, load_or_make
from ..styles import add_style_variants
from .augment import augment_batch
from .models import build_model, compile_model, with_temperature
from .predict import classify, evaluate, load_model, scores


@dataclass
class TrainResult:
    """A trained model and what happened while training it."""

    model: keras.Model
    config: TrainConfig
    # named as ModelMetadata's fields, which run_metadata fills from these
    history: dict[str, list[float]] = field(default_factory=dict)  # per epoch
    training_seconds: float = 0.0
    epochs_done: int = 0  # whole epochs; a stopped run may add a part of one
    batches_done: int = 0  # batches of the epoch it was stopped in (0: it finished one)
    steps_per_epoch: int = 0
    stopped_early: bool = False
    images_per_second: float = 0.0
    drawing_repeats: int = 0  # times each drawing went into an epoch of a fine-tune

    @property
    def epochs_trained(self) -> float:
        """Epochs trained, a stopped epoch counted by its share of batches."""
        return epochs_trained(self.epochs_done, self.batches_done, self.steps_per_epoch)


BatchFn = Callable[[int, int, dict], None]  # (epoch, batch, {"loss", "accuracy", "steps"})
EpochFn = Callable[[int, dict], None]  # (epoch, {"loss", "accuracy", "val_loss", "val_accuracy"})
PinnedFn = Callable[[float, np.ndarray], None]  # (epochs done, (N, 10) probabilities)
# Seconds between two answers for the pinned inputs: at least two a second reach the page,
# and a prediction on a few images every 0.4 s costs the training nothing measurable.
PINNED_EVERY = 0.4


@dataclass(frozen=True)
class Progress:
    """Where a run reports as it goes, and the event that halts it; each may be None.

    `pinned` (N, 28, 28) float32 in [0, 1]: inputs the model answers for during training,
    before the first batch, at most every PINNED_EVERY s, and after the last, given to
    `on_pinned`."""

    on_batch: BatchFn | None = None
    on_epoch: EpochFn | None = None
    stop: threading.Event | None = None
    pinned: np.ndarray | None = None
    on_pinned: PinnedFn | None = None


QUIET = Progress()


class _Progress(keras.callbacks.Callback):
    """Forwards Keras's progress to plain functions, and stops when the event is set."""

    # Keras then calls the batch hook from a thread pool instead of blocking the training
    # loop until each batch's loss is read back: a third more images/s for the dense model.
    # Keras waits for those calls before each epoch ends.
    async_safe = True

    def __init__(self, progress: Progress):
        super().__init__()
        self.on_batch, self.on_epoch, self.stop = (
            progress.on_batch,
            progress.on_epoch,
            progress.stop,
        )
        self.pinned = None if progress.on_pinned is None else progress.pinned
        self.on_pinned = progress.on_pinned
        self.epoch = 0
        self.batches = 0  # batches done in the current epoch
        self.stopped = False
        self._lock = threading.Lock()  # the pool may run two batch hooks at once
        self._pinned_at = 0.0  # time.monotonic() of the last answer for the pinned inputs
        self._predict = self._pinned_tensor = None  # made at the first answer

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        with self._lock:
            self.batches = max(self.batches, batch + 1)
            if self.on_batch:
                # "steps": batches per epoch, so callers can show progress and time left
                steps = self.params.get("steps")
                self.on_batch(self.epoch, batch, {**_floats(logs), "steps": steps})
            if self.stop is not None and self.stop.is_set():
                self.stopped = True
                self.model.stop_training = True
            if self.pinned is not None and time.monotonic() - self._pinned_at >= PINNED_EVERY:
                self._answer_pinned(batch + 1)

    def on_epoch_end(self, epoch, logs=None):
        if self.on_epoch:
            self.on_epoch(epoch, _floats(logs))

    def on_train_begin(self, logs=None):
        if self.pinned is not None:  # the untrained answer, at 0 epochs (and the tracing)
            with self._lock:
                self._answer_pinned(0)

    def on_train_end(self, logs=None):
        if self.pinned is not None:  # the trained model's answer, whenever the last was
            with self._lock:
                self._answer_pinned(self.batches)

    def _answer_pinned(self, batches: int) -> None:
        self._pinned_at = time.monotonic()
        # A traced function of the model alone: an eager call took 51 ms for the cnn's
        # six inputs here, and predict_on_batch sets up Keras's data handling each time.
        if self._predict is None:
            self._predict = tf.function(lambda x: self.model(x, training=False))
            self._pinned_tensor = tf.constant(self.pinned)
        logits = np.asarray(self._predict(self._pinned_tensor), np.float64)
        steps = self.params.get("steps") or 1
        self.on_pinned(self.epoch + batches / steps, softmax(logits))


def _floats(logs) -> dict:
    return {k: float(v) for k, v in (logs or {}).items()}


def split(x_train: np.ndarray, y_train: np.ndarray, train_size: int, seed: int):
    """(x, y) for training, a random `train_size` of the non-validation images, and (x, y)
    for validation, the last VALIDATION_SIZE images; images float32 in [0, 1]."""
    pool = len(x_train) - VALIDATION_SIZE
    pick = np.random.default_rng(seed).permutation(pool)[:train_size]
    return (
        (to_float(x_train[pick]), y_train[pick]),
        (to_float(x_train[pool:]), y_train[pool:]),
    )


def mix_in(x, y, extra_x, extra_y, repeats: int):
    """(x, y) with (extra_x, extra_y) appended `repeats` times (drawing_repeats: so that
    they are about a quarter of an epoch): a few hundred of a person's drawings still weigh
    in each epoch against 10,000 MNIST digits, and those digits keep the model from
    forgetting MNIST. The result is shuffled by training_batches."""
    if len(extra_y) == 0:
        return x, y
    return (
        np.concatenate([x, np.tile(extra_x, (repeats, 1, 1))]),
        np.concatenate([y, np.tile(extra_y, repeats)]),
    )


PREFETCH_BATCHES = 2  # made ahead while the model trains on the current one


def training_batches(x, y, config: TrainConfig) -> tf.data.Dataset:
    """Shuffled batches, randomly distorted each epoch when config.augment is set.

    Without tf.data's autotuner: with it, on two cores, about one epoch in three (at random,
    from one epoch to the next) took twice as long, 20 s instead of 10 s for the Train
    page's cnn on 20,000 images, its two compute threads taking turns instead of working
    together; without it, 36 epochs out of 36, in six processes, took 10-11 s (README, "A
    class at once").
    """
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=config.seed)
    ds = ds.batch(config.batch_size)
    if config.augment:  # AUTOTUNE untuned: one call per core
        ds = ds.map(lambda xb, yb: (augment_batch(xb), yb), num_parallel_calls=tf.data.AUTOTUNE)
    untuned = tf.data.Options()
    untuned.autotune.enabled = False
    return ds.prefetch(PREFETCH_BATCHES).with_options(untuned)


def train(
    config: TrainConfig,
    mnist,
    progress: Progress = QUIET,
    model: keras.Model | None = None,
    drawings: tuple[np.ndarray, np.ndarray] | None = None,
    not_digits: np.ndarray | None = None,
) -> TrainResult:
    """Train a new model, or fine-tune `model`, on `mnist` = load_mnist()'s four arrays;
    `config` is taken as valid (a TrainingRequest's is checked when made).

    `drawings` = (images (N, 28, 28) float32, labels (N,)): a person's own drawings, mixed
    into every epoch (see mix_in); labels may include NOT_A_DIGIT (e.g. scribbles).
    `not_digits` (M, 28, 28) float32: marks that are no digit, each once an epoch, labelled
    NOT_A_DIGIT.
    Stops between batches once `progress.stop` is set; the result
    then holds the partly trained model and `stopped_early=True`. Validation is on MNIST images
    never trained on, so a fine-tune shows at once if it makes the model forget MNIST.
    """
    x_train, y_train, _, _ = mnist
    (x, y), validation = split(x_train, y_train, config.train_size, config.seed)
    if config.augment:
        x, y = add_style_variants(x, y, seed=config.seed)
    repeats = 0
    if drawings is not None:
        # counted on the MNIST images asked for, as the Train page's form counts them
        repeats = drawing_repeats(config.train_size, len(drawings[1]))
        x, y = mix_in(x, y, *drawings, repeats)
    if not_digits is not None and len(not_digits):
        x = np.concatenate([x, not_digits])
        y = np.concatenate([y, np.full(len(not_digits), NOT_A_DIGIT, y.dtype)])
    not_digits = bool((y == NOT_A_DIGIT).any())
    steps_per_epoch = -(-len(x) // config.batch_size)
    # Cosine decay: big steps early, small ones at the end settle the last 0.1-0.3%.
    rate = keras.optimizers.schedules.CosineDecay(
        config.learning_rate, steps_per_epoch * config.epochs, alpha=0.02
    )
    if model is None:
        model = build_model(config.arch, rate, config.seed, config.mistake, not_digits)
    else:
        keras.utils.set_random_seed(config.seed)
        compile_model(model, rate, config.mistake, not_digits)
    callback = _Progress(progress)
    start = time.perf_counter()
    history = model.fit(
        training_batches(x, y, config),
        epochs=config.epochs,
        validation_data=validation,
        validation_batch_size=1000,
        callbacks=[callback],
        shuffle=False,  # the dataset shuffles itself each epoch
        verbose=0,
    )
    seconds = time.perf_counter() - start
    # Keras ends a stopped epoch as if it were whole (its logs, validation, history): count
    # the batches it really trained instead.
    partial = callback.stopped and callback.batches < steps_per_epoch
    epochs_done = callback.epoch + (0 if partial else 1)
    batches_done = callback.batches if partial else 0
    images = min(len(x) * epochs_done + batches_done * config.batch_size, len(x) * config.epochs)
    return TrainResult(
        model=model,
        config=config,
        history={k: [float(v) for v in vals] for k, vals in history.history.items()},
        training_seconds=seconds,
        epochs_done=epochs_done,
        batches_done=batches_done,
        steps_per_epoch=steps_per_epoch,
        stopped_early=callback.stopped,
        images_per_second=images / seconds if seconds else 0.0,
        drawing_repeats=repeats,
    )


def run_metadata(result: TrainResult, test: Score, **more) -> ModelMetadata:
    """The metadata saved beside a trained model: how it was made and how well it does;
    `more` sets further fields (a fine-tune's, a model card's)."""
    return ModelMetadata(
        arch=result.config.arch,
        config=result.config,
        params=int(result.model.count_params()),
        epochs_done=result.epochs_done,
        batches_done=result.batches_done,
        steps_per_epoch=result.steps_per_epoch,
        stopped_early=result.stopped_early,
        training_seconds=round(result.training_seconds, 2),
        images_per_second=round(result.images_per_second, 1),
        test_accuracy=test.accuracy,
        test_loss=test.loss,
        history=result.history,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        **more,
    )


def train_and_save(request: TrainingRequest, progress: Progress = QUIET) -> ModelInfo:
    """The whole run `request` asks for, tested on the MNIST test set and saved: a new
    model, or a fine-tune when its config names a base model. The saved model's
    ModelInfo; its metadata is the run's summary.

    A run halted by `progress.stop` is saved too (marked `stopped_early`), so it can be tried and
    then kept or deleted. Replacing a saved model records that model's test accuracy
    (`replaced_accuracy`), to compare with.
    """
    config = request.config  # checked when the request was made
    target = model_path(request.name, request.models_dir)
    replaced = inspect(target).metadata.test_accuracy if target.exists() else None
    run = fine_tune if config.base_model is not None else train_new
    model, metadata = run(request, load_mnist(), progress)
    metadata = replace(metadata, replaced_accuracy=replaced)
    return save_model(model, request.name, metadata, request.models_dir, request.overwrite)


def train_new(request: TrainingRequest, mnist, progress: Progress = QUIET):
    """(model, metadata) of a new model of request.config.arch trained on MNIST."""
    result = train(request.config, mnist, progress)
    return result.model, run_metadata(result, evaluate(result.model, mnist[2], mnist[3]))


def fine_tune(request: TrainingRequest, mnist, progress: Progress = QUIET):
    """(model, metadata) of config.base_model trained further on the person's drawings
    (request.drawings_dir) mixed with MNIST; the base model stays as it was.

    The base is measured on the same test set just before, rather than read from its
    metadata, so that the comparison after training is like for like; its drawings are
    read by both models, before and after, and so are the marks that are no digit.

    What the bundled model learnt besides digits is kept: marks that are no digit train
    along (FINE_TUNE_NON_DIGITS of the MNIST images), and a calibrated base's temperature
    is fitted again on the held-out writers' digits, since training on a person's drawings
    makes a model surer of itself.
    """
    config = request.config
    found = load_drawings(request.drawings_dir or DRAWINGS_DIR)
    check_fine_tune_drawings(len(found), config.train_size)
    base_path = model_path(config.base_model, request.models_dir)
    base = load_model(base_path)
    base_metadata = inspect(base_path).metadata
    # the architecture is the base's, as its metadata records it (an old or hand-made
    # model without one keeps the config's, which only labels the result)
    config = replace(config, arch=base_metadata.arch or config.arch)
    before_test = stored_score(base, base_path, mnist[2], mnist[3])
    before = accuracy_and_loss(classify(base, found.digits), found.labels)
    marks = NonDigitSet.make(HONESTY_MARKS_PER_KIND)
    before_marks = marks.not_sure(classify(base, marks.all_images()))
    not_digits = stored_marks(round(FINE_TUNE_NON_DIGITS * config.train_size), config.seed)
    drawings = (found.digits, found.labels)
    result = train(config, mnist, progress, model=base, drawings=drawings, not_digits=not_digits)
    model, calibrated = result.model, {}
    if base_metadata.temperature:
        model, temperature = recalibrated(model, base_metadata.temperature)
        result = replace(result, model=model)
        calibrated = {
            "temperature": temperature,
            "note": f"fine-tuned on {len(found)} drawings; confidence calibrated "
            f"(T = {temperature:.2f})",
        }
    after = accuracy_and_loss(classify(model, found.digits), found.labels)
    after_marks = marks.not_sure(classify(model, marks.all_images()))
    metadata = run_metadata(
        result,
        evaluate(model, mnist[2], mnist[3]),
        fine_tuned_from=config.base_model,
        base_accuracy=before_test.accuracy,
        base_loss=before_test.loss,
        drawings=len(found),
        drawing_repeats=result.drawing_repeats,
        drawings_accuracy_before=before.accuracy,
        drawings_accuracy_after=after.accuracy,
        base_non_digits_not_sure=before_marks["all"],
        non_digits_not_sure=after_marks["all"],
        **calibrated,
    )
    return model, metadata


HONESTY_MARKS_PER_KIND = 30  # a fine-tune's non-digit check: 30 marks of each kind


# What a fine-tune makes the same way every time, kept on disk (mnist_core.stored): some
# 15 s of a 55 s fine-tune of the bundled model, paid by a class's first fine-tune only.
def stored_marks(count: int, seed: int) -> np.ndarray:
    """pen_training.non_digit_images(count, seed), made once per version of the code."""
    path = cached_path("non-digit-marks", count, seed)
    return load_or_make(path, lambda: (non_digit_images(count, seed),))[0]


def stored_calibration_drawings(pen_path) -> tuple[np.ndarray, np.ndarray]:
    """pen_training.calibration_drawings of the pen digits at `pen_path`, made once."""
    path = cached_path("calibration-drawings", file_identity(pen_path))
    x, y = load_or_make(path, lambda: calibration_drawings(PenDigits(pen_path)))
    return x, y


def stored_score(model, model_file, x_test: np.ndarray, y_test: np.ndarray) -> Score:
    """evaluate(model, x_test, y_test) of the model saved as `model_file`, kept per
    contents of that file and of the test set (a class fine-tunes one base many times)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (Path(model_file).read_bytes(), x_test.tobytes(), y_test.tobytes()):
        digest.update(part)
    path = cached_path("test-score", digest.hexdigest())
    [score] = load_or_make(path, lambda: (np.array(astuple(evaluate(model, x_test, y_test))),))
    return Score(*map(float, score))


def recalibrated(model, temperature: float):
    """(model, its new temperature): the model's temperature layer fitted again on the
    calibration writers' digits (pen_training.calibration_drawings), which neither the
    bundled model nor a fine-tune of it trains on. The fit divides the scores the model
    gives now, so the new temperature is the old one times that fit (never below it)."""
    x_cal, y_cal = stored_calibration_drawings(pen_digits_path())
    temperature = round(temperature * fit_temperature(scores(model, x_cal), y_cal), 4)
    return with_temperature(model, temperature), temperature
