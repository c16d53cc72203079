"""One question before anything is deleted: a Delete asks (`ask`), and the page then shows
the question with Yes and Cancel (`answer_ui`). What is asked about is kept in session
state under `<key>_asking`; the buttons are `<key>_yes` and `<key>_no`."""

from __future__ import annotations

import streamlit as st


def asking(key: str):
    """What the question under `key` is about, or None when nothing is asked."""
    return st.session_state.get(f"{key}_asking")


def ask(key: str, subject) -> None:
    """A button's callback: ask about `subject` (a drawing id, a model) at the next run."""
    st.session_state[f"{key}_asking"] = subject


def forget(key: str) -> None:
    st.session_state.pop(f"{key}_asking", None)


def answer_ui(key: str, on_yes, *args) -> None:
    """Yes (calls on_yes(*args) once the question is forgotten) and Cancel, side by side."""
    yes, no = st.columns(2)
    yes.button(
        "Yes, delete", key=f"{key}_yes", type="primary", on_click=_yes, args=(key, on_yes, *args)
    )
    no.button("Cancel", key=f"{key}_no", on_click=forget, args=(key,))


def _yes(key: str, on_yes, *args) -> None:
    forget(key)
    on_yes(*args)
