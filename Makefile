# The two set-up commands (see README): `make run` and `make test`.
PYTHON ?= python3
PORT ?= 8501
ADDRESS ?=  # e.g. 127.0.0.1: listen on this machine only (default: every interface)
PIP = $(PYTHON) -m pip install -q --disable-pip-version-check
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run install test test-deps default-model bench

run: install  ## install the app's packages and start it
	$(PYTHON) -m streamlit run app.py --server.port $(PORT) $(if $(strip $(ADDRESS)),--server.address $(ADDRESS))

install:
	$(PIP) -r requirements.txt

test: test-deps  ## install test packages and Chromium, lint, then run the whole suite
	$(PYTHON) -m ruff check .
	$(PYTHON) -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: nothing was checked"; exit 0; fi; \
	exit $$status

test-deps:
	$(PIP) -r requirements-test.txt
	@[ -x /usr/bin/chromium ] || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium)

default-model: install  ## rebuild models/default.keras (about 12 minutes on 2 CPU cores)
	$(PYTHON) -m mnist_core train --arch cnn --epochs 15 --batch-size 128 --augment --name default --overwrite

bench: test-deps  ## the figures reported on issues (about 60 minutes; not part of the tests)
	$(PYTHON) bench/core_figures.py
	$(PYTHON) bench/draw_figures.py 300
	$(PYTHON) bench/train_figures.py
	$(PYTHON) bench/load_figures.py
	$(PYTHON) bench/finetune_figures.py
