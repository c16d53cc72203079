"""Start a module of this package as a child Python process joined to us by a Connection.

A fresh interpreter through `python -m`, not multiprocessing's spawn: spawn re-runs the
parent's __main__, which under Streamlit is the app script itself. The Connection is one
end of a socket pair; the child gets the other end's file descriptor as its first argument.

A child that works in the background (the studies lane) gets one core fewer threads than
the machine has: see background_threads.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from multiprocessing.connection import Connection

# TensorFlow reads these when it starts: its thread pools' sizes
THREAD_SETTINGS = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def usable_cores() -> int:
    """The cores this process may run on (a container's or taskset's limit included)."""
    return len(os.sched_getaffinity(0))


def background_threads(cores: int | None = None) -> int:
    """TensorFlow threads for a child that works in the background: all cores but one.

    The core left is the answers': in a room of 30 on 2 cores, a model tested with both
    cores took as long as with one (9-11 s for the 10,000 MNIST digits) but held up the
    drawings' answers meanwhile (p95 640-889 ms against 373-465 ms with one; README, "A
    class at once"). A training keeps every core: on one thread it lost more to the
    room's bursts than it gained (0.54-0.69 times its speed alone, against 0.66-0.78).
    """
    return max(1, (cores or usable_cores()) - 1)


def spawn(
    module: str, *args: str, threads: int | None = None
) -> tuple[subprocess.Popen, Connection]:
    """(process, our end of the connection) for `python -m module FD *args`; `threads`:
    the child's TensorFlow threads (None: TensorFlow's default, one per core), unless
    the app was started with TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS set."""
    ours, theirs = socket.socketpair()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")}
    if threads is not None:
        for name in THREAD_SETTINGS:  # a setting made by whoever started the app wins
            env.setdefault(name, str(threads))
    process = subprocess.Popen(
        [sys.executable, "-m", module, str(theirs.fileno()), *args],
        pass_fds=[theirs.fileno()],
        env=env,
    )
    theirs.close()
    return process, Connection(ours.detach())


def parent_connection() -> Connection:
    """In the child: the connection to the parent, from the first argument."""
    return Connection(int(sys.argv[1]))
