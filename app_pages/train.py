"""Train page: choose settings, start, watch loss and accuracy live, stop, then draw."""

import streamlit as st

from mnist_core.jobs import JobBusy, TrainingJob
from mnist_core.store import MODELS_DIR, delete_model
from ui.services import mnist_problem, saved_drawings, saved_models, session_id, training_runner
from ui.train import (
    CHART_HEIGHT,
    EXPLAINER,
    curve_chart,
    curves,
    progress_line,
    settings_from_state,
    settings_ui,
)

REFRESH_SECONDS = 1.0


def start() -> None:
    config, name, overwrite = settings_from_state(st.session_state)
    try:
        training_runner().start(config, name, MODELS_DIR, overwrite, owner=session_id())
    except (ValueError, JobBusy) as err:
        st.session_state["train_error"] = str(err)


def live_ui(job: TrainingJob) -> None:
    """Progress line, curves and Stop, refreshed every second while the job runs."""
    state = job.snapshot()
    if state.finished and st.session_state.get("train_watching"):
        st.session_state["train_watching"] = False
        st.rerun(scope="app")  # show the outcome and the settings again
    st.session_state["train_watching"] = not state.finished
    st.subheader(f"Training `{state.name}`")
    if not state.finished:
        st.progress(
            min(1.0, (state.epoch + (state.batch + 1) / max(state.steps, 1)) / state.config.epochs),
            text=progress_line(state),
        )
        if state.owner == session_id() and state.status in ("starting", "running"):
            # no tooltip: it would put a second button inside .st-key-train_stop
            st.button("Stop", key="train_stop", on_click=job.stop, icon=":material/stop:")
            st.caption(
                "Stop halts after the current batch; the model so far is then tested "
                "and saved, and you can keep or discard it."
            )
    data = curves(state)
    if not data.empty:
        loss, accuracy = st.columns(2)
        for column, metric in ((loss, "loss"), (accuracy, "accuracy")):
            column.altair_chart(
                curve_chart(data, metric, state.config.epochs), width="stretch", height=CHART_HEIGHT
            )


def outcome_ui(job: TrainingJob) -> None:
    state = job.snapshot()
    if state.status == "failed":
        st.error(f"Training `{state.name}` failed: {state.error}")
        return
    result = state.result
    if state.status != "done" or result is None:
        return
    if result["stopped"]:
        st.warning(
            f"Stopped early after {result['epochs']} epoch(s); the model so far was "
            f"tested and saved as `{state.name}`."
        )
    else:
        st.success(
            f"Done: saved as `{state.name}` in {result['seconds']:.0f} s "
            f"({result['images_per_second']:,.0f} images/s)."
        )
    first, second, third = st.columns(3)
    first.metric(
        "Test accuracy",
        f"{result['accuracy']:.2%}",
        help="Share of the 10,000 MNIST test digits it reads right.",
    )
    second.metric("Test loss", f"{result['loss']:.4f}")
    if result.get("drawings"):
        before, after = result["drawings_accuracy_before"], result["drawings_accuracy_after"]
        second.metric(
            f"Your {result['drawings']} drawings",
            f"{after:.0%}",
            delta=f"{after - before:+.0%} (was {before:.0%})",
            help="Read right by the fine-tuned model, against the model it started from. "
            "It trained on these very drawings, so draw new ones to see if it learned "
            "your handwriting; the Evaluate page compares all models.",
        )
    with third:
        if st.button(
            "Draw with this model", key="train_draw", type="primary", icon=":material/draw:"
        ):
            st.session_state["draw_model"] = state.name
            st.switch_page("app_pages/draw.py")
        if result["stopped"] and st.button(
            "Discard it", key="train_discard", icon=":material/delete:"
        ):
            delete_model(state.name, MODELS_DIR)
            st.toast(f"Deleted `{state.name}`.")


st.title(":material/model_training: Train a model")
st.markdown(EXPLAINER)
if problem := mnist_problem():
    st.error(
        f"**Training needs the MNIST digits, and they can't be read.** {problem}. "
        "Then reload this page. Drawing with saved models still works meanwhile.",
        icon=":material/folder_off:",
    )
    st.stop()

job = training_runner().current()
running = job is not None and not job.finished
if running and job.snapshot().owner != session_id():
    st.info(
        "A training is running on this server right now (one at a time). You can watch "
        "it live below; Start comes back when it ends.",
        icon="⏳",
    )
elif not running:
    if job is not None:
        outcome_ui(job)
    with st.container(border=True):
        settings_ui(saved_models(), saved_drawings().counts())
        st.button(
            "Start training",
            key="train_start",
            type="primary",
            icon=":material/play_arrow:",
            on_click=start,
        )
    if error := st.session_state.pop("train_error", None):
        st.error(error)
        st.stop()

job = training_runner().current()
if job is not None:
    st.fragment(live_ui, run_every=REFRESH_SECONDS if not job.finished else None)(job)
