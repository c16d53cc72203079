"""The user's own handwriting: drawings saved with their correct label, to test and fine-tune on.

One compressed .npz file per drawing in data/drawings/ (or $MNIST_DRAWINGS_DIR), holding
the 28×28 model input, the raw canvas and the label. Adding a drawing is an atomic append:
the file is written under a hidden temporary name and renamed into place, and names are
unique, so any number of people can add at once, and a crash mid-write leaves every earlier
drawing readable (plus a hidden leftover that `atomic.remove_stale_temporaries` clears).
A file that cannot be read is reported by name and skipped; the others still load.
"""

from __future__ import annotations

import os
import re
import secrets
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from .atomic import replace_atomically
from .data import PROJECT_DIR
from .preprocess import SIDE, model_input

DRAWINGS_DIR = Path(os.environ.get("MNIST_DRAWINGS_DIR") or PROJECT_DIR / "data" / "drawings")
# <label>-<UTC time to the microsecond>-<random>: sorts by time within a digit, never clashes
_ID = re.compile(r"(?P<label>\d)-(?P<time>\d{8}T\d{12})-[0-9a-f]{8}")


@dataclass
class DrawingSet:
    """Every readable drawing, oldest first, and a line for each file that is not."""

    digits: np.ndarray  # (N, 28, 28) float32 in [0, 1]: model inputs
    labels: np.ndarray  # (N,) int64
    ids: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.labels)

    def counts(self) -> np.ndarray:
        """(10,) how many drawings there are of each digit."""
        return np.bincount(self.labels, minlength=10)


def check_label(label) -> int:
    """`label` as an int 0-9, else ValueError (booleans, floats and strings are refused)."""
    if isinstance(label, bool) or not isinstance(label, int | np.integer) or not 0 <= label <= 9:
        raise ValueError(f"a drawing's label must be a digit 0-9, got {label!r}")
    return int(label)


def check_digit(digit) -> np.ndarray:
    """`digit` as a (28, 28) float32 array in [0, 1], else ValueError saying why."""
    x = model_input(digit)
    if len(x) != 1:
        raise ValueError(f"expected one 28×28 drawing, got {len(x)}")
    return x[0]


def save_drawing(
    digit: np.ndarray, label: int, canvas: np.ndarray | None = None, folder: Path = DRAWINGS_DIR
) -> str:
    """Add one drawing (its 28×28 input, and the raw canvas if given) as `label`; its id."""
    label, digit = check_label(label), check_digit(digit)
    raw = np.zeros((0, 0, 4), np.uint8) if canvas is None else np.asarray(canvas)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    drawing_id = f"{label}-{stamp}-{secrets.token_hex(4)}"

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, digit=digit, canvas=raw, label=np.int64(label))

    replace_atomically(folder / f"{drawing_id}.npz", write)
    return drawing_id


def load_drawings(folder: Path = DRAWINGS_DIR) -> DrawingSet:
    """Every drawing in `folder` (none if it does not exist), oldest first."""
    digits, labels, ids, problems = [], [], [], []
    paths = [p for p in Path(folder).glob("*.npz") if not p.name.startswith(".")]
    for path in sorted(paths, key=lambda p: (p.stem[2:], p.stem)):
        try:
            digit, label = _read(path)
        except ValueError as err:
            problems.append(f"{path.name}: {err}")
            continue
        digits.append(digit)
        labels.append(label)
        ids.append(path.stem)
    return DrawingSet(
        np.array(digits, np.float32).reshape(-1, SIDE, SIDE),
        np.array(labels, np.int64),
        ids,
        problems,
    )


def read_canvas(drawing_id: str, folder: Path = DRAWINGS_DIR) -> np.ndarray:
    """The raw canvas saved with a drawing ((0, 0, 4) when none was)."""
    with np.load(_path(drawing_id, folder), allow_pickle=False) as npz:
        return npz["canvas"]


def delete_drawing(drawing_id: str, folder: Path = DRAWINGS_DIR) -> None:
    """Remove one drawing; ValueError for an id that is not a drawing's."""
    _path(drawing_id, folder).unlink(missing_ok=True)


def delete_all_drawings(folder: Path = DRAWINGS_DIR) -> int:
    """Remove every saved drawing (files named like one; anything else stays): how many."""
    removed = 0
    for path in Path(folder).glob("*.npz"):
        if _ID.fullmatch(path.stem):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _path(drawing_id: str, folder: Path) -> Path:
    if not isinstance(drawing_id, str) or not _ID.fullmatch(drawing_id):
        raise ValueError(f"not a drawing id: {str(drawing_id)[:40]!r}")
    return Path(folder) / f"{drawing_id}.npz"


def _read(path: Path) -> tuple[np.ndarray, int]:
    """(digit, label) from one file; ValueError saying what is wrong with it."""
    match = _ID.fullmatch(path.stem)
    if not match:
        raise ValueError("not named like a saved drawing")
    try:
        with np.load(path, allow_pickle=False) as npz:
            digit, label = npz["digit"], npz["label"]
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise ValueError(f"unreadable ({type(err).__name__}: {err})") from None
    if label.shape != () or int(label) != int(match["label"]):
        raise ValueError("its label does not match its name")
    return check_digit(digit), check_label(int(label))
