"""A training's progress as data (mnist_core.curves, JobState): the points the Train page's
charts draw and the fraction its bar shows, worked out without Streamlit."""

import numpy as np
import pytest

from mnist_core.config import TrainConfig
from mnist_core.curves import (
    MAX_BATCH_POINTS,
    PER_BATCH,
    PER_EPOCH,
    VALIDATION,
    EpochLogs,
    curves,
    epochs_done,
    history_epochs,
    saved_curves,
)
from mnist_core.processes.training import BatchDone, JobState


def test_a_batch_ends_where_its_share_of_the_epoch_says():
    assert epochs_done(0, 0, 4) == 0.25 and epochs_done(1, 3, 4) == 2.0
    assert BatchDone(epoch=2, batch=49, steps=100, loss=1.0, accuracy=0.5).at == 2.5


def test_the_jobs_state_owns_its_fraction_done_and_its_points():
    state = JobState("run", TrainConfig(epochs=4), owner=None)
    assert state.fraction_done == 0 and not len(state.curves())
    state.batches = [
        BatchDone(e, b, 10, 2.3 - 0.05 * (10 * e + b), 0.1) for e in (0, 1) for b in range(10)
    ]
    state.epoch, state.batch, state.steps = 1, 9, 10
    state.epochs = [
        EpochLogs(1.0, {"loss": 2.0, "accuracy": 0.5, "val_loss": 1.9, "val_accuracy": 0.6})
    ]
    assert state.fraction_done == pytest.approx(0.5)
    points = state.curves()
    loss = points.of("loss")
    assert set(loss.series) == {PER_BATCH, PER_EPOCH, VALIDATION}
    per_batch = loss.value[loss.series == PER_BATCH]
    assert len(per_batch) == 20 and per_batch[0] == pytest.approx(2.3)
    assert np.all(np.diff(per_batch) < 0)  # the running average follows the falling loss
    assert loss.value[loss.series == VALIDATION].tolist() == [1.9]


def test_thousands_of_batches_are_thinned_and_missing_figures_left_out():
    rows = np.column_stack([np.linspace(0, 5, 5000), np.ones(5000), np.zeros(5000)])
    points = curves(rows, [EpochLogs(1.0, {"loss": 1.0, "accuracy": float("nan")})])
    assert (points.of("loss").series == PER_BATCH).sum() == MAX_BATCH_POINTS
    assert PER_EPOCH not in points.of("accuracy").series  # NaN: not drawn
    assert VALIDATION not in points.series  # not given


def test_a_saved_models_curves_come_from_its_history_through_the_same_points():
    history = {
        "loss": [1.0, 0.5],
        "accuracy": [0.7, 0.9],
        "val_loss": [0.8, 0.4],
        "val_accuracy": [0.8, 0.95],
    }
    epochs = history_epochs(history)
    assert [e.at for e in epochs] == [1.0, 2.0] and epochs[1].logs["val_accuracy"] == 0.95
    saved = saved_curves(history)
    live = curves(np.zeros((0, 3)), epochs)
    assert saved.columns().keys() == live.columns().keys()
    for column in ("epoch", "value", "metric", "series"):
        assert np.array_equal(saved.columns()[column], live.columns()[column])
    assert len(saved) == 8  # 2 epochs × 2 metrics × training and validation
