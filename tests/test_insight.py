"""Seeing inside a model: test-set figures, confusion matrix, first-layer views, the worker's
requests for them, fine-tuning on drawings, and the from_logits mistakes made on purpose."""

import numpy as np
import pytest

from mnist_core.config import TrainConfig, drawing_repeats
from mnist_core.data import to_float
from mnist_core.evaluation import accuracy_and_loss, confusion_matrix, mistakes, per_digit_accuracy
from mnist_core.processes.prediction import PredictionWorker
from mnist_core.tf.explain import explain
from mnist_core.tf.models import build_model
from mnist_core.tf.predict import classify
from mnist_core.tf.training import mix_in, train


def test_confusion_matrix_counts_and_drill_down():
    labels = np.array([3, 3, 3, 5, 5])
    probs = np.full((5, 10), 0.01)
    probs[[0, 1, 2, 3, 4], [3, 8, 8, 5, 3]] = [0.9, 0.6, 0.95, 0.9, 0.7]
    confusion = confusion_matrix(labels, probs.argmax(1))
    assert confusion[3, 3] == 1 and confusion[3, 8] == 2 and confusion[5, 3] == 1
    assert confusion.sum() == 5
    np.testing.assert_allclose(per_digit_accuracy(confusion)[[3, 5]], [1 / 3, 1 / 2])
    assert np.isnan(per_digit_accuracy(confusion)[0])
    assert mistakes(probs, labels, 3, 8).tolist() == [2, 1]  # most confident first
    assert accuracy_and_loss(probs, labels).accuracy == pytest.approx(0.4)


def test_default_model_test_figures_through_the_worker(default_model_path, mnist):
    worker = PredictionWorker()
    try:
        probs = worker.test_set(default_model_path)
        seen = worker.explain(default_model_path, to_float(mnist[2][0]))
        drawings = worker.classify(default_model_path, to_float(mnist[2][:5]))
    finally:
        worker.close()
    assert probs.shape == (10000, 10)
    assert accuracy_and_loss(probs, mnist[3]).accuracy >= 0.99
    confusion = confusion_matrix(mnist[3], probs.argmax(1))
    assert confusion.sum() == 10000 and np.trace(confusion) >= 9900
    assert seen["kind"] == "feature_maps" and seen["pictures"].shape[0] == 32
    assert int(np.argmax(seen["logits"])) == mnist[3][0]
    np.testing.assert_allclose(drawings, probs[:5], atol=1e-5)


def test_dense_first_layer_is_shown_as_weights(mnist):
    model = build_model("dense", seed=0)
    seen = explain(model, to_float(mnist[2][0]))
    assert seen.kind == "weights" and seen.pictures.shape == (32, 28, 28)
    assert 0 <= seen.pictures.min() and seen.pictures.max() <= 1
    assert np.all(np.diff(seen.strengths) <= 0)  # strongest first
    assert seen.logits.shape == (10,)


def test_mix_in_gives_drawings_their_share():
    x, y = np.zeros((1000, 28, 28)), np.zeros(1000, np.int64)
    extra_x, extra_y = np.ones((10, 28, 28)), np.full(10, 7)
    mixed_x, mixed_y = mix_in(x, y, extra_x, extra_y, drawing_repeats(1000, 10, share=0.25))
    assert (mixed_y == 7).mean() == pytest.approx(0.25, abs=0.01)
    assert mix_in(x, y, extra_x[:0], extra_y[:0], 0)[0] is x


def test_fine_tuning_learns_the_drawings_and_keeps_mnist(mnist, default_model_path):
    from mnist_core.tf.predict import load_model

    # "drawings": MNIST test 4s whose top row is inked, so they look unlike any 4 or 7
    fours = to_float(mnist[2][mnist[3] == 4][:40])
    fours[:, 2:5, 4:24] = 1.0
    base = load_model(default_model_path)
    before = (classify(base, fours).argmax(1) == 4).mean()
    config = TrainConfig(
        base_model="default", arch="cnn", epochs=1, train_size=3000, learning_rate=3e-4
    )
    result = train(config, mnist, model=base, drawings=(fours[:20], np.full(20, 4)))
    after = (classify(result.model, fours[20:]).argmax(1) == 4).mean()
    test = classify(result.model, to_float(mnist[2][:2000])).argmax(1) == mnist[3][:2000]
    assert after > before and after >= 0.9, (before, after)
    assert test.mean() >= 0.98


@pytest.mark.parametrize("mistake, low, high", [("none", 0, 0.9), ("no_from_logits", 1.8, 99)])
def test_the_from_logits_mistake_stalls_the_loss(mnist, mistake, low, high):
    config = TrainConfig(arch="dense", epochs=1, train_size=3000, batch_size=32, mistake=mistake)
    result = train(config, mnist)
    assert low <= result.history["val_loss"][-1] <= high, result.history


def test_softmax_twice_cannot_go_below_its_floor(mnist):
    config = TrainConfig(arch="dense", epochs=1, train_size=3000, mistake="softmax_twice")
    result = train(config, mnist)
    # even a perfect answer costs -log(e / (e + 9)) = 1.46 when softmax is applied twice
    assert result.history["loss"][-1] >= 1.46


def test_unknown_mistakes_and_base_models_are_refused(mnist, tmp_path):
    from mnist_core.store import check_new_run

    with pytest.raises(ValueError, match="mistake"):
        TrainConfig(mistake="typo").validate()
    with pytest.raises(ValueError):
        TrainConfig(base_model="../evil").validate()
    with pytest.raises(ValueError, match="no saved model"):
        check_new_run(TrainConfig(base_model="missing"), "new", tmp_path)


def test_a_fine_tune_keeps_the_bundled_models_honesty(tmp_path, mnist, monkeypatch):
    """Marks that are no digit train along, the temperature is fitted again, and both
    models are measured on the same non-digits; the result says so."""
    import mnist_core.tf.training as training
    from mnist_core.drawings import save_drawing
    from mnist_core.handwriting import NOT_A_DIGIT
    from mnist_core.store import TrainingRequest, inspect
    from testkit.apprunner import models_with_default

    models, drawings = tmp_path / "models", tmp_path / "drawings"
    models.mkdir()
    models_with_default(models)
    for k in range(20):
        save_drawing(to_float(mnist[2][k]), int(mnist[3][k]), folder=drawings)
    seen = {}
    real_train = training.train

    def spying_train(config, mnist, progress=training.QUIET, **kwargs):
        seen.update(kwargs)
        return real_train(config, mnist, progress, **kwargs)

    monkeypatch.setattr(training, "train", spying_train)
    config = TrainConfig(
        base_model="default", arch="cnn", epochs=1, train_size=2000, learning_rate=1e-4
    )
    request = TrainingRequest(config, "tuned", models, drawings_dir=drawings)
    tuned = training.train_and_save(request).metadata
    base = inspect(models / "default.keras").metadata
    assert len(seen["not_digits"]) >= 0.9 * 0.2 * 2000  # the share trained as NOT_A_DIGIT
    assert NOT_A_DIGIT not in seen["drawings"][1]
    assert tuned.temperature >= base.temperature and "confidence calibrated" in tuned.note
    assert tuned.base_non_digits_not_sure >= 0.8
    assert tuned.non_digits_not_sure >= tuned.base_non_digits_not_sure - 0.05
    assert not tuned.less_honest
    # as many repeats as the form announced for 2,000 MNIST images and 20 drawings
    assert tuned.drawing_repeats == drawing_repeats(2000, 20) == 33
