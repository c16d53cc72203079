"""Draw page: draw a digit, see the 28×28 image the model receives and what it thinks."""

import streamlit as st

from mnist_core.store import ModelInfo
from ui.canvas import NUMBER_WIDTH, SIDE, canvas_image, canvas_style, canvas_ui, clear, clears
from ui.corrections import (
    MANAGER,
    SAVED_SINCE,
    correction_ui,
    drawings_manager_ui,
    forget_drawing,
    remember_drawing,
)
from ui.draw import answer_ui, model_picker_ui
from ui.explain import pipeline_ui
from ui.layout import lazy_expander
from ui.number import number_answer_ui, number_steps_ui
from ui.services import saved_models

MODE = "draw_mode"  # the "One digit | A number" switch's key
NUMBER = "A number"


@st.fragment
def drawing_ui(model: ModelInfo, number: bool) -> None:
    """Canvas and answer in one fragment: a stroke reruns only this, not the whole page.

    Only what a stroke changes is in it: each element of the fragment's run is rendered
    again by the browser before the Prediction shows (bench/answer_render.py), so the
    One digit | A number switch, the canvas's CSS and the saved drawings' expander stay
    outside."""
    refresh_manager_after_a_correction()
    if number:
        forget_drawing()  # the Train page pins a digit drawn here, not a number
        number_drawing_ui(model)
        return
    left, right = st.columns([1, 1], gap="large")
    with left:
        image = canvas_image(canvas_ui())
    with right:
        steps = answer_ui(image, model)
        if steps is not None:
            remember_drawing(steps.digit, image)
            correction_ui(clear, clears())
        else:
            forget_drawing()  # cleared: the Train page no longer pins it
    if steps is not None:
        explainer_ui(image, steps, model)


def _reads_a_number() -> bool:
    """The switch between one digit (as before) and a whole number on a wide canvas;
    switching clears the canvas."""
    mode = st.segmented_control(
        "Read",
        ["One digit", NUMBER],
        default="One digit",
        key=MODE,
        on_change=clear,
        label_visibility="collapsed",
    )
    return mode == NUMBER


def refresh_manager_after_a_correction() -> None:
    """The saved drawings' expander is outside the fragment: while it is open, a drawing
    just saved from the pills reruns the whole page, so that it is listed there."""
    if st.session_state.pop(SAVED_SINCE, False) and st.session_state.get(MANAGER):
        st.rerun(scope="app")


def number_drawing_ui(model: ModelInfo) -> None:
    """The wide canvas, the number read in it, and its steps in a lazy expander."""
    image = canvas_image(canvas_ui(NUMBER_WIDTH), NUMBER_WIDTH)
    reading = number_answer_ui(image, model)
    if reading is None:
        return
    with lazy_expander(
        "How the model read each digit", "account_tree", "draw_number_explain"
    ) as explainer:
        if explainer.open:
            number_steps_ui(image, reading)


def explainer_ui(image, steps, model: ModelInfo) -> None:
    """The step-by-step expander, worked out only while it is open: strokes stay fast."""
    with lazy_expander(
        "How the model decided, step by step", "account_tree", "draw_explain"
    ) as explainer:
        if explainer.open:
            pipeline_ui(image, steps, model)


# the switch is below the title: a click's new value is in session_state as the run starts
st.title(f":material/draw: Draw a {'number' if st.session_state.get(MODE) == NUMBER else 'digit'}")
with st.container(key="draw_intro"):  # not on a phone: the canvas and answer need the room
    st.write(
        "The network reads your drawing the way it learned from handwritten digits: "
        "MNIST's, and for the bundled model real pen strokes of 104 other writers too. The "
        "bars show how likely it thinks each digit is; below 50% it says it is not sure."
    )
with st.container(key="draw_settings"):
    chosen = model_picker_ui(saved_models())
if chosen is None:
    st.stop()
number = _reads_a_number()
canvas_style(NUMBER_WIDTH if number else SIDE)
drawing_ui(chosen, number)
drawings_manager_ui()
