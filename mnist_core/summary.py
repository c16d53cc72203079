"""A finished training's summary as a typed record, and how it compares with what came
before it (the model it was fine-tuned from, or the saved model it replaced)."""

from __future__ import annotations

from dataclasses import dataclass, fields

# A fall in MNIST test accuracy larger than this (half a point) is shown as a warning with
# a way back: smaller moves are within what two runs of the same settings differ by.
DROP_WARNING = 0.005


@dataclass(frozen=True)
class RunSummary:
    """What training.train_evaluate_save returns, field by field (see its docstring)."""

    model: str
    path: str
    accuracy: float
    loss: float
    epochs: int  # whole epochs trained
    batches: int = 0  # batches of the epoch a stopped run halted in
    steps_per_epoch: int = 0
    stopped: bool = False
    seconds: float = 0.0
    images_per_second: float = 0.0
    replaced_accuracy: float | None = None
    fine_tuned_from: str | None = None
    base_accuracy: float | None = None
    base_loss: float | None = None
    drawings: int = 0
    drawing_repeats: int = 0
    drawings_accuracy_before: float | None = None
    drawings_accuracy_after: float | None = None

    @classmethod
    def from_dict(cls, summary: dict) -> RunSummary:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in summary.items() if k in known})

    @property
    def previous_accuracy(self) -> float | None:
        """Test accuracy of the model that came before: the base of a fine-tune, or the
        saved model this one replaced; None for a new name."""
        if self.base_accuracy is not None:
            return self.base_accuracy
        return self.replaced_accuracy

    @property
    def accuracy_change(self) -> float | None:
        before = self.previous_accuracy
        return None if before is None else self.accuracy - before

    @property
    def worse(self) -> bool:
        """True when test accuracy fell by more than DROP_WARNING against what came before."""
        change = self.accuracy_change
        return change is not None and change < -DROP_WARNING

    def trained(self, planned_epochs: int) -> str:
        """How much it trained, truthfully: '5 epochs', or for a stopped run 'epoch 2/5,
        batch 120/328 (1 whole epoch trained)'."""
        whole = f"{self.epochs} whole epoch{'s' if self.epochs != 1 else ''}"
        if not self.batches:
            return f"{whole} of {planned_epochs}" if self.stopped else whole.replace("whole ", "")
        return (
            f"epoch {self.epochs + 1}/{planned_epochs}, batch {self.batches}/"
            f"{self.steps_per_epoch} ({whole} trained)"
        )
