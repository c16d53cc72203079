"""Evaluate page: how a saved model does on the 10,000 MNIST test digits, where it goes
wrong (confusion matrix → the very images), on the user's drawings, and all models side
by side."""

import streamlit as st

from mnist_core.store import DEFAULT_MODEL, ModelError
from ui.evaluate import (
    TABLE_COLUMNS,
    comparison_table,
    confusion_ui,
    delete_model_ui,
    drawings_ui,
    figures_ui,
    gallery_ui,
)
from ui.services import mnist_problem, mnist_test, saved_drawings, saved_models, test_probabilities

st.title(":material/analytics: Evaluate a model")
st.write(
    "Every saved model is tested on the 10,000 MNIST test digits, which no model trains on. "
    "The confusion matrix counts, for each true digit (row), what the model read (column): "
    "the diagonal is right, everything else is a mistake. Click a cell to see those digits."
)
models = [m for m in saved_models() if m.usable]
if not models:
    st.error("No usable model in `models/`. Train one on the Train page.")
    st.stop()
if problem := mnist_problem():
    st.error(
        f"**Testing needs the MNIST digits, and they can't be read.** {problem}.",
        icon=":material/folder_off:",
    )
    st.stop()
if said := st.session_state.pop("eval_deleted", None):
    kind, text = said
    (st.success if kind == "success" else st.error)(text)
by_name = {m.name: m for m in models}
if st.session_state.get("eval_model") not in by_name:
    st.session_state["eval_model"] = DEFAULT_MODEL if DEFAULT_MODEL in by_name else models[0].name
name = st.selectbox(
    "Model", list(by_name), key="eval_model", format_func=lambda n: by_name[n].describe()
)
if mistake := by_name[name].metadata.mistake:
    st.warning(
        f"`{name}` was made with a classic mistake on purpose ({mistake}) on the Train "
        "page: its figures show what that mistake does.",
        icon=":material/science:",
    )
delete_model_ui(by_name[name])
try:
    probs = test_probabilities(by_name[name])
except ModelError as err:
    st.error(f"This model can't be tested: {err}")
    st.stop()
labels = mnist_test()[1]
drawings = saved_drawings()
confusion = figures_ui(probs, labels)
matrix, gallery = st.columns([5, 6], gap="large")
with matrix:
    true, pred = confusion_ui(confusion)
with gallery.container(key="eval_gallery"):
    gallery_ui(probs, true, pred)
drawings_ui(by_name[name], by_name, drawings)
st.subheader("All models side by side")
st.dataframe(comparison_table(models, drawings), hide_index=True, column_config=TABLE_COLUMNS)
