"""Draw page: draw a digit, see the 28×28 image the model receives and what it thinks."""

import streamlit as st

from mnist_core.store import ModelInfo
from ui.canvas import NUMBER_WIDTH, canvas_image, canvas_ui, clear, clears
from ui.corrections import correction_ui, drawings_manager_ui, forget_drawing, remember_drawing
from ui.draw import answer_ui, model_picker_ui
from ui.explain import pipeline_ui
from ui.layout import lazy_expander
from ui.number import number_answer_ui, number_steps_ui
from ui.services import saved_models


@st.fragment
def drawing_ui(model: ModelInfo) -> None:
    """Canvas and answer in one fragment: a stroke reruns only this, not the whole page."""
    if _reads_a_number():
        forget_drawing()  # the Train page pins a digit drawn here, not a number
        number_drawing_ui(model)
        drawings_manager_ui()
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
    drawings_manager_ui()  # in the fragment: a correction changes it


def _reads_a_number() -> bool:
    """The switch between one digit (as before) and a whole number on a wide canvas;
    switching clears the canvas."""
    mode = st.segmented_control(
        "Read",
        ["One digit", "A number"],
        default="One digit",
        key="draw_mode",
        on_change=clear,
        label_visibility="collapsed",
    )
    return mode == "A number"


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


st.title(":material/draw: Draw a digit")
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
drawing_ui(chosen)
