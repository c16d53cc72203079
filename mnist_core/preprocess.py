"""Turn a drawing (canvas RGBA, greyscale, any size) into the 28×28 input MNIST models expect.

MNIST digits were made by scaling each digit's ink into a 20×20 box (aspect ratio kept,
anti-aliased) and placing that box in a 28×28 field so that the ink's centre of mass sits
at the centre. A canvas drawing only looks like MNIST after the same steps, so
`canvas_to_mnist` repeats them; a plain resize of the whole canvas does not.

Pure functions on numpy arrays; no TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

SIDE = 28  # MNIST image side, pixels
BOX = 20  # MNIST scales each digit's longer side to this many pixels
CENTRE = 14.0  # where MNIST puts the ink's centre of mass (row, column), measured on x_train
INK_LEVEL = 0.2  # an ink value above this counts as drawn
MIN_EXTENT = 0.08  # a drawing smaller than this fraction of the canvas side is "nothing"
DOT_ELONGATION = 1.6  # a blob no longer than this many pen widths is a dot, not a stroke
MAX_PIXELS = 25_000_000  # a 5000×5000 drawing; larger arrays are refused, not processed


def is_real_dtype(dtype) -> bool:
    """True for booleans, integers and floats: what can be read as pixel values."""
    return any(np.issubdtype(dtype, kind) for kind in (np.integer, np.floating, np.bool_))


def model_input(images: np.ndarray) -> np.ndarray:
    """`images` as the (N, 28, 28) float32 batch a model takes; ValueError saying what is wrong.

    One (28, 28) image becomes a batch of one. Values must be finite and in [0, 1]: the
    output of `canvas_to_mnist`, or MNIST scaled by `data.to_float`.
    """
    x = np.asarray(images)
    if not is_real_dtype(x.dtype):
        raise ValueError(f"model input must be numbers, got dtype {x.dtype}")
    if x.shape[-2:] != (28, 28) or x.ndim not in (2, 3):
        raise ValueError(f"model input must be 28×28 images, got shape {x.shape}")
    x = x.astype(np.float32).reshape(-1, 28, 28)
    if not np.isfinite(x).all():
        raise ValueError("model input contains NaN or infinite values")
    if x.size and (x.min() < 0 or x.max() > 1):
        raise ValueError(f"model input must be in [0, 1], got {x.min():g} to {x.max():g}")
    return x


@dataclass(frozen=True)
class Steps:
    """The intermediate images of one preprocessing run, for showing how the input was made.

    ink: (H, W) float32 in [0, 1], white-on-black ink of the whole canvas after cleaning.
    bbox: (top, left, bottom, right) of the ink in `ink`, bottom/right exclusive.
    boxed: (h, w) float32, the ink scaled so its longer side is 20 pixels.
    digit: (28, 28) float32 in [0, 1], `boxed` centred by centre of mass: the model input.
    """

    ink: np.ndarray
    bbox: tuple[int, int, int, int]
    boxed: np.ndarray
    digit: np.ndarray


def ink_image(image: np.ndarray) -> np.ndarray:
    """Ink intensity of a drawing: (H, W) float32 in [0, 1], 1 where drawn, 0 on background.

    Accepts (H, W) greyscale or (H, W, 3|4) colour arrays, uint8 (0-255) or float (0-1 or
    0-255). A transparent background (alpha that varies) means ink is what is opaque;
    otherwise the background is the border's typical brightness, and ink is what differs
    from it, so white-on-black and dark-on-light drawings both work. NaNs count as 0.
    Other shapes, non-numeric or complex dtypes, and arrays over MAX_PIXELS: ValueError.
    """
    a = np.asarray(image)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (3, 4)) or min(a.shape[:2]) < 1:
        raise ValueError(f"expected an (H, W), (H, W, 3) or (H, W, 4) image, got shape {a.shape}")
    if not is_real_dtype(a.dtype):
        raise ValueError(f"expected an image of integers or floats, got dtype {a.dtype}")
    if a.shape[0] * a.shape[1] > MAX_PIXELS:
        raise ValueError(
            f"image of {a.shape[1]}×{a.shape[0]} pixels is too large "
            f"(at most {MAX_PIXELS // 1_000_000} megapixels)"
        )
    if a.dtype == np.uint8:  # the canvas's: no NaN and nothing out of range to look for
        # Each check on the bytes, before any float: the canvas sends an empty drawing
        # twice per digit (Clear, then the cleared canvas), and this is the server's work.
        if a.ndim == 3 and a.shape[2] == 4 and is_transparent(a[..., 3], full=255):
            return a[..., 3].astype(np.float32) / 255.0
        if is_uniform(a):
            return np.zeros(a.shape[:2], np.float32)
        if a.ndim == 3 and is_grey(a):  # the canvas's white pen on black: one channel
            a = a[..., 0]
        a = a[..., :3] if a.ndim == 3 else a
        a = a.astype(np.float32) / 255.0
    else:
        integer = np.issubdtype(a.dtype, np.integer)
        a = np.nan_to_num(a.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
        if integer or a.max(initial=0) > 1.0:
            a = a / 255.0
        a = np.clip(a, 0.0, 1.0)
    if a.ndim == 3:
        if a.shape[2] == 4 and is_transparent(a[..., 3], full=1.0):
            return a[..., 3]
        a = a[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
    border = np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
    background = float(np.median(border))
    return np.abs(a - background) / max(background, 1.0 - background)


def is_transparent(alpha: np.ndarray, full: float) -> bool:
    """True when the alpha channel varies by over half of `full` (its opaque value):
    strokes on a transparent canvas, where whatever is opaque is ink."""
    return bool(np.ptp(alpha) > full / 2)


def is_grey(image: np.ndarray) -> bool:
    """True when every pixel of an (H, W, 3|4) array has red = green = blue: its brightness
    is any one channel. (The weights of the grey conversion sum to 1, so the same figures
    follow, without a float copy of three channels: half the preprocessing of a stroke.)"""
    red = image[..., 0]
    return bool(np.array_equal(red, image[..., 1]) and np.array_equal(red, image[..., 2]))


def is_uniform(image: np.ndarray) -> bool:
    """True when every pixel of an (H, W) or (H, W, C) array has the same value: a blank
    canvas. An RGBA uint8 pixel is compared as one 32-bit number."""
    pixels = image.reshape(image.shape[0] * image.shape[1], -1)
    if pixels.dtype == np.uint8 and pixels.shape[1] == 4 and pixels.flags.c_contiguous:
        pixels = pixels.view(np.uint32)
    return bool((pixels == pixels[0]).all())


def distance_to_background(mask: np.ndarray) -> np.ndarray:
    """ndimage.distance_transform_edt(mask): for each pixel of the boolean `mask`, its
    distance to the nearest pixel outside it (0 outside); worked out on the mask's bounding
    box and the one-pixel ring around it (inside the image) only.

    The same figures: the nearest outside pixel is never farther than that ring. And the
    box is what the stroke covers: on the Draw page's canvas this cuts the preprocessing's
    time by 40% (3.5 → 2.1 ms a drawing here), the largest part of the server's own work
    for a stroke.
    """
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    distance = np.zeros(mask.shape, np.float64)
    if not len(rows):
        return distance
    height, width = mask.shape
    top, bottom = max(rows[0] - 1, 0), min(rows[-1] + 2, height)
    left, right = max(cols[0] - 1, 0), min(cols[-1] + 2, width)
    distance[top:bottom, left:right] = ndimage.distance_transform_edt(mask[top:bottom, left:right])
    return distance


def remove_dots(ink: np.ndarray) -> np.ndarray:
    """The ink without stray dots: separate blobs that are no longer than they are thick.

    A pen touching down leaves a disc as wide as the pen; every real part of a digit is a
    stroke, longer than the pen is wide, whatever the drawing's scale. The largest blob is
    always kept. (H, W) float32 in, same out.
    """
    mask = ink > INK_LEVEL
    labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
    if count < 2:
        return ink
    index = np.arange(1, count + 1)
    mass = ndimage.sum(ink, labels, index)
    objects = ndimage.find_objects(labels)
    extents = np.array([max(s.stop - s.start for s in sl) for sl in objects])
    areas = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    dots = mass < 0.02 * mass.sum()
    # Only blobs that the area bound (most_thickness) leaves in doubt need their thickness
    # measured: a number's ink has a dozen, each a long stroke, and this is per digit.
    height, width = mask.shape
    for k in np.flatnonzero(~dots):
        rows, cols = objects[k]
        inside = rows.start > 0 and cols.start > 0 and rows.stop < height and cols.stop < width
        if inside and extents[k] >= DOT_ELONGATION * most_thickness(areas[k]):
            continue
        own = labels[rows, cols] == k + 1
        dots[k] = extents[k] < DOT_ELONGATION * 2 * float(_distance_in(own, mask, rows, cols).max())
    dots[np.argmax(mass)] = False
    if not dots.any():
        return ink
    return np.where(np.isin(labels, index[dots]), 0.0, ink).astype(np.float32)


def most_thickness(area: float) -> float:
    """The widest disc that ink of `area` pixels can hold, away from the image's edge: a
    disc of radius r holds at least π(r - √½)² pixel centres, so area bounds thickness."""
    return 2 * (np.sqrt(area / np.pi) + np.sqrt(0.5))


def _distance_in(own: np.ndarray, mask: np.ndarray, rows: slice, cols: slice) -> np.ndarray:
    """distance_to_background(mask) on one blob, `own`, the part of `mask`'s box `rows`,
    `cols` that is the blob: the same figures there. A ring of background goes around it
    where the image goes on (not at its edge, which is no background). Its nearest pixel
    outside itself is never another blob's: that one's neighbour towards it is nearer."""
    height, width = mask.shape
    ring = (
        (int(rows.start > 0), int(rows.stop < height)),
        (int(cols.start > 0), int(cols.stop < width)),
    )
    return ndimage.distance_transform_edt(np.pad(own, ring))


def is_a_dot(ink: np.ndarray) -> bool:
    """True when the ink is one blob no longer than DOT_ELONGATION pen widths: a pen touch
    (or a tiny smear), which no digit is, whatever its size on the canvas."""
    mask = ink > INK_LEVEL
    if not mask.any():
        return False
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    extent = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
    # The thickness is the widest disc inside the ink. Away from the image's edge that
    # disc lies within the ink: so the ink's area bounds its thickness (most_thickness),
    # and a digit drawn large is longer than a dot could be without the distance
    # transform (1 ms per stroke, the server's).
    height, width = mask.shape
    if rows[0] > 0 and cols[0] > 0 and rows[-1] < height - 1 and cols[-1] < width - 1:
        if extent >= DOT_ELONGATION * most_thickness(mask.sum()):
            return False
    thickness = 2 * float(distance_to_background(mask).max())
    return extent < DOT_ELONGATION * thickness


def ink_bbox(ink: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right) of the pixels above INK_LEVEL, exclusive ends; None if none."""
    rows = np.flatnonzero((ink > INK_LEVEL).any(axis=1))
    cols = np.flatnonzero((ink > INK_LEVEL).any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def fit_box(crop: np.ndarray, box: int = BOX) -> np.ndarray:
    """Scale (h, w) ink so its longer side is `box` pixels, aspect kept, anti-aliased."""
    h, w = crop.shape
    scale = box / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))  # PIL wants (w, h)
    # Pillow's BILINEAR widens its kernel when shrinking, so this averages like MNIST did.
    scaled = Image.fromarray(crop.astype(np.float32), mode="F").resize(size, Image.BILINEAR)
    return np.clip(np.asarray(scaled, dtype=np.float32), 0.0, 1.0)


def centre_by_mass(boxed: np.ndarray, side: int = SIDE) -> np.ndarray:
    """Place (h, w) ink in a side×side field with its centre of mass at CENTRE."""
    h, w = boxed.shape
    com_row, com_col = ndimage.center_of_mass(boxed)
    top = int(np.clip(round(CENTRE - com_row), 0, side - h))
    left = int(np.clip(round(CENTRE - com_col), 0, side - w))
    field = np.zeros((side, side), np.float32)
    field[top : top + h, left : left + w] = boxed
    return field


def canvas_steps(image: np.ndarray) -> Steps | None:
    """Every step from a drawing to the 28×28 model input; None when nothing is drawn.

    "Nothing" is an empty canvas, ink that spans under MIN_EXTENT of the canvas side
    (a tap, a speck), or only dots (is_a_dot): predicting a digit from that would only be
    a guess, and a big dot scaled into 20×20 looks like a confident 0.
    """
    ink = ink_image(image)
    if not ink.any():  # a blank canvas: twice per digit drawn
        return None
    return ink_steps(ink, max(ink.shape))


def ink_steps(ink: np.ndarray, side: int) -> Steps | None:
    """`canvas_steps` from the ink on: (H, W) float32 in [0, 1] (`ink_image`'s) to the
    model input, None when it holds nothing to read; ink that spans under MIN_EXTENT of
    `side` pixels is nothing. mnist_core.numbers prepares each digit of a number with it,
    exactly as a single drawing."""
    ink = remove_dots(ink)
    bbox = ink_bbox(ink)
    if bbox is None or is_a_dot(ink):
        return None
    top, left, bottom, right = bbox
    if max(bottom - top, right - left) < MIN_EXTENT * side:
        return None
    crop = np.where(ink > INK_LEVEL / 2, ink, 0.0)[top:bottom, left:right]
    boxed = fit_box(crop)
    if boxed.sum() <= 0:
        return None
    return Steps(ink=ink, bbox=bbox, boxed=boxed, digit=centre_by_mass(boxed))


def canvas_to_mnist(image: np.ndarray) -> np.ndarray | None:
    """A drawing as the model input: (28, 28) float32 in [0, 1], white ink on black.

    `image` is (H, W) or (H, W, 3|4), uint8 or float; see `ink_image`. Returns None when
    there is nothing to predict (see `canvas_steps`).
    """
    steps = canvas_steps(image)
    return None if steps is None else steps.digit
