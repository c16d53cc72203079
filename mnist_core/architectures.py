"""The model architectures on offer, each listed once, as plain data (no TensorFlow).

An architecture is a name, one line for people choosing it, and its layers as records
that tf/models.py turns into Keras layers. Everything else takes the list from here: the
Train page's choices, the CLI's `--arch`, config checks, parameter counts. Adding an
architecture is adding an entry to ARCHITECTURES.
"""

from __future__ import annotations

from dataclasses import dataclass

INPUT_SHAPE = (28, 28)
NUM_CLASSES = 10


@dataclass(frozen=True)
class Flatten:
    pass


@dataclass(frozen=True)
class AddChannel:
    """(28, 28) → (28, 28, 1): convolutions want a channel axis."""


@dataclass(frozen=True)
class Dense:
    units: int
    activation: str | None = None


@dataclass(frozen=True)
class Dropout:
    rate: float


@dataclass(frozen=True)
class Conv:
    filters: int
    size: int = 3
    activation: str | None = None
    bias: bool = True


@dataclass(frozen=True)
class BatchNorm:
    momentum: float = 0.99


@dataclass(frozen=True)
class ReLU:
    pass


@dataclass(frozen=True)
class MaxPool:
    """2×2 max pooling."""


Layer = Flatten | AddChannel | Dense | Dropout | Conv | BatchNorm | ReLU | MaxPool


@dataclass(frozen=True)
class Architecture:
    """A model family: its name, one line on what it is, and its layers. Every
    architecture ends in NUM_CLASSES logits (a Dense layer with no activation)."""

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
        Conv(filters, bias=False),
        # momentum 0.9, not 0.99: a quick demo run of ~100 batches must still leave usable
        # moving statistics for inference
        BatchNorm(momentum=0.9),
        ReLU(),
        Conv(filters, activation="relu"),
        MaxPool(),
    )


ARCHITECTURES = {
    arch.name: arch
    for arch in (
        Architecture(
            "dense",
            "the tutorial's network: every pixel feeds one hidden layer of 128 neurons; fast",
            # the beginner tutorial's network, unchanged
            (Flatten(), Dense(128, "relu"), Dropout(0.2), Dense(NUM_CLASSES)),
        ),
        Architecture(
            "cnn",
            "a small convolutional network: learns strokes and shapes anywhere in the "
            "image; slower, and better at reading drawings",
            (
                AddChannel(),
                *conv_block(32),  # (12, 12, 32)
                *conv_block(64),  # (4, 4, 64)
                Flatten(),
                Dropout(0.3),
                Dense(128, "relu"),
                Dropout(0.3),
                Dense(NUM_CLASSES),
            ),
        ),
    )
}


def parameter_count(layers: tuple[Layer, ...], shape: tuple[int, ...] = INPUT_SHAPE) -> int:
    """The number of weights of `layers` applied to inputs of `shape` (without the batch)."""
    total = 0
    for layer in layers:
        match layer:
            case AddChannel():
                shape = (*shape, 1)
            case Flatten():
                size = 1
                for side in shape:
                    size *= side
                shape = (size,)
            case Dense(units=units):
                total += (shape[-1] + 1) * units
                shape = (units,)
            case Conv(filters=filters, size=size, bias=bias):
                total += (size * size * shape[-1] + bias) * filters
                shape = (shape[0] - size + 1, shape[1] - size + 1, filters)
            case BatchNorm():
                total += 4 * shape[-1]  # scale, offset, moving mean, moving variance
            case MaxPool():
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
