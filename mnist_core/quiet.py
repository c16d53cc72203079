"""Load TensorFlow without its start-up chatter on stderr, unless asked for it.

TensorFlow writes oneDNN and absl lines to stderr while it loads, before its own log
level applies (TF_CPP_MIN_LOG_LEVEL does not silence them). The CLI keeps stderr for its
progress and messages, so the load runs with stderr pointed at /dev/null; `-v` or
MNIST_VERBOSE=1 shows everything. A failed import still raises, with its traceback.
"""

from __future__ import annotations

import logging
import os
import sys
from contextlib import contextmanager

VERBOSE_ENV = "MNIST_VERBOSE"


def verbose_from_env() -> bool:
    return os.environ.get(VERBOSE_ENV, "").strip().lower() not in ("", "0", "false", "no")


@contextmanager
def stderr_silenced():
    """Point file descriptor 2 (C libraries' stderr too) at /dev/null meanwhile."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


@contextmanager
def tensorflow_quietly(verbose: bool):
    """Import TensorFlow modules in this block silently, unless `verbose`:
    `with tensorflow_quietly(v): from .tf.predict import evaluate`."""
    if verbose:
        yield
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"  # and what it would log later
    with stderr_silenced():
        yield
    import absl.logging  # noqa: I001 - loaded by TensorFlow above: no cost

    absl.logging.set_verbosity(absl.logging.ERROR)
    # tf.function's "triggered retracing" warnings go to this logger, not absl's
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
