"""Train page: choose settings, start, watch loss and accuracy live, stop, then draw."""

import streamlit as st

from mnist_core.config import TrainingRequest, check_fine_tune_drawings
from mnist_core.processes.training import JobBusy, JobState, JobStatus, TrainingJob
from mnist_core.store import MODELS_DIR, model_path
from ui.draw import KEPT_MODEL
from ui.services import mnist_problem, saved_drawings, saved_models, session_id, training_runner
from ui.train import (
    EXPLAINER,
    charts_ui,
    comparison_ui,
    forget_mistake,
    keep_settings,
    progress_line,
    restore_settings,
    settings_from_state,
    settings_ui,
)

REFRESH_SECONDS = 1.0
# A finished result is re-checked this often, so that a Discard (or a new training) from
# any tab takes it off every viewer's screen.
OUTCOME_REFRESH_SECONDS = 2.0


def action(place, label: str, key: str, icon: str, on_click, *args, primary=False) -> None:
    """One of this page's buttons in `place` (st, or a column): `key` names it (tests find
    it as .st-key-KEY), `icon` is a Material icon's name, a click calls on_click(*args);
    the primary one is the suggested next step."""
    place.button(
        label,
        key=key,
        type="primary" if primary else "secondary",
        icon=f":material/{icon}:",
        on_click=on_click,
        args=args,
    )


def start() -> None:
    # the values this click carries: a widget edited just before it sends its new value
    # with the click, after the last run that drew the form
    keep_settings(st.session_state)
    try:
        config, name, overwrite = settings_from_state(st.session_state)
        if config.base_model is not None:
            check_fine_tune_drawings(len(saved_drawings()), config.train_size)
        request = TrainingRequest(config, name, MODELS_DIR, overwrite)
        training_runner().start(request, owner=session_id())
    except (ValueError, JobBusy) as err:
        st.session_state["train_error"] = str(err)
        return
    forget_mistake(st.session_state)


def live_ui(job: TrainingJob) -> None:
    """Progress line, curves and Stop, refreshed every second while the job runs."""
    state = job.snapshot()
    if state.finished:
        st.rerun(scope="app")  # show the outcome and the settings again
    st.subheader(f"Training `{state.name}`")
    st.progress(
        min(1.0, (state.epoch + (state.batch + 1) / max(state.steps, 1)) / state.config.epochs),
        text=progress_line(state),
    )
    if state.status in (JobStatus.STARTING, JobStatus.RUNNING):
        # Anyone viewing can stop it, not only the tab that started it: that tab may have
        # been reloaded or closed, and a long run must never be left unstoppable.
        # no tooltip: it would put a second button inside .st-key-train_stop
        action(st, "Stop", "train_stop", "stop", job.stop)
        st.caption(
            "Stop halts after the current batch; the model so far is then tested and "
            "saved, and you can keep or discard it. There is no sign-in: anyone who has "
            "this page open, in any tab, can stop this training."
        )
    charts_ui(state)


def _discard(job: TrainingJob) -> None:
    name = job.snapshot().name
    if job.discard():
        st.toast(f"Discarded `{name}`.", icon=":material/delete:")
    else:
        st.toast(f"`{name}` was already discarded.", icon=":material/info:")


def _keep_old(job: TrainingJob, base: str) -> None:
    _discard(job)
    st.session_state["draw_model"] = st.session_state[KEPT_MODEL] = base


def _draw_with(name: str) -> None:
    # a model discarded meanwhile is simply not opened: the panel then goes (outcome_ui)
    if model_path(name, MODELS_DIR).exists():
        st.session_state["draw_model"] = st.session_state[KEPT_MODEL] = name
        st.session_state["train_go_draw"] = True


def outcome_ui(job: TrainingJob) -> None:
    """The finished run: how it went against what came before, its curves, what next.

    Re-checked every few seconds: once its model is discarded (from any tab), or another
    training starts, the panel goes, so no button here can act on a model that is gone.
    """
    if training_runner().current() is not job:
        st.rerun(scope="app")
    if st.session_state.pop("train_go_draw", False):
        st.switch_page("app_pages/draw.py")
    state = job.snapshot()
    if state.status == JobStatus.FAILED:
        st.error(f"Training `{state.name}` failed: {state.error}")
        return
    summary = None if state.outcome is None else state.outcome.metadata
    if summary is None or state.discarded or not model_path(state.name, MODELS_DIR).exists():
        if summary is not None:
            st.caption(f"The last training's model, `{state.name}`, was discarded.")
        return
    with st.container(border=True, key="train_outcome"):
        if summary.stopped_early:
            st.warning(
                f"Stopped early at {summary.trained(state.config.epochs)}; the model so "
                f"far was tested and saved as `{state.name}`."
            )
        else:  # not green when it came out worse than what came before
            (st.info if summary.regressed else st.success)(
                f"Done: {summary.trained(state.config.epochs)}, saved as `{state.name}` in "
                f"{summary.training_seconds:.0f} s ({summary.images_per_second:,.0f} images/s)."
            )
        comparison_ui(summary)
        draw, keep, discard = st.columns(3)
        action(
            draw,
            "Draw with this model",
            "train_draw",
            "draw",
            _draw_with,
            state.name,
            primary=not summary.regressed,
        )
        base = summary.fine_tuned_from
        if summary.regressed and base is not None:
            # no tooltip: it would put a second button inside .st-key-train_keep_old
            old = f"Keep the old model ({base})"
            action(keep, old, "train_keep_old", "undo", _keep_old, job, base, primary=True)
            keep.caption(f"Deletes `{state.name}`; Draw goes back to `{base}`.")
        if summary.stopped_early or summary.regressed:
            action(discard, "Discard it", "train_discard", "delete", _discard, job)
        charts_ui(state)


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
if job is not None and not job.finished:
    state: JobState = job.snapshot()
    if state.owner != session_id():
        st.info(
            "A training is running on this server right now (one at a time). You can "
            "watch it live below, and stop it; Start comes back when it ends.",
            icon=":material/hourglass_top:",
        )
    st.fragment(live_ui, run_every=REFRESH_SECONDS)(job)
else:
    if job is not None:
        st.fragment(outcome_ui, run_every=OUTCOME_REFRESH_SECONDS)(job)
    restore_settings(st.session_state, saved_models())
    with st.container(border=True):
        settings_ui(saved_models(), saved_drawings().counts())
        keep_settings(st.session_state)
        action(st, "Start training", "train_start", "play_arrow", start, primary=True)
    if error := st.session_state.pop("train_error", None):
        st.error(error)
