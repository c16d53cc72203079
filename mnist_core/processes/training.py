"""The Train page's training: one job at a time per server, run in a child process, with
both ends of their conversation here.

Why a process: Streamlit clears the Keras session after every script or fragment run in
a process that imported Keras, and training in a server thread while charts refresh ran
about ten times slower.

The conversation (a multiprocessing Connection, see child.py), as typed messages:
- parent → child: one TrainingRequest, then possibly Signal.STOP;
- child → parent: Batches at most every REPORT_EVERY seconds, EpochEnded, PinnedBars
  (the request's pinned inputs answered, at most every 0.4 s), Signal.EVALUATING, and
  last Finished (the saved model) or Failed (why).
If the parent's end closes (the server stopped or was killed), the child exits at once.

Parent side (in the server, no TensorFlow): `JobRunner.start` refuses a second job while
one runs; every page (any tab, any person) reads the same `TrainingJob.snapshot()`, so a
reload or a second visitor sees the live job. Child side: `child_main`, which alone loads
TensorFlow (mnist_core.tf).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field, replace
from enum import Enum, StrEnum

import numpy as np

from ..config import TrainConfig
from ..curves import Curves, EpochLogs, curves, epochs_done
from ..pinned import Pinned
from ..quiet import tensorflow_quietly, verbose_from_env
from ..reservations import REFRESH_EVERY, Refused, Reservation, refresh, release, reserve
from ..store import ModelInfo, TrainingRequest, delete_model
from .child import parent_connection, spawn

REPORT_EVERY = 0.2  # seconds between progress messages: charts refresh once a second
# Added to the training process's nice value: when the cores are short, a room's drawings
# are answered first and the training takes the rest. Alone it loses nothing (a nice
# value only matters against other work). See README, "A class at once".
NICENESS = 5


# ---- the messages ----------------------------------------------------------------------


class Signal(Enum):
    """The messages that carry nothing but themselves."""

    STOP = "stop"  # parent → child: halt after this batch, then test and save the model
    EVALUATING = "evaluating"  # child → parent: trained; now testing on MNIST's test set


@dataclass(frozen=True)
class BatchDone:
    epoch: int  # from 0
    batch: int  # from 0, within the epoch
    steps: int  # batches per epoch
    loss: float
    accuracy: float

    @property
    def at(self) -> float:
        """Where in training this batch ended, in epochs (curves.epochs_done)."""
        return epochs_done(self.epoch, self.batch, self.steps)


@dataclass(frozen=True)
class Batches:
    """Child → parent: the batches trained since the last report, in order."""

    done: tuple[BatchDone, ...]


@dataclass(frozen=True)
class EpochEnded:
    """Child → parent: Keras's logs at an epoch's end (validation included)."""

    epoch: int
    logs: dict[str, float]


@dataclass(frozen=True)
class PinnedBars:
    """Child → parent: the pinned inputs' (N, 10) probabilities `at` epochs into training
    (before the first batch, at most every tf.training.PINNED_EVERY s, and after the last)."""

    at: float
    probabilities: np.ndarray


@dataclass(frozen=True)
class Finished:
    """Child → parent: the saved model; its metadata summarises the run."""

    model: ModelInfo


@dataclass(frozen=True)
class Failed:
    reason: str


Report = Batches | EpochEnded | PinnedBars | Signal | Finished | Failed


# ---- parent side -----------------------------------------------------------------------


class JobBusy(RuntimeError):
    """A training is already running on this server, or the name or the slot is held by
    another replica's (see mnist_core.reservations)."""


class JobStatus(StrEnum):
    """starting → running → (stopping →) evaluating → done | failed"""

    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"
    EVALUATING = "evaluating"
    DONE = "done"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.FAILED)


@dataclass
class JobState:
    """What is known of a job: settings, progress, curves, and the outcome. Its progress is
    data the page only draws: fraction_done for the bar, curves() for the charts."""

    name: str
    config: TrainConfig
    owner: str | None
    status: JobStatus = JobStatus.STARTING
    started: float = field(default_factory=time.time)
    batches: list[BatchDone] = field(default_factory=list)  # every batch trained, in order
    epochs: list[EpochLogs] = field(default_factory=list)  # Keras's logs at each epoch's end
    epoch: int = 0
    batch: int = 0
    steps: int = 0
    images_per_second: float = 0.0
    outcome: ModelInfo | None = None  # the saved model, once done
    error: str | None = None
    stop_asked: float | None = None  # time.monotonic() of the Stop click
    halted_after: float | None = None  # seconds from Stop to the last batch trained
    discarded: bool = False  # its model was deleted after it finished
    pins: Pinned | None = None  # the request's pinned inputs
    pinned_bars: PinnedBars | None = None  # their latest answer, the last one once done

    @property
    def finished(self) -> bool:
        return self.status.finished

    @property
    def position(self) -> float:
        """Epochs trained so far, a part of one counted (0 before the first batch)."""
        return epochs_done(self.epoch, self.batch, self.steps) if self.steps else 0.0

    @property
    def fraction_done(self) -> float:
        """How much of the planned training is done, 0 to 1."""
        return min(1.0, self.position / self.config.epochs)

    def curves(self) -> Curves:
        """The loss and accuracy charts' points so far."""
        rows = np.array([(b.at, b.loss, b.accuracy) for b in self.batches], float)
        return curves(rows.reshape(-1, 3), self.epochs)

    def seconds_left(self) -> float | None:
        """Time left at the current pace; None until the pace is known."""
        if not self.steps or not self.images_per_second:
            return None
        batches_left = (self.config.epochs - self.epoch) * self.steps - (self.batch + 1)
        return batches_left * self.config.batch_size / self.images_per_second


class TrainingJob:
    """A training in a child process; a thread here turns its reports into a JobState."""

    def __init__(
        self,
        request: TrainingRequest,
        owner: str | None = None,
        reservation: Reservation | None = None,
    ):
        self._lock = threading.Lock()
        self._request = request
        self._reservation = reservation  # its name's, held until it saves or fails
        self._state = JobState(
            name=request.name, config=request.config, owner=owner, pins=request.pinned
        )
        self._first_report: float | None = None  # the pace counts from the first batches
        self._images = 0
        self._process, self._conn = spawn("mnist_core.processes.training")
        self._conn.send(request)
        self._reader = threading.Thread(target=self._read, daemon=True, name=f"job-{request.name}")
        self._reader.start()

    def snapshot(self) -> JobState:
        """A copy of the state as it is now. Its batches and epochs are immutable records,
        shared; only the lists are new (a deep copy of thousands of batches took a few ms
        of the server's CPU per chart refresh and viewer)."""
        with self._lock:
            s = self._state
            return replace(s, batches=list(s.batches), epochs=list(s.epochs))

    @property
    def finished(self) -> bool:
        with self._lock:
            return self._state.finished

    def stop(self) -> None:
        """Ask the child to stop after the batch it is on; it then evaluates and saves."""
        with self._lock:
            if self._state.finished:
                return
            self._state.status = JobStatus.STOPPING
            self._state.stop_asked = time.monotonic()
        try:
            self._conn.send(Signal.STOP)
        except OSError:
            pass  # already gone: the reader reports how it ended

    def discard(self) -> bool:
        """Delete the finished job's model, once: False if it was discarded already (by any
        viewer) or the job has not finished. Every page then stops offering it."""
        with self._lock:
            if not self._state.finished or self._state.discarded:
                return False
            self._state.discarded = True
        delete_model(self._request.name, self._request.models_dir)
        return True

    def wait(self, timeout: float | None = None) -> JobState:
        self._reader.join(timeout)
        return self.snapshot()

    def _read(self) -> None:
        touched = time.monotonic()
        while True:
            try:
                if not self._conn.poll(REFRESH_EVERY):
                    report = None  # evaluating or saving: quiet, but alive
                else:
                    report: Report = self._conn.recv()
            except (EOFError, OSError):
                report = Failed("the training process ended unexpectedly")
            if self._reservation and time.monotonic() - touched >= REFRESH_EVERY:
                refresh(self._reservation, self._request.models_dir)
                touched = time.monotonic()
            if report is None:
                continue
            with self._lock:
                self._apply(report, self._state)
                if self._state.finished:
                    break
        if self._reservation:  # saved (the file now holds the name) or failed
            release(self._reservation, self._request.models_dir)
        self._conn.close()
        self._process.wait()

    def _apply(self, report: Report, s: JobState) -> None:
        match report:
            case Batches(done=done):
                s.batches.extend(done)
                s.epoch, s.batch, s.steps = done[-1].epoch, done[-1].batch, done[-1].steps
                if s.stop_asked is not None and s.halted_after is None:
                    # the child reports at once once it has seen the stop request
                    s.halted_after = time.monotonic() - s.stop_asked
                if self._first_report is None:
                    self._first_report = time.monotonic()
                else:
                    self._images += len(done) * s.config.batch_size
                    s.images_per_second = self._images / (time.monotonic() - self._first_report)
                if s.status == JobStatus.STARTING:
                    s.status = JobStatus.RUNNING
            case EpochEnded(epoch=epoch, logs=logs):
                # at the last batch trained: a stopped epoch ends part-way, and Keras
                # reports it (validation included) as if it were whole
                s.epochs.append(EpochLogs(s.position if s.steps else epoch + 1.0, logs))
            case PinnedBars():
                s.pinned_bars = report
            case Signal.EVALUATING:
                s.status = JobStatus.EVALUATING
            case Finished(model=model):
                s.status, s.outcome = JobStatus.DONE, model
            case Failed(reason=reason):
                s.status, s.error = JobStatus.FAILED, reason


class JobRunner:
    """The server's single training slot."""

    def __init__(self):
        self._lock = threading.Lock()
        self._job: TrainingJob | None = None

    def current(self) -> TrainingJob | None:
        """The running job, or the last one (finished) until a new one starts."""
        return self._job

    def start(self, request: TrainingRequest, owner: str | None = None) -> TrainingJob:
        """Start a job (its request was checked when made); JobBusy if one is running here,
        or another replica sharing the models folder holds the name or the slot."""
        with self._lock:
            if self._job is not None and not self._job.finished:
                raise JobBusy(
                    f"a training ({self._job.snapshot().name}) is already running; "
                    "wait for it or stop it first"
                )
            try:
                reservation = reserve(request.name, request.models_dir)
            except Refused as err:
                raise JobBusy(str(err)) from None
            try:
                self._job = TrainingJob(request, owner, reservation)
            except BaseException:
                release(reservation, request.models_dir)
                raise
            return self._job


# ---- child side ------------------------------------------------------------------------


class Reporter:
    """In the child: turns Keras's progress into Batches and EpochEnded messages, sending
    batches in bunches (at most every REPORT_EVERY s) and at once after a Stop."""

    def __init__(self, conn, epochs: int, stop: threading.Event):
        self.conn, self.epochs, self.stop = conn, epochs, stop
        self.pending: list[BatchDone] = []
        self.last_sent = time.monotonic()

    def send_batches(self) -> None:
        if self.pending:
            # the batch hooks run in a thread pool and may finish out of order
            done = sorted(self.pending, key=lambda b: (b.epoch, b.batch))
            self.conn.send(Batches(tuple(done)))
            self.pending.clear()
        self.last_sent = time.monotonic()

    def on_batch(self, epoch: int, batch: int, logs: dict) -> None:
        self.pending.append(BatchDone(epoch, batch, logs["steps"], logs["loss"], logs["accuracy"]))
        if self.stop.is_set() or time.monotonic() - self.last_sent >= REPORT_EVERY:
            self.send_batches()

    def on_pinned(self, at: float, probabilities: np.ndarray) -> None:
        self.conn.send(PinnedBars(at, probabilities.astype(np.float32)))

    def on_epoch(self, epoch: int, logs: dict) -> None:
        self.send_batches()
        self.conn.send(EpochEnded(epoch, logs))
        if epoch + 1 == self.epochs or self.stop.is_set():
            self.conn.send(Signal.EVALUATING)


def child_main(conn) -> None:
    """The training process: one request, trained, tested and saved; then it ends."""
    os.nice(NICENESS)
    # the one place this module loads TensorFlow: in the child, never in the server, and
    # quietly (MNIST_VERBOSE=1 shows TensorFlow's own lines)
    with tensorflow_quietly(verbose_from_env()):
        from ..tf.training import Progress, train_and_save

    request: TrainingRequest = conn.recv()
    stop = threading.Event()
    threading.Thread(target=_listen_for_stop, args=(conn, stop), daemon=True).start()
    reporter = Reporter(conn, request.config.epochs, stop)
    pins = None if request.pinned is None else request.pinned.images
    progress = Progress(reporter.on_batch, reporter.on_epoch, stop, pins, reporter.on_pinned)
    try:
        saved = train_and_save(request, progress)
        conn.send(Finished(saved))
    except Exception as err:  # noqa: BLE001 - whatever went wrong, the page must say it
        conn.send(Failed(f"{type(err).__name__}: {err}"))


def _listen_for_stop(conn, stop: threading.Event) -> None:
    try:
        while True:
            if conn.recv() == Signal.STOP:
                stop.set()
    except (EOFError, OSError):
        # The server is gone (closed, or killed): nobody can watch or stop this training
        # any more, and a restarted server must not find a stray job writing models. End
        # at once, even mid-save: saves are atomic, so the old model stays in place.
        os._exit(1)


if __name__ == "__main__":
    # Run from the module under its own name, not as __main__: the messages the child
    # sends are pickled by class path, and the server knows mnist_core.processes.training.
    from mnist_core.processes.training import child_main as main

    main(parent_connection())
