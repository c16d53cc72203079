"""The architecture's central rule: the Streamlit server never imports TensorFlow or Keras.

Once Keras is imported in Streamlit's process, Streamlit clears the Keras session after
every script run, which doubled the time from lifting the pen to the answer and slowed
live training about tenfold; TensorFlow therefore lives in child processes. Nothing but
these tests stops a stray `import keras` in a page or a ui/ helper from breaking that.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

from testkit.apprunner import (
    PROJECT_DIR,
    child_processes,
    open_page,
    running_app,
    wait_idle,
)

SERVER_SIDE = [
    PROJECT_DIR / "app.py",
    *sorted((PROJECT_DIR / "app_pages").glob("*.py")),
]

# Run in a fresh interpreter: the test process itself has imported Keras long ago.
# AppTest executes each script in this process, as the server does, page code and all.
PROBE = """
import json, sys
from streamlit.testing.v1 import AppTest

# every ui/ module, imported inside a script run: the canvas component imports only there
IMPORT_UI = '''
import importlib, pkgutil, ui
for module in pkgutil.iter_modules(ui.__path__):
    importlib.import_module("ui." + module.name)
'''
imported = AppTest.from_string(IMPORT_UI, default_timeout=120).run()
errors = {"ui/": [e.value for e in imported.exception]}
for script in sys.argv[1:]:
    at = AppTest.from_file(script, default_timeout=180).run()
    errors[script] = [e.value for e in at.exception]
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
print(json.dumps({"errors": errors, "loaded": loaded[:20]}))
"""


def test_app_pages_and_ui_run_without_tensorflow(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, SERVER_SIDE)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(probe["errors"]) == len(SERVER_SIDE) + 1 >= 5
    assert not any(probe["errors"].values()), probe["errors"]
    assert probe["loaded"] == [], f"the server side imported {probe['loaded']}"


def tensorflow_libraries(pid: int) -> set[str]:
    """TensorFlow's shared libraries mapped into process `pid` (none if it never loaded)."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return {
        Path(line.split()[-1]).name
        for line in maps.splitlines()
        if "tensorflow" in line.rsplit("/", 1)[-1] or "/tensorflow/" in line
    }


def test_the_real_server_keeps_tensorflow_in_its_children(browser):
    with running_app() as (process, url):
        for page_path in ("draw", "train", "evaluate"):
            page = open_page(browser, f"{url}/{page_path}")
            wait_idle(page)
            page.close()
        assert tensorflow_libraries(process.pid) == set()
        # The check can fail: the prediction process, a child, does load TensorFlow (in a
        # few seconds after its start; on a busy machine later than the pages are drawn).
        deadline = time.monotonic() + 120
        while not any(tensorflow_libraries(pid) for pid in child_processes(process.pid)):
            assert time.monotonic() < deadline, "no child process loaded TensorFlow"
            time.sleep(0.5)
