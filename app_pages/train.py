"""Train page: choose settings, start, watch loss and accuracy live, stop, then draw."""

import streamlit as st

from mnist_core.config import NEW_MODEL
from mnist_core.processes.training import JobBusy
from ui.services import (
    mnist_problem,
    mnist_test,
    saved_drawings,
    saved_models,
    session_id,
    training_runner,
)
from ui.train_curves import EXPLAINER
from ui.train_form import new_arch, settings_ui, started
from ui.train_live import elsewhere_ui, live_ui
from ui.train_outcome import outcome_ui
from ui.train_pinned import pinned_ui


def start_ui(runner) -> None:
    """The form; a Start with valid settings starts the run, and the page shows it."""
    form, pins_box = st.container(border=True), st.container(border=True)
    drawings = saved_drawings()
    with pins_box:  # drawn below the form, chosen first: Start sends them
        pins = pinned_ui(drawings, *mnist_test(), new_arch(), NEW_MODEL.seed)
    with form:
        request = settings_ui(saved_models(), drawings.counts(), pins)
    if request is None:
        return
    try:
        runner.start(request, owner=session_id())
    except JobBusy as err:  # someone else pressed Start first
        st.error(str(err))
        return
    started(request)
    st.rerun()


st.title(":material/model_training: Train a model")
st.markdown(EXPLAINER)
if problem := mnist_problem():
    st.error(
        f"**Training needs the MNIST digits, and they can't be read.** {problem}. "
        "Then reload this page. Drawing with saved models still works meanwhile.",
        icon=":material/folder_off:",
    )
    st.stop()
runner = training_runner()
job = runner.current()
# No st.stop() below: a run that stops early keeps the hidden form's widget values on the
# server but not in the browser, which then showed a kept 1 epoch as 0.
if job is not None and not job.finished:
    live_ui(job, session_id())  # one training at a time: everyone watches it, anyone stops it
else:
    if job is not None:
        outcome_ui(job, runner.current)  # the last run's result, until the next starts
    elsewhere_ui()  # other replicas' trainings, from the shared models folder
    start_ui(runner)
