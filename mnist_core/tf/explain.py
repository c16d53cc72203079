"""What a model does with one input, for showing people: its raw scores, its first layer,
and why it answered what it did (evidence on the ink, nearest training images).

For a convolutional model, the first layer's feature maps (after its normalisation and
ReLU): where in the image each learned filter responds. For a dense model, the first
layer's weights, each hidden unit's 784 weights drawn as a 28×28 picture: the pattern
of ink that excites it. Works on the Sequential models this project builds; for other
models the first-layer view is left out.

The evidence map is gradient × input: how fast the answer's lead over the runner-up (in
logits) changes with each pixel, times the pixel's ink, a first-order estimate of what
deleting that pixel costs the lead; then blurred by one pixel so that strokes, not single
pixels, show (evidence.on_ink). It was chosen over occlusion (deleting each ink pixel
alone, blurred alike) by the deletion check on 500 pen drawings (bench/explain_figures.py,
figures in the README), and it takes one gradient instead of a pass per ink pixel.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ..calibration import softmax
from ..data import load_mnist, to_float
from ..evidence import (
    NEIGHBOURS,
    RANDOM_DRAWS,
    SMOOTHING,
    Deletion,
    Evidence,
    Neighbours,
    Why,
    ink_pixels,
    nearest,
    on_ink,
    random_ink,
    top_ink,
    without,
)
from ..preprocess import model_input
from ..stored import load_or_make
from .predict import cached_model

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


def why(model, digit: np.ndarray, embeddings: np.ndarray) -> Why:
    """The evidence on one (28, 28) input in [0, 1] and its nearest training images;
    `embeddings`: the model's training_embeddings (see cached_embeddings)."""
    return Why(evidence(model, digit), nearest_training(model, digit, embeddings))


def evidence(
    model,
    digit: np.ndarray,
    method: str = "gradient",
    seed: int = 0,
    sigma: float = SMOOTHING,
) -> Evidence:
    """The answer, the runner-up, the evidence map (see Evidence) and its deletion check
    for one (28, 28) input in [0, 1]. `method`: "gradient" (× input) or "occlusion";
    `seed` picks the random deletions; `sigma`: the map's blur in pixels (evidence.on_ink)."""
    digit = np.asarray(digit, np.float32)
    probs = _probabilities(model, digit[None])[0]
    second, first = np.argsort(probs, kind="stable")[-2:]
    answer, runner_up = int(first), int(second)
    heat = on_ink(EVIDENCE_METHODS[method](model, digit, answer, runner_up), digit, sigma)
    rng = np.random.default_rng(seed)
    top = without(digit, top_ink(heat, digit))
    randoms = [without(digit, random_ink(digit, rng)) for _ in range(RANDOM_DRAWS)]
    after = _probabilities(model, np.stack([top, *randoms]))[:, answer]
    deletion = Deletion(float(probs[answer]), float(after[0]), float(after[1:].mean()))
    return Evidence(answer, runner_up, heat, deletion)


def occlusion(model, digit: np.ndarray, answer: int, runner_up: int) -> np.ndarray:
    """(28, 28) float32: for each ink pixel, how much the lead of `answer`'s logit over
    `runner_up`'s falls when that pixel alone is deleted (0 off the ink)."""
    ink = ink_pixels(digit)
    heat = np.zeros(digit.size, np.float32)
    if len(ink) == 0:
        return heat.reshape(digit.shape)
    deleted = np.repeat(digit[None], len(ink), axis=0).reshape(len(ink), -1)
    deleted[np.arange(len(ink)), ink] = 0
    images = np.concatenate([digit[None], deleted.reshape(-1, *digit.shape)])
    lead = _lead(model, images, answer, runner_up)
    heat[ink] = lead[0] - lead[1:]
    return heat.reshape(digit.shape)


def gradient_times_input(model, digit: np.ndarray, answer: int, runner_up: int) -> np.ndarray:
    """(28, 28) float32: the gradient of `answer`'s lead over `runner_up` (in logits) times
    the input, a first-order guess at what deleting each pixel costs the lead."""
    x = tf.convert_to_tensor(model_input(digit))
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = model(x, training=False)
        lead = logits[0, answer] - logits[0, runner_up]
    grad = tape.gradient(lead, x).numpy().reshape(digit.shape)
    return (grad * digit).astype(np.float32)


EVIDENCE_METHODS = {"occlusion": occlusion, "gradient": gradient_times_input}


def _lead(model, images: np.ndarray, answer: int, runner_up: int) -> np.ndarray:
    logits = np.asarray(model.predict_on_batch(model_input(images)), np.float64)
    return logits[:, answer] - logits[:, runner_up]


def _probabilities(model, images: np.ndarray) -> np.ndarray:
    return softmax(np.asarray(model.predict_on_batch(model_input(images)), np.float64))


def nearest_training(
    model, digit: np.ndarray, embeddings: np.ndarray, k: int = NEIGHBOURS
) -> Neighbours:
    """The k MNIST training images nearest to one (28, 28) input in [0, 1], in the
    model's last hidden layer (the input to its last Dense layer); `embeddings`: the
    model's training_embeddings."""
    query = np.asarray(last_hidden(model).predict_on_batch(model_input(digit)), np.float32)
    best = nearest(embeddings, query[0], k)
    x_train, y_train = _mnist_train()
    return Neighbours(best, y_train[best], x_train[best])


def training_embeddings(model) -> np.ndarray:
    """(60000, D) float32: the last hidden layer's output for each MNIST training image,
    in order (D = 128 for this project's models). Tens of seconds for a convolutional
    model on a CPU: see cached_embeddings."""
    hidden = last_hidden(model)
    x_train = to_float(_mnist_train()[0])
    parts = [
        np.asarray(hidden.predict_on_batch(model_input(x_train[i : i + 1000])), np.float32)
        for i in range(0, len(x_train), 1000)
    ]
    return np.concatenate(parts)


def cached_embeddings(path: str | os.PathLike) -> np.ndarray:
    """training_embeddings of the model saved at `path`: computed once per version of the
    file, kept in memory and in a `.cache` folder beside the model (so a restart, or the
    next `explain` command, does not pay for them again)."""
    p = Path(path).resolve()
    stat = p.stat()
    return _embeddings(p, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _embeddings(path: Path, mtime_ns: int, size: int) -> np.ndarray:
    digest = hashlib.sha1(path.read_bytes()).hexdigest()[:16]  # the file's contents
    kept = path.parent / ".cache" / f"{path.stem}.{digest}.neighbours.npz"
    [embeddings] = load_or_make(kept, lambda: (training_embeddings(cached_model(path)),))
    return embeddings


@lru_cache(maxsize=8)
def last_hidden(model) -> keras.Model:
    """A model from the input to the input of `model`'s last Dense layer: the features the
    answer is read from."""
    last = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)][-1]
    return keras.Model(model.inputs, last.input)


@lru_cache(maxsize=1)
def _mnist_train() -> tuple[np.ndarray, np.ndarray]:
    """(x_train uint8 (60000, 28, 28), y_train (60000,)), read once per process."""
    x_train, y_train, _, _ = load_mnist()
    return x_train, y_train
