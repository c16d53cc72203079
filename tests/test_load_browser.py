"""Short versions of the load benchmarks (bench/load_figures.py, bench/room_figures.py):
three people draw at once in Chromium while a training started from the Train page runs;
five light sessions (a recorded browser's messages) draw one digit a second each; and a
small room, ten light sessions, draws while a model trains and the Evaluate page tests
another. Every drawing is answered."""

import json
import threading
import time

import pytest
from playwright.sync_api import expect

from mnist_core.store import MODELS_DIR
from testkit.apprunner import (
    METRIC,
    fill_training_form,
    models_with_default,
    open_page,
)
from testkit.drawers import draw_together, summary
from testkit.light_sessions import draw_lightly, make_scripts, record, visit

# answer times are asserted: timed with no other test beside it (pytest.ini)
pytestmark = pytest.mark.alone


def listed(drawings) -> list[tuple]:
    """(session, digit drawn, digit shown, ms) of each drawing, for assertion messages."""
    return [(d.session, d.label, d.shown, d.latency_ms and round(d.latency_ms)) for d in drawings]


@pytest.fixture(scope="module")
def app(tmp_path_factory, app_server):
    models = models_with_default(tmp_path_factory.mktemp("models"))
    return app_server(models), models


@pytest.fixture(scope="module")
def recording(app, browser):
    return record(browser, app[0])


def test_several_people_draw_while_a_training_runs(app, browser):
    url, models = app
    page = open_page(browser, f"{url}/train")
    fill_training_form(page, "under-load", 2, arch="dense", size="10,000 (quick demo)")
    page.locator(".st-key-train_start button").click()
    expect(page.locator("[data-testid='stProgress']")).to_be_visible(timeout=60000)

    drawings = draw_together(url, sessions=3, per_session=3)

    expect(page.locator(METRIC).filter(has_text="Test accuracy")).to_be_visible(timeout=300000)
    figures = summary(drawings)
    drawings = listed(drawings)
    assert figures["drawings"] == 9 and figures["answered"] == 9, drawings
    assert figures["correct"] >= 7, drawings
    # a loose bound, to catch an answer queued behind the training, not to time the page
    assert figures["latency_p95_ms"] < 3000, drawings
    assert (models / "under-load.keras").exists()


def test_five_sessions_drawing_a_digit_a_second_are_answered_within_half_a_second(app, recording):
    url, _ = app
    drawings = draw_lightly(url, recording, sessions=5, per_session=4)
    figures = summary(drawings)
    drawings = listed(drawings)
    assert figures["drawings"] == 20 and figures["answered"] == 20, drawings
    assert figures["correct"] >= 18, drawings
    # the canvas's own 200 ms wait after mouse-up included
    assert figures["latency_p95_ms"] < 500, drawings


def test_a_room_draws_while_a_model_trains_and_another_is_tested(app, browser, recording):
    """Drawings are answered by their own prediction process, not behind the 10,000-image
    test that the Evaluate page runs (its first here: this server has tested nothing)."""
    url, models = app
    train = open_page(browser, f"{url}/train")
    fill_training_form(train, "room", 2, arch="dense", size="10,000 (quick demo)")
    train.locator(".st-key-train_start button").click()
    expect(train.locator("[data-testid='stProgress']")).to_be_visible(timeout=60000)
    train.close()  # the teacher's screen is elsewhere: the training runs on in the server
    scripts = make_scripts(recording, sessions=10, distinct=5)
    drawings = []
    room = threading.Thread(
        target=lambda: drawings.extend(
            draw_lightly(url, recording, 10, 5, period=2.0, scripts=scripts)
        )
    )
    room.start()
    tested_from = time.monotonic()
    evaluation = visit(url, recording, "evaluate")  # as a browser elsewhere
    tested_until = time.monotonic()
    room.join()
    bundled = json.loads((MODELS_DIR / "default.json").read_text())["test_accuracy"]
    assert evaluation.metrics["Test accuracy"] == f"{bundled:.2%}", evaluation
    figures = summary(drawings)
    during = [d for d in drawings if d.sent_s and tested_from <= d.sent_s <= tested_until]
    drawings = listed(drawings)
    assert figures["drawings"] == 50 and figures["answered"] == 50, drawings
    assert figures["correct"] >= 45, drawings
    assert figures["latency_p95_ms"] < 500, drawings  # the canvas's 200 ms wait included
    assert len(during) >= 5, (evaluation.seconds, drawings)  # sent while it was tested
    wait_for_file(models / "room.json", timeout=300)  # the training ended and saved


def wait_for_file(path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} did not appear within {timeout} s"
        time.sleep(0.2)
