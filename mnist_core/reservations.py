"""Model names reserved in the models folder while they train, seen by every replica that
shares the folder.

Starting a training creates `.NAME.reserved` exclusively (O_CREAT|O_EXCL: one replica
wins), holding who holds it (a Reservation, as JSON). The running job touches it every
REFRESH_EVERY seconds and removes it when the run saves or fails. A reservation expires,
and is then taken over, when its holder is gone: a dead process on this machine, or, for
another machine's, one untouched for EXPIRES_AFTER seconds (a replica killed or cut off).

TRAININGS_AT_ONCE (env MNIST_TRAININGS_AT_ONCE, default 1) bounds the trainings at once
across the replicas sharing the folder: training is a few CPU cores' work for minutes,
and one at a time is what a single server already does.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from .atomic import HOST_ID, pid_alive
from .names import validate_name

SUFFIX = ".reserved"
REFRESH_EVERY = 30.0  # seconds between a running job's touches of its reservation
# Four missed touches: a replica that stopped touching it is gone, not slow.
EXPIRES_AFTER = 120.0
TRAININGS_AT_ONCE = int(os.environ.get("MNIST_TRAININGS_AT_ONCE") or 1)
# How people know this replica: MNIST_REPLICA, else the machine's name
REPLICA = os.environ.get("MNIST_REPLICA") or socket.gethostname()


class Refused(RuntimeError):
    """The name is held by another training, or too many run at once; says who, since when."""


@dataclass(frozen=True)
class Reservation:
    """A training's hold on a model name: which one, by whom (replica, host id, pid), since
    when (seconds since the epoch)."""

    name: str
    replica: str
    host: str
    pid: int
    started: float

    @property
    def mine(self) -> bool:
        """Held by this process."""
        return self.host == HOST_ID and self.pid == os.getpid()

    def describe(self) -> str:
        """'`name` on replica web-2 (pid 41), started 14:02:11 UTC'."""
        at = time.strftime("%H:%M:%S UTC", time.gmtime(self.started))
        return f"`{self.name}` on replica {self.replica} (pid {self.pid}), started {at}"


def reservation_path(name: str, models_dir: Path) -> Path:
    return Path(models_dir) / f".{validate_name(name)}{SUFFIX}"


def reserve(name: str, models_dir: Path, at_once: int = TRAININGS_AT_ONCE) -> Reservation:
    """Hold `name` for this process's training; Refused (saying who holds it, or which
    trainings run) if another holds it or `at_once` already run from this folder."""
    path = reservation_path(name, models_dir)
    Path(models_dir).mkdir(parents=True, exist_ok=True)
    mine = Reservation(name, REPLICA, HOST_ID, os.getpid(), time.time())
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            held = _read(path)
            if held is not None and not expired(held, path):
                raise Refused(f"{held.describe()} is training this name; choose another") from None
            _take_over(path, held)
            continue
        with os.fdopen(fd, "w") as f:
            json.dump(asdict(mine), f)
        break
    else:
        raise Refused(f"`{name}` is being reserved by another replica right now; try again")
    # Created first, counted after: of trainings started at once, the later ones give way,
    # so there are never more than at_once (at worst both give way, and Start says so).
    running = sorted(active(models_dir), key=lambda r: (r.started, r.host, r.pid))
    if mine not in running[:at_once]:
        release(mine, models_dir)
        others = "; ".join(r.describe() for r in running if r != mine)
        raise Refused(
            f"{at_once} training{'s' if at_once != 1 else ''} at once across the replicas, "
            f"and one already runs: {others}. Start again when it ends"
        )
    return mine


@contextmanager
def holding(
    name: str, models_dir: Path, at_once: int = TRAININGS_AT_ONCE, every: float = REFRESH_EVERY
) -> Iterator[Reservation]:
    """`name` reserved (reserve) for the `with` block, touched every `every` seconds from a
    thread meanwhile, released at its end: a training run in this process (the CLI's),
    where no job loop is there to touch it."""
    reservation = reserve(name, models_dir, at_once)
    done = threading.Event()

    def touch() -> None:
        while not done.wait(every):
            refresh(reservation, models_dir)

    toucher = threading.Thread(target=touch, name="reservation", daemon=True)
    toucher.start()
    try:
        yield reservation
    finally:
        done.set()
        toucher.join()
        release(reservation, models_dir)


def refresh(reservation: Reservation, models_dir: Path) -> None:
    """Touch the reservation, so that other machines see its holder is alive."""
    path = reservation_path(reservation.name, models_dir)
    if _read(path) == reservation:
        os.utime(path)


def release(reservation: Reservation, models_dir: Path) -> None:
    """End the hold (the run saved, failed or was refused), if it is still this one's."""
    path = reservation_path(reservation.name, models_dir)
    if _read(path) == reservation:
        path.unlink(missing_ok=True)


def active(models_dir: Path) -> list[Reservation]:
    """Every reservation in the folder that has not expired, oldest first."""
    found = []
    for path in Path(models_dir).glob(f".*{SUFFIX}"):
        held = _read(path)
        if held is not None and not expired(held, path):
            found.append(held)
    return sorted(found, key=lambda r: r.started)


def remove_expired(models_dir: Path) -> list[str]:
    """Delete reservations whose holder is gone (a killed server's, a vanished replica's);
    the names they held. Run with the sweep of leftover temporaries."""
    removed = []
    for path in Path(models_dir).glob(f".*{SUFFIX}"):
        held = _read(path)
        if held is not None and expired(held, path):
            _take_over(path, held)
            removed.append(held.name)
    return removed


def expired(held: Reservation, path: Path, now: float | None = None) -> bool:
    """True when its holder is gone: a dead process here; elsewhere, not touched lately."""
    if held.host == HOST_ID:
        return not pid_alive(held.pid)
    try:
        touched = path.stat().st_mtime
    except FileNotFoundError:
        return True
    return (time.time() if now is None else now) - touched > EXPIRES_AFTER


def _read(path: Path) -> Reservation | None:
    """The reservation in `path`; None if there is none or it is unreadable (a holder
    writing it this instant, or a damaged file: both count as expired only by age)."""
    try:
        return Reservation(**json.loads(path.read_text()))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError):
        try:
            touched = path.stat().st_mtime
        except FileNotFoundError:
            return None
        return Reservation(path.name[1 : -len(SUFFIX)], "unknown", "", 0, touched)


def _take_over(path: Path, held: Reservation | None) -> None:
    """Remove an expired reservation, unless another replica replaced it meanwhile: it is
    moved aside first (a rename: one replica wins), then checked, and put back if fresh."""
    aside = path.with_name(f"{path.name}.{HOST_ID}-{os.getpid()}.expired")
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        return  # another replica removed it first
    moved = _read(aside)
    if moved is not None and moved != held and not expired(moved, aside):
        try:
            os.link(aside, path)  # exclusive, like the O_EXCL create
        except FileExistsError:
            pass
    aside.unlink(missing_ok=True)
