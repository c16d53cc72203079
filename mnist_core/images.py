"""Read drawings from image files (PNG, JPEG, …) as numpy arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError


def read_image(path: Path) -> np.ndarray:
    """(H, W, 4) uint8 RGBA of the image in `path`; ValueError naming the file if unreadable."""
    try:
        with Image.open(path) as im:
            return np.asarray(im.convert("RGBA"))
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except (UnidentifiedImageError, OSError) as err:
        raise ValueError(f"{path}: not a readable image ({err})") from None
