"""Write a file so that a crash at any moment leaves the old file or the complete new one.

The new content goes to a hidden temporary beside the target, is flushed to disk, then
renamed over it. Temporaries are named by their writer's machine (HOST_ID) and pid, so a
later sweep can tell a leftover of a killed process from a write still in progress, also
when replicas on several machines (or containers) share the folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

_TEMPORARY = re.compile(r"\..+\.(?:(?P<host>[0-9a-f]{8})-)?(?P<pid>\d+)\.[^.]+\.tmp\.[A-Za-z0-9]+")
# Another machine's temporary is swept only once untouched for this long. The longest
# save writes a few MB (a model; a drawing is a few KB) and takes seconds, its file's
# mtime moving with every write; 10 minutes is far beyond that and beyond the clock
# difference of machines that keep time, and a leftover costs only disk space meanwhile.
ABANDONED_AFTER = 600.0  # seconds


def _host_id() -> str:
    """8 hex digits naming the process-id space this process lives in: machine, boot and
    PID namespace, so two containers on one host (each with its own pid 1) differ."""
    parts = [socket.gethostname()]
    for source in ("/etc/machine-id", "/proc/sys/kernel/random/boot_id"):
        try:
            parts.append(Path(source).read_text().strip())
        except OSError:
            pass
    try:
        parts.append(str(os.stat("/proc/self/ns/pid").st_ino))
    except OSError:
        pass
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:8]


HOST_ID = _host_id()


def replace_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Call write(tmp) on a hidden temporary beside `path`, then put it in place durably."""
    tmp = _temporary(path)
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # make the rename itself survive a power cut
    finally:
        os.close(folder)


def is_temporary(path: Path) -> bool:
    """True for a hidden file that replace_atomically writes (finished or not)."""
    return _TEMPORARY.fullmatch(Path(path).name) is not None


def remove_stale_temporaries(folder: Path, now: float | None = None) -> list[Path]:
    """Delete temporaries left by writes that will never finish; return what was removed.

    This machine's (HOST_ID) go once their writer's process is dead; another machine's,
    whose processes can't be seen from here, once untouched for ABANDONED_AFTER seconds
    (as do the older names that carry no machine). A write in progress stays.
    """
    now = time.time() if now is None else now
    removed = []
    for path in Path(folder).glob(".*.tmp.*"):
        match = _TEMPORARY.fullmatch(path.name)
        if match is None:
            continue
        if match["host"] == HOST_ID:
            stale = not pid_alive(int(match["pid"]))
        else:
            try:
                stale = now - path.stat().st_mtime > ABANDONED_AFTER
            except FileNotFoundError:
                continue  # its write just finished
        if stale:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def temporary_prefix(path: Path) -> str:
    """The start of the name of this process's temporaries for `path`."""
    return f".{path.stem}.{HOST_ID}-{os.getpid()}."


def _temporary(path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(
        prefix=temporary_prefix(path), suffix=f".tmp{path.suffix}", dir=path.parent
    )
    os.close(fd)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; the result is an ordinary file
    return Path(tmp)


def pid_alive(pid: int) -> bool:
    """True while process `pid` of this machine (PID namespace) exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
