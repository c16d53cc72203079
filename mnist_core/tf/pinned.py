"""The untrained model's answer for pinned inputs: the start of the story a training run
tells on them (see mnist_core.pinned)."""

from __future__ import annotations

import numpy as np

from ..calibration import softmax
from ..data import load_mnist, to_float
from ..pinned import Untrained
from .models import build_model


def untrained(arch: str, seed: int, images: np.ndarray, batch: int = 32) -> Untrained:
    """A new `arch` model built with `seed` (the very weights a run with that seed starts
    from, see training.train), answering (N, 28, 28) float32 `images` in [0, 1], and its
    loss on the first `batch` MNIST training images."""
    model = build_model(arch, seed=seed)
    x_train, y_train, _, _ = load_mnist()
    logits = np.asarray(model.predict_on_batch(to_float(x_train[:batch])), np.float64)
    right = softmax(logits)[np.arange(batch), y_train[:batch]]
    probabilities = softmax(np.asarray(model.predict_on_batch(images), np.float64))
    return Untrained(probabilities, float(-np.log(right).mean()), batch)
