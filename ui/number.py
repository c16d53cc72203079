"""The Draw page's number mode: a wide canvas's ink read as a whole number, each digit
with its confidence, and the steps (each digit's box and 28×28 input).

The reading is mnist_core.number_reading's, the CLI's `predict --number`: every input of
the number goes to the prediction process in one request.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
from PIL import Image, ImageDraw

from mnist_core.calibration import NOT_SURE_BELOW
from mnist_core.number_reading import NumberReading, chosen, model_inputs
from mnist_core.numbers import number_options
from mnist_core.store import ModelError, ModelInfo
from ui.draw import PREVIEW_SCALE, pixel_preview
from ui.services import prediction_worker

SHOWN_DIGITS = 8  # digit inputs shown in a row under the answer; more wrap


def number_answer_ui(image: np.ndarray | None, model: ModelInfo) -> NumberReading | None:
    """The Prediction metric for a number (its value the number, "?" after each digit
    under the not-sure line) and each digit's input with its reading; an invitation to
    write when nothing is drawn. Returns the reading, None when there is none."""
    groups = number_options(image) if image is not None else []
    if not groups:
        st.info(
            "Write a number across the canvas, up to six digits side by side, each in its "
            "own place. The answer appears as soon as you lift the pen.",
            icon="✏️",
        )
        return None
    try:
        probs = prediction_worker().number(model.path, model_inputs(groups))
    except ModelError as err:
        st.error(f"This model can't predict: {err}")
        return None
    reading = chosen(groups, probs)
    unsure = [d for d in reading.digits if not d.sure]
    confidences = " · ".join(f"{d.confidence:.0%}" for d in reading.digits)
    st.metric(
        "Prediction",
        reading.shown,
        delta=f"{confidences} confident" + (", not sure" if unsure else ""),
        delta_color="off",
        delta_arrow="off",
    )
    if unsure:
        which = which_digits([k for k, d in enumerate(reading.digits) if not d.sure])
        st.warning(
            f"Not sure of {which} (marked ?): no digit gets {NOT_SURE_BELOW:.0%}. It may not "
            "be a digit, be drawn unlike any handwriting the model learnt, or touch its "
            "neighbour. Leave a little room between digits.",
            icon=":material/help:",
        )
    with st.container(horizontal=True, key="draw_number_digits"):
        for d in reading.digits:
            st.image(
                pixel_preview(d.digit_input),
                clamp=True,
                width=28 * PREVIEW_SCALE // 2,
                caption=f"{d.digit}{'' if d.sure else '?'} · {d.confidence:.0%}",
            )
    return reading


def which_digits(places: list[int]) -> str:
    """Digits by their places (0 first) in words: "the 2nd digit", "the 1st and 3rd
    digits", "the 1st, 2nd and 4th digits"."""
    names = [ordinal(k + 1) for k in places]
    if len(names) == 1:
        return f"the {names[0]} digit"
    return f"the {', '.join(names[:-1])} and {names[-1]} digits"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st."""
    last = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{last}"


def number_steps_ui(image: np.ndarray, reading: NumberReading) -> None:
    """The number's ink with each digit's box and reading, then each digit's 28×28 input:
    what the model was given."""
    st.image(boxed_number(image, reading), width="stretch")
    st.caption(
        "**1. Your ink, split into digits.** Strokes that share columns are one digit "
        "(a 4's two strokes, a 5's top bar); ink that runs into its neighbour is cut where "
        "the model reads the two sides best. Each box is one digit, with its reading."
    )
    columns = st.columns(max(len(reading.digits), SHOWN_DIGITS))
    for column, d in zip(columns, reading.digits):
        column.image(pixel_preview(d.digit_input), clamp=True, width="stretch")
        column.caption(f"{d.digit} · {d.confidence:.0%}")
    st.caption(
        "**2. Each digit prepared like a single drawing**: its own ink cropped, scaled into "
        "20×20 and centred by its centre of mass in 28×28, the way every MNIST digit was "
        "made. The model reads them all at once, in one batch."
    )


def boxed_number(image: np.ndarray, reading: NumberReading) -> Image.Image:
    """The canvas with each digit's box (red where not sure) and reading above it."""
    a = np.asarray(image)
    rgb = a[..., :3] if a.ndim == 3 else np.repeat(a[..., None], 3, axis=2)
    im = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8))
    draw = ImageDraw.Draw(im)
    for d in reading.digits:
        x0, y0, x1, y1 = d.box
        colour = "#21c354" if d.sure else "#ff4b4b"
        draw.rectangle([x0, y0, x1 - 1, y1 - 1], outline=colour, width=3)
        label = f"{d.digit}{'' if d.sure else '?'} {d.confidence:.0%}"
        draw.text((x0 + 2, max(y0 - 26, 0)), label, fill=colour, font_size=22)
    return im
