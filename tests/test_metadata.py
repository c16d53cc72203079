"""A model's metadata record: compared with what came before, read from sidecars of every
version, and fine-tuning's drawing rules (pure)."""

import json

import pytest

from mnist_core.config import (
    MIN_FINE_TUNE_DRAWINGS,
    TrainConfig,
    check_fine_tune_drawings,
    drawing_repeats,
)
from mnist_core.store import ModelMetadata, check_new_run, inspect


def summary(**fields):
    return ModelMetadata(test_loss=0.1, epochs_done=1, **fields)


def test_a_fine_tune_that_loses_more_than_half_a_point_is_worse():
    ruined = summary(test_accuracy=0.8985, base_accuracy=0.9952, fine_tuned_from="default")
    assert ruined.worse and ruined.accuracy_change == pytest.approx(-0.0967)
    assert not summary(test_accuracy=0.9910, base_accuracy=0.9952).worse  # within 0.5 points
    assert summary(test_accuracy=0.90, replaced_accuracy=0.99).worse  # a replaced model too
    assert not summary(test_accuracy=0.5).worse  # a new name: nothing to compare with


def test_epochs_are_counted_as_trained():
    five = ModelMetadata(test_accuracy=0.9, epochs_done=5)
    assert five.trained(5) == "5 epochs"
    stopped = summary(test_accuracy=0.9, batches_done=120, steps_per_epoch=328, stopped_early=True)
    assert stopped.trained(5) == "epoch 2/5, batch 120/328 (1 whole epoch trained)"
    two = ModelMetadata(test_accuracy=0.9, epochs_done=2, stopped_early=True)
    assert two.trained(5) == "2 whole epochs of 5"
    assert summary(test_accuracy=0.9).trained(1) == "1 epoch"


def test_too_few_drawings_are_refused_with_the_reason():
    with pytest.raises(ValueError, match=r"at least 20 .* there are 4: .* repeated about 833"):
        check_fine_tune_drawings(4, 10_000)
    check_fine_tune_drawings(MIN_FINE_TUNE_DRAWINGS, 10_000)
    assert drawing_repeats(10_000, 20) == 167 and drawing_repeats(10_000, 0) == 0


def test_a_fine_tune_keeps_its_base(tmp_path):
    (tmp_path / "base.keras").write_bytes(b"")
    with pytest.raises(ValueError, match="saved under a new name"):
        check_new_run(TrainConfig(base_model="base"), "base", tmp_path, overwrite=True)


# A sidecar as the first versions wrote it (models/mnist-cnn.json has these keys): no
# batches, no fine-tune fields, a config without `mistake`, and a key no version knows.
OLD_SIDECAR = {
    "arch": "cnn",
    "config": {
        "arch": "cnn",
        "epochs": 15,
        "batch_size": 128,
        "learning_rate": 0.001,
        "train_size": 55000,
        "augment": True,
        "seed": 0,
        "retired_option": 1,
    },
    "params": 197770,
    "epochs_done": 15,
    "stopped_early": False,
    "training_seconds": 700.5,
    "test_accuracy": 0.9952,
    "test_loss": 0.015,
    "history": {"loss": [0.3, 0.1]},
    "created": "2026-11-20T10:00:00+00:00",
    "note": "trained by hand",
    "someone_elses_key": [1, 2],
}


def test_an_old_sidecar_loads_into_the_record_and_is_written_back_unchanged():
    metadata = ModelMetadata.from_json(OLD_SIDECAR)
    assert metadata.arch == "cnn" and metadata.test_accuracy == 0.9952
    assert metadata.config == TrainConfig(
        arch="cnn", epochs=15, batch_size=128, train_size=55000, augment=True
    )
    assert metadata.config.mistake == "none" and metadata.batches_done == 0
    assert metadata.other == {"someone_elses_key": [1, 2]}
    again = metadata.to_json()
    assert again["someone_elses_key"] == [1, 2] and again["test_accuracy"] == 0.9952
    assert ModelMetadata.from_json(json.loads(json.dumps(again))) == metadata


def test_the_shipped_sidecars_load(default_model_path):
    for path in default_model_path.parent.glob("*.keras"):
        metadata = inspect(path).metadata
        assert metadata.arch == "cnn" and metadata.test_accuracy > 0.99, path
        assert metadata.note != "metadata is from an earlier save of this name", path


def test_a_sidecar_that_is_not_an_object_reads_as_no_metadata(tmp_path, default_model_path):
    path = tmp_path / "m.keras"
    path.write_bytes(default_model_path.read_bytes())
    for text in ("[1, 2]", '{"config": 3}', "not json"):
        path.with_suffix(".json").write_text(text)
        assert inspect(path).metadata == ModelMetadata(note="no metadata"), text


def test_a_model_made_with_a_mistake_says_so_wherever_it_is_described(tmp_path):
    from mnist_core.config import TrainConfig
    from mnist_core.store import ModelInfo

    broken = ModelMetadata(arch="dense", config=TrainConfig(mistake="no_from_logits"))
    normal = ModelMetadata(arch="dense", config=TrainConfig())
    assert broken.mistake == "from_logits forgotten" and normal.mistake is None
    line = ModelInfo("dense-no_from_logits-1207", tmp_path / "m.keras", broken).describe()
    assert "mistake on purpose: from_logits forgotten" in line
    assert "mistake" not in ModelInfo("dense-1207", tmp_path / "m.keras", normal).describe()
