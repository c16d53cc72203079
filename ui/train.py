"""Train page widgets: the settings form, live progress and curves, and the outcome."""

from __future__ import annotations

import json
from collections import namedtuple
from datetime import datetime

import numpy as np
import pandas as pd
import streamlit as st

from mnist_core.architectures import ARCHITECTURES, MISTAKE_NAMES, MISTAKES
from mnist_core.config import (
    FINE_TUNE,
    MAX_TRAIN_SIZE,
    MIN_FINE_TUNE_DRAWINGS,
    NEW_MODEL,
    PAGE_PRESETS,
    TrainConfig,
    describe_preset,
)
from mnist_core.config import drawing_repeats as repeats_for
from mnist_core.processes.training import JobState, JobStatus
from mnist_core.store import DEFAULT_MODEL, ModelInfo, ModelMetadata

TRAIN_SIZES = {
    10_000: "10,000 (quick demo)",
    20_000: "20,000",
    30_000: "30,000",
    MAX_TRAIN_SIZE: f"{MAX_TRAIN_SIZE:,} (all)",
}
BATCH_SIZES = (16, 32, 64, 128, 256)  # the presets' batch sizes among them
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
the network merely memorises. They can also sit *below* validation: while training, dropout
switches off a random part of the network (never while validating); with augmentation on,
training digits are distorted, harder than the plain validation ones; and each epoch's
training figure averages all its batches, from its worst weights to its best. Below every
run's charts, the page says which gap that run shows.
"""


MODES = {"new": "Train a new model", "tune": "Fine-tune a model on the saved drawings"}
PRESETS = {"new": NEW_MODEL, "tune": FINE_TUNE}  # each mode's starting settings
EPOCHS_RANGE = (1, 50)  # on the page; the CLI allows more


# The settings form's widget keys (their names in session state), each spelled here once;
# those named like a TrainConfig field hold that setting. KEY.epochs == "train_epochs".
FORM_KEYS = {
    "mode": "train_mode",
    "arch": "train_arch",
    "epochs": "train_epochs",
    "batch_size": "train_batch",
    "learning_rate": "train_lr",
    "train_size": "train_size",
    "augment": "train_augment",
    "mistake": "train_mistake",
    "base_model": "train_base",
    "name": "train_name",
    "overwrite": "train_overwrite",
}
KEY = namedtuple("FormKeys", FORM_KEYS)(**FORM_KEYS)
# the settings a mode's preset puts on the form when the mode is picked
PRESET_FIELDS = ("epochs", "batch_size", "learning_rate", "train_size", "augment")


def preset_values(preset: TrainConfig) -> dict:
    """{widget key: value} of the form's settings that `preset` gives."""
    return {getattr(KEY, field): getattr(preset, field) for field in PRESET_FIELDS}


# The form's widgets, and their values on a first visit. Streamlit forgets a widget's value
# on any run that does not draw it (the form is hidden while a training runs), so the
# values are also kept under KEPT and put back: a session's settings survive its runs.
FORM_DEFAULTS = {
    KEY.mode: "new",
    KEY.arch: NEW_MODEL.arch,
    **preset_values(NEW_MODEL),
    KEY.overwrite: False,
    KEY.mistake: NEW_MODEL.mistake,
}
KEPT = "train_kept"


def restore_settings(state, models: list[ModelInfo]) -> None:
    """Put back the session's last settings (or the defaults) before the form is drawn; a
    kept model name that is now taken (by its own run, usually) gets a fresh default."""
    kept = dict(state.get(KEPT, {}))
    name = kept.pop(KEY.name, None)
    for key, value in {**FORM_DEFAULTS, **kept}.items():
        if key not in state:
            state[key] = value
    if KEY.name not in state:
        if name is None or name in {m.name for m in models}:
            _name_default()
        else:
            state[KEY.name] = name


def keep_settings(state) -> None:
    """Remember the form's current values for restore_settings."""
    state[KEPT] = {
        key: state[key] for key in [*FORM_DEFAULTS, KEY.name, KEY.base_model] if key in state
    }


def forget_mistake(state) -> None:
    """A classic mistake is for one run: once it has started, the form is back to a normal
    loss set-up (and a name without the mistake in it), so the next run is not broken too."""
    state[KEY.mistake] = "none"
    state[KEPT] = {**state.get(KEPT, {}), KEY.mistake: "none"}


def _mode_changed() -> None:
    """Switching between a new model and a fine-tune resets the settings to suit it."""
    if st.session_state.get(KEY.mode, "new") == "tune":
        st.session_state.update(preset_values(FINE_TUNE))
        _name_default()
    else:
        _arch_changed()


def _arch_changed() -> None:
    """Picking an architecture puts its preset on the form (dense: the tutorial's run)."""
    arch = st.session_state.get(KEY.arch, NEW_MODEL.arch)
    st.session_state.update(preset_values(PAGE_PRESETS[arch]))
    _name_default()


def _name_default() -> None:
    if st.session_state.get(KEY.mode) == "tune":
        base = st.session_state.get(KEY.base_model) or DEFAULT_MODEL
        st.session_state[KEY.name] = f"{base}-mine-{datetime.now():%m%d-%H%M}"
    else:
        arch = st.session_state.get(KEY.arch, NEW_MODEL.arch)
        mistake = st.session_state.get(KEY.mistake, "none")
        # a run made with a mistake says so in its name, wherever the name is shown
        arch += "" if mistake == "none" else f"-{mistake}"
        st.session_state[KEY.name] = f"{arch}-{datetime.now():%m%d-%H%M}"


def settings_ui(models: list[ModelInfo], drawing_counts: np.ndarray) -> None:
    """The settings widgets, keyed `train_*`; see settings_from_state for their values."""
    mode = st.segmented_control(
        "What to train",
        list(MODES),
        format_func=MODES.get,
        key=KEY.mode,
        on_change=_mode_changed,
        required=True,
    )
    left, right = st.columns(2)
    with left:
        if mode == "tune":
            _base_model_ui(models, drawing_counts)
        else:
            st.radio(
                "Architecture",
                list(ARCHITECTURES),
                key=KEY.arch,
                format_func=lambda a: f"{a} ({ARCHITECTURES[a].params:,} parameters)",
                captions=[arch_caption(a, models) for a in ARCHITECTURES],
                on_change=_arch_changed,
            )
        # No min/max here: out of range, the browser would keep the last valid value
        # (unseen) and Start would train with it; settings_from_state refuses it instead.
        st.number_input(
            f"Epochs ({EPOCHS_RANGE[0]}-{EPOCHS_RANGE[1]})",
            step=1,
            key=KEY.epochs,
            help="Passes over the training images. More is slower; past a point it stops helping.",
        )
        st.select_slider(
            "MNIST images mixed in" if mode == "tune" else "Training images",
            options=list(TRAIN_SIZES),
            format_func=TRAIN_SIZES.get,
            key=KEY.train_size,
            help="Fine-tuning keeps training on MNIST digits too, so the model does not "
            "forget them while it learns your handwriting."
            if mode == "tune"
            else None,
        )
    with right:
        st.select_slider(
            "Batch size",
            options=BATCH_SIZES,
            key=KEY.batch_size,
            help="Images per weight update. Larger is faster per "
            "image but takes fewer, coarser steps.",
        )
        st.select_slider(
            "Learning rate",
            options=[0.0001, 0.0003, 0.001, 0.003, 0.01],
            key=KEY.learning_rate,
            help="How big each nudge is. It shrinks smoothly to nearly zero by the last batch.",
        )
        st.toggle(
            "Augmentation",
            key=KEY.augment,
            help="Show the network randomly slanted, rotated, thicker and "
            "thinner digits, crossed 7s and slashed 0s: slower to learn, much "
            "better at reading what people draw.",
        )
        st.text_input(
            "Model name",
            key=KEY.name,
            max_chars=64,
            help="Letters, digits, '_', '-' and '.'; saved in models/.",
        )
        st.checkbox("Replace a saved model of that name", key=KEY.overwrite)
    with st.expander("Advanced: make a classic mistake on purpose", icon=":material/science:"):
        mistake = st.radio(
            "Loss set-up",
            options=list(MISTAKES),
            help="See what goes wrong: watch the loss and accuracy curves. The Draw page's "
            "“How the model decided” explains why.",
            key=KEY.mistake,
            format_func=MISTAKES.get,
            on_change=_name_default,
        )
        if mistake != "none":
            st.caption(
                "Only the next run is made with this mistake; after Start the loss set-up "
                "goes back to normal."
            )
            _last_mistake_ui(mistake, models)


def arch_caption(arch: str, models: list[ModelInfo]) -> str:
    """The architecture's summary and, measured here, its best saved model's test accuracy
    with the conditions it was trained under."""
    text = f"{ARCHITECTURES[arch].summary}; starts from {describe_preset(PAGE_PRESETS[arch])}"
    runs = [
        m
        for m in models
        if m.usable
        and m.metadata.arch == arch
        and m.metadata.test_accuracy is not None
        and (m.metadata.config is None or m.metadata.config.mistake == "none")
    ]
    if not runs:
        return f"{text}; no saved model of this kind yet"
    best = max(runs, key=lambda m: m.metadata.test_accuracy)
    return f"{text}; best saved here: {best.metadata.test_accuracy:.2%} ({conditions(best)})"


def conditions(model: ModelInfo) -> str:
    """How a saved model was trained, in a few words: `name`: 5 epochs on 20,000 images…"""
    m, config = model.metadata, model.metadata.config
    epochs = m.epochs_trained
    parts = [f"`{model.name}`: {epochs:g} epochs" if epochs is not None else f"`{model.name}`"]
    if config is not None:
        parts[0] += f" on {config.train_size:,} images"
    parts.append("augmented" if config is not None and config.augment else "not augmented")
    if m.fine_tuned_from:
        parts.append(f"fine-tuned from `{m.fine_tuned_from}`")
    return ", ".join(parts)


def _last_mistake_ui(mistake: str, models: list[ModelInfo]) -> None:
    """The curves of the latest saved run that made this mistake, if there is one."""
    runs = [
        m
        for m in models
        if m.usable
        and m.metadata.config is not None
        and m.metadata.config.mistake == mistake
        and m.metadata.history
    ]
    if not runs:
        st.caption(
            "No saved model made this mistake yet: train one to see its curves here and "
            "compare them with a normal run."
        )
        return
    last = max(runs, key=lambda m: m.metadata.created or "")
    history = last.metadata.history
    data = history_curves(history)
    accuracy = last.metadata.test_accuracy
    st.caption(
        f"How it went here, per epoch ({conditions(last)})"
        + (f"; test accuracy {accuracy:.2%}. " if accuracy is not None else ". ")
        + gap_text(history, augment=last.metadata.config.augment, mistake=last.metadata.mistake)
    )
    loss, accuracy = st.columns(2)
    epochs = len(history.get("loss", []))
    for column, metric in ((loss, "loss"), (accuracy, "accuracy")):
        curves_ui(column, data, metric, epochs)


def history_curves(history: dict) -> pd.DataFrame:
    """Keras's per-epoch history (as saved in a model's metadata) in curves()'s form."""
    logs = [
        {"epoch": k + 1, **{key: values[k] for key, values in history.items() if k < len(values)}}
        for k in range(len(history.get("loss", [])))
    ]
    return _frame(_epoch_frames(logs))


def gap_text(history: dict, augment: bool = False, mistake: str | None = None) -> str:
    """The last epoch's training against validation accuracy, and why they differ; for a
    run made with a classic mistake (its MISTAKE_NAMES words), that mistake is the why."""
    train, valid = history.get("accuracy", []), history.get("val_accuracy", [])
    if not train or not valid:
        return ""
    gap = (valid[-1] - train[-1]) * 100
    text = f"Last epoch: training accuracy {train[-1]:.1%}, validation {valid[-1]:.1%}"
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


def _base_model_ui(models: list[ModelInfo], drawing_counts: np.ndarray) -> None:
    """The model to fine-tune, and what the user's drawings hold and how they will be used."""
    usable = {m.name: m for m in models if m.usable}
    if st.session_state.get(KEY.base_model) not in usable:
        st.session_state[KEY.base_model] = DEFAULT_MODEL if DEFAULT_MODEL in usable else None
    st.selectbox(
        "Model to fine-tune",
        list(usable),
        key=KEY.base_model,
        format_func=lambda n: usable[n].describe(),
        on_change=_name_default,
    )
    total = int(drawing_counts.sum())
    if total >= MIN_FINE_TUNE_DRAWINGS:
        mnist = st.session_state.get(KEY.train_size, FINE_TUNE.train_size)
        st.caption(
            f"The class's {total} saved drawings (everyone's who corrected a drawing on "
            "this app, not only yours) are mixed into every epoch, each repeated "
            f"{repeats_for(mnist, total)} times, so that they make a quarter of it: "
            + " · ".join(f"{d}: {n}" for d, n in enumerate(drawing_counts))
        )
    elif total:
        st.warning(
            f"The class has {total} saved drawings (everyone's who drew here); fine-tuning "
            f"needs at least {MIN_FINE_TUNE_DRAWINGS}. With so few, each would be repeated "
            "hundreds of times per epoch and the model would learn those pictures by heart "
            "(a mis-clicked label too) instead of handwriting. Draw some more on the Draw "
            "page and correct them under “Wrong? It was a …”.",
            icon=":material/draw:",
        )
    else:
        st.warning(
            "No saved drawings yet. On the Draw page, when the model reads a drawing "
            "wrong, pick the right digit under “Wrong? It was a …”; everyone's corrections "
            "are saved together, and about 20 of each digit make a difference.",
            icon=":material/draw:",
        )


def settings_from_state(state) -> tuple[TrainConfig, str, bool]:
    """(config, model name, overwrite allowed) from the widgets' values in session state;
    ValueError with a message for a value out of the page's range.

    Read when Start is clicked, not when the button was drawn: a click that follows an
    edit before the page has redrawn would otherwise start with the previous values.
    """
    tune = state.get(KEY.mode) == "tune"
    epochs, (low, high) = state.get(KEY.epochs), EPOCHS_RANGE
    if epochs is None or epochs != int(epochs) or not low <= epochs <= high:
        shown = "nothing" if epochs is None else f"{epochs:g}"
        raise ValueError(f"Epochs must be a whole number from {low} to {high}, not {shown}.")
    if tune and not state.get(KEY.base_model):
        raise ValueError("Pick a model to fine-tune.")
    preset = PRESETS["tune" if tune else "new"]
    config = TrainConfig(
        arch=state.get(KEY.arch, preset.arch),
        epochs=int(epochs),
        batch_size=state[KEY.batch_size],
        learning_rate=state[KEY.learning_rate],
        train_size=state[KEY.train_size],
        augment=state[KEY.augment],
        base_model=state.get(KEY.base_model) if tune else None,
        mistake=state.get(KEY.mistake, preset.mistake),
    )
    return config, state[KEY.name].strip(), state[KEY.overwrite]


def comparison_ui(summary: ModelMetadata) -> None:
    """Test accuracy against the model that came before, and for a fine-tune the drawings
    before → after; a fall of more than half a point is a warning, not a success."""
    if summary.mistake:
        st.warning(
            f"**Made with a classic mistake on purpose: {summary.mistake}.** Its figures "
            "show what that mistake does; the next run is a normal one again.",
            icon=":material/science:",
        )
    change, before = summary.accuracy_change, summary.previous_accuracy
    honesty = summary.non_digits_not_sure
    columns = iter(st.columns(4 if honesty is not None else 3))
    next(columns).metric(
        "Test accuracy",
        f"{summary.test_accuracy:.2%}",
        delta=None if change is None else f"{change * 100:+.2f} points (was {before:.2%})",
        help="Share of the 10,000 MNIST test digits it reads right"
        + (
            f", against `{summary.fine_tuned_from}`, measured on the same digits just before."
            if summary.fine_tuned_from
            else ", against the saved model it replaced."
            if before is not None
            else "."
        ),
    )
    next(columns).metric("Test loss", f"{summary.test_loss:.4f}")
    if honesty is not None:
        was = summary.base_non_digits_not_sure
        next(columns).metric(
            "Non-digits “not sure”",
            f"{honesty:.0%}",
            delta=None if was is None else f"{(honesty - was) * 100:+.0f} points (was {was:.0%})",
            help="Share of marks that are no digit (letters, faces, stars, arrows, "
            "scribbles, lines, dots; drawn apart from any training) that it answers "
            "“not sure” instead of naming a digit"
            + (f", against `{summary.fine_tuned_from}` on the same marks." if was else "."),
        )
    if summary.drawings_accuracy_after is not None:
        after, was = summary.drawings_accuracy_after, summary.drawings_accuracy_before
        next(columns).metric(
            f"The {summary.drawings} drawings (trained on)",
            f"{was:.0%} → {after:.0%}",
            help="Read right before and after. It trained on these very drawings, each "
            f"repeated {summary.drawing_repeats} times per epoch, so a rise here says little "
            "(a wrong label is learned too): draw new ones to see if it learned your "
            "handwriting; the Evaluate page compares all models.",
        )
        st.caption(
            f"It trained on the class's {summary.drawings} saved drawings, everyone's who "
            f"drew on this app, each repeated {summary.drawing_repeats} times per epoch."
        )
    if summary.worse:
        what = (
            f"`{summary.fine_tuned_from}`, the model it started from"
            if summary.fine_tuned_from
            else "the saved model it replaced"
        )
        st.warning(
            f"**Worse than before.** Test accuracy fell from {before:.2%} to "
            f"{summary.test_accuracy:.2%} ({change * 100:+.2f} points) against {what}: it "
            "now misreads MNIST digits it used to read. Wrong labels among the drawings, "
            "or too few of them, do this.",
            icon=":material/warning:",
        )
    if summary.less_honest:
        was = summary.base_non_digits_not_sure
        st.warning(
            f"**Less honest than before.** It answers “not sure” to {honesty:.0%} of marks "
            f"that are no digit, against {was:.0%} for `{summary.fine_tuned_from}`: it now "
            "names a digit for more letters, faces and scribbles.",
            icon=":material/warning:",
        )


def charts_ui(state: JobState) -> None:
    """The loss and accuracy curves side by side (nothing before the first batch)."""
    data = curves(state)
    if data.empty:
        return
    loss, accuracy = st.columns(2)
    for column, metric in ((loss, "loss"), (accuracy, "accuracy")):
        curves_ui(column, data, metric, state.config.epochs)
    if state.epochs:
        history = {
            key: [logs.get(key) for logs in state.epochs] for key in ("accuracy", "val_accuracy")
        }
        mistake = MISTAKE_NAMES.get(state.config.mistake)
        st.caption(gap_text(history, augment=state.config.augment, mistake=mistake))


def progress_line(state: JobState) -> str:
    """Keras-style progress: epoch i/N, batch j/M, images/s, time left."""
    if state.status == JobStatus.STARTING:
        if state.config.base_model:
            return (
                f"Starting: loading TensorFlow, MNIST and `{state.config.base_model}`, and "
                "testing it on 10,000 digits to compare the result with…"
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
    return _frame(frames + _epoch_frames(state.epochs))


def _epoch_frames(epochs: list[dict]) -> list[pd.DataFrame]:
    """Per-epoch training and validation points from Keras's logs, each with its "epoch"."""
    return [
        pd.DataFrame(
            {
                "epoch": [logs["epoch"]] * 2,
                "value": [logs.get(metric), logs.get(f"val_{metric}")],
                "metric": metric,
                "series": [PER_EPOCH, VALIDATION],
            }
        )
        for logs in epochs
        for metric in ("loss", "accuracy")
    ]


def _frame(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(columns=["epoch", "value", "metric", "series"])
    return pd.concat(frames, ignore_index=True).dropna()


def _running_average(values: np.ndarray) -> np.ndarray:
    out = np.empty_like(values)
    out[0] = values[0]
    for i in range(1, len(values)):
        out[i] = (1 - SMOOTHING) * out[i - 1] + SMOOTHING * values[i]
    return out


def curve_chart(metric: str, epochs: int) -> dict:
    """One metric over training as a Vega-Lite spec, x in epochs: a smoothed per-batch line,
    per-epoch points; its data is the curves() rows of that metric.

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
                "scale": {
                    "domain": [PER_BATCH, PER_EPOCH, VALIDATION],
                    "range": ["#9aa5b1", "#1f77b4", "#ff4b4b"],
                },
                # labelLimit 0: the whole label, however narrow the column (cut at 160 px)
                "legend": {"orient": "top", "direction": "vertical", "labelLimit": 0},
            },
        },
        "layer": [
            {"transform": [{"filter": per_batch}], "mark": "line"},
            {"transform": [{"filter": f"!({per_batch})"}], "mark": {"type": "line", "point": True}},
        ],
    }


def curves_ui(column, data: pd.DataFrame, metric: str, epochs: int) -> None:
    """The chart of `metric` from the curves() rows in `data`, in `column`."""
    column.vega_lite_chart(
        data[data["metric"] == metric],
        curve_chart(metric, epochs),
        width="stretch",
        height=CHART_HEIGHT,
    )
