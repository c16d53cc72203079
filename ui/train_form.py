"""The Train page's form: the settings of a run, kept across pages, and the request it
makes when Start is pressed (settings_ui returns it).

The settings are checked once, here, when the request is made: the page's own ranges,
then the request's own check (TrainingRequest); what starts it takes it as it is.
"""

from __future__ import annotations

from collections import namedtuple
from datetime import datetime

import numpy as np
import streamlit as st

from mnist_core.architectures import ARCHITECTURES, MISTAKES
from mnist_core.config import (
    FINE_TUNE,
    MAX_TRAIN_SIZE,
    MIN_FINE_TUNE_DRAWINGS,
    NEW_MODEL,
    TrainConfig,
    check_fine_tune_drawings,
    describe_preset,
    page_preset,
)
from mnist_core.config import drawing_repeats as repeats_for
from mnist_core.curves import history_epochs, saved_curves
from mnist_core.pinned import Pinned
from mnist_core.store import DEFAULT_MODEL, MODELS_DIR, ModelInfo, TrainingRequest
from ui.kept import keep, reset, restore
from ui.train_curves import charts_ui, gap_text

TRAIN_SIZES = {
    10_000: "10,000 (quick demo)",
    20_000: "20,000",
    30_000: "30,000",
    MAX_TRAIN_SIZE: f"{MAX_TRAIN_SIZE:,} (all)",
}
BATCH_SIZES = (16, 32, 64, 128, 256)  # the presets' batch sizes among them
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01)
MODES = {"new": "Train a new model", "tune": "Fine-tune a model on the saved drawings"}
EPOCHS_RANGE = (1, 50)  # on the page; the CLI allows more

# The form's widget keys (their names in session state), each spelled here once; those
# named like a TrainConfig field hold that setting. KEY.epochs == "train_epochs".
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
# the settings a preset puts on the form when its mode or architecture is picked
PRESET_FIELDS = ("epochs", "batch_size", "learning_rate", "train_size", "augment")


def preset_values(preset: TrainConfig) -> dict:
    """{widget key: value} of the form's settings that `preset` gives."""
    return {getattr(KEY, field): getattr(preset, field) for field in PRESET_FIELDS}


# The form's values on a first visit; after that, the session's last ones (ui.kept).
FORM_DEFAULTS = {
    KEY.mode: "new",
    KEY.arch: NEW_MODEL.arch,
    **preset_values(NEW_MODEL),
    KEY.overwrite: False,
    KEY.mistake: NEW_MODEL.mistake,
}


def settings_ui(
    models: list[ModelInfo], drawing_counts: np.ndarray, pins: Pinned | None = None
) -> TrainingRequest | None:
    """The form and its Start button: the run to start once Start is pressed with valid
    settings, else None (bad settings are said under the button); it answers for `pins`
    as it trains."""
    _restore(models)
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
            base = _base_model_ui(models, drawing_counts)
        else:
            base = None
            st.radio(
                "Architecture",
                list(ARCHITECTURES),
                key=KEY.arch,
                format_func=lambda a: f"{a} ({ARCHITECTURES[a].params:,} parameters)",
                captions=[arch_caption(a, models) for a in ARCHITECTURES],
                on_change=_arch_changed,
            )
        # No min/max here: out of range, the browser would keep the last valid value
        # (unseen) and Start would train with it; the request refuses it instead.
        epochs = st.number_input(
            f"Epochs ({EPOCHS_RANGE[0]}-{EPOCHS_RANGE[1]})",
            step=1,
            key=KEY.epochs,
            help="Passes over the training images. More is slower; past a point it stops helping.",
        )
        train_size = st.select_slider(
            "MNIST images mixed in" if mode == "tune" else "Training images",
            options=list(TRAIN_SIZES),
            format_func=TRAIN_SIZES.get,
            key=KEY.train_size,
            help="Fine-tuning keeps training on MNIST digits too, so the model does not "
            "forget them while it learns the drawings' handwriting."
            if mode == "tune"
            else None,
        )
    with right:
        batch_size = st.select_slider(
            "Batch size",
            options=BATCH_SIZES,
            key=KEY.batch_size,
            help="Images per weight update. Larger is faster per "
            "image but takes fewer, coarser steps.",
        )
        learning_rate = st.select_slider(
            "Learning rate",
            options=LEARNING_RATES,
            key=KEY.learning_rate,
            help="How big each nudge is. It shrinks smoothly to nearly zero by the last batch.",
        )
        augment = st.toggle(
            "Augmentation",
            key=KEY.augment,
            help="Show the network randomly slanted, rotated, thicker and "
            "thinner digits, crossed 7s and slashed 0s: slower to learn, much "
            "better at reading what people draw.",
        )
        name = st.text_input(
            "Model name",
            key=KEY.name,
            max_chars=64,
            help="Letters, digits, '_', '-' and '.'; saved in models/.",
        )
        overwrite = st.checkbox("Replace a saved model of that name", key=KEY.overwrite)
    mistake = _mistake_ui(models)
    for key in [*FORM_KEYS.values()]:
        keep(key)
    if not st.button(
        "Start training", key="train_start", type="primary", icon=":material/play_arrow:"
    ):
        return None
    try:
        if epochs is None or epochs != int(epochs) or not in_range(epochs, EPOCHS_RANGE):
            shown = "nothing" if epochs is None else f"{epochs:g}"
            low, high = EPOCHS_RANGE
            raise ValueError(f"Epochs must be a whole number from {low} to {high}, not {shown}.")
        if mode == "tune":
            if base is None:
                raise ValueError("Pick a model to fine-tune.")
            check_fine_tune_drawings(int(drawing_counts.sum()), train_size)
        config = TrainConfig(
            arch=st.session_state.get(KEY.arch, NEW_MODEL.arch),
            epochs=int(epochs),
            batch_size=batch_size,
            learning_rate=learning_rate,
            train_size=train_size,
            augment=augment,
            base_model=base,
            mistake=mistake,
        )
        return TrainingRequest(config, name.strip(), MODELS_DIR, overwrite, pinned=pins)
    except ValueError as err:
        st.error(str(err))
        return None


def new_arch() -> str | None:
    """The architecture of the new model the form is set to train; None for a fine-tune."""
    if st.session_state.get(KEY.mode, "new") != "new":
        return None
    return st.session_state.get(KEY.arch, NEW_MODEL.arch)


def started(request: TrainingRequest) -> None:
    """After the request's run has started: a classic mistake is for that run only, so the
    next gets a normal loss set-up, and a fresh default name."""
    reset(KEY.mistake, "none")
    reset(KEY.name, _default_name("tune" if request.config.base_model else "new", "none"))


def in_range(value, bounds: tuple[int, int]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _restore(models: list[ModelInfo]) -> None:
    """The session's last settings (or the defaults) before the form is drawn; a kept model
    name that is now taken (by its own run, usually) gets a fresh default."""
    for key, value in FORM_DEFAULTS.items():
        restore(key, value)
    restore(KEY.base_model)
    forgotten = KEY.name not in st.session_state  # not what the person typed this visit
    restore(KEY.name)
    name = st.session_state.get(KEY.name)
    if name is None or (forgotten and name in {m.name for m in models}):
        _name_default()


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
    st.session_state.update(preset_values(page_preset(arch)))
    _name_default()


def _name_default() -> None:
    state = st.session_state
    state[KEY.name] = _default_name(state.get(KEY.mode, "new"), state.get(KEY.mistake, "none"))


def _default_name(mode: str, mistake: str) -> str:
    """`cnn-1207-0930`, `cnn-no_from_logits-1207-0930` for a run made with a mistake (its
    name says so wherever it is shown), `default-mine-1207-0930` for a fine-tune."""
    state, now = st.session_state, datetime.now()
    if mode == "tune":
        return f"{state.get(KEY.base_model) or DEFAULT_MODEL}-mine-{now:%m%d-%H%M}"
    arch = state.get(KEY.arch, NEW_MODEL.arch)
    return f"{arch}{'' if mistake == 'none' else '-' + mistake}-{now:%m%d-%H%M}"


def _mistake_ui(models: list[ModelInfo]) -> str:
    """Advanced: the loss set-up, normal unless a classic mistake is picked for one run."""
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
    return mistake


def arch_caption(arch: str, models: list[ModelInfo]) -> str:
    """The architecture's summary and, measured here, its best saved model's test accuracy
    with the conditions it was trained under."""
    text = f"{ARCHITECTURES[arch].summary}; starts from {describe_preset(page_preset(arch))}"
    runs = [
        m
        for m in models
        if m.usable
        and m.metadata.arch == arch
        and m.metadata.test_accuracy is not None
        and not m.metadata.mistake
    ]
    if not runs:
        return f"{text}; no saved model of this kind yet"
    best = max(runs, key=lambda m: m.metadata.test_accuracy)
    return f"{text}; best saved here: {best.metadata.test_accuracy:.2%} ({conditions(best)})"


def conditions(model: ModelInfo) -> str:
    """How a saved model was trained, in a few words: `name`: 5 epochs on 20,000 images…"""
    m, config = model.metadata, model.metadata.config
    epochs = m.epochs_trained
    plural = "" if epochs == 1 else "s"
    parts = [
        f"`{model.name}`: {epochs:g} epoch{plural}" if epochs is not None else f"`{model.name}`"
    ]
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
    epochs = history_epochs(last.metadata.history)
    accuracy = last.metadata.test_accuracy
    st.caption(
        f"How it went here, per epoch ({conditions(last)})"
        + (f"; test accuracy {accuracy:.2%}. " if accuracy is not None else ". ")
        + gap_text(epochs, augment=last.metadata.config.augment, mistake=last.metadata.mistake)
    )
    charts_ui(saved_curves(last.metadata.history), len(epochs))


def _base_model_ui(models: list[ModelInfo], drawing_counts: np.ndarray) -> str | None:
    """The model to fine-tune (its name), and what the saved drawings hold and how they
    will be used."""
    usable = {m.name: m for m in models if m.usable}
    if st.session_state.get(KEY.base_model) not in usable:
        st.session_state[KEY.base_model] = DEFAULT_MODEL if DEFAULT_MODEL in usable else None
    base = st.selectbox(
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
    return base
