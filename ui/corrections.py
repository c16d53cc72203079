"""The user's own handwriting on the Draw page: "Wrong? It was a …", and the saved drawings."""

from __future__ import annotations

import numpy as np
import streamlit as st

from mnist_core.drawings import (
    DRAWINGS_DIR,
    delete_all_drawings,
    delete_drawing,
    read_canvas,
    save_drawing,
)
from ui.confirm import answer_ui, ask, asking, forget
from ui.layout import lazy_expander
from ui.services import saved_drawings

GALLERY_COLUMNS = 8
MANAGER = "draw_manage"  # the saved drawings' expander: its state is whether it is open
SAVED_SINCE = "draw_saved_since"  # a correction was saved (app_pages/draw.py reads it)


def remember_drawing(digit: np.ndarray, canvas: np.ndarray) -> None:
    """Keep the drawing on screen, so that a correction saves exactly what was read (and
    the Train page pins it)."""
    st.session_state["draw_last"] = (digit, canvas)


def forget_drawing() -> None:
    """No digit on screen (cleared, only a dot, or a number): nothing to save or pin."""
    st.session_state.pop("draw_last", None)


def correction_ui(on_saved, round_: int) -> None:
    """Ten digit pills; choosing one saves the drawing on screen with that label.

    `round_` changes after each save (or Clear), so fresh pills, none chosen, await the
    next drawing; un-choosing the old ones instead raced with the browser's copy of them.
    """
    key = f"draw_correct_{round_}"
    st.pills(
        "Wrong? It was a …",
        list(range(10)),
        key=key,
        on_change=_save_correction,
        args=(key, round_, on_saved),
        help="Saves this drawing with the right digit among the class's drawings "
        f"(`{DRAWINGS_DIR.name}/` in the data folder, shared by everyone who uses this "
        "app), to test models on them and fine-tune them on the Train page.",
    )
    if error := st.session_state.pop("draw_correction_error", None):
        st.error(error)
    counts = saved_drawings().counts()
    if counts.sum():
        st.caption(
            f"The class's saved drawings: {int(counts.sum())} — "
            + " · ".join(f"{d}: {n}" for d, n in enumerate(counts))
        )


def _save_correction(key: str, round_: int, on_saved) -> None:
    label = st.session_state.get(key)
    last = st.session_state.get("draw_last")
    # One save per round: the browser may report the old pills' choice once more
    if label is None or last is None or st.session_state.get("draw_saved_round") == round_:
        return
    st.session_state["draw_saved_round"] = round_
    digit, canvas = last
    try:
        save_drawing(digit, label, canvas)
    except (OSError, ValueError) as err:
        st.session_state["draw_correction_error"] = f"Could not save the drawing: {err}"
        return
    st.session_state[SAVED_SINCE] = True
    n = int(saved_drawings().counts()[label])
    st.toast(
        f"Saved as {a_digit(label)}. The class has {n} of them. Draw the next one.",
        icon=":material/check_circle:",
    )
    on_saved()


def a_digit(digit: int) -> str:
    """'a 7', 'an 8': the digit with its article, as it is read aloud."""
    return f"{'an' if digit == 8 else 'a'} {digit}"


DELETED = "draw_deleted"  # what the last Delete removed, said once inside the expander
QUESTION = "draw_delete"  # ui.confirm's key: a drawing id (or ALL) waits for a yes
ALL = "all"


def drawings_manager_ui() -> None:
    """An expander listing the class's saved drawings by digit, each with a Delete that
    asks once, and a Delete all with its own confirmation."""
    # A fixed label: Streamlit makes an expander anew, closed, when its label changes, so
    # a count in it shut the panel at every Delete.
    with lazy_expander("The class's saved drawings", "photo_library", MANAGER) as box:
        if not box.open:
            return
        drawings = saved_drawings()
        if deleted := st.session_state.pop(DELETED, None):
            st.success(deleted, icon=":material/delete:")
        for problem in drawings.problems:
            st.warning(f"Skipped an unreadable drawing file: {problem}", icon="⚠️")
        if not len(drawings):
            st.write(
                "None yet. When the model reads a drawing wrong, pick the right digit under "
                "“Wrong? It was a …”: the drawing is kept here, with everyone else's who "
                "uses this app, and the Train page can fine-tune a model on them."
            )
            return
        counts = drawings.counts()
        st.caption(
            f"{len(drawings)} drawings, everyone's who corrected one on this app (there is "
            "no sign-in: whoever opens this page can delete them). By digit:"
        )
        _confirm_ui(len(drawings))
        # the choice lives in session state: a default that follows the counts would make
        # the control anew (and pick another digit) after each Delete
        st.session_state.setdefault("draw_manage_digit", int(np.argmax(counts)))
        digit = st.segmented_control(
            "Digit",
            list(range(10)),
            format_func=lambda d: f"{d} ({counts[d]})",
            key="draw_manage_digit",
        )
        if digit is None:
            return
        ids = [i for i, label in zip(drawings.ids, drawings.labels) if label == digit]
        columns = st.columns(GALLERY_COLUMNS)
        for k, drawing_id in enumerate(reversed(ids)):
            with columns[k % GALLERY_COLUMNS]:
                st.image(_thumbnail(drawing_id), width="stretch")
                st.button(
                    "Delete",
                    key=f"draw_delete_{drawing_id}",
                    on_click=ask,
                    args=(QUESTION, drawing_id),
                    icon=":material/delete:",
                    type="tertiary",
                )
        st.button(
            f"Delete all {len(drawings)} drawings…",
            key="draw_delete_all",
            on_click=ask,
            args=(QUESTION, ALL),
            icon=":material/delete_sweep:",
        )


def _confirm_ui(total: int) -> None:
    """The one question a Delete asks before anything goes: yes or cancel."""
    subject = asking(QUESTION)
    if subject is None:
        return
    ids = saved_drawings().ids
    if subject != ALL and subject not in ids:  # deleted meanwhile, from another tab
        forget(QUESTION)
        return
    with st.container(border=True, key="draw_confirm"):
        if subject == ALL:
            st.warning(
                f"Delete all {total} saved drawings, everyone's? They can't be restored, "
                "and fine-tuning needs them.",
                icon=":material/warning:",
            )
        else:
            label = int(saved_drawings().labels[ids.index(subject)])
            left, right = st.columns([1, 4], vertical_alignment="center")
            left.image(_thumbnail(subject), width=56)
            right.warning(
                f"Delete this drawing of {a_digit(label)}? It is gone for everyone.",
                icon=":material/warning:",
            )
        answer_ui(QUESTION, _delete, subject)


def _delete(drawing_id: str) -> None:
    drawings = saved_drawings()
    try:
        if drawing_id == ALL:
            removed = delete_all_drawings()
            st.session_state[DELETED] = f"Deleted all {removed} saved drawings."
            return
        if drawing_id not in drawings.ids:
            st.session_state[DELETED] = "That drawing was deleted already."
            return
        digit = int(drawings.labels[drawings.ids.index(drawing_id)])
        delete_drawing(drawing_id)
    except (OSError, ValueError) as err:
        st.session_state[DELETED] = f"Could not delete that drawing: {err}"
        return
    left = int(drawings.counts()[digit]) - 1
    st.session_state[DELETED] = f"Deleted a drawing of {a_digit(digit)}; {left} of them left."


def _thumbnail(drawing_id: str) -> np.ndarray:
    canvas = read_canvas(drawing_id)
    if canvas.size == 0:  # saved without its canvas: show the model input instead
        index = saved_drawings().ids.index(drawing_id)
        return saved_drawings().digits[index]
    return canvas[::4, ::4, :3] if canvas.ndim == 3 else canvas[::4, ::4]
