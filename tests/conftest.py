"""Shared fixtures: MNIST (loaded once), small training slices, real pen digits."""

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from mnist_core.data import load_mnist  # noqa: E402
from mnist_core.pendigits import pen_digits_path  # noqa: E402
from mnist_core.store import DEFAULT_MODEL, MODELS_DIR  # noqa: E402


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
    from mnist_core.pendigits import rendered_sample

    return rendered_sample(200, seed=11)


def paste_on_canvas(digit: np.ndarray, side: int = 280, at=(40, 60), scale: int = 7):
    """An MNIST digit (28, 28) uint8 enlarged `scale` times onto a black side×side canvas."""
    from PIL import Image

    big = np.asarray(Image.fromarray(digit).resize((28 * scale, 28 * scale), Image.BILINEAR))
    canvas = np.zeros((side, side), np.uint8)
    canvas[at[0] : at[0] + big.shape[0], at[1] : at[1] + big.shape[1]] = big
    return canvas


# --- browser tests: a real server and headless Chromium -------------------------------

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(models_dir=None, port=None):
    """A running `streamlit run app.py` on a free localhost port: (process, base URL)."""
    import subprocess
    import sys
    import time
    import urllib.request

    from mnist_core.data import PROJECT_DIR

    port = port or free_port()
    env = dict(os.environ)
    if models_dir is not None:
        env["MNIST_MODELS_DIR"] = str(models_dir)
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the app did not start within 60 s")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(browser, url):
    """A new page at `url`, waited on until the app is connected and idle."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(url)
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']",
                           timeout=60000)
    return page


def wait_idle(page):
    """Until no script runs (the status widget's 'Running' is gone)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')"
        " || !document.querySelector('[data-testid=stStatusWidget]').innerText.includes('Running')",
        timeout=30000,
    )
