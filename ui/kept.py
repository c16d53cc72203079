"""A widget's value kept across pages and runs.

Streamlit forgets a widget's value on any run that does not draw it: after a visit to
another page, or while the widget is hidden (the Train form while a training runs). The
value kept here is put back before the widget is drawn again (`restore`). Used by the
Train page's form, the Draw page's model and its canvas.
"""

from __future__ import annotations

import streamlit as st

KEPT = "kept"  # session state: {widget key: its last value}
RESET = "kept_reset"  # session state: {widget key: the value it takes at the next run}


def restore(key: str, default=None) -> None:
    """Before drawing widget `key`: give it the value set by `reset`, or put back the value
    Streamlit forgot, or `default` (if not None) on a first visit."""
    state = st.session_state
    resets = state.get(RESET, {})
    if key in resets:
        state[key] = resets.pop(key)
    elif key not in state:
        kept = state.get(KEPT, {})
        if key in kept:
            state[key] = kept[key]
        elif default is not None:
            state[key] = default


def keep(key: str) -> None:
    """After drawing widget `key`: remember its value for `restore`."""
    if key in st.session_state:
        st.session_state.setdefault(KEPT, {})[key] = st.session_state[key]


def reset(key: str, value) -> None:
    """Widget `key` takes `value` at the next run (a widget drawn in this run can no longer
    be changed in it), and keeps it."""
    st.session_state.setdefault(RESET, {})[key] = value
    st.session_state.setdefault(KEPT, {})[key] = value


def forgotten(key: str) -> bool:
    """True when widget `key` was drawn before (kept) but Streamlit has forgotten it: the
    page is drawn again after another page."""
    return key in st.session_state.get(KEPT, {}) and key not in st.session_state
