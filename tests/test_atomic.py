"""Sweeping temporaries in a folder shared by replicas: this machine's by their process,
another machine's (whose processes can't be seen from here) by their age."""

import os
import subprocess
import sys
import time

from mnist_core.atomic import ABANDONED_AFTER, HOST_ID, is_temporary, remove_stale_temporaries


def dead_pid() -> int:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], **TEXT)
    return int(child.stdout)


TEXT = dict(capture_output=True, text=True, check=True)


def temporary(folder, host: str, pid: int, age: float = 0.0):
    path = folder / f".m.{host}-{pid}.k3x_9q.tmp.keras"
    path.write_bytes(b"PK")
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    assert is_temporary(path)
    return path


def test_this_machines_temporaries_go_by_their_process(tmp_path):
    live = temporary(tmp_path, HOST_ID, os.getpid(), age=2 * ABANDONED_AFTER)
    dead = temporary(tmp_path, HOST_ID, dead_pid())
    assert remove_stale_temporaries(tmp_path) == [dead]
    assert live.exists() and not dead.exists()


def test_another_machines_temporaries_go_only_once_abandoned(tmp_path):
    other = "0123abcd" if HOST_ID != "0123abcd" else "fedc4321"
    # its pid may be dead here, or another process's: either says nothing of its writer
    writing = temporary(tmp_path, other, dead_pid(), age=ABANDONED_AFTER - 60)
    abandoned = temporary(tmp_path, other, os.getpid(), age=ABANDONED_AFTER + 60)
    assert remove_stale_temporaries(tmp_path) == [abandoned]
    assert writing.exists() and not abandoned.exists()


def test_a_name_without_a_machine_is_treated_as_another_machines(tmp_path):
    fresh = tmp_path / f".m.{dead_pid()}.k3x_9q.tmp.keras"  # written by an older version
    fresh.write_bytes(b"PK")
    assert remove_stale_temporaries(tmp_path) == [] and fresh.exists()
    assert remove_stale_temporaries(tmp_path, now=time.time() + ABANDONED_AFTER + 1) == [fresh]


def test_a_replica_in_another_pid_namespace_has_another_host_id():
    """Its pids are another machine's: the pid namespace is part of the id."""
    code = "from mnist_core.atomic import HOST_ID; print(HOST_ID)"
    inside = subprocess.run(
        ["unshare", "--pid", "--fork", "--mount-proc", sys.executable, "-c", code],
        env={**os.environ},
        **TEXT,
    )
    here = subprocess.run([sys.executable, "-c", code], **TEXT)
    assert here.stdout.strip() == HOST_ID
    assert inside.stdout.strip() != HOST_ID
