# The two set-up commands (see README): `make run` and `make test`.
# Both work in a project virtualenv, .venv/, made with the machine's own `python3 -m venv`:
# nothing is installed into the system Python (Debian's refuses it anyway, PEP 668).
# The machine's Python (3.11 to 3.13): used only to create .venv.
PYTHON ?= python3
PORT ?= 8501
# e.g. 127.0.0.1: listen on this machine only (default: every interface)
ADDRESS ?=
VENV = .venv
VPY = $(VENV)/bin/python
PIP = $(VPY) -m pip install -q --disable-pip-version-check
# The tests not marked `alone` (pytest.ini) run on this many workers
TEST_WORKERS ?= 2
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run install test test-deps default-model bench

run: install  ## install the app's packages into .venv and start it
	$(VPY) -m streamlit run app.py --server.port $(PORT) $(if $(strip $(ADDRESS)),--server.address $(ADDRESS))

install: $(VENV)/.installed-app

test: test-deps  ## install test packages and Chromium, lint, then run the whole suite
	$(VPY) -m ruff check .
	$(VPY) -m ruff format --check .
	@# both passes run, so that the first's failures do not hide the second's; either one
	@# collecting no tests (pytest's exit 5) fails too
	$(VPY) -m pytest -m "not alone" -n $(TEST_WORKERS) --dist loadfile; first=$$?; \
	$(VPY) -m pytest -m alone; second=$$?; \
	for status in $$first $$second; do \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests: nothing was checked" >&2; exit 1; fi; \
	done; \
	if [ $$first -ne 0 ]; then exit $$first; fi; exit $$second

test-deps: $(VENV)/.installed-test
	@[ -x /usr/bin/chromium ] || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium)
	@[ -x /usr/sbin/haproxy ] || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q haproxy)

# The stamp files make a second `make run` start at once, and reinstall only when a
# requirements file or pyproject.toml changes. The project itself goes in editable
# (pyproject.toml): bench scripts and tests import mnist_core and testkit from any folder.
$(VENV)/.installed-app: requirements.txt pyproject.toml | $(VPY)
	$(PIP) -r requirements.txt
	$(PIP) --no-deps -e .
	@touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt pyproject.toml | $(VPY)
	$(PIP) -r requirements-test.txt
	$(PIP) --no-deps -e .
	@touch $@ $(VENV)/.installed-app

$(VPY):
	@$(PYTHON) -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' || { \
	  echo "mnist-canvas needs Python 3.11 to 3.13 (TensorFlow 2.21 and NumPy 2.4 have no other builds); $(PYTHON) is $$($(PYTHON) -V 2>&1). Try: make PYTHON=python3.12" >&2; exit 1; }
	@# Debian ships venv's ensurepip separately, in python3-venv.
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -q && apt-get install -y -q python3-venv; \
	  else \
	    echo "Python's venv module is missing: install the package python3-venv (sudo apt-get install python3-venv), then run make again." >&2; exit 1; \
	  fi
	$(PYTHON) -m venv $(VENV)

# The bundled model in two steps: a cnn learns MNIST (mnist-cnn, about 12 minutes on 2 CPU
# cores), then real handwriting and calibrated confidence (default, about 6 minutes).
default-model: install  ## rebuild models/mnist-cnn.keras, then models/default.keras from it
	$(VPY) -m mnist_core train --arch cnn --epochs 15 --batch-size 128 --augment --name mnist-cnn --overwrite
	$(VPY) -m mnist_core.tf.default_model --base mnist-cnn --name default

bench: test-deps  ## the figures reported on issues (about 82 minutes; not part of the tests)
	$(VPY) bench/core_figures.py
	$(VPY) bench/draw_figures.py 300
	$(VPY) bench/train_figures.py
	$(VPY) bench/load_figures.py
	$(VPY) bench/finetune_figures.py
	$(VPY) bench/writers_figures.py
	$(VPY) bench/room_figures.py --sessions 30
	$(VPY) bench/room_figures.py --knee 10,30,60,100,150,200 --seconds 40
	$(VPY) bench/room_figures.py --memory 100
	$(VPY) bench/training_under_load.py
