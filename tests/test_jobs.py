"""Training jobs in a child process: progress arrives, one job at a time, Stop is quick,
and predictions meanwhile come from saved models only."""

import json
import time

import numpy as np
import pytest

from mnist_core.config import TrainConfig
from mnist_core.preprocess import canvas_to_mnist
from mnist_core.processes.prediction import PredictionWorker
from mnist_core.processes.training import JobBusy, JobRunner
from mnist_core.reservations import active
from mnist_core.store import MODELS_DIR, TrainingRequest, list_models
from mnist_core.tf.predict import load_model, probabilities
from testkit.apprunner import models_with_default


def test_a_job_reports_progress_then_saves_a_tested_model(tmp_path):
    runner = JobRunner()
    config = TrainConfig(arch="dense", epochs=2, train_size=3000, batch_size=32)
    job = runner.start(TrainingRequest(config, "quick", tmp_path))
    with pytest.raises(JobBusy):
        runner.start(TrainingRequest(config, "second", tmp_path))
    assert [r.name for r in active(tmp_path)] == ["quick"]  # seen by every replica
    state = job.wait(timeout=300)
    assert state.status == "done", state.error
    assert active(tmp_path) == [] and not list(tmp_path.glob(".*"))  # saved: released
    result = state.outcome.metadata
    assert result.test_accuracy > 0.85 and not result.stopped_early
    assert len(state.batches) == 2 * 94 and state.batches[-1].at == pytest.approx(2.0)
    assert [e.at for e in state.epochs] == [1, 2] and "val_accuracy" in state.epochs[0].logs
    [saved] = list_models(tmp_path)
    assert saved.name == "quick" and saved.metadata.test_accuracy == result.test_accuracy
    # the slot is free again
    runner.start(TrainingRequest(config, "after", tmp_path)).wait(timeout=300)


def test_bad_settings_are_refused_before_anything_starts(tmp_path):
    runner = JobRunner()
    with pytest.raises(ValueError, match="model name"):
        runner.start(TrainingRequest(TrainConfig(), "../outside", tmp_path))
    with pytest.raises(ValueError, match="epochs"):
        runner.start(TrainingRequest(TrainConfig(epochs=0), "fine", tmp_path))
    assert runner.current() is None and not list(tmp_path.iterdir())


@pytest.mark.alone
def test_stop_halts_within_a_second_and_keeps_the_model(tmp_path):
    runner = JobRunner()
    config = TrainConfig(arch="cnn", epochs=20, augment=True)
    job = runner.start(TrainingRequest(config, "long", tmp_path))
    deadline = time.monotonic() + 300  # a child that died early must fail, not spin
    while job.snapshot().epoch == 0 and len(job.snapshot().batches) < 20:
        assert not job.finished and time.monotonic() < deadline, job.snapshot().error
        job.wait(timeout=0.2)
    job.stop()
    state = job.wait(timeout=300)
    result = state.outcome.metadata
    assert state.status == "done" and result.stopped_early
    assert state.halted_after is not None and state.halted_after < 1.0
    assert state.epoch == 0  # nowhere near the 20 epochs asked for
    meta = list_models(tmp_path)[0].metadata
    assert meta.stopped_early and meta.epochs_done == 0 and result.epochs_done == 0
    assert 20 <= meta.batches_done == result.batches_done < meta.steps_per_epoch
    assert job.discard() and not job.discard()  # once, whoever asks first
    assert job.snapshot().discarded and not list_models(tmp_path)


def test_predictions_during_a_training_use_the_saved_model_until_the_new_one_is_saved(
    tmp_path, pen_sample
):
    """A training that replaces a model never shows half-trained weights to the Draw page."""
    models = models_with_default(tmp_path)
    digit = canvas_to_mnist(pen_sample[0][0])
    target = models / "default.keras"
    worker = PredictionWorker()
    try:
        old = worker.probabilities(target, digit)
        config = TrainConfig(arch="dense", epochs=2, train_size=3000)
        job = JobRunner().start(TrainingRequest(config, "default", models, overwrite=True))
        during, deadline = [], time.monotonic() + 300
        while not job.finished:
            assert time.monotonic() < deadline, "the training did not end in 5 minutes"
            during.append(worker.probabilities(target, digit))
        assert job.snapshot().status == "done"
        new = worker.probabilities(target, digit)
    finally:
        worker.close()
    assert len(during) > 50
    summary = job.snapshot().outcome.metadata
    bundled = json.loads((MODELS_DIR / "default.json").read_text())["test_accuracy"]
    assert summary.replaced_accuracy == pytest.approx(bundled)  # what came before
    assert summary.worse  # a 2-epoch dense model on 3,000 images
    assert all(np.array_equal(p, old) or np.array_equal(p, new) for p in during)
    np.testing.assert_allclose(new, probabilities(load_model(target), digit)[0], atol=1e-6)
    assert not np.allclose(new, old)
