"""Draw page: draw a digit, see the 28×28 image the model receives and what it thinks."""

import streamlit as st
from streamlit_drawable_canvas import st_canvas

from mnist_core.store import ModelInfo
from ui.corrections import correction_ui, drawings_manager_ui, remember_drawing
from ui.draw import answer_ui, model_picker_ui
from ui.explain import pipeline_ui
from ui.services import saved_models

CANVAS_SIDE = 280


def clear_canvas() -> None:
    st.session_state["draw_clears"] = st.session_state.get("draw_clears", 0) + 1


def empty_drawing() -> dict:
    """An empty drawing that differs from the last one each time Clear is pressed.

    The canvas reloads its `initial_drawing` whenever that changes, so this clears it in
    place. A new key would clear it too, but a freshly mounted canvas loads its first
    drawing asynchronously and wipes whatever was drawn meanwhile: on a busy CPU a stroke
    made right after Clear was lost. In place, the old drawing stays visible until the
    canvas is empty and ready, which is the cue a person waits for.
    """
    return {"objects": [], "clears": st.session_state.get("draw_clears", 0)}


@st.fragment
def drawing_ui(model: ModelInfo) -> None:
    """Canvas and answer in one fragment: a stroke reruns only this, not the whole page."""
    left, right = st.columns([1, 1], gap="large")
    with left:
        pen = st.slider(
            "Pen width",
            8,
            40,
            20,
            key="draw_pen",
            help="Thicker pens suit small drawings; 20 fits a digit drawn large.",
        )
        canvas = st_canvas(
            stroke_width=pen,
            stroke_color="#FFFFFF",
            background_color="#000000",
            height=CANVAS_SIDE,
            width=CANVAS_SIDE,
            drawing_mode="freedraw",
            return_image_data=True,
            initial_drawing=empty_drawing(),
            key="draw_canvas",
        )
        st.button("Clear", key="draw_clear", on_click=clear_canvas, icon=":material/ink_eraser:")
    image = canvas.image_data if canvas is not None else None
    with right:
        steps = answer_ui(image, model)
        if steps is not None:
            remember_drawing(steps.digit, image)
            correction_ui(clear_canvas, st.session_state.get("draw_clears", 0))
    if steps is not None:
        explainer_ui(image, steps, model)
    drawings_manager_ui()  # in the fragment: a correction changes it


def explainer_ui(image, steps, model: ModelInfo) -> None:
    """The step-by-step expander, worked out only while it is open: strokes stay fast."""
    with st.expander(
        "How the model decided, step by step",
        icon=":material/account_tree:",
        key="draw_explain",
        on_change="rerun",
    ) as explainer:
        if explainer.open:
            pipeline_ui(image, steps, model)


st.title(":material/draw: Draw a digit")
st.write(
    "The network reads your drawing the way it learned from 60,000 handwritten digits "
    "(MNIST). The bars show how likely it thinks each digit is."
)
chosen = model_picker_ui(saved_models())
if chosen is None:
    st.stop()
drawing_ui(chosen)
