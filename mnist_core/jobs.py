"""One training job at a time per server, run in a child process and watched from pages.

`JobRunner.start` refuses a second job while one runs; every page (any tab, any person)
reads the same `TrainingJob.snapshot()`, so a reload or a second visitor sees the live job.
No TensorFlow here: the child process (train_worker) owns it.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .child import spawn
from .config import TrainConfig, check_new_run
from .store import delete_model
from .summary import RunSummary


class JobBusy(RuntimeError):
    """A training is already running on this server."""


@dataclass
class JobState:
    """What is known of a job: settings, progress, curves, and the outcome."""

    name: str
    config: TrainConfig
    owner: str | None
    status: str = "starting"  # starting → running → (stopping →) evaluating → done | failed
    started: float = field(default_factory=time.time)
    # one row per batch: (epochs done as a fraction, loss, accuracy)
    batches: list[tuple[float, float, float]] = field(default_factory=list)
    epochs: list[dict] = field(default_factory=list)  # Keras's logs at each epoch's end
    epoch: int = 0
    batch: int = 0
    steps: int = 0
    images_per_second: float = 0.0
    result: dict | None = None
    error: str | None = None
    stop_asked: float | None = None  # time.monotonic() of the Stop click
    halted_after: float | None = None  # seconds from Stop to the last batch trained
    discarded: bool = False  # its model was deleted after it finished

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def summary(self) -> RunSummary | None:
        """The outcome as a typed record, once the job is done."""
        return None if self.result is None else RunSummary.from_dict(self.result)

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
        config: TrainConfig,
        name: str,
        models_dir: Path,
        overwrite: bool,
        owner: str | None = None,
        drawings_dir: Path | None = None,
    ):
        self._lock = threading.Lock()
        self._models_dir = Path(models_dir)
        self._state = JobState(name=name, config=config, owner=owner)
        self._process, self._conn = spawn("mnist_core.train_worker")
        self._conn.send(
            {
                "config": config.as_dict(),
                "name": name,
                "models_dir": str(models_dir),
                "overwrite": overwrite,
                "drawings_dir": None if drawings_dir is None else str(drawings_dir),
            }
        )
        self._reader = threading.Thread(target=self._read, daemon=True, name=f"job-{name}")
        self._reader.start()

    def snapshot(self) -> JobState:
        with self._lock:
            return copy.deepcopy(self._state)

    @property
    def finished(self) -> bool:
        with self._lock:
            return self._state.finished

    def stop(self) -> None:
        """Ask the child to stop after the batch it is on; it then evaluates and saves."""
        with self._lock:
            if self._state.finished:
                return
            self._state.status = "stopping"
            self._state.stop_asked = time.monotonic()
        try:
            self._conn.send("stop")
        except OSError:
            pass  # already gone: the reader reports how it ended

    def discard(self) -> bool:
        """Delete the finished job's model, once: False if it was discarded already (by any
        viewer) or the job has not finished. Every page then stops offering it."""
        with self._lock:
            if not self._state.finished or self._state.discarded:
                return False
            self._state.discarded = True
            name = self._state.name
        delete_model(name, self._models_dir)
        return True

    def wait(self, timeout: float | None = None) -> JobState:
        self._reader.join(timeout)
        return self.snapshot()

    def _read(self) -> None:
        first_report, images = None, 0  # the pace counts from the first batch reported
        while True:
            try:
                message = self._conn.recv()
            except (EOFError, OSError):
                message = ("failed", "the training process ended unexpectedly")
            kind = message[0]
            with self._lock:
                s = self._state
                if kind == "batches":
                    for epoch, batch, steps, loss, accuracy in message[1]:
                        s.batches.append((epoch + (batch + 1) / steps, loss, accuracy))
                        s.epoch, s.batch, s.steps = epoch, batch, steps
                    if s.stop_asked is not None and s.halted_after is None:
                        # the child reports at once once it has seen the stop request
                        s.halted_after = time.monotonic() - s.stop_asked
                    if first_report is None:
                        first_report = time.monotonic()
                    else:
                        images += len(message[1]) * s.config.batch_size
                        s.images_per_second = images / (time.monotonic() - first_report)
                    if s.status == "starting":
                        s.status = "running"
                elif kind == "epoch":
                    # at the last batch trained: a stopped epoch ends part-way, and Keras
                    # reports it (validation included) as if it were whole
                    at = s.epoch + (s.batch + 1) / s.steps if s.steps else message[1] + 1
                    s.epochs.append({"epoch": at, **message[2]})
                elif kind == "evaluating":
                    s.status = "evaluating"
                elif kind == "done":
                    s.status, s.result = "done", message[1]
                elif kind == "failed":
                    s.status, s.error = "failed", message[1]
                if s.finished:
                    break
        self._conn.close()
        self._process.wait()


class JobRunner:
    """The server's single training slot."""

    def __init__(self):
        self._lock = threading.Lock()
        self._job: TrainingJob | None = None

    def current(self) -> TrainingJob | None:
        """The running job, or the last one (finished) until a new one starts."""
        return self._job

    def start(
        self,
        config: TrainConfig,
        name: str,
        models_dir: Path,
        overwrite: bool = False,
        owner: str | None = None,
        drawings_dir: Path | None = None,
    ) -> TrainingJob:
        """Start a job; ValueError for bad settings, JobBusy if one is running."""
        check_new_run(config, name, models_dir, overwrite)
        with self._lock:
            if self._job is not None and not self._job.finished:
                raise JobBusy(
                    f"a training ({self._job.snapshot().name}) is already running; "
                    "wait for it or stop it first"
                )
            self._job = TrainingJob(config, name, models_dir, overwrite, owner, drawings_dir)
            return self._job
