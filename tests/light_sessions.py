"""Draw-page sessions without a browser: the messages a browser sends, replayed.

In a room, each person's browser runs on their own device and the app's machine only
answers. Chromium sessions on the app's own cores cannot stand in for that on a small
machine (each drawn digit costs the browser ~1 core-second there). So one real browser
session is recorded drawing, clearing and drawing again; its messages give the widget ids,
the page and the fragment; then each light session is a websocket client that sends, per
digit, what that browser sent: Clear pressed, the empty canvas, and the canvas with a real
pen digit rendered as the canvas renders it (a PNG data URL). The time from sending the
stroke to receiving the Prediction metric is the app's answer time; the canvas adds its own
200 ms wait after mouse-up before it sends, which the figures include.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import time
from dataclasses import dataclass

import numpy as np
from PIL import Image
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.exceptions import ConnectionClosed

from drawers import Drawing, one_stroke_digits, run_apart
from mnist_core.pendigits import PenDigits, render

CANVAS_WAIT_S = 0.2  # the canvas sends a drawing 200 ms after mouse-up
ANSWER_TIMEOUT_S = 10
DRAWING_S = 0.3  # the pen on the canvas, between the empty canvas and the stroke


@dataclass
class Recording:
    """What a browser sent while drawing on the Draw page, reduced to three templates."""

    open_page: bytes  # the first message: run the Draw page
    stroke: BackMsg  # a fragment rerun carrying a drawn canvas
    canvas_id: str
    clear_id: str


def record(browser, url: str) -> Recording:
    """Draw, clear and draw again in a new page of `browser` (Playwright's sync API),
    keeping what the page sent."""
    from apprunner import canvas_box, clear_canvas, draw, prediction

    sent: list[bytes] = []
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(frame)))
    page.goto(f"{url}/draw")
    for _ in range(2):
        canvas_box(page)
        draw(page, [np.array([[140, 40], [140, 240]])])
        prediction(page)
        clear_canvas(page)
    page.close()
    messages = [BackMsg.FromString(m) for m in sent]
    reruns = [m for m in messages if m.WhichOneof("type") == "rerun_script"]
    ids = {w.id for m in reruns for w in m.rerun_script.widget_states.widgets}
    canvas_id = next(i for i in ids if i.endswith("-draw_canvas"))
    clear_id = next(i for i in ids if i.endswith("-draw_clear"))
    stroke = next(
        m
        for m in reruns
        if m.rerun_script.fragment_id
        and all(w.id != clear_id for w in m.rerun_script.widget_states.widgets)
        and '"objects":[{' in _widget(m, canvas_id).json_value
    )
    return Recording(reruns[0].SerializeToString(), stroke, canvas_id, clear_id)


def _widget(message: BackMsg, widget_id: str):
    return next(w for w in message.rerun_script.widget_states.widgets if w.id == widget_id)


def png_data_url(rgba: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(rgba).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def canvas_message(recording: Recording, rgba: np.ndarray, clear: bool = False) -> bytes:
    """The fragment rerun a browser sends with this canvas image (and Clear pressed)."""
    message = BackMsg()
    message.CopyFrom(recording.stroke)
    widgets = message.rerun_script.widget_states.widgets
    # only the model, pen and canvas: the correction pills' key changes every round
    keep = [w for w in widgets if "-draw_correct_" not in w.id]
    del widgets[:]
    widgets.extend(keep)
    drawing = {"raw": {"objects": [], "background": "#000000"}, "data": png_data_url(rgba)}
    _widget(message, recording.canvas_id).json_value = json.dumps({"drawing": drawing})
    if clear:
        widgets.add(id=recording.clear_id, trigger_value=True)
    return message.SerializeToString()


def _prediction(message: ForwardMsg) -> int | None:
    if message.WhichOneof("type") != "delta":
        return None
    element = message.delta.new_element
    if element.WhichOneof("type") == "metric" and element.metric.label.startswith("Prediction"):
        return int(element.metric.body)
    return None


async def _until_finished(ws) -> int | None:
    """Read until the rerun ends; the digit of a Prediction metric it showed, if any."""
    shown = None
    while True:
        raw = await asyncio.wait_for(ws.recv(), ANSWER_TIMEOUT_S)
        message = ForwardMsg.FromString(raw)
        shown = _prediction(message) if shown is None else shown
        if message.WhichOneof("type") == "script_finished":
            return shown


async def _session(k, url, recording, images, labels, period, keep_going) -> list[Drawing]:
    from websockets.asyncio.client import connect

    ws = await connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"])
    empty = np.zeros_like(images[0])
    empty[..., 3] = 255
    drawings = []
    try:
        await ws.send(recording.open_page)
        await _until_finished(ws)
        for image, label in zip(images, labels):
            if not keep_going():
                break
            started = time.monotonic()
            shown, latency = None, None
            try:
                await ws.send(canvas_message(recording, empty, clear=True))
                await _until_finished(ws)
                await ws.send(canvas_message(recording, empty))
                await _until_finished(ws)
                await asyncio.sleep(DRAWING_S)
                stroke = canvas_message(recording, image)
                await asyncio.sleep(CANVAS_WAIT_S)
                sent = time.monotonic()
                await ws.send(stroke)
                shown = await _until_finished(ws)
                latency = (time.monotonic() - sent + CANVAS_WAIT_S) * 1000
            except (TimeoutError, ConnectionClosed) as err:
                print(f"light session {k}: no answer: {err!r}", flush=True)
            drawings.append(Drawing(k, int(label), shown, latency if shown is not None else None))
            await asyncio.sleep(max(0.0, period - (time.monotonic() - started)))
    finally:
        await ws.close()
    return drawings


async def _run(
    url, recording, sessions, per_session, period=1.0, keep_going=lambda: True, seed=3
) -> list[Drawing]:
    digits = PenDigits()
    rng = np.random.default_rng(seed)
    picks = one_stroke_digits(digits, rng, sessions * per_session)
    images = [render(digits.placed(i, rng)) for i in picks]
    labels = digits.labels[picks]
    results = await asyncio.gather(
        *(
            _session(
                k, url, recording, images[k::sessions], labels[k::sessions], period, keep_going
            )
            for k in range(sessions)
        )
    )
    return [d for session in results for d in session]


def draw_lightly(url: str, recording: Recording, sessions=5, per_session=10, **pace):
    """Every drawing made by `sessions` light sessions at once, up to `per_session` each;
    `pace` as in drawers.draw_together: period=1.0 s between digits, keep_going, seed."""
    return run_apart(_run(url, recording, sessions, per_session, **pace))
