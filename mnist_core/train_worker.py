"""Child process that runs one training job for the app, and reports while it runs.

Training lives outside the Streamlit server for speed: Streamlit clears the Keras session
after every script or fragment run in a process that imported Keras, and training in a
server thread while charts refresh ran about ten times slower.

Protocol (multiprocessing Connection, see jobs.TrainingJob): the parent sends one request
{"config": {...}, "name", "models_dir", "overwrite", "drawings_dir"}, then possibly "stop".
The child sends ("batches", [(epoch, batch, steps, loss, accuracy), ...]) at most every
REPORT_EVERY seconds, ("epoch", epoch, logs), ("evaluating",), and finally ("done",
summary) or ("failed", reason).
If the parent's end closes (the server stopped or was killed), the child exits at once.
"""

from __future__ import annotations

import os
import threading
import time

from .child import parent_connection

REPORT_EVERY = 0.2  # seconds between progress messages: charts refresh once a second
# Added to this process's nice value: when the cores are short, a room's drawings are
# answered first and the training takes the rest. Alone it loses nothing (a nice value
# only matters against other work). See README, "A class at once".
NICENESS = 5


def run(conn) -> None:
    os.nice(NICENESS)
    from .config import TrainConfig
    from .training import train_evaluate_save

    request = conn.recv()
    stop = threading.Event()
    threading.Thread(target=_listen_for_stop, args=(conn, stop), daemon=True).start()
    pending, last_sent = [], time.monotonic()

    def send_batches():
        nonlocal last_sent
        if pending:
            conn.send(("batches", sorted(pending)))  # hooks may finish out of order
            pending.clear()
        last_sent = time.monotonic()

    def on_batch(epoch, batch, logs):
        pending.append((epoch, batch, logs["steps"], logs["loss"], logs["accuracy"]))
        if stop.is_set() or time.monotonic() - last_sent >= REPORT_EVERY:
            send_batches()

    def on_epoch(epoch, logs):
        send_batches()
        conn.send(("epoch", epoch, logs))
        if epoch + 1 == config.epochs or stop.is_set():
            conn.send(("evaluating",))

    try:
        config = TrainConfig(**request["config"])
        summary = train_evaluate_save(
            config,
            request["name"],
            request["models_dir"],
            overwrite=request.get("overwrite", False),
            drawings_dir=request.get("drawings_dir"),
            on_batch=on_batch,
            on_epoch=on_epoch,
            stop=stop,
        )
        conn.send(("done", summary))
    except Exception as err:  # noqa: BLE001 - whatever went wrong, the page must say it
        conn.send(("failed", f"{type(err).__name__}: {err}"))


def _listen_for_stop(conn, stop: threading.Event) -> None:
    try:
        while True:
            if conn.recv() == "stop":
                stop.set()
    except (EOFError, OSError):
        # The server is gone (closed, or killed): nobody can watch or stop this training
        # any more, and a restarted server must not find a stray job writing models. End
        # at once, even mid-save: saves are atomic, so the old model stays in place.
        os._exit(1)


if __name__ == "__main__":
    run(parent_connection())
