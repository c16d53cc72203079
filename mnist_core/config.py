"""A training run's settings, checked before anything starts (no TensorFlow needed)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .architectures import ARCHITECTURES

VALIDATION_SIZE = 5000  # the last images of x_train, never trained on
MAX_TRAIN_SIZE = 60000 - VALIDATION_SIZE


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run; stored beside the model it makes."""

    arch: str = "dense"
    epochs: int = 5
    batch_size: int = 32  # as in the tutorial (Keras's default)
    learning_rate: float = 1e-3
    train_size: int = MAX_TRAIN_SIZE
    augment: bool = False  # random distortions, and crossed 7s, slashed 0s, footed 1s
    seed: int = 0

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
        for ok, reason in checks:
            if not ok:
                raise ValueError(reason)

    def as_dict(self) -> dict:
        return asdict(self)


def check_new_run(config: TrainConfig, name: str, models_dir, overwrite: bool = False) -> None:
    """ValueError with a one-line reason unless `config` can train a model saved as `name`."""
    from .store import model_path

    config.validate()
    if model_path(name, models_dir).exists() and not overwrite:
        raise ValueError(f"a model named {name!r} already exists; choose another name")
