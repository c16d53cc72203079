"""Draw-page sessions without a browser: the messages a browser sends, replayed.

In a room, each person's browser runs on their own device and the app's machine only
answers. Chromium sessions on the app's own cores cannot stand in for that on a small
machine (each drawn digit costs the browser ~1 core-second there). So one real browser
session is recorded drawing, clearing and drawing again; its messages give the widget ids,
the page and the fragment; then each light session is a websocket client that sends, per
digit, what that browser sent: Clear pressed, the empty canvas, and the canvas with a real
pen digit rendered as the canvas renders it (a PNG data URL). The time from sending the
stroke to the end of the rerun that shows the Prediction metric is the app's answer time;
the canvas adds its own 200 ms wait after mouse-up before it sends, which the figures
include.

As a room: the sessions arrive ten a second at most, spread over at least one period
(people do not lift their pens in step); each session's messages are made before it
connects (the PNGs are the people's browsers' work); each drawing records how long the
stroke waited before its rerun started and the bytes of the answer; and a Gathering keeps
them connected until told to leave, some of them mid-stroke, for the server's memory
figures.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import math
import threading
import time
from dataclasses import dataclass, field

import numpy as np
from PIL import Image
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.exceptions import ConnectionClosed

from mnist_core.pendigits import PenDigits, render

from .drawers import Drawing, one_stroke_digits, run_apart

CANVAS_WAIT_S = 0.2  # the canvas sends a drawing 200 ms after mouse-up
ANSWER_TIMEOUT_S = 10
OPEN_TIMEOUT_S = 60  # a crowd arriving at once queues its first page runs
ARRIVALS_PER_S = 10  # people opening the page: a class arrives over a few seconds
DRAWING_S = 0.3  # the pen on the canvas, between the empty canvas and the stroke
CANVAS_SIDE = 280
POOL = 3000  # distinct pen digits at most (of ~5,000 one-stroke ones)


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
    from .apprunner import canvas_box, clear_canvas, draw, prediction

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


def _metric(message: ForwardMsg) -> tuple[str, str] | None:
    """(label, value) of a metric the message shows, if it shows one."""
    if message.WhichOneof("type") != "delta":
        return None
    element = message.delta.new_element
    if element.WhichOneof("type") == "metric":
        return element.metric.label, element.metric.body
    return None


@dataclass
class Rerun:
    """What the server sent for one rerun: the metrics it showed (label → value), when its
    first message came (the run had started) and the bytes it sent."""

    metrics: dict[str, str]
    first_s: float
    bytes: int

    @property
    def shown(self) -> int | None:
        """The digit of the Prediction metric, None if there was none."""
        value = self.metrics.get("Prediction")
        return None if value is None else int(value.rstrip("?"))  # '6?': a 6, not sure


async def _until_finished(ws, timeout: float = ANSWER_TIMEOUT_S) -> Rerun:
    """Read until the rerun ends; `timeout` seconds at most between two messages."""
    metrics, first, size = {}, None, 0
    while True:
        raw = await asyncio.wait_for(ws.recv(), timeout)
        first = time.monotonic() if first is None else first
        size += len(raw)
        message = ForwardMsg.FromString(raw)
        if (metric := _metric(message)) is not None:
            metrics.setdefault(*metric)
        if message.WhichOneof("type") == "script_finished":
            return Rerun(metrics, first, size)


async def _connect(url: str):
    from websockets.asyncio.client import connect

    return await connect(
        url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"]
    )


@dataclass
class Visit:
    """A page opened by a light session of its own: seconds to the end of its first run,
    and the metrics it showed."""

    seconds: float
    metrics: dict[str, str]


async def _visit(url: str, message: bytes, timeout: float) -> Visit:
    ws = await _connect(url)
    try:
        began = time.monotonic()
        await ws.send(message)
        rerun = await _until_finished(ws, timeout)
        return Visit(time.monotonic() - began, rerun.metrics)
    finally:
        await ws.close()


def visit(url: str, recording: Recording, page: str, timeout: float = 300) -> Visit:
    """Open `page` (its url path: "evaluate", "train") as a browser elsewhere would, and
    read its first run to the end. The Evaluate page tests its model during that run."""
    message = BackMsg.FromString(recording.open_page)
    message.rerun_script.page_name = page
    return run_apart(_visit(url, message.SerializeToString(), timeout))


@dataclass
class LightDrawing(Drawing):
    """A drawing by a light session, with where its time went."""

    number: int = 0  # the session's n-th digit, from 0
    sent_s: float | None = None  # time.monotonic() when the stroke was sent
    waited_ms: float | None = None  # stroke sent → the server's first message for it
    bytes: int = 0  # what the server sent for the stroke's rerun


@dataclass
class Gathering:
    """Sessions that stay connected after their digits until `leave` is set, as a class
    does until the bell: `waiting` counts those done drawing. Every `mid_stroke_every`-th
    session (0: none) then leaves mid-stroke: it sends one more drawing and closes
    without reading the answer, as a phone put away mid-digit does."""

    leave: threading.Event = field(default_factory=threading.Event)
    mid_stroke_every: int = 0
    waiting: int = 0

    def mid_stroke(self, session: int) -> bool:
        return self.mid_stroke_every > 0 and session % self.mid_stroke_every == 0


@dataclass
class Script:
    """One session's messages, made before it connects: encoding a canvas PNG is the
    person's browser's work, not the load's."""

    clear: bytes  # Clear pressed, the canvas empty
    empty: bytes  # the empty canvas, as the cleared canvas reports itself
    strokes: list[bytes]  # a drawn digit each
    labels: list[int]


async def _digit(ws, script: Script, stroke: bytes) -> tuple[Rerun, float]:
    """Clear, the empty canvas, the pen down for a while, then the stroke: its rerun and
    when the stroke was sent."""
    await ws.send(script.clear)
    await _until_finished(ws)
    await ws.send(script.empty)
    await _until_finished(ws)
    await asyncio.sleep(DRAWING_S + CANVAS_WAIT_S)  # the pen down, then the canvas's wait
    sent = time.monotonic()
    await ws.send(stroke)
    return await _until_finished(ws), sent


async def _session(
    k, url, recording, script: Script, count, period, delay, keep_going, gathering
) -> list[LightDrawing]:
    # Digits start on this session's own beat, `delay` into each period, whenever its
    # page finished opening: sessions whose pages open together (a queue of first runs)
    # would otherwise draw in step for good, and a room does not.
    beat = time.monotonic() + delay
    await asyncio.sleep(delay)
    drawings = []
    try:
        ws = await _connect(url)
        await ws.send(recording.open_page)
        await _until_finished(ws, OPEN_TIMEOUT_S)
    except (TimeoutError, OSError, ConnectionClosed) as err:
        print(f"light session {k}: the page did not open: {err!r}", flush=True)
        if gathering is not None:
            gathering.waiting += 1
        return [LightDrawing(k, script.labels[0], None, None)]  # counted, unanswered
    try:
        for n in range(count):
            beat += math.ceil(max(0.0, time.monotonic() - beat) / period) * period
            await asyncio.sleep(beat - time.monotonic())  # the next beat, not one missed
            beat += period
            if not keep_going():
                break
            turn = n % len(script.strokes)  # round again once its digits are drawn
            drawing = LightDrawing(k, script.labels[turn], None, None, number=n)
            try:
                rerun, sent = await _digit(ws, script, script.strokes[turn])
                answered = time.monotonic()
                drawing.shown, drawing.bytes, drawing.sent_s = rerun.shown, rerun.bytes, sent
                drawing.waited_ms = (rerun.first_s - sent) * 1000
                if rerun.shown is not None:
                    drawing.latency_ms = (answered - sent + CANVAS_WAIT_S) * 1000
            except (TimeoutError, ConnectionClosed) as err:
                print(f"light session {k}: no answer: {err!r}", flush=True)
            drawings.append(drawing)
        if gathering is not None:
            gathering.waiting += 1  # one event loop: no lock needed
            while not gathering.leave.is_set():
                await asyncio.sleep(0.1)
            if gathering.mid_stroke(k):
                await ws.send(script.clear)
                await _until_finished(ws)
                await ws.send(script.strokes[0])  # and gone before the answer
    finally:
        await ws.close()
    return drawings


def make_scripts(recording: Recording, sessions: int, distinct: int, seed: int = 3) -> list[Script]:
    """Each session's messages: `distinct` pen digits each, at most POOL in all (a session
    that draws more goes round its own again). The same arguments give the same digits,
    so two runs can be compared drawing by drawing."""
    digits = PenDigits()
    rng = np.random.default_rng(seed)
    picks = one_stroke_digits(digits, rng, min(sessions * distinct, POOL))
    strokes = [canvas_message(recording, render(digits.placed(i, rng))) for i in picks]
    labels = [int(label) for label in digits.labels[picks]]
    empty = np.zeros((CANVAS_SIDE, CANVAS_SIDE, 4), np.uint8)
    empty[..., 3] = 255
    clear, blank = canvas_message(recording, empty, clear=True), canvas_message(recording, empty)
    return [
        Script(clear, blank, strokes[k::sessions], labels[k::sessions]) for k in range(sessions)
    ]


async def _run(
    url,
    recording,
    sessions,
    per_session,
    period=1.0,
    keep_going=lambda: True,
    seed=3,
    gathering: Gathering | None = None,
    scripts: list[Script] | None = None,
) -> list[LightDrawing]:
    scripts = scripts or make_scripts(recording, sessions, per_session, seed)
    results = await asyncio.gather(
        *(
            _session(
                k,
                url,
                recording,
                scripts[k],
                per_session,
                period,
                # people arrive a few a second, and do not lift their pens in step
                k * max(period / sessions, 1 / ARRIVALS_PER_S),
                keep_going,
                gathering,
            )
            for k in range(sessions)
        )
    )
    return [d for session in results for d in session]


def draw_lightly(url: str, recording: Recording, sessions=5, per_session=10, **pace):
    """Every drawing made by `sessions` light sessions at once, up to `per_session` each;
    `pace`: period=1.0 s between one session's digits (the sessions start spread over
    one period), keep_going, seed, a Gathering to stay connected until told to leave, and
    scripts (make_scripts: made beforehand, out of the measured time, or to draw the same
    digits again)."""
    return run_apart(_run(url, recording, sessions, per_session, **pace))
