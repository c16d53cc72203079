"""Draw page widgets: model picker, the answer for a drawing, probability bars, preview."""

from __future__ import annotations

import base64
import io
import time

import numpy as np
import streamlit as st
from PIL import Image

from mnist_core.calibration import NOT_SURE_BELOW
from mnist_core.preprocess import Steps, canvas_steps, ink_image
from mnist_core.store import DEFAULT_MODEL, ModelError, ModelInfo
from ui.charts import digit_bars
from ui.kept import keep, reset, restore
from ui.services import prediction_worker

PREVIEW_SCALE = 6  # each of the 28×28 input pixels shown as a 6×6 block
ANSWER_FIRST_SECONDS = 0.1  # between the Prediction sent and the rest (see answer_ui)
MODEL = "draw_model"  # the model picker's key
MODEL_LINK = "model"  # /draw?model=NAME opens the Draw page on that model
# under the bars; not on a projector (ui.layout)
BARS_NOTE = (
    '<p class="draw-bars-note" style="font-size:0.875rem;opacity:0.6;margin:0.75rem 0 0">'
    "The model never sees your canvas, only the 28×28 picture above: your ink cropped, "
    "scaled into 20×20 pixels and centred by its centre of mass, the way every MNIST digit "
    "was made. The bars are the softmax of its ten output scores.</p>"
)


def open_on_draw(name: str) -> None:
    """Make `name` the Draw page's model for this session, from any page's callback (the
    Train page's "Keep the old model") or before the picker is drawn (a link's model):
    it is what the Draw page shows next."""
    reset(MODEL, name)


def model_from_link() -> None:
    """A link to /draw?model=NAME (the Train page's "Draw with this model") chooses that
    model once; the address is then plain /draw again. A name no longer saved is said so
    by the picker."""
    name = st.query_params.get(MODEL_LINK)
    if name is not None:
        open_on_draw(name)
        del st.query_params[MODEL_LINK]


def model_picker_ui(models: list[ModelInfo]) -> ModelInfo | None:
    """The model selector; unusable files are listed with the reason instead."""
    model_from_link()
    usable = [m for m in models if m.usable]
    for broken in (m for m in models if not m.usable):
        st.warning(f"Can't use `{broken.path.name}`: {broken.error}", icon="⚠️")
    if not usable:
        st.error(
            "No usable model in `models/`. Train one on the Train page, or restore the "
            "bundled one with `git checkout -- models/`."
        )
        return None
    names = [m.name for m in usable]
    state = st.session_state
    # the choice survives a visit to another page, which Streamlit would forget
    restore(MODEL)
    if state.get(MODEL) not in names:
        gone = state.get(MODEL)
        state[MODEL] = DEFAULT_MODEL if DEFAULT_MODEL in names else names[0]
        if gone:
            st.warning(
                f"`{gone}` is no longer saved (discarded or replaced by an unusable file): "
                f"showing `{state[MODEL]}` instead.",
                icon=":material/info:",
            )
    by_name = {m.name: m for m in usable}
    name = st.selectbox("Model", names, key=MODEL, format_func=lambda n: by_name[n].describe())
    keep(MODEL)
    info = by_name[name]
    m = info.metadata
    details = [
        f"{m.params:,} parameters" if m.params is not None else None,
        m.trained(m.config.epochs if m.config else m.epochs_done)
        if m.epochs_done is not None
        else None,
        "trained with augmentation" if m.config is not None and m.config.augment else None,
        f"made with a mistake on purpose: {m.mistake}" if m.mistake else None,
        m.note,
    ]
    st.caption(" · ".join(d for d in details if d) or "no metadata")
    return info


def probability_bars(probs: np.ndarray) -> str:
    """The ten softmax probabilities as bars, the winner highlighted."""
    return digit_bars(probs)


def pixel_preview(digit: np.ndarray) -> np.ndarray:
    """The 28×28 input enlarged with a faint grid, so single pixels can be seen."""
    big = np.kron(digit, np.ones((PREVIEW_SCALE, PREVIEW_SCALE), np.float32))
    grid = np.zeros_like(big, dtype=bool)
    grid[::PREVIEW_SCALE, :] = grid[:, ::PREVIEW_SCALE] = True
    return np.where(grid, np.maximum(big, 0.18), big)


def preview_html(digit: np.ndarray) -> str:
    """HTML: the enlarged 28×28 input (pixel_preview) as an inline PNG, with its caption."""
    picture = Image.fromarray((np.clip(pixel_preview(digit), 0, 1) * 255).astype(np.uint8))
    png = io.BytesIO()
    picture.save(png, format="PNG")
    side = 28 * PREVIEW_SCALE
    return (
        f'<figure class="draw-preview" style="margin:0 0 0 auto;width:{side}px;'
        'text-align:center">'
        f'<img alt="The 28×28 picture the model reads" width="{side}" height="{side}" '
        f'style="border-radius:0.5rem;display:block" src="data:image/png;base64,'
        f'{base64.b64encode(png.getvalue()).decode()}">'
        '<figcaption style="font-size:0.875rem;opacity:0.6;margin-top:0.5rem">'
        "What the model sees</figcaption></figure>"
    )


def answer_ui(image: np.ndarray | None, model: ModelInfo) -> Steps | None:
    """What the model reads in a canvas image: the Prediction metric, the chart, the
    28×28 preview; an invitation to draw when there is nothing. Returns the preprocessing
    steps of the drawing it answered for, None if it answered nothing."""
    steps = canvas_steps(image) if image is not None else None
    if steps is None:
        if image is not None and ink_image(image).any():  # ink, but only dots or specks
            st.info(
                "That is only a dot: nothing to read yet. Draw a whole digit, large; "
                "as many strokes as it takes.",
                icon=":material/radio_button_unchecked:",
            )
            return None
        st.info(
            "Draw one digit, 0 to 9, large, on the black square, in as many strokes as "
            "it takes (a 4 or a crossed 7 in two). The answer appears each time you lift "
            "the pen.",
            icon="✏️",
        )
        return None
    try:
        probs = prediction_worker().probabilities(model.path, steps.digit)
    except ModelError as err:
        st.error(f"This model can't predict: {err}")
        return None
    best = int(probs.argmax())
    sure = probs[best] >= NOT_SURE_BELOW
    # side by side while they fit, a phone's width included (columns would stack there)
    with st.container(horizontal=True, key="draw_answer"):
        with st.container():
            st.metric(
                "Prediction",
                str(best) if sure else f"{best}?",
                delta=f"{probs[best]:.0%} confident" + ("" if sure else ", not sure"),
                delta_color="off",
                delta_arrow="off",
            )
            if not sure:
                st.warning(
                    f"Not sure: no digit gets {NOT_SURE_BELOW:.0%}. It may not be a digit, or "
                    "it is drawn unlike any handwriting the model learnt. Draw one digit, large.",
                    icon=":material/help:",
                )
        # The answer first, what can wait after: React folds elements that arrive while
        # it renders into the same render, so the metric showed only once the preview,
        # bars and pills were rendered too, some 40-55 ms above the canvas alone. With
        # this pause it shows at the canvas's own speed (bench/number_latency.py; 60 ms
        # was sometimes too short), the rest 0.1 s later.
        time.sleep(ANSWER_FIRST_SECONDS)
        # inline html, not an st.image: as an image element it took the browser some
        # 40 ms of rendering per stroke before the Prediction showed (answer_render.py)
        st.html(preview_html(steps.digit))
    # the note in the bars' element: one element fewer for the browser to render again
    # before the Prediction shows, at every stroke
    st.html(probability_bars(probs) + BARS_NOTE)
    return steps
