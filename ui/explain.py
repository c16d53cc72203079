"""The Draw page's "How the model decided" expander: every step on the current drawing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image, ImageDraw
from scipy import ndimage

from mnist_core.preprocess import BOX, Steps
from mnist_core.store import ModelError, ModelInfo
from ui.services import prediction_worker

STEP_WIDTH = 150  # pixels each step's picture is shown at
PICTURE_COLUMNS = 8
EVIDENCE_WIDTH = 224  # the evidence map, 8 screen pixels per input pixel; fits a phone
CAPTION_WIDTH = 300  # beside the map on a desktop, under it on a phone
NEIGHBOUR_WIDTH = 64  # each nearest training image: 8 in a row on a desktop, 4 on a phone
RED = np.array([0.84, 0.15, 0.16], np.float32)  # towards the answer
BLUE = np.array([0.13, 0.35, 0.80], np.float32)  # towards the runner-up
FRAME = 0.8

FROM_LOGITS = """
**Why logits, and `from_logits=True`.** The last layer has no softmax: it outputs ten
raw scores, the logits. The loss, `SparseCategoricalCrossentropy(from_logits=True)`, applies
softmax itself, in one step with the logarithm it needs, which stays exact even for very
confident scores (softmax first, then log, rounds a tiny probability to 0 and its log to
−∞). The app applies softmax only to show probabilities.

Two classic mistakes, which the Train page can make on purpose (under *Advanced*):
- **`from_logits` forgotten** (`from_logits=False` on raw scores): the loss takes the scores
  for probabilities. Keras clips each into [10⁻⁷, 1] and takes its logarithm, so every
  score below 0 counts as 10⁻⁷ and every score above 1 as 1, and a clipped score gets no
  gradient: only the scores that happen to lie between 0 and 1 teach the network anything.
  It still learns, more slowly and unevenly than it should, with a loss that starts high
  (a right answer cut to 10⁻⁷ costs up to −log 10⁻⁷ ≈ 16). The Train page (under
  *Advanced*) shows the curves of the latest such run saved on this install.
- **Softmax applied twice** (a softmax at the end of the model *and* `from_logits=True`):
  the loss squeezes probabilities, all between 0 and 1, through softmax again, so even a
  perfect answer scores e¹/(e¹+9) ≈ 23%: the loss can't fall below 1.46 and learning is
  slower. (Keras catches this when the softmax is its own layer or function, warns and uses
  the scores before it; a hand-written softmax slips through.)
"""


def pipeline_ui(canvas: np.ndarray, steps: Steps, model: ModelInfo) -> None:
    """The steps from canvas to probabilities, with the real intermediate images."""
    try:
        seen = prediction_worker().explain(model.path, steps.digit)
    except ModelError as err:
        st.error(f"This model can't be explained: {err}")
        return
    top, left, bottom, right = steps.bbox
    one, two, three, four = st.columns(4)
    one.image(_rgb(canvas), width=STEP_WIDTH)
    one.caption("**1. Your canvas**, 280×280 pixels, as the browser sends it.")
    two.image(_with_box(steps.ink, steps.bbox), width=STEP_WIDTH)
    two.caption(
        f"**2. The ink's bounding box**, {right - left}×{bottom - top} pixels: "
        "everything outside it is dropped (stray dots too)."
    )
    three.image(
        _enlarged(steps.boxed, STEP_WIDTH // BOX), width=STEP_WIDTH * steps.boxed.shape[1] // BOX
    )
    three.caption(
        f"**3. Scaled into 20×20**, keeping its shape: {steps.boxed.shape[1]}×"
        f"{steps.boxed.shape[0]} pixels, as every MNIST digit was."
    )
    four.image(_with_centre(steps.digit), width=STEP_WIDTH)
    four.caption(
        "**4. Centred in 28×28** so the ink's centre of mass (red) sits at the middle: "
        "this is all the model sees."
    )
    logits = np.asarray(seen["logits"], np.float64)
    exp = np.exp(logits - logits.max())
    table = pd.DataFrame(
        {
            "digit": range(10),
            "logit (raw score)": logits,
            "e^(logit − max)": exp,
            "probability": exp / exp.sum(),
        }
    )
    st.markdown(
        "**5. Ten logits.** The network's output: one raw score per digit, any real "
        "number; higher means more likely. **6. Softmax** turns them into probabilities: "
        "each score is exponentiated and divided by the sum, so they are positive and add up "
        "to 1, and a lead of a few points in score becomes near certainty."
        + _temperature_note(model)
    )
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "logit (raw score)": st.column_config.NumberColumn(format="%.2f"),
            "e^(logit − max)": st.column_config.NumberColumn(format="%.2e"),
            "probability": st.column_config.ProgressColumn(
                format="percent", min_value=0, max_value=1
            ),
        },
    )
    why_ui(steps, model)
    _first_layer_ui(seen)
    st.markdown(FROM_LOGITS)


def why_ui(steps: Steps, model: ModelInfo) -> None:
    """Which ink made the answer (red) and which pulled towards the runner-up (blue), and
    the training images the drawing looks most like to the model."""
    with st.spinner(
        "Finding the nearest of MNIST's 60,000 training images: the first time for a "
        "model, this reads them all through it (up to a minute)…"
    ):
        try:
            found = prediction_worker().why(model.path, steps.digit)
        except ModelError as err:
            st.error(f"This model can't be explained: {err}")
            return
    e, near = found.evidence, found.neighbours
    st.markdown(
        f"**7. Why {e.digit}?** Red: ink that pushed towards **{e.digit}**; blue: ink that "
        f"pushed towards the runner-up, **{e.runner_up}**; the stronger, the deeper."
    )
    with st.container(horizontal=True, key="explain_why"):
        st.image(evidence_picture(steps.digit, e.map), width=EVIDENCE_WIDTH)
        st.caption(
            f"Made from the model's gradient: how fast its lead of {e.digit} over "
            f"{e.runner_up} would fall as each pixel's ink fades, times that ink, blurred "
            "by a pixel so strokes show. Check: "
            "without the 10% of the ink "
            f"marked reddest, it says {e.digit} with {e.deletion.after_top_10:.0%}; "
            f"without a random 10%, {e.deletion.after_random_10:.0%} "
            f"(with all of it, {e.deletion.answer:.0%}).",
            width=CAPTION_WIDTH,
        )
    st.markdown(
        f"**Your {e.digit} looks most like these** to the model: the 8 of MNIST's 60,000 "
        "training images nearest to it in the model's last hidden layer (the 128 numbers "
        "its answer is read from), nearest first, with their labels."
    )
    with st.container(horizontal=True, key="explain_neighbours", gap="small"):
        for image, label in zip(near.images, near.labels):
            st.image(
                _enlarged(image / 255.0, 2), width=NEIGHBOUR_WIDTH, caption=f"labelled {label}"
            )


def evidence_picture(digit: np.ndarray, evidence: np.ndarray, scale: int = 8) -> np.ndarray:
    """(28·scale, 28·scale, 3) float32 RGB in [0, 1]: the input's ink in grey on white, framed,
    tinted red where `evidence` is positive and blue where negative, by its strength
    relative to the strongest (the 98th percentile, so one pixel does not wash out the
    rest)."""
    reach = float(np.percentile(np.abs(evidence[digit > 0]), 98)) if (digit > 0).any() else 0.0
    strength = np.clip(np.abs(evidence) / reach, 0, 1) if reach > 0 else np.zeros_like(evidence)
    grey = 1 - 0.35 * np.clip(digit, 0, 1)  # the ink, faint, so the colours read first
    picture = np.repeat(grey[..., None], 3, axis=-1)
    tint = np.where(evidence[..., None] > 0, RED, BLUE)
    picture = _enlarged_rgb(picture * (1 - strength[..., None]) + tint * strength[..., None], scale)
    # a faint frame: the model's 28×28 input, which would melt into a white page
    picture[[0, -1], :] = picture[:, [0, -1]] = FRAME
    return picture.astype(np.float32)


def _enlarged_rgb(picture: np.ndarray, scale: int) -> np.ndarray:
    return np.repeat(np.repeat(picture, scale, axis=0), scale, axis=1)


def _temperature_note(model: ModelInfo) -> str:
    """For a calibrated model: its last layer divides the scores by a temperature."""
    temperature = model.metadata.temperature
    if not temperature:
        return ""
    return (
        f" This model's last layer divides every score by {temperature:g}, a temperature "
        "fitted on drawings by writers it never trained on, so that when it says 80% it "
        "is right about 80% of the time; without it, it would sound surer than it is."
    )


def _first_layer_ui(seen: dict) -> None:
    if seen["kind"] == "feature_maps":
        st.markdown(
            "**Inside: the first layer's feature maps.** The first convolutional layer slides "
            f"{len(seen['pictures'])} small 3×3 filters over the image; each map shows where "
            "its filter found its pattern (an edge at some angle, a line end) in this "
            "drawing. Brighter is stronger. Later layers combine these into strokes and shapes."
        )
    elif seen["kind"] == "weights":
        st.markdown(
            "**Inside: the first layer's weights.** Each of the 128 hidden units weighs all "
            "784 pixels; drawn as 28×28 pictures, bright pixels are where ink raises the "
            "unit's output, dark where ink lowers it. Shown: the units this drawing drives "
            "most, strongest first."
        )
    else:
        return
    pictures, strengths = seen["pictures"], seen["strengths"]
    label = "mean response" if seen["kind"] == "feature_maps" else "drive"
    columns = st.columns(PICTURE_COLUMNS)
    for k, (picture, strength) in enumerate(zip(pictures, strengths)):
        columns[k % PICTURE_COLUMNS].image(
            _enlarged(picture, 3), caption=f"{label} {strength:.2f}", width="stretch"
        )


def _rgb(canvas: np.ndarray) -> np.ndarray:
    a = np.asarray(canvas)
    return a[..., :3] if a.ndim == 3 else a


def _enlarged(image: np.ndarray, scale: int) -> np.ndarray:
    """Pixels as visible blocks (no smoothing), for tiny images."""
    return np.kron(np.clip(image, 0, 1), np.ones((max(scale, 1),) * 2, np.float32))


def _with_box(ink: np.ndarray, bbox) -> Image.Image:
    top, left, bottom, right = bbox
    im = Image.fromarray((np.clip(ink, 0, 1) * 255).astype(np.uint8)).convert("RGB")
    width = max(2, ink.shape[0] // 100)
    ImageDraw.Draw(im).rectangle([left, top, right - 1, bottom - 1], outline="#ff4b4b", width=width)
    return im


def _with_centre(digit: np.ndarray, scale: int = 6) -> Image.Image:
    big = (_enlarged(digit, scale) * 255).astype(np.uint8)
    im = Image.fromarray(big).convert("RGB")
    r, c = ndimage.center_of_mass(digit)  # as preprocess.centre_by_mass measured it
    y, x = (r + 0.5) * scale, (c + 0.5) * scale
    ImageDraw.Draw(im).ellipse([x - 4, y - 4, x + 4, y + 4], fill="#ff4b4b")
    return im
