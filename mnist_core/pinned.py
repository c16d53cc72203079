"""Pinned drawings: a few inputs a training run answers for as it goes, so that people
watch their own digit go from the untrained model's uniform guess to a confident answer.

Pure data here (no TensorFlow): the record a TrainingRequest carries to the training
process, and the default choice of what to pin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Two MNIST test digits pinned by default: a 7 and a 2, the first two of the test set, the
# tutorial's own first predictions.
DEFAULT_TEST_INDICES = (0, 1)
MAX_PINNED = 6  # a row of bars each: more would not fit a phone's screen
UNIFORM_LOSS = math.log(10)  # what a uniform guess over ten digits costs: -ln(1/10)


@dataclass(frozen=True)
class Pinned:
    """Inputs to answer for during training, each with its label and a caption.

    images: (N, 28, 28) float32 in [0, 1]; labels: (N,) int, the right digit (-1 unknown);
    captions: N short texts for people ("MNIST test digit #0", "your drawing").
    """

    images: np.ndarray
    labels: tuple[int, ...]
    captions: tuple[str, ...]

    def __post_init__(self):
        images = np.asarray(self.images, np.float32)
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            raise ValueError(f"pinned images must be (N, 28, 28), not {images.shape}")
        if not len(images) == len(self.labels) == len(self.captions):
            raise ValueError("pinned images, labels and captions differ in number")
        if len(images) > MAX_PINNED:
            raise ValueError(f"at most {MAX_PINNED} pinned drawings, not {len(images)}")
        object.__setattr__(self, "images", images)

    def __len__(self) -> int:
        return len(self.labels)


def pinned(
    x_test: np.ndarray,
    y_test: np.ndarray,
    drawing: np.ndarray | None = None,
    saved: list[tuple[np.ndarray, int, str]] = (),
) -> Pinned:
    """The pinned inputs: MNIST test digits DEFAULT_TEST_INDICES (x_test uint8 (N, 28, 28)
    0-255, y_test (N,)), then `drawing` ((28, 28) float32 in [0, 1], the Draw canvas's,
    label unknown) if given, then `saved` (image, label, caption) drawings; at most
    MAX_PINNED, the first ones kept."""
    images = [x_test[i].astype(np.float32) / 255.0 for i in DEFAULT_TEST_INDICES]
    labels = [int(y_test[i]) for i in DEFAULT_TEST_INDICES]
    captions = [f"MNIST test digit #{i}" for i in DEFAULT_TEST_INDICES]
    if drawing is not None:
        images.append(np.asarray(drawing, np.float32).reshape(28, 28))
        labels.append(-1)
        captions.append("your drawing on the Draw page")
    for image, label, caption in saved:
        images.append(np.asarray(image, np.float32).reshape(28, 28))
        labels.append(int(label))
        captions.append(caption)
    n = min(len(images), MAX_PINNED)
    return Pinned(np.stack(images[:n]), tuple(labels[:n]), tuple(captions[:n]))


@dataclass(frozen=True)
class Untrained:
    """What a new model answers before any training: `probabilities` (N, 10) for the pinned
    inputs, and `loss`, its mean cross-entropy on a batch of `batch` MNIST training images
    (≈ UNIFORM_LOSS: a uniform guess)."""

    probabilities: np.ndarray
    loss: float
    batch: int
