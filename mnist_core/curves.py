"""A training's curves as data: the points the Train page's loss and accuracy charts draw,
for a training under way (its batches and epochs) and for a saved model (its metadata's
per-epoch history) alike. Pure numpy; the page only turns them into a chart.

x is always in epochs, counted as a fraction: a point at 1.5 is halfway through the
second epoch. Each point belongs to one series: the running average of the batches, the
whole epoch's training figure, or validation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PER_BATCH = "training, each batch (smoothed)"
PER_EPOCH = "training, whole epoch"
VALIDATION = "validation (unseen images)"
SERIES = (PER_BATCH, PER_EPOCH, VALIDATION)
METRICS = ("loss", "accuracy")
MAX_BATCH_POINTS = 400  # per metric: a chart of thousands of batches draws no better
SMOOTHING = 0.05  # weight of each new batch in the running average drawn per batch


def epochs_done(epoch: int, batch: int, steps: int) -> float:
    """Where batch `batch` (from 0) of epoch `epoch` (from 0) ends, in epochs: 1.5 is halfway
    through the second; `steps` batches make an epoch (0: not known yet, taken as whole)."""
    return epoch + (batch + 1) / steps if steps else float(epoch + 1)


@dataclass(frozen=True)
class EpochLogs:
    """Keras's figures at an epoch's end (loss, accuracy, val_loss, val_accuracy), and
    where in training it ended: a stopped epoch ends part-way."""

    at: float
    logs: dict[str, float]


@dataclass(frozen=True)
class Curves:
    """The charts' points, one per row: x in epochs, the value, its metric ('loss' or
    'accuracy') and its series (SERIES). Columns of equal length N."""

    epoch: np.ndarray  # (N,) float
    value: np.ndarray  # (N,) float
    metric: np.ndarray  # (N,) str
    series: np.ndarray  # (N,) str

    def __len__(self) -> int:
        return len(self.epoch)

    def of(self, metric: str) -> Curves:
        """Only the points of `metric`."""
        keep = self.metric == metric
        return Curves(self.epoch[keep], self.value[keep], self.metric[keep], self.series[keep])

    def columns(self) -> dict[str, np.ndarray]:
        return {
            "epoch": self.epoch,
            "value": self.value,
            "metric": self.metric,
            "series": self.series,
        }


def curves(batches: np.ndarray, epochs: list[EpochLogs]) -> Curves:
    """The points of a training: `batches` (B, 3) rows of (epochs done, loss, accuracy),
    drawn as a running average thinned to MAX_BATCH_POINTS; every epoch's training and
    validation figures. Figures Keras did not give (NaN, or missing) are left out."""
    parts = []
    if len(batches):
        smooth = running_average(batches[:, 1:])
        keep = np.unique(np.linspace(0, len(batches) - 1, MAX_BATCH_POINTS).round().astype(int))
        for k, metric in enumerate(METRICS):
            parts.append((batches[keep, 0], smooth[keep, k], metric, PER_BATCH))
    for e in epochs:
        for metric in METRICS:
            for series, key in ((PER_EPOCH, metric), (VALIDATION, f"val_{metric}")):
                if (value := e.logs.get(key)) is not None:
                    parts.append((np.array([e.at]), np.array([value]), metric, series))
    if not parts:
        empty = np.array([], float)
        return Curves(empty, empty, np.array([], str), np.array([], str))
    epoch = np.concatenate([np.asarray(p[0], float) for p in parts])
    value = np.concatenate([np.asarray(p[1], float) for p in parts])
    metric = np.concatenate([np.full(len(p[0]), p[2]) for p in parts])
    series = np.concatenate([np.full(len(p[0]), p[3]) for p in parts])
    known = ~np.isnan(value)
    return Curves(epoch[known], value[known], metric[known], series[known])


def history_epochs(history: dict[str, list[float]]) -> list[EpochLogs]:
    """A saved model's per-epoch history (Keras's, as its metadata keeps it) as EpochLogs:
    the figures of epoch k end at k + 1."""
    epochs = max((len(values) for values in history.values()), default=0)
    return [
        EpochLogs(k + 1.0, {key: values[k] for key, values in history.items() if k < len(values)})
        for k in range(epochs)
    ]


def saved_curves(history: dict[str, list[float]]) -> Curves:
    """A saved model's points, from its metadata's per-epoch history (no batches kept)."""
    return curves(np.zeros((0, 3)), history_epochs(history))


def last_epoch_accuracy(epochs: list[EpochLogs]) -> tuple[float, float] | None:
    """(training, validation) accuracy of the last epoch, None before one has ended."""
    if not epochs:
        return None
    logs = epochs[-1].logs
    if logs.get("accuracy") is None or logs.get("val_accuracy") is None:
        return None
    return logs["accuracy"], logs["val_accuracy"]


def running_average(values: np.ndarray) -> np.ndarray:
    """(B, K) values smoothed down the rows: each row weighs SMOOTHING against the average
    before it, so a single batch's noise does not shake the line."""
    out = np.empty_like(values, dtype=float)
    out[0] = values[0]
    for i in range(1, len(values)):
        out[i] = (1 - SMOOTHING) * out[i - 1] + SMOOTHING * values[i]
    return out
