"""A training run's settings, checked before anything starts, and the presets that every
way of starting one (the Train page's form, the CLI) takes its defaults from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from .architectures import ARCHITECTURES, MISTAKES
from .names import validate_name

VALIDATION_SIZE = 5000  # the last images of x_train, never trained on
MAX_TRAIN_SIZE = 60000 - VALIDATION_SIZE

DRAWINGS_SHARE = 0.25  # of each fine-tuning epoch; see training.mix_in
# Below this, each drawing is repeated hundreds of times per epoch (at 10,000 MNIST images
# and 20 drawings, 167 times): the model learns those few pictures by heart, a mislabelled
# one included, instead of a person's handwriting.
MIN_FINE_TUNE_DRAWINGS = 20
# Marks that are no digit, made as the bundled model's training makes them, mixed into a
# fine-tune's epoch at this share of its MNIST images: without them, fine-tuning the
# bundled model on 24 drawings took its "not sure" on non-digits from 5 of 6 to 3 of 6.
FINE_TUNE_NON_DIGITS = 0.2


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run; stored beside the model it makes. Made
    only with valid values (ValueError with a one-line reason otherwise).

    The field defaults are the tutorial's plain run; the presets below are what people get.
    """

    arch: str = "dense"
    epochs: int = 5
    batch_size: int = 32  # as in the tutorial (Keras's default)
    learning_rate: float = 1e-3
    train_size: int = MAX_TRAIN_SIZE
    augment: bool = False  # random distortions, and crossed 7s, slashed 0s, footed 1s
    seed: int = 0
    # Fine-tuning: start from this saved model (its architecture, not `arch`) and train on
    # the user's own drawings mixed with MNIST, instead of training a new model.
    base_model: str | None = None
    mistake: str = "none"  # a classic mistake made on purpose, to show it (MISTAKES)

    def __post_init__(self):
        # checked once, when made: a TrainConfig that exists is a valid one, and what
        # takes one (a TrainingRequest, the training loop, the child) trusts it
        self.validate()

    def validate(self) -> None:
        """Raise ValueError with a one-line reason for any value out of range."""
        if self.arch not in ARCHITECTURES:
            raise ValueError(
                f"unknown architecture {self.arch!r}; choose {', '.join(ARCHITECTURES)}"
            )
        checks = [
            (isinstance(self.epochs, int) and 1 <= self.epochs <= 1000, "epochs must be 1-1000"),
            (
                isinstance(self.batch_size, int) and 1 <= self.batch_size <= 8192,
                "batch size must be 1-8192",
            ),
            (0 < self.learning_rate <= 1, "learning rate must be in (0, 1]"),
            (
                isinstance(self.train_size, int) and 100 <= self.train_size <= MAX_TRAIN_SIZE,
                f"training-set size must be 100-{MAX_TRAIN_SIZE}",
            ),
        ]
        if self.mistake not in MISTAKES:
            raise ValueError(f"unknown mistake {self.mistake!r}; choose {', '.join(MISTAKES)}")
        if self.base_model is not None:
            validate_name(self.base_model)
        for ok, reason in checks:
            if not ok:
                raise ValueError(reason)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, saved: dict) -> TrainConfig:
        """A config as saved in a model's metadata; keys of other versions are ignored, and
        fields they lack take their defaults."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in saved.items() if k in known})


# The presets: the starting settings of each way to train, in this one place. The Train
# page's form and the CLI's options take their defaults from them, per architecture.
# The tutorial's dense network starts from the tutorial's own run, so that repeating the
# tutorial gives its figure (97.5% on the MNIST test digits; augmented, 97.3%).
TUTORIAL = TrainConfig()
# The convolutional network is augmented: it costs speed and a little MNIST accuracy, and
# makes the model much better at reading what people draw.
NEW_MODEL = TrainConfig(arch="cnn", batch_size=64, train_size=20_000, augment=True)  # the page
PAGE_PRESETS = {"dense": TUTORIAL, "cnn": NEW_MODEL}
# `python -m mnist_core train --arch ARCH`; with no --arch, the tutorial's run
COMMAND_LINE_PRESETS = {"dense": TUTORIAL, "cnn": TrainConfig(arch="cnn", augment=True)}


def page_preset(arch: str) -> TrainConfig:
    """The Train page's starting settings for `arch`; an architecture without a preset of
    its own starts as the cnn does (adding one stays an entry in architectures.py)."""
    return PAGE_PRESETS.get(arch) or replace(NEW_MODEL, arch=arch)


def command_line_preset(arch: str) -> TrainConfig:
    """`train --arch ARCH`'s defaults, likewise."""
    return COMMAND_LINE_PRESETS.get(arch) or replace(COMMAND_LINE_PRESETS["cnn"], arch=arch)


# Fine-tuning a trained model on a person's drawings: a tenth of the learning rate it was
# trained with, so it adapts without unlearning, and 10,000 MNIST digits mixed in. Its
# architecture is the base model's, read from the base's metadata.
FINE_TUNE = TrainConfig(
    epochs=3, batch_size=64, learning_rate=1e-4, train_size=10_000, augment=True
)


def describe_preset(preset: TrainConfig) -> str:
    """A preset's settings in a few words, as the page and --help say them: "the tutorial's
    run: 5 epochs, batches of 32, Adam at 0.001, no augmentation"."""
    text = (
        f"{preset.epochs} epochs, batches of {preset.batch_size}, Adam at "
        f"{preset.learning_rate:g}, {'augmented' if preset.augment else 'no augmentation'}"
    )
    return f"the tutorial's run: {text}" if preset == TUTORIAL else text


def drawing_repeats(mnist_images: int, drawings: int, share: float = DRAWINGS_SHARE) -> int:
    """How many times each drawing goes into a fine-tuning epoch of `mnist_images` MNIST
    images so that the drawings are about `share` of it (0 without drawings)."""
    if drawings <= 0:
        return 0
    return max(1, round(share * mnist_images / ((1 - share) * drawings)))


def check_fine_tune_drawings(drawings: int, mnist_images: int) -> None:
    """ValueError saying why, unless there are enough drawings for a meaningful fine-tune."""
    if drawings >= MIN_FINE_TUNE_DRAWINGS:
        return
    repeats = drawing_repeats(mnist_images, max(drawings, 1))
    raise ValueError(
        f"fine-tuning needs at least {MIN_FINE_TUNE_DRAWINGS} saved drawings, and there "
        f"{'is' if drawings == 1 else 'are'} {drawings}: with so few, each would be "
        f"repeated about {repeats:,} times per epoch, and the model would learn those few "
        "pictures by heart, a wrongly labelled one included, instead of your handwriting"
    )
