"""Write a file so that a crash at any moment leaves the old file or the complete new one.

The new content goes to a hidden temporary beside the target, is flushed to disk, then
renamed over it. Temporaries are named by their writer's pid, so a later sweep can tell a
leftover of a killed process from a write still in progress.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

_TEMPORARY = re.compile(r"\..+\.(?P<pid>\d+)\.[^.]+\.tmp\.[A-Za-z0-9]+")


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


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete temporaries left by writes whose process was killed; return what was removed.

    A write in progress (its writer still alive) is left alone.
    """
    removed = []
    for path in Path(folder).glob(".*.tmp.*"):
        match = _TEMPORARY.fullmatch(path.name)
        if match and not _alive(int(match["pid"])):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _temporary(path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.stem}.{os.getpid()}.", suffix=f".tmp{path.suffix}", dir=path.parent
    )
    os.close(fd)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; the result is an ordinary file
    return Path(tmp)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
