"""Draw page widgets: model picker, the answer for a drawing, probability chart, preview."""

from __future__ import annotations

import numpy as np
import streamlit as st

from mnist_core.preprocess import Steps, canvas_steps
from mnist_core.store import DEFAULT_MODEL, ModelError, ModelInfo
from ui.services import prediction_worker

PREVIEW_SCALE = 6  # each of the 28×28 input pixels shown as a 6×6 block
LOW_CONFIDENCE = 0.5


def model_picker_ui(models: list[ModelInfo]) -> ModelInfo | None:
    """The model selector; unusable files are listed with the reason instead."""
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
    if st.session_state.get("draw_model") not in names:
        st.session_state["draw_model"] = DEFAULT_MODEL if DEFAULT_MODEL in names else names[0]
    by_name = {m.name: m for m in usable}
    name = st.selectbox(
        "Model", names, key="draw_model", format_func=lambda n: by_name[n].describe()
    )
    info = by_name[name]
    m = info.metadata
    details = [
        f"{m['params']:,} parameters" if "params" in m else None,
        f"{m['epochs_done']} epochs" if "epochs_done" in m else None,
        "trained with augmentation" if m.get("config", {}).get("augment") else None,
        m.get("note"),
    ]
    st.caption(" · ".join(d for d in details if d) or "no metadata")
    return info


def digit_bars(values, measure: str, domain=(0, 1), tip_format: str = ".1%", height=220) -> dict:
    """Vega-Lite spec: one bar per digit 0-9 in order, `measure` on a fixed axis, the
    largest highlighted.

    A plain spec rather than Altair: Altair's building and validation cost ~27 ms a stroke,
    a tenth of the time budget from mouse-up to answer.
    """
    values = np.asarray(values, np.float64)
    best = int(np.nanargmax(values))
    rows = [{"digit": str(d), measure: float(v), "best": d == best} for d, v in enumerate(values)]
    return {
        "height": height,
        "data": {"values": rows},
        "mark": {"type": "bar", "clip": True},
        "encoding": {
            "x": {
                "field": "digit",
                "type": "nominal",
                "sort": None,
                "title": "digit",
                "axis": {"labelAngle": 0},
            },
            "y": {
                "field": measure,
                "type": "quantitative",
                "title": measure,
                "scale": {"domain": list(domain)},
            },
            "color": {"condition": {"test": "datum.best", "value": "#ff4b4b"}, "value": "#9aa5b1"},
            "tooltip": [
                {"field": "digit", "type": "nominal"},
                {"field": measure, "type": "quantitative", "format": tip_format},
            ],
        },
    }


def probability_chart(probs: np.ndarray) -> dict:
    """The ten softmax probabilities as bars, the winner highlighted."""
    return digit_bars(probs, "probability")


def pixel_preview(digit: np.ndarray) -> np.ndarray:
    """The 28×28 input enlarged with a faint grid, so single pixels can be seen."""
    big = np.kron(digit, np.ones((PREVIEW_SCALE, PREVIEW_SCALE), np.float32))
    grid = np.zeros_like(big, dtype=bool)
    grid[::PREVIEW_SCALE, :] = grid[:, ::PREVIEW_SCALE] = True
    return np.where(grid, np.maximum(big, 0.18), big)


def answer_ui(image: np.ndarray | None, model: ModelInfo) -> Steps | None:
    """What the model reads in a canvas image: the Prediction metric, the chart, the
    28×28 preview; an invitation to draw when there is nothing. Returns the preprocessing
    steps of the drawing it answered for, None if it answered nothing."""
    steps = canvas_steps(image) if image is not None else None
    if steps is None:
        st.info(
            "Draw one digit, 0 to 9, on the black square: large, in a single go. "
            "The answer appears as soon as you lift the pen.",
            icon="✏️",
        )
        return None
    try:
        probs = prediction_worker().probabilities(model.path, steps.digit)
    except ModelError as err:
        st.error(f"This model can't predict: {err}")
        return None
    best = int(probs.argmax())
    answer, preview = st.columns([1, 1])
    answer.metric(
        "Prediction",
        str(best),
        delta=f"{probs[best]:.0%} confident",
        delta_color="off",
        delta_arrow="off",
    )
    if probs[best] < LOW_CONFIDENCE:
        answer.warning("Not sure. Draw it bigger, as one digit only.", icon="🤔")
    preview.image(
        pixel_preview(steps.digit),
        clamp=True,
        width=28 * PREVIEW_SCALE,
        caption="What the model sees",
    )
    st.vega_lite_chart(spec=probability_chart(probs), width="stretch")
    st.caption(
        "The model never sees your canvas, only the 28×28 picture above: your ink "
        "cropped, scaled into 20×20 pixels and centred by its centre of mass, the "
        "way every MNIST digit was made. The bars are the softmax of its ten "
        "output scores."
    )
    return steps
