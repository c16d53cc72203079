"""Imported first by every bench script: puts the project (mnist_core) and tests/ (the app
runner and the browser drivers) on sys.path, and keeps TensorFlow's start-up log quiet."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

for folder in (ROOT / "tests", ROOT):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
