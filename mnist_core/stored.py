"""Arrays that take seconds to make and come out the same for the same inputs, made once
and kept on disk: a restart, the next command or the next fine-tune reads them instead.

`load_or_make(path, make)` is the one way in: the arrays at `path` (an .npz file), or
make() saved there atomically. A folder that cannot be written keeps them in memory only
(the caller's own caching), never an error. `cached_path(kind, *inputs)` names a file in
the user's cache folder (CACHE_DIR) from everything the arrays depend on: the inputs
given and the code that makes them (a digest of this package's modules), so a changed
recipe or data file is never served old arrays. Each version of the code so makes its
own files (some 10 MB), and nothing else would remove those of versions gone by: each
time arrays are made anew in the cache folder, the files there of other versions that
are over STALE_AFTER_S old are removed (drop_stale).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import zipfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

from .atomic import replace_atomically

CACHE_ENV = "MNIST_CACHE_DIR"
PACKAGE_DIR = Path(__file__).resolve().parent
# Another version's files are removed once this old: a day's switching between two
# versions (two clones, two branches) costs no remaking.
STALE_AFTER_S = 7 * 24 * 3600
# cached_path's names (KIND.CODE.KEY.npz), and KIND.KEY.npz of the versions before the
# code's digest was in the name: nothing else in the folder is ever removed.
KEPT_NAME = re.compile(r"(?P<kind>[a-z-]+)\.(?:(?P<code>[0-9a-f]{16})\.)?[0-9a-f]{20}\.npz")


def cache_dir() -> Path:
    """$MNIST_CACHE_DIR, else ~/.cache/mnist-canvas (XDG_CACHE_HOME's when set)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mnist-canvas"


@lru_cache(maxsize=1)
def code_digest() -> str:
    """16 hex digits naming this version of the package's code (every module's source)."""
    digest = hashlib.blake2b(digest_size=8)
    for source in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(source.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def file_identity(path: str | os.PathLike) -> str:
    """A data file as a cache key's part: its resolved path, size and change time."""
    p = Path(path).resolve()
    stat = p.stat()
    return f"{p}:{stat.st_size}:{stat.st_mtime_ns}"


def cached_path(kind: str, *inputs: object) -> Path:
    """Where the arrays of `kind` made from `inputs` (their repr is the key, so give values
    whose repr says everything: numbers, strings, frozen dataclasses) are kept."""
    key = hashlib.blake2b(repr((code_digest(), inputs)).encode(), digest_size=10).hexdigest()
    return cache_dir() / f"{kind}.{code_digest()}.{key}.npz"


def load_or_make(path: Path, make: Callable[[], tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    """The arrays kept at `path`, or make()'s, which are then kept there (atomically: a
    crash leaves no half-written file); unreadable or unwritable: made, not kept."""
    try:
        with np.load(path, allow_pickle=False) as kept:
            return tuple(kept[f"arr_{k}"] for k in range(len(kept.files)))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):  # BadZipFile: cut short
        pass
    arrays = tuple(make())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(path, lambda tmp: _save(tmp, arrays))
    except OSError:
        return arrays
    if path.parent == cache_dir():
        drop_stale(path.parent)
    return arrays


def drop_stale(folder: Path, now: float | None = None) -> list[Path]:
    """Remove the files that other versions of the code kept in `folder` (named as
    cached_path names them, another code digest or none) and that are over STALE_AFTER_S
    old; the removed files. One that can't be removed is left."""
    now = time.time() if now is None else now
    removed = []
    for path in folder.glob("*.npz"):
        name = KEPT_NAME.fullmatch(path.name)
        if name is None or name["code"] == code_digest():
            continue
        try:
            if now - path.stat().st_mtime > STALE_AFTER_S:
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # removed meanwhile by another process, or not ours to remove
    return removed


def _save(tmp: Path, arrays: tuple[np.ndarray, ...]) -> None:
    with open(tmp, "wb") as f:  # a file object: np.savez would add ".npz" to a bare name
        np.savez(f, *arrays)
