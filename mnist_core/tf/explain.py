"""What a model does with one input, for showing people: its raw scores, and its first layer.

For a convolutional model, the first layer's feature maps (after its normalisation and
ReLU): where in the image each learned filter responds. For a dense model, the first
layer's weights, each hidden unit's 784 weights drawn as a 28×28 picture: the pattern
of ink that excites it. Works on the Sequential models this project builds; for other
models the first-layer view is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import keras
import numpy as np

from ..preprocess import model_input

MAX_PICTURES = 32


@dataclass
class Explanation:
    logits: np.ndarray  # (10,) the model's raw scores; softmax turns them into probabilities
    kind: str | None = None  # "feature_maps" | "weights" | None
    pictures: np.ndarray | None = None  # (K, h, w) float32, each scaled to [0, 1]
    strengths: np.ndarray | None = None  # (K,) how strongly this input drives each one


def explain(model, digit: np.ndarray) -> Explanation:
    """Logits and a first-layer view for one (28, 28) input in [0, 1]."""
    x = model_input(digit)
    logits = np.asarray(model.predict_on_batch(x), np.float64)[0]
    layers = list(getattr(model, "layers", []))
    conv = next(
        (i for i, layer in enumerate(layers) if isinstance(layer, keras.layers.Conv2D)), None
    )
    dense = next((layer for layer in layers if isinstance(layer, keras.layers.Dense)), None)
    if conv is not None:
        maps = np.asarray(_first_block(model, conv).predict_on_batch(x))[0]  # (h, w, K)
        maps = np.moveaxis(maps, -1, 0)[:MAX_PICTURES]
        strengths = maps.mean(axis=(1, 2))
        return Explanation(logits, "feature_maps", _unit_scale(maps), strengths)
    if dense is not None and dense.kernel.shape[0] == x[0].size:
        weights = np.asarray(dense.kernel).T.reshape(-1, *x.shape[1:])  # (units, 28, 28)
        drive = weights.reshape(len(weights), -1) @ x[0].ravel() + np.asarray(dense.bias)
        top = np.argsort(-drive, kind="stable")[:MAX_PICTURES]
        return Explanation(logits, "weights", _signed_scale(weights[top]), drive[top])
    return Explanation(logits)


@lru_cache(maxsize=8)
def _first_block(model, conv_index: int) -> keras.Model:
    """A model from the input to the first convolution's block output (after BN and ReLU)."""
    layers = model.layers
    end = conv_index
    while end + 1 < len(layers) and isinstance(
        layers[end + 1], keras.layers.BatchNormalization | keras.layers.Activation
    ):
        end += 1
    return keras.Model(model.inputs, layers[end].output)


def _unit_scale(maps: np.ndarray) -> np.ndarray:
    """All maps on one scale, 0 to the largest response, so their strengths compare."""
    top = float(maps.max(initial=0))
    return np.clip(maps / top, 0, 1).astype(np.float32) if top > 0 else np.zeros_like(maps)


def _signed_scale(weights: np.ndarray) -> np.ndarray:
    """Each unit's weights to [0, 1] with 0.5 for zero: bright = ink helps, dark = ink hurts."""
    reach = np.abs(weights).max(axis=(1, 2), keepdims=True)
    return (0.5 + 0.5 * weights / np.maximum(reach, 1e-12)).astype(np.float32)
