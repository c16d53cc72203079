"""The Train page's charts: loss and accuracy over training, drawn from mnist_core.curves'
points (a training under way, or a saved model's history), the progress line, and the
sentence on the last epoch's training against validation accuracy."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from mnist_core.architectures import MISTAKE_NAMES
from mnist_core.curves import PER_BATCH, SERIES, Curves, EpochLogs, last_epoch_accuracy
from mnist_core.processes.training import JobState, JobStatus

# the whole chart element, legend and titles included: Streamlit does not take a layered
# chart's height from its spec, and the plot collapsed to a sliver without it
CHART_HEIGHT = 380

EXPLAINER = """
**How training works.** The network looks at a batch of labelled digits, measures how
wrong its answers are, and nudges its weights to be less wrong. One **epoch** is one pass
over all the training images. **Loss** is how wrong the predicted probabilities are
(lower is better); **accuracy** is the share of digits it gets right. **Validation**
figures come from 5,000 images the network never trains on: they tell how it will do on
digits it has not seen, which is what matters. Training figures can keep improving while
the network merely memorises. They can also sit *below* validation: while training, dropout
switches off a random part of the network (never while validating); with augmentation on,
training digits are distorted, harder than the plain validation ones; and each epoch's
training figure averages all its batches, from its worst weights to its best. Below every
run's charts, the page says which gap that run shows.
"""


def charts_ui(points: Curves, epochs: int) -> None:
    """The loss and accuracy charts side by side, x from 0 to `epochs` (nothing when there
    are no points yet)."""
    if not len(points):
        return
    loss, accuracy = st.columns(2)
    for column, metric in ((loss, "loss"), (accuracy, "accuracy")):
        column.vega_lite_chart(
            pd.DataFrame(points.of(metric).columns()),
            curve_chart(metric, epochs),
            width="stretch",
            height=CHART_HEIGHT,
        )


def job_charts_ui(state: JobState) -> None:
    """A training's charts, and under them why its last epoch's figures differ."""
    charts_ui(state.curves(), state.config.epochs)
    mistake = MISTAKE_NAMES.get(state.config.mistake)
    if text := gap_text(state.epochs, augment=state.config.augment, mistake=mistake):
        st.caption(text)


def curve_chart(metric: str, epochs: int) -> dict:
    """One metric over training as a Vega-Lite spec, x in epochs: a smoothed per-batch line,
    per-epoch points; its data is the Curves points of that metric.

    A spec rather than an Altair chart: the live charts are redrawn every second for every
    viewer, and Altair validated and deep-copied each chart against its schema first:
    47 ms of the server's Python CPU per refresh here (now 8 ms), taken from the one
    interpreter that also answers every stroke of the room.
    """
    y_title = "loss (lower is better)" if metric == "loss" else "accuracy (higher is better)"
    per_batch = f"datum.series === {json.dumps(PER_BATCH)}"
    return {
        "title": metric.capitalize(),
        "encoding": {
            "x": {
                "field": "epoch",
                "type": "quantitative",
                "title": "epoch",
                "scale": {"domain": [0, epochs]},
            },
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": y_title,
                "scale": {"zero": False},
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "scale": {"domain": list(SERIES), "range": ["#9aa5b1", "#1f77b4", "#ff4b4b"]},
                # labelLimit 0: the whole label, however narrow the column (cut at 160 px)
                "legend": {"orient": "top", "direction": "vertical", "labelLimit": 0},
            },
        },
        "layer": [
            {"transform": [{"filter": per_batch}], "mark": "line"},
            {"transform": [{"filter": f"!({per_batch})"}], "mark": {"type": "line", "point": True}},
        ],
    }


def gap_text(epochs: list[EpochLogs], augment: bool = False, mistake: str | None = None) -> str:
    """The last epoch's training against validation accuracy, and why they differ; for a
    run made with a classic mistake (its MISTAKE_NAMES words), that mistake is the why."""
    last = last_epoch_accuracy(epochs)
    if last is None:
        return ""
    train, valid = last
    gap = (valid - train) * 100
    text = f"Last epoch: training accuracy {train:.1%}, validation {valid:.1%}"
    if mistake:
        return (
            f"{text}. This run was made with a classic mistake on purpose ({mistake}): "
            "that, not dropout or augmentation, is what these figures show."
        )
    if gap > 1:
        why = (
            "training runs with dropout (part of the network switched off at random), "
            + ("on distorted digits, harder than the plain validation ones, " if augment else "")
            + "and its figure averages the whole epoch, from its first, worst weights on; "
            "validation uses the whole network with the epoch's last weights"
        )
        return f"{text}: validation is {gap:.1f} points higher, because {why}."
    if gap < -1:
        return (
            f"{text}: training is {-gap:.1f} points higher, the network does better on "
            "images it has seen: it starts to memorise them."
        )
    return f"{text}: about the same."


def progress_line(state: JobState) -> str:
    """Keras-style progress: epoch i/N, batch j/M, images/s, time left."""
    if state.status == JobStatus.STARTING:
        if state.config.base_model:
            return (
                f"Starting: loading TensorFlow, MNIST and `{state.config.base_model}`, and "
                "testing it on 10,000 digits and on marks that are no digit, to compare the "
                "result with…"
            )
        return "Starting: loading TensorFlow and MNIST…"
    parts = [
        f"Epoch {state.epoch + 1}/{state.config.epochs}",
        f"batch {state.batch + 1}/{state.steps}",
    ]
    if state.images_per_second:
        parts.append(f"{state.images_per_second:,.0f} images/s")
    left = state.seconds_left()
    if left is not None and state.status == JobStatus.RUNNING:
        parts.append(f"about {left:.0f} s left")
    if state.status in (JobStatus.STOPPING, JobStatus.EVALUATING):
        parts.append(
            "stopping, then testing on 10,000 unseen images…"
            if state.status == JobStatus.STOPPING
            else "testing on 10,000 unseen images…"
        )
    return " · ".join(parts)
