"""Two replicas of the app behind a real HAProxy (sticky cookie, round robin) sharing one
models and one drawings folder, one replica in its own PID namespace so that its process
ids are another machine's, driven in Chromium through the proxy.

A training on replica a saves while replica b's page reruns (each rerun sweeps the shared
folders for leftover temporaries) and drawings are saved all along, from b's page and from
this process (whose process ids are a's). Nothing may be lost: the save succeeds, b offers
the model within seconds and answers with it, every drawing is there. A name training on
a is refused on b; each browser stays on its replica. Run with -s for the timings.
"""

import re
import subprocess
import sys
import threading
import time
from contextlib import ExitStack

import numpy as np
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from mnist_core.drawings import load_drawings, save_drawing
from mnist_core.reservations import SUFFIX
from testkit.apprunner import (
    METRIC,
    PROJECT_DIR,
    SEVEN,
    canvas_box,
    child_processes,
    clear_canvas,
    correction_pill,
    draw,
    fill_training_form,
    free_port,
    go_to,
    models_with_default,
    open_page,
    pick,
    prediction,
    start_app,
    stop_app,
    wait_idle,
)
from testkit.replicas import COOKIE, OTHER_MACHINE, running_haproxy

NAME = "shared-run"


# Run on machine b beside its replica: the sweep its pages run (ui.services), every 20 ms
# instead of at each listing, one line per sweep: wall time, folder, files removed.
SWEEPER = """
import sys, time
from pathlib import Path
from mnist_core.atomic import remove_stale_temporaries
while True:
    for folder in map(Path, sys.argv[1:]):
        print(time.time(), folder.name, len(remove_stale_temporaries(folder)), flush=True)
    time.sleep(0.02)
"""


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    """(proxy URL, models folder, drawings folder, sweeps log): replicas a (this PID
    namespace) and b (its own) behind HAProxy, and a sweeper in b's namespaces."""
    models = models_with_default(tmp_path_factory.mktemp("models"))
    drawings = tmp_path_factory.mktemp("drawings")
    proxy = tmp_path_factory.mktemp("proxy")
    with ExitStack() as stack:
        ports = {}
        for name, wrapper in (("a", ()), ("b", OTHER_MACHINE)):
            process, url = start_app(
                models, drawings_dir=drawings, wrapper=wrapper, env={"MNIST_REPLICA": name}
            )
            stack.callback(stop_app, process)
            ports[name] = int(url.rsplit(":", 1)[1])
        [b_init] = child_processes(process.pid)  # b's pid 1, seen from here
        log = proxy / "sweeps_on_b.log"
        sweeper = subprocess.Popen(
            ["nsenter", f"--target={b_init}", "--pid", "--mount", sys.executable, "-c"]
            + [SWEEPER, str(models), str(drawings)],
            cwd=PROJECT_DIR,
            stdout=log.open("w"),
            start_new_session=True,
        )
        stack.callback(stop_app, sweeper)
        url = stack.enter_context(running_haproxy(proxy, free_port(), ports))
        yield url, models, drawings, log


def sweeps(log, start: float, end: float) -> int:
    """Sweeps the sweeper on b ran from `start` to `end` (wall time), of both folders."""
    times = [float(line.split()[0]) for line in log.read_text().splitlines()]
    return sum(start <= t <= end for t in times)


def replica_of(page) -> str:
    """The replica the proxy's cookie pins this browser to."""
    return {c["name"]: c["value"] for c in page.context.cookies()}[COOKIE]


def open_on(browser, url: str, replica: str):
    """A new browser (its own cookies) that the proxy sent to `replica`: round robin sends
    every other new browser there."""
    for _ in range(2):
        page = open_page(browser, url)
        if replica_of(page) == replica:
            return page
        page.context.close()
    raise AssertionError(f"round robin never sent a new browser to {replica}")


def read_a_seven(page) -> int:
    """Draw a 7 and return the answer; drawn again if the stroke was lost (a canvas drawn
    on just as its page ran can miss it, on a loaded machine)."""
    for _ in range(3):
        side = canvas_box(page)["width"]
        draw(page, [stroke * side for stroke in SEVEN])
        try:
            return prediction(page, timeout=10000)
        except PlaywrightTimeout:
            wait_idle(page)
            if page.locator(".st-key-draw_clear button").is_enabled():
                page.locator(".st-key-draw_clear button").click()
                wait_idle(page)
    raise AssertionError("the Draw page never answered")


class Writer:
    """Saves a drawing into the shared folder every `every` seconds in a thread, and
    watches the models folder for the save of NAME: when its temporary first appeared
    and when the save was done (its sidecar in place)."""

    def __init__(self, drawings, models, every=0.1):
        self.drawings, self.models, self.every = drawings, models, every
        self.saved, self.errors = [], []
        self.temporary_seen = self.saved_at = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        digit = np.zeros((28, 28), np.float32)
        digit[6:22, 13:15] = 1.0
        next_save = time.time()
        while not self.done.is_set():
            now = time.time()
            if self.temporary_seen is None and any(self.models.glob(f".{NAME}.*.tmp.*")):
                self.temporary_seen = now
            if self.saved_at is None and (self.models / f"{NAME}.json").exists():
                self.saved_at = now
            if now >= next_save:
                try:
                    self.saved.append(save_drawing(digit, 1, folder=self.drawings))
                except OSError as err:  # a sweep took its temporary
                    self.errors.append(repr(err))
                next_save = now + self.every
            time.sleep(0.005)

    def stop(self):
        self.done.set()
        self.thread.join()


def test_two_replicas_behind_haproxy_lose_nothing(replicas, browser):
    url, models, drawings, sweep_log = replicas
    figures = {}
    # A browser stays on its replica; the next new browser goes to the other one
    trainer = open_on(browser, f"{url}/train", "a")
    lister = open_page(browser, f"{url}/draw")
    assert replica_of(lister) == "b"

    # b's form is filled before a starts: a's training (a few seconds on a fast machine)
    # must still be running when b presses Start, however slow the form's reruns are
    go_to(lister, "train")
    fill_training_form(lister, NAME, 1, arch="dense")
    fill_training_form(trainer, NAME, 3, arch="dense", size="10,000 (quick demo)")
    writer = Writer(drawings, models)
    started = time.time()
    trainer.locator(".st-key-train_start button").click()
    expect(trainer.locator(".st-key-train_stop button")).to_be_visible(timeout=60000)

    # On b: the same name is refused at Start, and a's training is shown
    lister.locator(".st-key-train_start button").click()
    expect(lister.locator("[data-testid='stAlertContentError']")).to_contain_text(
        re.compile(f"{NAME} on replica a .* is training this name")
    )
    elsewhere = lister.get_by_text(re.compile("Training on another replica"))
    expect(elsewhere).to_contain_text(f"{NAME} on replica a")

    trainer.reload()  # still replica a, the only one running this training
    expect(trainer.locator(".st-key-train_stop button")).to_be_visible(timeout=30000)
    assert replica_of(trainer) == "a"
    expect(lister.locator(".st-key-train_stop button")).to_have_count(0)
    assert list(models.glob(f".*{SUFFIX}")) == [models / f".{NAME}{SUFFIX}"]

    # Until a's model is saved, b goes between its pages, each listing the models (a full
    # run: it sweeps models/), and draws and saves a correction (the canvas's fragment,
    # re-reading the drawings folder that changed: it sweeps drawings/)
    listings, strokes = [], []
    reserved = models / f".{NAME}{SUFFIX}"  # until the training saves or fails
    while writer.saved_at is None and reserved.exists() and time.time() - started < 240:
        for page_path in ("train", "draw"):
            go_to(lister, page_path)
            listings.append(time.time())
        read_a_seven(lister)
        strokes.append(time.time())
        correction_pill(lister, 7).click()
        try:  # saved, then cleared; a pill's click can be lost to a rerun: then Clear
            expect(lister.get_by_text("Draw one digit")).to_be_visible(timeout=5000)
        except AssertionError:
            clear_canvas(lister)
        wait_idle(lister)
        strokes.append(time.time())
        expect(lister.get_by_text("Could not save the drawing")).to_have_count(0)
    time.sleep(0.2)  # the writer's last look at the folder
    if writer.saved_at is None:
        failure = trainer.locator("[data-testid='stAlertContentError']").all_inner_texts()
        tried = len(writer.saved) + len(writer.errors)
        pytest.fail(
            f"a's model was not saved: {failure}; {len(writer.errors)} of {tried} drawing "
            f"saves failed here ({writer.errors[:1]}), {sweeps(sweep_log, started, time.time())} "
            "sweeps on b"
        )
    figures["training, Start to saved (s)"] = writer.saved_at - started
    if writer.temporary_seen is not None:
        window = (writer.temporary_seen, writer.saved_at + 0.01)
        figures["save, first temporary to sidecar (s)"] = window[1] - window[0]
        figures["b's model listings during the save"] = sum(
            window[0] <= t <= window[1] for t in listings
        )
        figures["sweeps on b during the save"] = sweeps(sweep_log, *window)
    figures["b's model listings during the training"] = len(listings)
    figures["b's drawing reruns during the training"] = len(strokes)

    # the save succeeded on a
    expect(trainer.locator(METRIC).filter(has_text="Test accuracy")).to_be_visible(timeout=60000)
    assert not list(models.glob(f".*{SUFFIX}")), "the reservation ends with the save"

    # b offers the new model at its next full run (here: back to its Draw page), and
    # answers with it
    visit = time.time()
    go_to(lister, "draw")
    pick(lister, "draw_model", re.compile(f"^{NAME} · dense"))
    figures["b offers the model, from its next page run (s)"] = time.time() - visit
    figures["b offers the model, after the save (s)"] = time.time() - writer.saved_at
    assert 0 <= read_a_seven(lister) <= 9
    expect(lister.locator(".st-key-draw_model input")).to_have_value(re.compile(f"^{NAME}"))

    writer.stop()
    found = load_drawings(drawings)
    corrected = int(found.counts()[7])  # b's page saves 7s, this process 1s
    figures["drawings saved (this process + b's page)"] = (len(writer.saved), corrected)
    figures["drawings found"] = len(found)
    figures["drawing saves that failed"] = len(writer.errors)
    figures["sweeps on b in all"] = sweeps(sweep_log, started, time.time())
    print(
        "\nreplicas:",
        "; ".join(
            f"{k}: {v:.2f}" if isinstance(v, float) else f"{k}: {v}" for k, v in figures.items()
        ),
    )
    assert writer.errors == []
    assert corrected > 0 and set(writer.saved) <= set(found.ids)
    assert len(found) == len(writer.saved) + corrected
    assert found.problems == []
