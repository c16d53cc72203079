"""Both architectures learn from a small slice; progress is reported; Stop stops."""

import threading

import pytest

from mnist_core.architectures import ARCHITECTURES
from mnist_core.config import TrainConfig
from mnist_core.tf.models import build_model
from mnist_core.tf.predict import evaluate
from mnist_core.tf.training import Progress, train


@pytest.mark.parametrize("arch, augment", [("dense", False), ("cnn", True)])
def test_one_small_epoch_beats_chance_by_far(mnist, arch, augment):
    batches, epochs = [], []
    config = TrainConfig(arch=arch, epochs=1, train_size=3000, batch_size=32, augment=augment)
    progress = Progress(
        on_batch=lambda e, b, logs: batches.append(logs),
        on_epoch=lambda e, logs: epochs.append(logs),
    )
    result = train(config, mnist, progress)
    test = evaluate(result.model, mnist[2][:2000], mnist[3][:2000])
    assert test.accuracy > 0.75, test
    assert len(batches) >= 3000 // 32 and {"loss", "accuracy"} <= set(batches[-1])
    assert len(epochs) == 1 and {"val_loss", "val_accuracy"} <= set(epochs[0])
    assert result.epochs_done == 1 and not result.stopped_early


def test_stop_halts_between_batches(mnist):
    stop = threading.Event()
    seen = []

    def on_batch(epoch, batch, logs):
        seen.append(batch)
        if batch == 4:
            stop.set()

    config = TrainConfig(arch="dense", epochs=5, train_size=5000, batch_size=50)
    result = train(config, mnist, Progress(on_batch=on_batch, stop=stop))
    assert result.stopped_early and len(seen) == 5
    # Keras ends the stopped epoch as if whole; the count says what was really trained
    assert (result.epochs_done, result.batches_done, result.steps_per_epoch) == (0, 5, 100)
    assert result.epochs_trained == pytest.approx(0.05)


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"epochs": 0}, "epochs"),
        ({"arch": "rnn"}, "architecture"),
        ({"train_size": 10**9}, "size"),
        ({"learning_rate": -1.0}, "learning rate"),
        ({"batch_size": 0}, "batch size"),
    ],
)
def test_bad_configs_are_refused(mnist, change, reason):
    with pytest.raises(ValueError, match=reason):
        train(TrainConfig(**change), mnist)


@pytest.mark.parametrize("arch", sorted(ARCHITECTURES))
def test_described_parameter_counts_are_true(arch):
    assert build_model(arch).count_params() == ARCHITECTURES[arch].params


def test_every_architecture_builds_with_the_parameters_it_lists():
    """architectures.py is the one list: the Keras model of each entry, its count, its name."""
    from mnist_core.architectures import ARCHITECTURES

    for name, arch in ARCHITECTURES.items():
        model = build_model(name)
        assert model.name == name and model.count_params() == arch.params
        assert model.output_shape == (None, 10)


def test_batches_come_untuned_and_whole():
    """The batches are made without tf.data's autotuner (it made one epoch in three take
    twice as long on two cores, see training_batches), and still hold every image once
    an epoch, shuffled, augmented or not."""
    import numpy as np

    from mnist_core.tf.training import training_batches

    x = np.arange(200, dtype=np.float32).reshape(200, 1, 1) * np.ones((1, 28, 28), np.float32)
    y = np.arange(200) % 10
    for augment in (False, True):
        config = TrainConfig(arch="dense", batch_size=32, augment=augment)
        batches = training_batches(x / 200, y, config)
        assert batches.options().autotune.enabled is False
        labels = np.concatenate([b.numpy() for _, b in batches])
        assert sorted(labels) == sorted(y) and not np.array_equal(labels, y)
