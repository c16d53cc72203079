"""Run the app for browser tests and benchmarks: a real server on a free port, Chromium."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from testkit.runs import forget_drawn, mark_drawn, wait_answered, watch

PROJECT_DIR = Path(__file__).resolve().parent.parent

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(models_dir=None, port=None, drawings_dir=None, wrapper=(), env=None, script=None):
    """A running `streamlit run app.py` on a free localhost port: (process, base URL).

    `wrapper` goes before the command (e.g. `unshare --pid --fork --mount-proc`); `env`
    adds variables to this process's environment; `script` runs another app (a Path; its
    folder is the working directory), e.g. ../shared/tools/floor_app/app.py."""
    script = Path(script) if script is not None else PROJECT_DIR / "app.py"
    port = port or free_port()
    env = {**os.environ, **(env or {})}
    if models_dir is not None:
        env["MNIST_MODELS_DIR"] = str(models_dir)
    if drawings_dir is not None:
        env["MNIST_DRAWINGS_DIR"] = str(drawings_dir)
    process = subprocess.Popen(
        [
            *wrapper,
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script.name,
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=script.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: os.killpg takes its children too
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


@contextmanager
def running_app(models_dir=None, drawings_dir=None, port=None):
    """The app of start_app as (process, base URL) for a with block; then stopped, with
    every process it started."""
    process, url = start_app(models_dir=models_dir, port=port, drawings_dir=drawings_dir)
    try:
        yield process, url
    finally:
        stop_app(process)


def stop_app(process) -> None:
    """Kill the server and every process it started (its process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def proc_stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name: [0] state, [1] parent pid,
    [11] user and [12] system CPU time in clock ticks. OSError once the process is gone."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def child_processes(pid: int) -> dict[int, str]:
    """{pid: command line} of the processes whose parent is `pid`."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(proc_stat(int(stat.parent.name))[1]) == pid:
                cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                found[int(stat.parent.name)] = cmdline.decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue  # ended while we looked
    return found


def open_page(browser, url):
    """A new page at `url`, waited on until the app is connected and idle."""
    return _connected(browser.new_page(viewport={"width": 1280, "height": 1000}), url)


# A phone held upright: its browser reports touch, and nothing hovers before a touch.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def open_phone(browser, url):
    """A new page at `url` on a phone (a context of its own), once the app is connected."""
    return _connected(browser.new_context(**PHONE).new_page(), url)


def _connected(page, url):
    watch(page)  # its runs, so that a test can wait for the one that answers a drawing
    page.goto(url)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=60000
    )
    return page


def wait_idle(page, timeout=30000):
    """Until no script runs (the status widget's 'Running' is gone), up to `timeout` ms."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')"
        " || !document.querySelector('[data-testid=stStatusWidget]').innerText.includes('Running')",
        timeout=timeout,
    )


def models_with_default(folder: Path) -> Path:
    """`folder` holding a copy of the bundled default model and its metadata."""
    import shutil

    from mnist_core.store import MODELS_DIR

    for suffix in (".keras", ".json"):
        shutil.copy(MODELS_DIR / f"default{suffix}", folder / f"default{suffix}")
    return folder


# The canvas layer that keeps the finished strokes (Fabric.js draws the stroke in progress
# on the upper one, which takes the pointer). It is transparent until the canvas has
# loaded its first drawing, which paints the black background and turns the pen on.
DRAWING_LAYER = "canvas.dc-canvas.lower-canvas"
# The first element matching a selector, also inside shadow roots: the canvas component
# mounts in one where the page has no style for it (../shared/tools/floor_app/).
DEEP_QUERY = """(root, selector) => {
  const find = (r) => r.querySelector(selector)
    || [...r.querySelectorAll('*')].map((e) => e.shadowRoot && find(e.shadowRoot)).find(Boolean);
  return find(root);
}"""
_LAYER_PIXELS = f"""() => {{
  const c = document.querySelector('{DRAWING_LAYER}');
  return c && Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
}}"""


def canvas_box(page):
    """The drawing surface's on-screen box, once exactly one is there, ready for strokes."""
    from playwright.sync_api import expect

    canvas = page.locator("canvas.upper-canvas")
    expect(canvas).to_have_count(1, timeout=60000)
    expect(canvas).to_be_visible()
    page.wait_for_function(
        f"() => ({DEEP_QUERY})(document, '{DRAWING_LAYER}')"
        "?.getContext('2d').getImageData(0, 0, 1, 1).data[3] === 255",
        timeout=60000,
    )
    return canvas.bounding_box()


def canvas_ink(page):
    """(side, side) bool: the canvas pixels that hold ink (white pen on black), in the
    canvas's own pixels whatever its size on screen."""
    rgba = np.array(page.evaluate(_LAYER_PIXELS), np.uint8)
    side = int(np.sqrt(rgba.size // 4))
    return rgba.reshape(side, side, 4)[..., 0] > 127


def draw(page, strokes):
    """Draw strokes ((P, 2) points in canvas pixels) with the mouse, as a person would
    (each stroke through fewer_points)."""
    box = canvas_box(page)
    # The pointer rests on the canvas before drawing. A canvas that has just been mounted
    # (page load, Clear) drops strokes drawn while it first settles.
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)
    # Where it is now: a rerun that ended meanwhile (a saved correction's Clear) can move
    # the page, and strokes drawn at the old place selected the text above the canvas.
    box = canvas_box(page)
    for stroke in strokes:
        points = [(box["x"] + float(x), box["y"] + float(y)) for x, y in fewer_points(stroke)]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point)
        page.mouse.up()
    mark_drawn(page)


# Points may be left out of a stroke where the line through the others stays this close
# (in pixels) to all of them: on 200 pen digits, 1 px leaves 26 of 63 points. Drawn with
# the 20 px pen by PIL, at most 1.4% of the ink's pixels change (its edge); on the page's
# canvas, 2.6-5.6% on 6 pen digits, read the same (the canvas smooths a stroke through its
# points, so fewer points round its corners a little more).
POINTS_WITHIN = 1.0


def fewer_points(stroke, within: float = POINTS_WITHIN) -> np.ndarray:
    """The stroke's (P, 2) points less those its neighbours' line passes within `within`
    of (Ramer-Douglas-Peucker): the same stroke drawn, in fewer mouse or touch events,
    each of which is a round trip to the browser (some 20 ms here)."""
    stroke = np.asarray(stroke, float)
    keep = np.zeros(len(stroke), bool)
    keep[[0, -1]] = True
    spans = [(0, len(stroke) - 1)]
    while spans:
        a, b = spans.pop()
        if b - a < 2:
            continue
        chord, offsets = stroke[b] - stroke[a], stroke[a + 1 : b] - stroke[a]
        length = float(np.hypot(*chord))
        if length > 0:  # each point's distance from the chord
            away = np.abs(chord[0] * offsets[:, 1] - chord[1] * offsets[:, 0]) / length
        else:  # a stroke that comes back to where it began
            away = np.hypot(offsets[:, 0], offsets[:, 1])
        k = a + 1 + int(away.argmax())
        if away.max() > within:
            keep[k] = True
            spans += [(a, k), (k, b)]
    return stroke[keep]


def touch_draw(page, strokes):
    """Draw strokes ((P, 2) points in on-screen pixels from the canvas's top left) with a
    finger, as a phone sends it: touch events and nothing hovering first."""
    box = canvas_box(page)
    touch(page, [np.asarray(s, float) + (box["x"], box["y"]) for s in strokes])


def touch(page, strokes):
    """Touch the screen along each stroke ((P, 2) points in viewport pixels), one finger
    down, moved and lifted per stroke, sent as CDP touch events (a page that sets the
    context's has_touch)."""
    cdp = page.context.new_cdp_session(page)
    try:
        for stroke in strokes:
            points = [{"x": float(x), "y": float(y)} for x, y in fewer_points(stroke)]
            cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": points[:1]})
            for point in points[1:]:
                cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
            cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    finally:
        cdp.detach()
    mark_drawn(page)


def scrolled(page) -> float:
    """How far the page is scrolled down: Streamlit scrolls its main section, not the
    window, but either counts."""
    return page.evaluate(
        "() => Math.max(window.scrollY,"
        " document.querySelector('[data-testid=stMain]')?.scrollTop ?? 0)"
    )


def sideways(page) -> float:
    """How far the page can be scrolled sideways (0 when nothing is wider than it)."""
    return page.evaluate(
        "() => Math.max(...[document.scrollingElement,"
        " document.querySelector('[data-testid=stMain]')]"
        ".map(e => e ? e.scrollWidth - e.clientWidth : 0))"
    )


def fits_the_width(page) -> bool:
    """Nothing on the page reaches past the screen's right edge, or scrolls it sideways."""
    right = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll("
        "'[data-testid=stMain] [data-testid=stElementContainer]')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    return sideways(page) == 0 and right <= page.viewport_size["width"]


def in_viewport(page, locator) -> bool:
    """Whether the whole of `locator`'s box is on the screen as it is now."""
    box = locator.bounding_box()
    view = page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= view["width"]
        and box["y"] + box["height"] <= view["height"]
    )


METRIC = "[data-testid='stMetric']"
# A 7 in two strokes, as fractions of the canvas's side: the stem alone reads as a 1
SEVEN = (np.array([[0.6, 0.15], [0.6, 0.85]]), np.array([[0.25, 0.15], [0.6, 0.15]]))


def canvas_sent(page) -> None:
    """Wait until the canvas has sent its picture and the page has answered it. After a
    drawing by `draw` or `touch`, that run is read from the page's websocket (runs.py).
    After a Clear, whose button starts a run of its own, the canvas's message cannot be
    told apart: it is sent 200 ms after, so give it that time, then wait for its run."""
    if not wait_answered(page):
        page.wait_for_timeout(400)
    wait_idle(page)


def prediction(page, timeout=15000) -> int:
    """The digit the Draw page's Prediction metric shows for the whole drawing, sure or not."""
    metric = page.locator(METRIC).filter(has_text="Prediction")
    metric.wait_for(timeout=timeout)
    canvas_sent(page)  # the last stroke of a multi-stroke digit
    shown = metric.locator("[data-testid='stMetricValue']").inner_text().strip()
    return int(shown.rstrip("?"))  # '6?': a 6, not sure


def correction_pill(page, digit: int):
    """The Draw page's pill that saves the drawing on screen as `digit` ("Wrong? It was
    a …"): click it, or tap it on a phone."""
    return page.locator("[class*='st-key-draw_correct'] button").filter(
        has_text=re.compile(f"^{digit}$")
    )


def clear_canvas(page, finger=False):
    """Press the Draw page's Clear (a tap with a `finger`) and wait until the answer is
    gone."""
    from playwright.sync_api import expect

    button = page.locator(".st-key-draw_clear button")
    forget_drawn(page)  # canvas_sent after a Clear waits the canvas's time, as it must
    if finger:
        button.tap()
    else:
        button.click()
    expect(page.locator(METRIC)).to_have_count(0)
    expect(page.get_by_text("Draw one digit")).to_be_visible()


def pick(page, key, option):
    """Choose `option` (text or regex) in the selectbox with that key.

    A rerun that redraws the page can close the list just opened; then open it again.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    choice = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        wait_idle(page)
        page.locator(f".st-key-{key}").click()
        try:
            choice.click(timeout=5000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    raise AssertionError(f"no option {option!r} in {key}")


def set_number(page, key, value, enter=True):
    """Type `value` into the number input with that key; without Enter, as people often
    do before clicking elsewhere, when `enter` is False."""
    box = page.locator(f".st-key-{key} input")
    box.fill(str(value))
    if enter:
        box.press("Enter")


def go_to(page, url_path):
    """Follow the navigation bar's link to a page: the same session, unlike page.goto."""
    page.locator(f"a[href$='/{url_path}']").first.click()
    page.wait_for_url(f"**/{url_path}", timeout=30000)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=60000
    )
    wait_idle(page)


def mnist_drawings(folder, digit, label, count, mnist):
    """Save `count` MNIST training images of `digit` (from the validation slice, never
    trained on) into `folder` as drawings labelled `label`: a wrong label on purpose when
    they differ, as a mis-click makes."""
    from mnist_core.data import to_float
    from mnist_core.drawings import save_drawing

    x_train, y_train = mnist[0], mnist[1]
    picks = [i for i in range(len(y_train) - 5000, len(y_train)) if y_train[i] == digit]
    for i in picks[:count]:
        save_drawing(to_float(x_train[i]), label, folder=folder)


def choose(page, key, option):
    """Move a select_slider to `option` with the keyboard."""
    slider = page.locator(f".st-key-{key} input[type='range']")
    slider.focus()
    slider.press("Home")
    for _ in range(10):
        if slider.get_attribute("aria-valuetext") == option:
            return
        slider.press("ArrowRight")
    raise AssertionError(f"{option} not reachable on {key}")


def fill_training_form(page, name, epochs, arch=None, size=None, augment=None):
    """Fill the Train page's settings; None leaves a setting at its default."""
    page.locator(".st-key-train_start button").wait_for(timeout=60000)
    if arch is not None:
        page.locator(".st-key-train_arch").get_by_text(arch, exact=False).first.click()
    set_number(page, "train_epochs", epochs)
    if size is not None:
        choose(page, "train_size", size)
    if augment is not None and page.locator(".st-key-train_augment input").is_checked() != augment:
        page.locator(".st-key-train_augment label").click()
    page.locator(".st-key-train_name input").fill(name)
    page.locator(".st-key-train_name input").press("Enter")


def with_cached_embeddings(folder: Path) -> Path:
    """`folder` (a models folder made by models_with_default) given the bundled model's
    cached training embeddings, if this checkout has them (models/.cache): the Draw page's
    nearest training images then come in a second, not after a minute of computing."""
    import shutil

    from mnist_core.store import MODELS_DIR

    if (MODELS_DIR / ".cache").is_dir():
        shutil.copytree(MODELS_DIR / ".cache", folder / ".cache", dirs_exist_ok=True)
    return folder


def open_explainer(page, timeout=300000) -> None:
    """Open the Draw page's "How the model decided" and wait for its nearest training
    images (the first time for a model, its training embeddings are computed)."""
    page.locator(".st-key-draw_explain summary").click()
    page.locator(".st-key-explain_neighbours img").nth(7).wait_for(timeout=timeout)
    wait_idle(page)


def read_number_mode(page) -> None:
    """Switch to number mode, and wait for the wide canvas."""
    page.locator(".st-key-draw_mode button").filter(has_text="A number").click()
    page.wait_for_function(
        "() => document.querySelector('canvas.upper-canvas')?.width === 840", timeout=60000
    )


def shown_number(page) -> str:
    """The Prediction's value for the whole number just drawn: the canvas sends its picture
    200 ms after a stroke ends, and the page answers each, so wait for the answer to the
    drawing's end (canvas_sent)."""
    metric = page.locator(METRIC).filter(has_text="Prediction")
    metric.wait_for(timeout=30000)
    canvas_sent(page)
    value = metric.locator("[data-testid='stMetricValue']")
    return value.inner_text().strip()
