"""Entry point for `python -m mnist_core`."""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ chatter off stderr

from .cli import main  # noqa: E402

sys.exit(main())
