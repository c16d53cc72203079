"""The Train page once a training has ended: how it went against what came before (test
accuracy, honesty on non-digits, the drawings), its curves, and what next (draw with it,
keep the old model, discard it)."""

from __future__ import annotations

import streamlit as st

from mnist_core.processes.training import JobStatus, TrainingJob
from mnist_core.store import MODELS_DIR, ModelMetadata, model_path
from ui.draw import MODEL_LINK, open_on_draw
from ui.layout import action, link_action
from ui.train_curves import job_charts_ui
from ui.train_pinned import job_pinned_ui

REFRESH_SECONDS = 2.0
DISCARDED_HERE = "train_discarded_here"  # the model this session discarded last


def outcome_ui(job: TrainingJob, current) -> None:
    """The finished job's panel, as a fragment re-checked every few seconds: once its model
    is discarded (from any tab), or another training starts (`current()` is no longer
    this job), the panel goes, so no button here can act on a model that is gone."""
    st.fragment(_outcome, run_every=REFRESH_SECONDS)(job, current)


def _outcome(job: TrainingJob, current) -> None:
    if current() is not job:
        st.rerun(scope="app")
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
        link_action(
            draw,
            "Draw with this model",
            "train_draw",
            "draw",
            "app_pages/draw.py",
            {MODEL_LINK: state.name},
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
        job_pinned_ui(state, "train_pinned_after")
        job_charts_ui(state)


def _discard(job: TrainingJob) -> None:
    # A click that meets the panel's timed rerun calls this twice: Streamlit replays the
    # click in the rerun that follows. The second call must still say "Discarded", not
    # that someone else did (it replaced the first toast); that is for other viewers.
    name = job.snapshot().name
    if job.discard():
        st.session_state[DISCARDED_HERE] = name
    elif st.session_state.get(DISCARDED_HERE) != name:
        st.toast(f"`{name}` was already discarded.", icon=":material/info:")
        return
    st.toast(f"Discarded `{name}`.", icon=":material/delete:")


def _keep_old(job: TrainingJob, base: str) -> None:
    _discard(job)
    open_on_draw(base)


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
