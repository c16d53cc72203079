"""The server killed with SIGKILL mid-training and mid-save: nothing saved is lost.

After each kill: no training process is left running, every model in the folder loads
(the one being replaced is the old one or the complete new one), no temporary file is
listed, and a restarted app reads a drawing.
"""

import os
import shutil
import signal
import threading
import time

import numpy as np
import pytest
from playwright.sync_api import expect

from mnist_core.store import list_models
from mnist_core.tf.predict import load_model
from testkit.apprunner import (
    child_processes,
    draw,
    fill_training_form,
    models_with_default,
    open_page,
    prediction,
    proc_stat,
    running_app,
    start_app,
    stop_app,
)

VICTIM = "victim"  # the model a training replaces when the kill comes


@pytest.fixture
def models(tmp_path):
    folder = models_with_default(tmp_path)
    shutil.copy(folder / "default.keras", folder / f"{VICTIM}.keras")
    shutil.copy(folder / "default.json", folder / f"{VICTIM}.json")
    return folder


def start_replacing_victim(browser, url, epochs):
    """Start, from the Train page, a dense training that will overwrite the victim model."""
    page = open_page(browser, f"{url}/train")
    fill_training_form(page, VICTIM, epochs, arch="dense", size="10,000 (quick demo)")
    page.locator(".st-key-train_overwrite label").click()
    page.locator(".st-key-train_start button").click()
    return page


def wait_gone(pids, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(os.path.exists(f"/proc/{pid}") and _running(pid) for pid in pids):
            return
        time.sleep(0.05)
    raise AssertionError(f"processes {pids} still running {timeout} s after the server died")


def _running(pid):
    try:
        return proc_stat(pid)[0] != "Z"
    except OSError:
        return False


def assert_recovered(models, browser, old_victim):
    """Every model loads, the victim is whole, and a fresh server reads a drawing."""
    with running_app(models) as (_, url):
        page = open_page(browser, f"{url}/draw")
        draw(page, [np.array([[140, 40], [140, 240]])])  # a 1
        assert prediction(page) == 1
        expect(page.get_by_text("Can't use")).to_have_count(0)
        assert not list(models.glob(".*")), "the restarted app swept the temporaries"
    infos = list_models(models)
    assert [i.name for i in infos] == ["default", VICTIM]
    for info in infos:
        assert info.usable, info.error
        assert load_model(info.path).output_shape == (None, 10)
    victim = (models / f"{VICTIM}.keras").read_bytes()
    return victim == old_victim  # True: the old model; False: the complete new one


def test_killed_during_training(models, browser):
    old_victim = (models / f"{VICTIM}.keras").read_bytes()
    with running_app(models) as (process, url):
        page = start_replacing_victim(browser, url, epochs=20)
        expect(page.locator("[data-testid='stProgress']")).to_contain_text("batch", timeout=60000)
        children = child_processes(process.pid)
        assert any("mnist_core.processes.training" in cmd for cmd in children.values())
        process.send_signal(signal.SIGKILL)  # the server only: its children must notice
        wait_gone(list(children))
    assert assert_recovered(models, browser, old_victim), "the unfinished model replaced the old"


def test_killed_during_a_model_save(models, browser):
    old_victim = (models / f"{VICTIM}.keras").read_bytes()
    process, url = start_app(models_dir=models)
    seen = threading.Event()

    def kill_when_saving():
        # the save starts by creating its hidden temporary beside the model (its name's
        # reservation, .victim.reserved, is there from the Start)
        while not seen.is_set():
            if any(models.glob(f".{VICTIM}.*.tmp.keras")):
                os.killpg(process.pid, signal.SIGKILL)  # server and children at once
                seen.set()
            time.sleep(0.0005)

    killer = threading.Thread(target=kill_when_saving, daemon=True)
    killer.start()
    try:
        start_replacing_victim(browser, url, epochs=1)
        assert seen.wait(180), "no save was seen"
        killer.join()
        process.wait()
    finally:
        seen.set()
        stop_app(process)
    interrupted = list(models.glob(f".{VICTIM}.*.tmp.keras"))
    kept_old = assert_recovered(models, browser, old_victim)
    assert kept_old or not interrupted, "a save cut short must leave the old model in place"
