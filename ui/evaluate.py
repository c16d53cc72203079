"""Evaluate page widgets: headline figures, accuracy per digit, the confusion matrix with
its drill-down gallery, and the table comparing every saved model."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from mnist_core.drawings import DrawingSet
from mnist_core.evaluation import accuracy_and_loss, confusion_matrix, mistakes, per_digit_accuracy
from mnist_core.store import ModelError, ModelInfo
from ui.charts import digit_bars
from ui.services import drawings_probabilities, mnist_test

GALLERY_SIZE = 40
GALLERY_COLUMNS = 8


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
    columns = st.columns(GALLERY_COLUMNS)
    for k, index in enumerate(shown):
        columns[k % GALLERY_COLUMNS].image(
            x_test[index],
            caption=f"{probs[index, pred]:.0%}",
            width="stretch",
        )


def drawings_ui(model: ModelInfo, models: dict[str, ModelInfo], drawings: DrawingSet) -> None:
    """The model on the user's own drawings, and against the model it was fine-tuned from."""
    st.subheader("On your own drawings")
    if not len(drawings):
        st.caption(
            "No saved drawings yet: on the Draw page, pick the right digit under “Wrong? "
            "It was a …” to keep a drawing, and see here how each model reads your hand."
        )
        return
    accuracy = drawings_accuracy(model, drawings)
    base_name = model.metadata.fine_tuned_from
    base = models.get(base_name)
    if base is not None and base.usable:
        before = drawings_accuracy(base, drawings)
        st.metric(
            f"Your {len(drawings)} drawings, before → after fine-tuning",
            f"{accuracy:.1%}",
            delta=f"{accuracy - before:+.1%} against {base_name} ({before:.1%})",
        )
        used = model.metadata.drawings
        st.caption(
            f"It was fine-tuned on the {used} drawings saved then: on those it has seen, "
            "a rise is expected; drawings added since show whether it learned your hand."
        )
    else:
        st.metric(f"Your {len(drawings)} drawings", f"{accuracy:.1%}")


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
                "mistake": "" if config is None or config.mistake == "none" else config.mistake,
                "training time (s)": meta.training_seconds,
                "test accuracy": meta.test_accuracy,
                "your drawings": mine,
            }
        )
    table = pd.DataFrame(rows)
    # without saved drawings the column would be all None, printed in words
    return table if len(drawings) else table.drop(columns="your drawings", errors="ignore")


TABLE_COLUMNS = {
    "parameters": st.column_config.NumberColumn(format="localized"),
    "epochs": st.column_config.NumberColumn(
        format="%.3g", help="Epochs trained; a stopped run counts the part of one it did."
    ),
    "training time (s)": st.column_config.NumberColumn(format="%.0f"),
    "test accuracy": st.column_config.NumberColumn(format="percent"),
    "your drawings": st.column_config.NumberColumn(
        format="percent", help="Share of your saved drawings read right."
    ),
}
