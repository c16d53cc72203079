"""A run's summary compared with what came before, and fine-tuning's drawing rules (pure)."""

import pytest

from mnist_core.config import (
    MIN_FINE_TUNE_DRAWINGS,
    TrainConfig,
    check_fine_tune_drawings,
    check_new_run,
    drawing_repeats,
)
from mnist_core.summary import RunSummary


def summary(**fields):
    return RunSummary.from_dict(
        {"model": "m", "path": "m.keras", "loss": 0.1, "epochs": 1, "unknown": "ignored", **fields}
    )


def test_a_fine_tune_that_loses_more_than_half_a_point_is_worse():
    ruined = summary(accuracy=0.8985, base_accuracy=0.9952, fine_tuned_from="default")
    assert ruined.worse and ruined.accuracy_change == pytest.approx(-0.0967)
    assert not summary(accuracy=0.9910, base_accuracy=0.9952).worse  # within 0.5 points
    assert summary(accuracy=0.90, replaced_accuracy=0.99).worse  # a replaced model too
    assert not summary(accuracy=0.5).worse  # a new name: nothing to compare with


def test_epochs_are_counted_as_trained():
    assert summary(accuracy=0.9, epochs=5).trained(5) == "5 epochs"
    stopped = summary(accuracy=0.9, epochs=1, batches=120, steps_per_epoch=328, stopped=True)
    assert stopped.trained(5) == "epoch 2/5, batch 120/328 (1 whole epoch trained)"
    assert summary(accuracy=0.9, epochs=2, stopped=True).trained(5) == "2 whole epochs of 5"
    assert summary(accuracy=0.9, epochs=1).trained(1) == "1 epoch"


def test_too_few_drawings_are_refused_with_the_reason():
    with pytest.raises(ValueError, match=r"at least 20 .* there are 4: .* repeated about 833"):
        check_fine_tune_drawings(4, 10_000)
    check_fine_tune_drawings(MIN_FINE_TUNE_DRAWINGS, 10_000)
    assert drawing_repeats(10_000, 20) == 167 and drawing_repeats(10_000, 0) == 0


def test_a_fine_tune_keeps_its_base(tmp_path):
    (tmp_path / "base.keras").write_bytes(b"")
    with pytest.raises(ValueError, match="saved under a new name"):
        check_new_run(TrainConfig(base_model="base"), "base", tmp_path, overwrite=True)
