"""The model architectures on offer, described for people choosing one (no TensorFlow)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Architecture:
    """A model family: its name, one line on what it is, and its parameter count."""

    name: str
    summary: str
    params: int


ARCHITECTURES = {
    "dense": Architecture(
        "dense",
        "the tutorial's network: every pixel feeds one hidden layer of 128 neurons; fast",
        101_770,
    ),
    "cnn": Architecture(
        "cnn",
        "a small convolutional network: learns strokes and shapes anywhere in the image; "
        "slower, and better at reading drawings",
        197_770,
    ),
}


# The classic mistakes the Train page can make on purpose (TrainConfig.mistake). No
# figures here: how a run of each went is shown from the runs saved on this install.
MISTAKES = {
    "none": "none: logits out, the loss applies softmax itself (from_logits=True)",
    "softmax_twice": "softmax applied twice: probabilities fed to a loss that applies "
    "softmax again",
    "no_from_logits": "from_logits forgotten: raw scores read by the loss as if they "
    "were probabilities",
}
