"""Pinned drawings on the Train page: which inputs a run answers for as it trains (two
MNIST test digits, the drawing on the Draw canvas, saved drawings the person picks), and
their ten probability bars: the untrained model's before Start, live during the run, the
last ones with the result."""

from __future__ import annotations

import numpy as np
import streamlit as st

from mnist_core.drawings import DrawingSet
from mnist_core.pinned import (
    DEFAULT_TEST_INDICES,
    MAX_PINNED,
    UNIFORM_LOSS,
    Pinned,
    Untrained,
    pinned,
)
from mnist_core.processes.training import JobState
from mnist_core.store import ModelError
from ui.charts import digit_bars
from ui.kept import keep, restore
from ui.services import untrained_answer

PIN_KEY = "train_pins"
CHOICES = 40  # the newest saved drawings offered
BARS_HEIGHT = 90
PICTURE_WIDTH = 72


def pinned_choice_ui(drawings: DrawingSet, x_test: np.ndarray, y_test: np.ndarray) -> Pinned:
    """The pinned inputs: the defaults (pinned()) and the saved drawings picked here."""
    drawn = st.session_state.get("draw_last")  # ui.corrections.remember_drawing's
    digit = None if drawn is None else drawn[0]
    index = {drawing_id: i for i, drawing_id in enumerate(drawings.ids)}
    offered = drawings.ids[-CHOICES:][::-1]  # newest first
    room = MAX_PINNED - len(DEFAULT_TEST_INDICES) - (digit is not None)
    restore(PIN_KEY, [])
    # kept picks still offered, and no more than there is room for now (a drawing on the
    # Draw canvas since takes a place)
    st.session_state[PIN_KEY] = [d for d in st.session_state[PIN_KEY] if d in offered][:room]
    picked = st.multiselect(
        "Pin some of the class's saved drawings too",
        offered,
        key=PIN_KEY,
        max_selections=room,
        format_func=lambda d: f"a {drawings.labels[index[d]]} ({_when(d)})",
        placeholder="Saved drawings, newest first" if offered else "No saved drawings yet",
        disabled=not offered,
        help="Drawings saved on the Draw page under “Wrong? It was a …”, by anyone here.",
    )
    keep(PIN_KEY)
    saved = [
        (drawings.digits[index[d]], drawings.labels[index[d]], "a saved drawing") for d in picked
    ]
    return pinned(x_test, y_test, digit, saved)


def _when(drawing_id: str) -> str:
    """'saved 12-07 03:40' from an id '7-20261207T034012…-…' (drawings.save_drawing)."""
    stamp = drawing_id.split("-")[1]
    return f"saved {stamp[4:6]}-{stamp[6:8]} {stamp[9:11]}:{stamp[11:13]}"


def pinned_bars_ui(pins: Pinned, probabilities: np.ndarray | None, key: str) -> None:
    """Each pinned input beside its ten bars (`probabilities` (N, 10), or None while they
    are not known yet), in a container keyed `key` (each row `{key}_{i}`)."""
    with st.container(key=key):
        for i, (image, caption) in enumerate(zip(pins.images, pins.captions, strict=True)):
            label = pins.labels[i]
            with st.container(key=f"{key}_{i}", horizontal=True, vertical_alignment="center"):
                st.image(image, width=PICTURE_WIDTH)
                with st.container():
                    st.caption(caption + (f" (a {label})" if label >= 0 else ""))
                    if probabilities is None:
                        st.caption("…")
                    else:
                        st.html(digit_bars(probabilities[i], height=BARS_HEIGHT))


def pinned_ui(
    drawings: DrawingSet, x_test: np.ndarray, y_test: np.ndarray, arch: str | None, seed: int
) -> Pinned:
    """Before Start: the pinned inputs, chosen here, and what a new `arch` model built with
    `seed` answers for them untrained (None: a fine-tune, which starts from a trained
    model). The pinned inputs (the run reports their bars as it trains)."""
    st.subheader("Pinned drawings", anchor=False)
    pins = pinned_choice_ui(drawings, x_test, y_test)
    if arch is None:
        st.caption("Watch these change while the model is fine-tuned.")
        pinned_bars_ui(pins, None, "train_pinned_before")
        return pins
    try:
        start = untrained_answer(arch, seed, pins.images)
    except ModelError as err:
        st.warning(f"Could not ask the untrained model: {err}")
        return pins
    st.markdown(untrained_text(arch, start))
    pinned_bars_ui(pins, start.probabilities, "train_pinned_before")
    return pins


def untrained_text(arch: str, start: Untrained) -> str:
    """What the untrained model answers, and why its loss is ln 10."""
    return (
        f"**Before training**, a new `{arch}` model answers about 10% for every digit: its "
        "random starting weights favour none. Its loss on a batch of "
        f"{start.batch} training digits is **{start.loss:.2f}**, close to ln 10 ≈ "
        f"{UNIFORM_LOSS:.2f}: the loss is −ln of the probability given to the right digit, "
        "and a uniform guess gives it 1/10. Press Start and watch the bars below sharpen."
    )


def job_pinned_ui(state: JobState, key: str) -> None:
    """A run's pinned inputs with their latest bars (the last ones once it is done)."""
    if state.pins is None:
        return
    bars = state.pinned_bars
    if state.finished:
        when = "after training"
    elif bars is None:
        when = "soon"
    else:
        when = f"at epoch {bars.at:.2f}"
    st.markdown(f"**Pinned drawings**, answered {when}")
    pinned_bars_ui(state.pins, None if bars is None else bars.probabilities, key)
