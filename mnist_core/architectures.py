"""The model architectures on offer, each listed once, as plain data (no TensorFlow).

An architecture is a name, one line for people choosing it, and its layers as plain
records (Layer) that tf/models.py turns into Keras layers. Everything else takes the list
from here: the Train page's choices, the CLI's `--arch`, config checks, parameter counts.
Adding an architecture is adding an entry to ARCHITECTURES.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

INPUT_SHAPE = (28, 28)
NUM_CLASSES = 10
CONV_SIZE = 3  # every convolution's filters are 3×3


# What a layer can be; tf/models.py has the Keras layer for each.
LAYER_KINDS = {
    "flatten": "all values of an image in one row",
    "channel": "(28, 28) → (28, 28, 1): convolutions want a channel axis",
    "dense": "`width` neurons, each fed by every value before",
    "dropout": "a random share `rate` of the values zeroed while training",
    "conv": "`width` 3×3 filters slid over the image",
    "batchnorm": "values normalised per channel; `rate` is the moving averages' momentum",
    "relu": "negative values set to 0",
    "maxpool": "each 2×2 square reduced to its largest value",
}


@dataclass(frozen=True)
class Layer:
    """One layer, as plain data: its kind (LAYER_KINDS) and the settings that kind uses."""

    kind: str
    width: int = 0  # dense: neurons; conv: filters
    rate: float = 0.0  # dropout: the share dropped; batchnorm: momentum
    activation: str | None = None  # dense, conv: applied to the output
    bias: bool = True  # dense, conv: with a bias per output

    def __post_init__(self):
        if self.kind not in LAYER_KINDS:
            raise ValueError(f"unknown layer kind {self.kind!r}; choose {', '.join(LAYER_KINDS)}")


@dataclass(frozen=True)
class Architecture:
    """A model family: its name, one line on what it is, and its layers. Every
    architecture ends in NUM_CLASSES logits (a dense layer with no activation)."""

    name: str
    summary: str
    layers: tuple[Layer, ...]

    @property
    def params(self) -> int:
        """Trainable and non-trainable weights, as Keras's count_params() counts them."""
        return parameter_count(self.layers)


def conv_block(filters: int) -> tuple[Layer, ...]:
    """Two 3×3 convolutions, the first batch-normalised, then 2×2 pooling."""
    return (
        Layer("conv", filters, bias=False),
        # momentum 0.9, not 0.99: a quick demo run of ~100 batches must still leave usable
        # moving statistics for inference
        Layer("batchnorm", rate=0.9),
        Layer("relu"),
        Layer("conv", filters, activation="relu"),
        Layer("maxpool"),
    )


ARCHITECTURES = {
    arch.name: arch
    for arch in (
        Architecture(
            "dense",
            "the tutorial's network: every pixel feeds one hidden layer of 128 neurons; fast",
            # the beginner tutorial's network, unchanged
            (
                Layer("flatten"),
                Layer("dense", 128, activation="relu"),
                Layer("dropout", rate=0.2),
                Layer("dense", NUM_CLASSES),
            ),
        ),
        Architecture(
            "cnn",
            "a small convolutional network: learns strokes and shapes anywhere in the "
            "image; slower, and better at reading drawings",
            (
                Layer("channel"),
                *conv_block(32),  # (12, 12, 32)
                *conv_block(64),  # (4, 4, 64)
                Layer("flatten"),
                Layer("dropout", rate=0.3),
                Layer("dense", 128, activation="relu"),
                Layer("dropout", rate=0.3),
                Layer("dense", NUM_CLASSES),
            ),
        ),
    )
}


def parameter_count(layers: tuple[Layer, ...], shape: tuple[int, ...] = INPUT_SHAPE) -> int:
    """The number of weights of `layers` applied to inputs of `shape` (without the batch)."""
    total = 0
    for layer in layers:
        if layer.kind == "channel":
            shape = (*shape, 1)
        elif layer.kind == "flatten":
            shape = (math.prod(shape),)
        elif layer.kind == "dense":
            total += (shape[-1] + layer.bias) * layer.width
            shape = (layer.width,)
        elif layer.kind == "conv":
            total += (CONV_SIZE * CONV_SIZE * shape[-1] + layer.bias) * layer.width
            shape = (shape[0] - CONV_SIZE + 1, shape[1] - CONV_SIZE + 1, layer.width)
        elif layer.kind == "batchnorm":
            total += 4 * shape[-1]  # scale, offset, moving mean, moving variance
        elif layer.kind == "maxpool":
            shape = (shape[0] // 2, shape[1] // 2, shape[2])
    return total


# The classic mistakes the Train page can make on purpose (TrainConfig.mistake). No
# figures here: how a run of each went is shown from the runs saved on this install.
MISTAKES = {
    "none": "none: logits out, the loss applies softmax itself (from_logits=True)",
    "softmax_twice": "softmax applied twice: probabilities fed to a loss that applies "
    "softmax again",
    "no_from_logits": "from_logits forgotten: raw scores read by the loss as if they "
    "were probabilities",
}
# Each mistake in a few words, for wherever a model made with it is named (its result, the
# model pickers, Evaluate's table, `list`): a broken run must never pass for a normal one.
MISTAKE_NAMES = {
    "softmax_twice": "softmax applied twice",
    "no_from_logits": "from_logits forgotten",
}
