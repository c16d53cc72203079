"""Training jobs in a child process: progress arrives, one job at a time, Stop is quick."""

import pytest

from mnist_core.config import TrainConfig
from mnist_core.jobs import JobBusy, JobRunner
from mnist_core.store import list_models


def test_a_job_reports_progress_then_saves_a_tested_model(tmp_path):
    runner = JobRunner()
    config = TrainConfig(arch="dense", epochs=2, train_size=3000, batch_size=32)
    job = runner.start(config, "quick", tmp_path)
    with pytest.raises(JobBusy):
        runner.start(config, "second", tmp_path)
    state = job.wait(timeout=300)
    assert state.status == "done", state.error
    assert state.result["accuracy"] > 0.85 and not state.result["stopped"]
    assert len(state.batches) == 2 * 94 and state.batches[-1][0] == pytest.approx(2.0)
    assert [e["epoch"] for e in state.epochs] == [1, 2] and "val_accuracy" in state.epochs[0]
    [saved] = list_models(tmp_path)
    assert saved.name == "quick" and saved.metadata["test_accuracy"] == state.result["accuracy"]
    runner.start(config, "after", tmp_path).wait(timeout=300)  # the slot is free again


def test_bad_settings_are_refused_before_anything_starts(tmp_path):
    runner = JobRunner()
    with pytest.raises(ValueError, match="model name"):
        runner.start(TrainConfig(), "../outside", tmp_path)
    with pytest.raises(ValueError, match="epochs"):
        runner.start(TrainConfig(epochs=0), "fine", tmp_path)
    assert runner.current() is None and not list(tmp_path.iterdir())


def test_stop_halts_within_a_second_and_keeps_the_model(tmp_path):
    runner = JobRunner()
    job = runner.start(TrainConfig(arch="cnn", epochs=20, augment=True), "long", tmp_path)
    while job.snapshot().epoch == 0 and len(job.snapshot().batches) < 20:
        job.wait(timeout=0.2)
    job.stop()
    state = job.wait(timeout=300)
    assert state.status == "done" and state.result["stopped"]
    assert state.halted_after is not None and state.halted_after < 1.0
    assert state.epoch == 0  # nowhere near the 20 epochs asked for
    assert list_models(tmp_path)[0].metadata["stopped_early"]
