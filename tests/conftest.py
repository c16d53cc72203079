"""Shared fixtures: MNIST (loaded once), small training slices, real pen digits."""

import os
from contextlib import ExitStack

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from mnist_core.data import load_mnist  # noqa: E402
from mnist_core.pendigits import pen_digits_path  # noqa: E402
from mnist_core.store import DEFAULT_MODEL, MODELS_DIR  # noqa: E402
from testkit.apprunner import CHROMIUM_ARGS, running_app  # noqa: E402

# The longest modules first (seconds each, one at a time on 2 cores: 200, 127, 122, 84,
# 70, 63, 61, 56, 52, 51): `make test` hands its two workers a module at a time in this
# order (pytest-xdist, --dist loadfile), and a long one handed out last runs on its own at
# the end while the other worker waits.
LONGEST_FIRST = (
    "test_train_page_browser.py",
    "test_cli.py",
    "test_phone_browser.py",
    "test_insight_browser.py",
    "test_faults_browser.py",
    "test_replicas_browser.py",
    "test_draw_page_browser.py",
    "test_pinned_browser.py",
    "test_insight.py",
    "test_jobs.py",
)


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: in-module order kept


@pytest.fixture(scope="session", autouse=True)
def cache_dir(tmp_path_factory):
    """Arrays kept between runs (mnist_core.stored) go to a folder of this run's, which
    the apps and processes the tests start inherit: nothing is read from, or left in,
    the user's cache, and a fine-tune's fixed inputs are made once per suite. The
    workers of one run (pytest-xdist) share it, so a second worker reads what the first
    made (the files are written atomically) instead of making it again."""
    from mnist_core.stored import CACHE_ENV

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / "cache"
    folder.mkdir(exist_ok=True)
    os.environ[CACHE_ENV] = str(folder)
    return folder


@pytest.fixture(scope="session")
def mnist():
    return load_mnist()


@pytest.fixture(scope="session")
def default_model_path():
    return MODELS_DIR / f"{DEFAULT_MODEL}.keras"


@pytest.fixture(scope="session")
def pen_sample():
    """200 real pen digits rendered as canvas drawings, with their labels."""
    if not pen_digits_path().exists():
        pytest.fail(f"pen digits not found at {pen_digits_path()} (set PEN_DIGITS)")
    from testkit.pen_replay import rendered_sample

    return rendered_sample(200, seed=11)


def paste_on_canvas(digit: np.ndarray, side: int = 280, at=(40, 60), scale: int = 7):
    """An MNIST digit (28, 28) uint8 enlarged `scale` times onto a black side×side canvas."""
    from PIL import Image

    big = np.asarray(Image.fromarray(digit).resize((28 * scale, 28 * scale), Image.BILINEAR))
    canvas = np.zeros((side, side), np.uint8)
    canvas[at[0] : at[0] + big.shape[0], at[1] : at[1] + big.shape[1]] = big
    return canvas


# --- browser tests: headless Chromium, shared by the whole session ---------------------


@pytest.fixture(scope="module")
def app_server():
    """Starts the app for a module's browser tests: app_server(models_dir, drawings_dir=None)
    gives its base URL; every app started so is stopped once the module's tests are done."""
    with ExitStack() as started:

        def serve(models_dir, drawings_dir=None) -> str:
            return started.enter_context(running_app(models_dir, drawings_dir))[1]

        yield serve


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # expect()'s default wait is 5 s, and a busy machine (a training in the app, another
    # test beside it in `make test`) has held a page's run longer. A longer wait costs
    # nothing where the page is quick (expect returns at once); the tests that time the
    # pages assert their times themselves.
    expect.set_options(timeout=15_000)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()
