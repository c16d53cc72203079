"""Evaluate page widgets: headline figures, accuracy per digit, the confusion matrix with
its drill-down gallery, and the table comparing every saved model."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from mnist_core.drawings import DrawingSet
from mnist_core.evaluation import accuracy_and_loss, confusion_matrix, mistakes, per_digit_accuracy
from mnist_core.store import BUNDLED_MODELS, ModelError, ModelInfo, delete_saved_model
from ui.charts import digit_bars
from ui.confirm import answer_ui, ask, asking
from ui.services import drawings_probabilities, mnist_test

GALLERY_SIZE = 40
GALLERY_IMAGE = 64  # px: 8 to a row beside the matrix on a desktop, 4 on a phone


def figures_ui(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Accuracy, loss, errors, and the accuracy per digit; returns the confusion matrix."""
    confusion = confusion_matrix(labels, probs.argmax(1))
    summary = accuracy_and_loss(probs, labels)
    first, second, third = st.columns(3)
    first.metric(
        "Test accuracy", f"{summary.accuracy:.2%}", help="Of the 10,000 MNIST test digits."
    )
    second.metric("Test loss", f"{summary.loss:.4f}", help="Mean cross-entropy: lower is better.")
    third.metric("Digits read wrong", f"{int(confusion.sum() - np.trace(confusion)):,}")
    accuracy = per_digit_accuracy(confusion)
    floor = max(0.0, float(np.nanmin(accuracy)) - 0.02)
    st.markdown("**Accuracy per digit**")
    st.html(digit_bars(accuracy, domain=(floor, 1), value_format="{:.1%}", highlight_best=False))
    st.caption(f"Bars start at {floor:.0%}, so that the differences show.")
    return confusion


def confusion_ui(confusion: np.ndarray) -> tuple[int, int]:
    """The confusion matrix as a clickable heatmap, plus two pickers; the chosen pair."""
    cells = pd.DataFrame(
        [
            {"true": t, "predicted": p, "count": int(confusion[t, p]), "wrong": t != p}
            for t in range(10)
            for p in range(10)
        ]
    )
    cells["fill"] = cell_colours(cells["count"].to_numpy(), cells["wrong"].to_numpy())
    pick = alt.selection_point(name="cell", fields=["true", "predicted"], on="click")
    base = alt.Chart(cells).encode(
        x=alt.X("predicted:O", title="read as", axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("true:O", title="true digit"),
    )
    heat = (
        base.mark_rect(stroke="#dddddd")
        .encode(
            color=alt.Color("fill:N", scale=None),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.6)),
            tooltip=["true:O", alt.Tooltip("predicted:O", title="read as"), "count:Q"],
        )
        .add_params(pick)
    )
    text = base.mark_text(fontSize=12).encode(
        text="count:Q",
        color=alt.condition(
            "datum.count > 30 && datum.wrong", alt.value("white"), alt.value("#333")
        ),
    )
    event = st.altair_chart(
        alt.layer(heat, text).properties(title="Confusion matrix: rows are the true digit"),
        width=520,
        height=440,
        on_select="rerun",
        key="eval_confusion",
    )
    chosen = (event.selection.get("cell") or [None])[0] if event else None
    if chosen is not None:
        clicked = (int(chosen["true"]), int(chosen["predicted"]))
        if clicked != st.session_state.get("eval_clicked"):
            st.session_state["eval_clicked"] = clicked
            st.session_state["eval_true"], st.session_state["eval_pred"] = clicked
    if "eval_true" not in st.session_state:
        off = np.where(np.eye(10, dtype=bool), -1, confusion)
        st.session_state["eval_true"], st.session_state["eval_pred"] = map(
            int, np.unravel_index(np.argmax(off), off.shape)
        )
    left, right = st.columns(2)
    true = left.selectbox("True digit", range(10), key="eval_true")
    pred = right.selectbox("Read as", range(10), key="eval_pred")
    return true, pred


def cell_colours(counts: np.ndarray, wrong: np.ndarray) -> list[str]:
    """Hex colours: errors white (none) to red (the most), the diagonal light green.

    Colour by errors only: the diagonal's ~1,000s would wash out the few mistakes.
    """
    most = max(1, int(counts[wrong].max(initial=0)))
    share = np.sqrt(np.where(wrong, counts, 0) / most)
    white, red = np.array([255, 255, 255]), np.array([192, 57, 43])
    rgb = np.rint(white + share[:, None] * (red - white)).astype(int)
    return ["#" + bytes(c.tolist()).hex() if w else "#dcefdc" for c, w in zip(rgb, wrong)]


def gallery_ui(probs: np.ndarray, true: int, pred: int) -> None:
    """The test images of digit `true` read as `pred`, most confident mistakes first."""
    x_test, y_test = mnist_test()
    found = mistakes(probs, y_test, true, pred)
    what = "read right" if true == pred else f"read as a {pred}"
    st.subheader(f"{len(found)} test images of a {true} {what}")
    if not len(found):
        st.caption("None: pick another cell.")
        return
    shown = found[:GALLERY_SIZE]
    st.caption(
        f"Under each: how sure the model was that it is a {pred}"
        + (f"; the {len(shown)} it was surest of." if len(found) > len(shown) else ".")
    )
    # one row that wraps, not columns: on a phone columns stack, and the pictures came
    # out column by column (95, 90, 89, 69, 26, 68 … %), not surest first
    with st.container(horizontal=True, key="eval_gallery_images", gap="small"):
        for index in shown:
            st.image(x_test[index], caption=f"{probs[index, pred]:.0%}", width=GALLERY_IMAGE)


def drawings_ui(model: ModelInfo, models: dict[str, ModelInfo], drawings: DrawingSet) -> None:
    """The model on the class's saved drawings, and against the model it was fine-tuned
    from when it was fine-tuned on such drawings."""
    st.subheader("On the class's saved drawings")
    if not len(drawings):
        st.caption(
            "No saved drawings yet: on the Draw page, pick the right digit under “Wrong? "
            "It was a …” to keep a drawing, and see here how each model reads the class's "
            "handwriting."
        )
        return
    accuracy = drawings_accuracy(model, drawings)
    base_name = model.metadata.fine_tuned_from
    base = models.get(base_name)
    used = model.metadata.drawings
    if base is not None and base.usable and used:
        before = drawings_accuracy(base, drawings)
        st.metric(
            f"The {len(drawings)} saved drawings, before → after fine-tuning",
            f"{accuracy:.1%}",
            delta=points_change(accuracy, before, base_name),
            delta_color="normal" if round((accuracy - before) * 1000) else "off",
        )
        st.caption(
            f"It was fine-tuned on the {used} drawings saved then: on those it has seen, "
            "a rise is expected; drawings added since show whether it learned the class's hand."
        )
    else:
        st.metric(f"The {len(drawings)} saved drawings", f"{accuracy:.1%}")


def points_change(after: float, before: float, against: str) -> str:
    """'+1.2 points against NAME (97.0%)', or 'no change against …' below 0.05 points:
    shares compared in percentage points, the way the Train page compares them."""
    change = (after - before) * 100
    said = "no change" if abs(change) < 0.05 else f"{change:+.1f} points"
    return f"{said} against {against} ({before:.1%})"


def drawings_accuracy(model: ModelInfo, drawings: DrawingSet) -> float:
    return accuracy_and_loss(drawings_probabilities(model, drawings), drawings.labels).accuracy


def comparison_table(models: list[ModelInfo], drawings: DrawingSet) -> pd.DataFrame:
    """One row per usable model: how it was made and how well it reads."""
    rows = []
    for m in models:
        meta, config = m.metadata, m.metadata.config
        try:
            mine = drawings_accuracy(m, drawings) if len(drawings) else None
        except ModelError:
            mine = None
        rows.append(
            {
                "model": m.name,
                "architecture": meta.arch,
                "parameters": meta.params,
                # a stopped run's part of an epoch counts (epochs_trained, since issue 18)
                "epochs": meta.epochs_trained,
                "augmented": None if config is None else config.augment,
                # "" rather than None: the table would print None in words
                "fine-tuned from": meta.fine_tuned_from or "",
                "made with a mistake": meta.mistake or "",
                "training time (s)": meta.training_seconds,
                "test accuracy": meta.test_accuracy,
                "saved drawings": mine,
            }
        )
    table = pd.DataFrame(rows)
    # without saved drawings the column would be all None, printed in words
    return table if len(drawings) else table.drop(columns="saved drawings", errors="ignore")


TABLE_COLUMNS = {
    "parameters": st.column_config.NumberColumn(format="localized"),
    "epochs": st.column_config.NumberColumn(
        format="%.3g", help="Epochs trained; a stopped run counts the part of one it did."
    ),
    "training time (s)": st.column_config.NumberColumn(format="%.0f"),
    "test accuracy": st.column_config.NumberColumn(format="percent"),
    "saved drawings": st.column_config.NumberColumn(
        format="percent", help="Share of the class's saved drawings read right."
    ),
    # wide enough for "from_logits forgotten" whole
    "made with a mistake": st.column_config.TextColumn(
        width="medium", help="A classic mistake made on purpose on the Train page."
    ),
}


QUESTION = "eval_delete"  # ui.confirm's key: the model whose Delete waits for a yes


def delete_model_ui(model: ModelInfo) -> None:
    """Delete this model, after one question; the bundled models say why they stay."""
    if model.name in BUNDLED_MODELS:
        st.caption(
            f"`{model.name}` is bundled with the app, so it can't be deleted here. Models "
            "trained here can."
        )
        return
    if asking(QUESTION) != model.name:
        st.button(
            "Delete this model…",
            key="eval_delete",
            icon=":material/delete:",
            on_click=ask,
            args=(QUESTION, model.name),
        )
        return
    with st.container(border=True, key="eval_confirm"):
        st.warning(
            f"Delete `{model.name}` for everyone? Its file goes from the models folder; "
            "the Draw page then switches anyone using it to the bundled model.",
            icon=":material/warning:",
        )
        answer_ui(QUESTION, _delete_model, model)


def _delete_model(model: ModelInfo) -> None:
    name = model.name
    try:
        delete_saved_model(name, model.path.parent)  # where it was listed
    except (OSError, ValueError) as err:
        st.session_state["eval_deleted"] = ("error", f"Could not delete `{name}`: {err}")
        return
    st.session_state["eval_deleted"] = ("success", f"Deleted `{name}`.")
