"""Load the MNIST arrays that travel with the project, and check them before use.

Where the file is looked for, in order: the `path` argument, the MNIST_NPZ environment
variable, `data/mnist.npz` in the project. Nothing is downloaded: the app may have no
internet, and the server never imports Keras (whose downloader this once fell back on).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

PROJECT_DIR = Path(__file__).resolve().parent.parent
BUNDLED_MNIST = PROJECT_DIR / "data" / "mnist.npz"
ENV_VAR = "MNIST_NPZ"
NUM_CLASSES = 10
EXPECTED = {  # key: (number of images, dtype); every image is 28×28
    "x_train": (60000, np.uint8),
    "y_train": (60000, np.uint8),
    "x_test": (10000, np.uint8),
    "y_test": (10000, np.uint8),
}


RESTORE_HINT = (
    "restore the bundled copy with `git checkout -- data/mnist.npz`, "
    f"or set {ENV_VAR} to a good copy"
)


class DataError(RuntimeError):
    """The MNIST file is missing, unreadable, or not the arrays MNIST should be."""


def mnist_path(path: str | os.PathLike | None = None) -> Path:
    """The MNIST file to read: `path`, else $MNIST_NPZ, else the bundled copy."""
    return Path(path or os.environ.get(ENV_VAR) or BUNDLED_MNIST)


def load_mnist(path: str | os.PathLike | None = None):
    """(x_train, y_train, x_test, y_test) as uint8: images (N, 28, 28) 0-255, labels (N,) 0-9.

    Raises DataError naming the file, what is wrong with it, and how to restore it.
    """
    source = mnist_path(path)
    try:
        return _read(source)
    except DataError as err:
        raise DataError(f"{err}; {RESTORE_HINT}") from err.__cause__


def _read(source: Path):
    """The four arrays from an .npz file, checked; DataError naming what is wrong."""
    if not source.exists():
        raise DataError(f"{source}: MNIST file not found")
    try:
        with np.load(source, allow_pickle=False) as npz:
            missing = sorted(set(EXPECTED) - set(npz.files))
            if missing:
                raise DataError(f"{source}: missing arrays {', '.join(missing)}")
            arrays = {key: npz[key] for key in EXPECTED}
    except DataError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as err:
        raise DataError(f"{source}: not a readable .npz file ({err})") from err
    check_arrays(arrays, source)
    return tuple(arrays[key] for key in EXPECTED)


def check_arrays(arrays: dict[str, np.ndarray], source: Path | str = "MNIST") -> None:
    """Raise DataError unless shapes, dtypes and label range are MNIST's."""
    for key, (count, dtype) in EXPECTED.items():
        a = arrays[key]
        shape = (count, 28, 28) if key.startswith("x") else (count,)
        if a.shape != shape:
            raise DataError(f"{source}: {key} has shape {a.shape}, expected {shape}")
        if a.dtype != dtype:
            raise DataError(f"{source}: {key} has dtype {a.dtype}, expected {np.dtype(dtype)}")
        if key.startswith("y") and a.max() >= NUM_CLASSES:
            raise DataError(f"{source}: {key} has label {a.max()}, expected 0-9")


def to_float(images: np.ndarray) -> np.ndarray:
    """uint8 images 0-255 → float32 0-1, the scale every model here takes."""
    return images.astype("float32") / 255.0
