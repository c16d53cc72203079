"""The app's runs as a browser page sees them, read from its websocket, so that a test
waits for the run that answers a drawing instead of a fixed time.

The canvas sends its picture 200 ms after the last stroke, and nothing on the page says
that it has. A test that waited a fixed 400 ms, then for the status widget to stop
showing "Running", read the previous answer on a busy machine: the picture had not been
sent yet, or its run had not shown as running. Here the page's messages are read
instead: the rerun request the canvas sends (a BackMsg), then the start (new_session) and
the end (script_finished) of a run that the server began after it, which is therefore the
run that read the picture. Its elements reach the page before its end does.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

# One entry per message that matters, in the order the page sent or received them
SENT, STARTED, FINISHED = "sent", "started", "finished"


@dataclass
class Runs:
    """What one page's websocket has carried: ("sent", "") for each rerun request,
    ("started" | "finished", run id) for each run's start and its full end (a run cut
    short for a newer request has no end here). `mark` is where the last drawing ended."""

    messages: list[tuple[str, str]] = field(default_factory=list)
    mark: int | None = None

    def sent(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes) and BackMsg.FromString(payload).HasField("rerun_script"):
            self.messages.append((SENT, ""))

    def received(self, payload: bytes | str) -> None:
        if not isinstance(payload, bytes):
            return
        message = ForwardMsg.FromString(payload)
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.messages.append((STARTED, message.metadata.run.script_run_id))
        elif (
            kind == "script_finished"
            and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
        ):
            self.messages.append((FINISHED, message.metadata.run.script_run_id))

    def answered_since(self, since: int) -> bool:
        """Whether a rerun request sent after message `since` has been answered: a run
        that started after it has ended."""
        after = self.messages[since:]
        first_sent = next((k for k, (kind, _) in enumerate(after) if kind == SENT), None)
        if first_sent is None:
            return False
        started = {run for kind, run in after[first_sent:] if kind == STARTED}
        return any(kind == FINISHED and run in started for kind, run in after[first_sent:])


_RUNS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def watch(page) -> Runs:
    """Record the runs of `page` from now on (call it before the page opens the app)."""
    runs = _RUNS[page] = Runs()

    def on_websocket(socket) -> None:
        socket.on("framesent", runs.sent)
        socket.on("framereceived", runs.received)

    page.on("websocket", on_websocket)
    return runs


def mark_drawn(page) -> None:
    """Note that a drawing on `page` has just ended (its last stroke lifted)."""
    if page in _RUNS:
        _RUNS[page].mark = len(_RUNS[page].messages)


def forget_drawn(page) -> None:
    """Drop the mark of `page`'s last drawing: a Clear replaces what it drew, and its run
    (the button's) must not be taken for the drawing's answer."""
    if page in _RUNS:
        _RUNS[page].mark = None


def wait_answered(page, timeout: float = 30.0) -> bool:
    """Wait until the app has answered the drawing last marked on `page`: its picture
    sent, and a run begun after that ended. False (at once) where nothing was marked or
    the page is not watched; AssertionError after `timeout` seconds."""
    runs = _RUNS.get(page)
    if runs is None or runs.mark is None:
        return False
    since, runs.mark = runs.mark, None
    deadline = time.monotonic() + timeout
    while not runs.answered_since(since):
        if time.monotonic() > deadline:
            raise AssertionError(f"no run answered the drawing within {timeout:.0f} s")
        page.wait_for_timeout(20)  # Playwright hands over the websocket's events meanwhile
    # The run's elements have arrived; let the page lay them out before anyone reads them
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return True
