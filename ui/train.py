"""Train page widgets: the settings form, live progress and curves, and the outcome."""

from __future__ import annotations

from datetime import datetime

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from mnist_core.architectures import ARCHITECTURES, MISTAKES
from mnist_core.config import FINE_TUNE_DEFAULTS, MAX_TRAIN_SIZE, TrainConfig
from mnist_core.jobs import JobState
from mnist_core.store import DEFAULT_MODEL, ModelInfo

TRAIN_SIZES = {
    10_000: "10,000 (quick demo)",
    20_000: "20,000",
    30_000: "30,000",
    MAX_TRAIN_SIZE: f"{MAX_TRAIN_SIZE:,} (all)",
}
MAX_CHART_POINTS = 400
# the whole chart element, legend and titles included: Streamlit does not take a layered
# chart's height from its spec, and the plot collapsed to a sliver without it
CHART_HEIGHT = 380
SMOOTHING = 0.05  # weight of each new batch in the running average drawn per batch
PER_BATCH = "training, each batch (smoothed)"
PER_EPOCH = "training, whole epoch"
VALIDATION = "validation (unseen images)"

EXPLAINER = """
**How training works.** The network looks at a batch of labelled digits, measures how
wrong its answers are, and nudges its weights to be less wrong. One **epoch** is one pass
over all the training images. **Loss** is how wrong the predicted probabilities are
(lower is better); **accuracy** is the share of digits it gets right. **Validation**
figures come from 5,000 images the network never trains on: they tell how it will do on
digits it has not seen, which is what matters. Training figures can keep improving while
the network merely memorises.
"""


MODES = {"new": "Train a new model", "tune": "Fine-tune a model on your drawings"}
NEW_MODEL_DEFAULTS = {"epochs": 5, "batch_size": 64, "learning_rate": 1e-3, "train_size": 20_000}
_WIDGETS = {  # TrainConfig field → settings widget key
    "epochs": "train_epochs",
    "batch_size": "train_batch",
    "learning_rate": "train_lr",
    "train_size": "train_size",
    "augment": "train_augment",
}


def _mode_changed() -> None:
    """Switching between a new model and a fine-tune resets the settings to suit it."""
    tune = st.session_state.get("train_mode") == "tune"
    for field, value in (FINE_TUNE_DEFAULTS if tune else NEW_MODEL_DEFAULTS).items():
        st.session_state[_WIDGETS[field]] = value
    _name_default()


def _name_default() -> None:
    if st.session_state.get("train_mode") == "tune":
        base = st.session_state.get("train_base") or DEFAULT_MODEL
        st.session_state["train_name"] = f"{base}-mine-{datetime.now():%m%d-%H%M}"
    else:
        arch = st.session_state.get("train_arch", "cnn")
        st.session_state["train_name"] = f"{arch}-{datetime.now():%m%d-%H%M}"


def settings_ui(models: list[ModelInfo], drawing_counts: np.ndarray) -> None:
    """The settings widgets, keyed `train_*`; see settings_from_state for their values."""
    mode = st.segmented_control(
        "What to train",
        list(MODES),
        default="new",
        format_func=MODES.get,
        key="train_mode",
        on_change=_mode_changed,
        required=True,
    )
    left, right = st.columns(2)
    with left:
        if mode == "tune":
            arch = _base_model_ui(models, drawing_counts)
        else:
            arch = st.radio(
                "Architecture",
                list(ARCHITECTURES),
                index=1,
                key="train_arch",
                format_func=lambda a: f"{a} ({ARCHITECTURES[a].params:,} parameters)",
                captions=[ARCHITECTURES[a].summary for a in ARCHITECTURES],
                on_change=_name_default,
            )
        st.number_input(
            "Epochs",
            min_value=1,
            max_value=50,
            value=5,
            step=1,
            key="train_epochs",
            help="Passes over the training images. More is slower; past a point it stops helping.",
        )
        st.select_slider(
            "MNIST images mixed in" if mode == "tune" else "Training images",
            options=list(TRAIN_SIZES),
            value=20_000,
            format_func=TRAIN_SIZES.get,
            key="train_size",
            help="Fine-tuning keeps training on MNIST digits too, so the model does not "
            "forget them while it learns your handwriting."
            if mode == "tune"
            else None,
        )
    with right:
        st.select_slider(
            "Batch size",
            options=[16, 32, 64, 128, 256],
            value=64,
            key="train_batch",
            help="Images per weight update. Larger is faster per "
            "image but takes fewer, coarser steps.",
        )
        st.select_slider(
            "Learning rate",
            options=[0.0001, 0.0003, 0.001, 0.003, 0.01],
            value=0.001,
            key="train_lr",
            help="How big each nudge is. It shrinks smoothly to nearly zero by the last batch.",
        )
        st.toggle(
            "Augmentation",
            value=True,
            key="train_augment",
            help="Show the network randomly slanted, rotated, thicker and "
            "thinner digits, crossed 7s and slashed 0s: slower to learn, much "
            "better at reading what people draw.",
        )
        st.text_input(
            "Model name",
            value=f"{arch}-{datetime.now():%m%d-%H%M}",
            key="train_name",
            max_chars=64,
            help="Letters, digits, '_', '-' and '.'; saved in models/.",
        )
        st.checkbox("Replace a saved model of that name", key="train_overwrite")
    with st.expander("Advanced: make a classic mistake on purpose", icon=":material/science:"):
        st.radio(
            "Loss set-up",
            list(MISTAKES),
            key="train_mistake",
            format_func=MISTAKES.get,
            help="See what goes wrong: watch the loss and accuracy curves. The Draw page's "
            "“How the model decided” explains why.",
        )


def _base_model_ui(models: list[ModelInfo], drawing_counts: np.ndarray) -> str:
    """The model to fine-tune, and what the user's drawings hold; returns its architecture."""
    usable = {m.name: m for m in models if m.usable}
    if st.session_state.get("train_base") not in usable:
        st.session_state["train_base"] = DEFAULT_MODEL if DEFAULT_MODEL in usable else None
    base = st.selectbox(
        "Model to fine-tune",
        list(usable),
        key="train_base",
        format_func=lambda n: usable[n].describe(),
        on_change=_name_default,
    )
    total = int(drawing_counts.sum())
    if total:
        st.caption(
            f"Your {total} saved drawings are mixed into every epoch: "
            + " · ".join(f"{d}: {n}" for d, n in enumerate(drawing_counts))
        )
    else:
        st.warning(
            "You have no saved drawings yet. On the Draw page, when the model reads one of "
            "yours wrong, pick the right digit under “Wrong? It was a …”; about 20 of each "
            "digit make a difference.",
            icon=":material/draw:",
        )
    return usable[base].metadata.get("arch", "cnn") if base else "cnn"


def settings_from_state(state) -> tuple[TrainConfig, str, bool]:
    """(config, model name, overwrite allowed) from the widgets' values in session state.

    Read when Start is clicked, not when the button was drawn: a click that follows an
    edit before the page has redrawn would otherwise start with the previous values.
    """
    tune = state.get("train_mode") == "tune"
    config = TrainConfig(
        arch=state.get("train_arch", "cnn"),
        epochs=int(state["train_epochs"]),
        batch_size=state["train_batch"],
        learning_rate=state["train_lr"],
        train_size=state["train_size"],
        augment=state["train_augment"],
        base_model=state.get("train_base") if tune else None,
        mistake=state.get("train_mistake", "none"),
    )
    return config, state["train_name"].strip(), state["train_overwrite"]


def progress_line(state: JobState) -> str:
    """Keras-style progress: epoch i/N, batch j/M, images/s, time left."""
    if state.status == "starting":
        return "Starting: loading TensorFlow and MNIST…"
    parts = [
        f"Epoch {state.epoch + 1}/{state.config.epochs}",
        f"batch {state.batch + 1}/{state.steps}",
    ]
    if state.images_per_second:
        parts.append(f"{state.images_per_second:,.0f} images/s")
    left = state.seconds_left()
    if left is not None and state.status == "running":
        parts.append(f"about {left:.0f} s left")
    if state.status in ("stopping", "evaluating"):
        parts.append(
            "stopping, then testing on 10,000 unseen images…"
            if state.status == "stopping"
            else "testing on 10,000 unseen images…"
        )
    return " · ".join(parts)


def curves(state: JobState) -> pd.DataFrame:
    """Long-form curves: columns epoch (x), value, metric ('loss'/'accuracy'), series."""
    frames = []
    if state.batches:
        rows = np.array(state.batches)  # (B, 3): epochs done, loss, accuracy
        smooth = _running_average(rows[:, 1:])
        keep = np.unique(np.linspace(0, len(rows) - 1, MAX_CHART_POINTS).round().astype(int))
        for k, metric in enumerate(("loss", "accuracy")):
            frames.append(
                pd.DataFrame(
                    {
                        "epoch": rows[keep, 0],
                        "value": smooth[keep, k],
                        "metric": metric,
                        "series": PER_BATCH,
                    }
                )
            )
    for logs in state.epochs:
        for metric in ("loss", "accuracy"):
            frames.append(
                pd.DataFrame(
                    {
                        "epoch": [logs["epoch"]] * 2,
                        "value": [logs.get(metric), logs.get(f"val_{metric}")],
                        "metric": metric,
                        "series": [PER_EPOCH, VALIDATION],
                    }
                )
            )
    if not frames:
        return pd.DataFrame(columns=["epoch", "value", "metric", "series"])
    return pd.concat(frames, ignore_index=True).dropna()


def _running_average(values: np.ndarray) -> np.ndarray:
    out = np.empty_like(values)
    out[0] = values[0]
    for i in range(1, len(values)):
        out[i] = (1 - SMOOTHING) * out[i - 1] + SMOOTHING * values[i]
    return out


def curve_chart(data: pd.DataFrame, metric: str, epochs: int) -> alt.LayerChart:
    """One metric over training, x in epochs: a smoothed per-batch line, per-epoch points."""
    colors = alt.Scale(
        domain=[PER_BATCH, PER_EPOCH, VALIDATION],
        range=["#9aa5b1", "#1f77b4", "#ff4b4b"],
    )
    y_title = "loss (lower is better)" if metric == "loss" else "accuracy (higher is better)"
    base = alt.Chart(data[data["metric"] == metric]).encode(
        x=alt.X("epoch:Q", title="epoch", scale=alt.Scale(domain=[0, epochs])),
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color(
            "series:N",
            scale=colors,
            title=None,
            legend=alt.Legend(orient="top", direction="vertical"),
        ),
    )
    per_batch = base.transform_filter(alt.datum.series == PER_BATCH).mark_line()
    per_epoch = base.transform_filter(alt.datum.series != PER_BATCH).mark_line(point=True)
    return alt.layer(per_batch, per_epoch, title=metric.capitalize()).properties(
        height=CHART_HEIGHT
    )
