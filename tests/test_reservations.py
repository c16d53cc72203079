"""Model names reserved in a shared models folder: one holder per name, who holds it said,
a bound on trainings at once, and reservations of gone replicas expiring."""

import json
import os
import subprocess
import sys
import time

import pytest

from mnist_core.atomic import HOST_ID
from mnist_core.config import TrainConfig
from mnist_core.processes.training import JobBusy, JobRunner
from mnist_core.reservations import (
    EXPIRES_AFTER,
    Refused,
    Reservation,
    active,
    holding,
    refresh,
    release,
    remove_expired,
    reservation_path,
    reserve,
)
from mnist_core.store import TrainingRequest


def held_by(folder, name, host, pid, age=0.0, replica="web-2"):
    """A reservation written as another holder would, last touched `age` seconds ago."""
    path = reservation_path(name, folder)
    started = time.time() - age
    path.write_text(
        json.dumps(dict(name=name, replica=replica, host=host, pid=pid, started=started))
    )
    os.utime(path, (started, started))
    return Reservation(name, replica, host, pid, started)


def dead_pid() -> int:
    out = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True
    )
    return int(out.stdout)


OTHER = "0123abcd" if HOST_ID != "0123abcd" else "fedc4321"


def test_a_name_has_one_holder_until_released(tmp_path):
    mine = reserve("digits", tmp_path)
    assert mine.mine and active(tmp_path) == [mine]
    with pytest.raises(Refused, match=r"`digits` on replica .* \(pid \d+\), started .* UTC"):
        reserve("digits", tmp_path, at_once=2)
    release(mine, tmp_path)
    assert active(tmp_path) == [] and not list(tmp_path.glob(".*"))
    release(reserve("digits", tmp_path), tmp_path)


def test_another_replicas_live_hold_refuses_the_name_and_bounds_trainings(tmp_path):
    other = held_by(tmp_path, "digits", OTHER, os.getpid(), age=EXPIRES_AFTER - 30)
    with pytest.raises(Refused, match="on replica web-2 .* is training this name"):
        reserve("digits", tmp_path, at_once=2)
    with pytest.raises(Refused, match="1 training at once .* `digits` on replica web-2"):
        reserve("letters", tmp_path, at_once=1)
    assert active(tmp_path) == [other]  # the refused one left nothing behind
    release(reserve("letters", tmp_path, at_once=2), tmp_path)


def test_a_gone_holders_reservation_expires(tmp_path):
    held_by(tmp_path, "dead_here", HOST_ID, dead_pid())  # this machine: its process died
    held_by(tmp_path, "vanished", OTHER, os.getpid(), age=EXPIRES_AFTER + 30)  # untouched
    assert active(tmp_path) == []
    for name in ("dead_here", "vanished"):
        taken = reserve(name, tmp_path)
        assert json.loads(reservation_path(name, tmp_path).read_text())["pid"] == os.getpid()
        release(taken, tmp_path)
    assert not list(tmp_path.glob(".*"))


def test_the_sweep_removes_expired_reservations_only(tmp_path):
    held_by(tmp_path, "dead_here", HOST_ID, dead_pid())
    held_by(tmp_path, "vanished", OTHER, 7, age=EXPIRES_AFTER + 30)
    held_by(tmp_path, "live", OTHER, 7, age=EXPIRES_AFTER - 30)
    reserve("mine", tmp_path, at_once=5)
    assert sorted(remove_expired(tmp_path)) == ["dead_here", "vanished"]
    assert sorted(p.name for p in tmp_path.glob(".*")) == [".live.reserved", ".mine.reserved"]


def test_refresh_keeps_it_alive_and_touches_only_its_own(tmp_path):
    mine = reserve("digits", tmp_path)
    path = reservation_path("digits", tmp_path)
    os.utime(path, (1, 1))
    refresh(mine, tmp_path)
    assert time.time() - path.stat().st_mtime < 5
    other = held_by(tmp_path, "letters", OTHER, 1, age=EXPIRES_AFTER + 30)
    refresh(Reservation("letters", "x", HOST_ID, os.getpid(), 1.0), tmp_path)
    release(Reservation("letters", "x", HOST_ID, os.getpid(), 1.0), tmp_path)
    assert reservation_path("letters", tmp_path).exists() and active(tmp_path) == [mine]
    assert other not in active(tmp_path)


def test_the_runner_refuses_a_name_another_replica_trains(tmp_path):
    held_by(tmp_path, "digits", OTHER, 7)
    request = TrainingRequest(
        TrainConfig(arch="dense", epochs=1, train_size=1000), "digits", tmp_path
    )
    with pytest.raises(JobBusy, match="`digits` on replica web-2 \\(pid 7\\)"):
        JobRunner().start(request)
    assert JobRunner().current() is None


def test_holding_touches_the_reservation_while_held_and_releases_it_after_an_error(tmp_path):
    path = reservation_path("digits", tmp_path)
    with pytest.raises(RuntimeError, match="the run failed"):
        with holding("digits", tmp_path, every=0.05) as mine:
            assert active(tmp_path) == [mine] and mine.mine
            os.utime(path, (1, 1))
            deadline = time.monotonic() + 10
            while path.stat().st_mtime == 1 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert time.time() - path.stat().st_mtime < 5  # touched by the holder's thread
            with pytest.raises(Refused, match="is training this name"):
                reserve("digits", tmp_path)
            raise RuntimeError("the run failed")
    assert not path.exists() and active(tmp_path) == []
