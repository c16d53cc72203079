"""The Train page while a training runs: who runs it, the progress bar and line, Stop,
and the live charts, refreshed every second for everyone viewing the page; and the
trainings other replicas run, followed until they end."""

from __future__ import annotations

import streamlit as st

from mnist_core.processes.training import JobState, JobStatus, TrainingJob
from mnist_core.reservations import TRAININGS_AT_ONCE, Reservation, active
from mnist_core.store import MODELS_DIR
from ui.layout import action
from ui.train_curves import job_charts_ui, progress_line
from ui.train_pinned import job_pinned_ui

REFRESH_SECONDS = 1.0
ELSEWHERE_SECONDS = 3.0  # another replica's training: looked at this often while it runs


def live_ui(job: TrainingJob, session: str | None) -> None:
    """The running job, as a fragment that redraws itself every second."""
    state: JobState = job.snapshot()
    if state.owner != session:
        st.info(
            "A training is running on this server right now (one at a time). You can "
            "watch it live below, and stop it; Start comes back when it ends.",
            icon=":material/hourglass_top:",
        )
    st.fragment(_live, run_every=REFRESH_SECONDS)(job)


def elsewhere_ui(models_dir=MODELS_DIR) -> None:
    """Trainings other replicas sharing the models folder run now (their reservations),
    said above the form. While one runs, the note looks again every ELSEWHERE_SECONDS;
    when one ends the whole page runs again, its saved model then in the lists."""
    running = len(_elsewhere(models_dir))
    every = ELSEWHERE_SECONDS if running else None
    st.fragment(_elsewhere_note, run_every=every)(models_dir, running)


def _elsewhere(models_dir) -> list[Reservation]:
    return [r for r in active(models_dir) if not r.mine]


def _elsewhere_note(models_dir, running: int) -> None:
    others = _elsewhere(models_dir)
    if len(others) < running:  # one ended: saved (or failed), and Start may be free
        st.rerun(scope="app")
    if others:
        limit = "one at a time" if TRAININGS_AT_ONCE == 1 else f"{TRAININGS_AT_ONCE} at once"
        st.info(
            "Training on another replica of this app (they share the saved models, "
            f"{limit}): " + "; ".join(r.describe() for r in others) + ". Its model appears "
            "in the lists here once it is saved.",
            icon=":material/dns:",
        )


def _live(job: TrainingJob) -> None:
    state = job.snapshot()
    if state.finished:
        st.rerun(scope="app")  # show the outcome and the settings again
    st.subheader(f"Training `{state.name}`")
    st.progress(state.fraction_done, text=progress_line(state))
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
    job_pinned_ui(state, "train_pinned_live")
    job_charts_ui(state)
