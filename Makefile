# Two commands do everything on a fresh machine with Python 3.11 and pip:
#   make demo   create .venv if missing, install, run cnnaudit on the bundled example
#   make test   create .venv if missing, install, run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test lint benchmarks clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/cnnaudit summary examples/cheatsheet_net.py:Net --input-size 1,28,28 --batch-size 128 --optimizer adam
	$(BIN)/cnnaudit summary examples/improved_net.py:Net --input-size 1,28,28 --batch-size 128 --optimizer adam

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check cnnaudit tests benchmarks examples

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/torchvision_exactness.py
	$(BIN)/python benchmarks/speed_vs_torchinfo.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/peer_counts.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
