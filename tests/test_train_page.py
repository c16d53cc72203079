"""Train page without a browser: it renders, and bad settings are refused with a message."""

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mnist_core.data import PROJECT_DIR
from mnist_core.store import MODELS_DIR

PAGE = str(PROJECT_DIR / "app_pages" / "train.py")


@pytest.fixture
def page():
    return AppTest.from_file(PAGE, default_timeout=60).run()


def test_page_renders_with_sensible_defaults(page):
    assert not page.exception
    assert page.number_input(key="train_epochs").value == 5
    assert page.button(key="train_start").label == "Start training"
    assert "epoch" in page.markdown[0].value and "Validation" in page.markdown[0].value


@pytest.mark.parametrize(
    "name, message",
    [
        ("../escape", "model name"),
        ("a/b", "model name"),
        ("", "empty"),
        ("default", "already exists"),
        ("nul\x00byte", "model name"),
        ("modèle", "model name"),
    ],
)
def test_bad_names_are_refused_before_training(page, name, message):
    page.text_input(key="train_name").set_value(name).run()
    page.button(key="train_start").click().run()
    assert not page.exception
    assert message in page.error[0].value
    assert not page.get("progress")  # nothing started


@pytest.mark.parametrize(
    "contents", [None, b"PK\x03\x04 not really a zip"], ids=["missing", "corrupt"]
)
def test_unusable_mnist_file_gets_a_page_level_message(tmp_path, monkeypatch, contents):
    data = tmp_path / "mnist.npz"
    if contents is not None:
        data.write_bytes(contents)
    monkeypatch.setenv("MNIST_NPZ", str(data))
    page = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not page.exception
    [error] = page.error
    assert "mnist.npz" in error.value and "git checkout -- data/mnist.npz" in error.value
    assert not page.button  # no Start while the data is unusable


@pytest.mark.parametrize("epochs", [0, 51, 1000])
def test_out_of_range_epochs_are_refused_with_a_message(page, epochs):
    page.number_input(key="train_epochs").set_value(epochs).run()
    page.button(key="train_start").click().run()
    assert not page.exception
    assert f"Epochs must be a whole number from 1 to 50, not {epochs}" in page.error[0].value
    assert not page.get("progress")


def test_architecture_captions_give_measured_figures_only(page):
    captions = " ".join(page.radio(key="train_arch").proto.captions)
    assert "~" not in captions
    # the best cnn saved here, whichever it is after the bundled models are rebuilt, with
    # its measured accuracy and how it trained
    from mnist_core.store import list_models

    cnns = [m for m in list_models(MODELS_DIR) if m.metadata.arch == "cnn"]
    best = max(cnns, key=lambda m: m.metadata.test_accuracy)
    config = best.metadata.config
    expected = (
        f"best saved here: {best.metadata.test_accuracy:.2%} (`{best.name}`: "
        f"{best.metadata.epochs_trained:g} epochs on {config.train_size:,} images, augmented"
    )
    assert expected in captions


def test_fine_tuning_on_too_few_drawings_is_refused_with_the_reason(tmp_path, monkeypatch):
    import ui.services
    from mnist_core.drawings import save_drawing

    for label in (1, 2, 3, 4):
        save_drawing(np.zeros((28, 28), np.float32), label, folder=tmp_path)
    monkeypatch.setattr(ui.services.saved_drawings, "__defaults__", (tmp_path,))
    page = AppTest.from_file(PAGE, default_timeout=60).run()
    page.segmented_control(key="train_mode").set_value("tune").run()
    warning = page.warning[0].value
    assert "4 saved drawings (everyone's who drew here); fine-tuning needs at least 20" in warning
    page.button(key="train_start").click().run()
    assert not page.exception
    assert "repeated about 833 times per epoch" in page.error[0].value
    assert not page.get("progress")


class RecordingRunner:
    """A training slot that records the requests it is given and runs none."""

    def __init__(self):
        self.requests = []

    def start(self, request, owner=None):
        self.requests.append(request)

    def current(self):
        return None


def test_a_classic_mistake_is_for_one_run_and_named_in_its_default_name(monkeypatch):
    import ui.services

    runner = RecordingRunner()
    monkeypatch.setattr(ui.services, "training_runner", lambda: runner)
    page = AppTest.from_file(PAGE, default_timeout=60).run()
    page.radio(key="train_arch").set_value("dense").run()
    page.radio(key="train_mistake").set_value("no_from_logits").run()
    assert "-no_from_logits-" in page.text_input(key="train_name").value
    page.button(key="train_start").click().run()
    assert not page.exception
    first = runner.requests[-1]
    assert first.config.mistake == "no_from_logits" and "no_from_logits" in first.name
    # the teacher's next, normal-looking run is normal: the mistake went back to none
    assert page.radio(key="train_mistake").value == "none"
    page.text_input(key="train_name").set_value("normal-run").run()
    page.button(key="train_start").click().run()
    second = runner.requests[-1]
    assert second.config.mistake == "none" and second.name == "normal-run"


def test_a_run_with_a_mistake_names_it_as_the_cause_of_its_figures():
    from mnist_core.curves import history_epochs
    from ui.train_curves import gap_text

    history = {"accuracy": [0.49], "val_accuracy": [0.51]}
    text = gap_text(history_epochs(history), augment=True, mistake="from_logits forgotten")
    assert "from_logits forgotten" in text and "dropout" in text.split("not")[1]
    assert "because" not in text  # no dropout-and-augmentation story for a broken run


def test_picking_the_dense_network_puts_the_tutorials_run_on_the_form(page):
    assert page.toggle(key="train_augment").value  # the cnn's preset: augmented
    page.radio(key="train_arch").set_value("dense").run()
    settings = [
        page.number_input(key="train_epochs").value,
        page.select_slider(key="train_batch").value,
        page.select_slider(key="train_lr").value,
        page.toggle(key="train_augment").value,
    ]
    assert settings == [5, 32, 0.001, False]
    captions = " ".join(page.radio(key="train_arch").proto.captions)
    assert "starts from the tutorial's run: 5 epochs, batches of 32, Adam at 0.001, no aug" in (
        captions
    )
    page.radio(key="train_arch").set_value("cnn").run()
    assert (
        page.toggle(key="train_augment").value and page.select_slider(key="train_batch").value == 64
    )


def test_another_replicas_training_is_shown_and_start_is_refused():
    """From its reservation in the shared models folder; one training at a time by default."""
    import json
    import time

    from mnist_core.reservations import reservation_path

    path = reservation_path("their_run", MODELS_DIR)
    holder = dict(name="their_run", replica="web-2", host="0123abcd", pid=7, started=time.time())
    path.write_text(json.dumps(holder))
    try:
        page = AppTest.from_file(PAGE, default_timeout=60).run()
        [info] = [i.value for i in page.info if "another replica" in i.value]
        assert "`their_run` on replica web-2 (pid 7)" in info
        for name, reason in [("their_run", "is training this name"), ("mine", "at once")]:
            page.text_input(key="train_name").set_value(name).run()
            page.button(key="train_start").click().run()
            assert not page.exception
            [error] = page.error
            assert "web-2" in error.value and reason in error.value
            assert not page.get("progress")  # nothing started
    finally:
        path.unlink()


def test_before_start_the_pinned_drawings_show_the_untrained_guess(page):
    text = " ".join(m.value for m in page.markdown)
    loss = re.search(r"batch of 32 training digits is \*\*(\d\.\d\d)\*\*", text)
    assert loss and abs(float(loss.group(1)) - 2.30) < 0.3, text
    assert "ln 10" in text
    # two MNIST test digits pinned by default, each with its ten bars, none above 30%
    bars = [h.proto.body for h in page.get("html") if "digit-bars" in h.proto.body]
    assert len(bars) == 2
    shares = [float(v) for b in bars for v in re.findall(r'title="\d: (\d+)%"', b)]
    assert len(shares) == 20 and max(shares) < 30


def discarding(discards: int, calls: int) -> None:
    """The outcome's Discard handler called `calls` times on a job whose discard() is True
    for its first `discards` calls (then: discarded already)."""
    from types import SimpleNamespace

    from ui.train_outcome import _discard

    answers = iter([True] * discards + [False] * calls)
    job = SimpleNamespace(
        snapshot=lambda: SimpleNamespace(name="run-1"), discard=lambda: next(answers)
    )
    for _ in range(calls):
        _discard(job)


def test_a_discard_replayed_by_a_timed_rerun_still_says_discarded():
    """A click that meets the panel's 2 s rerun runs its handler twice (Streamlit replays
    the click): the second run said "`run-1` was already discarded" in place of the first
    toast, as if someone else had. Another viewer's discard is still said so."""
    twice = AppTest.from_function(discarding, args=(1, 2), default_timeout=30).run()
    assert [t.value for t in twice.toast] == ["Discarded `run-1`."] * 2
    elsewhere = AppTest.from_function(discarding, args=(0, 1), default_timeout=30).run()
    assert [t.value for t in elsewhere.toast] == ["`run-1` was already discarded."]
