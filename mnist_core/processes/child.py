"""Start a module of this package as a child Python process joined to us by a Connection.

A fresh interpreter through `python -m`, not multiprocessing's spawn: spawn re-runs the
parent's __main__, which under Streamlit is the app script itself. The Connection is one
end of a socket pair; the child gets the other end's file descriptor as its first argument.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from multiprocessing.connection import Connection


def spawn(module: str, *args: str) -> tuple[subprocess.Popen, Connection]:
    """(process, our end of the connection) for `python -m module FD *args`."""
    ours, theirs = socket.socketpair()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")}
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
