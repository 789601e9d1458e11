# Two commands do everything on a fresh machine with Python 3.11 and pip:
#   make demo   create .venv if missing, install, run cnnaudit on the bundled example
#   make test   create .venv if missing, install, run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test test-slow ruff benchmarks clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The lint of the cheatsheet's network has findings (that is the point): --exit-zero
# keeps make going; in CI you want the exit code.
demo: $(STAMP)
	$(BIN)/cnnaudit summary examples/cheatsheet_net.py:Net --input-size 1,28,28 --batch-size 128 --optimizer adam
	$(BIN)/cnnaudit lint examples/cheatsheet_net.py:Net --input-size 1,28,28 --verbose --exit-zero
	$(BIN)/cnnaudit lint examples/improved_net.py:Net --input-size 1,28,28 --exit-zero
	$(BIN)/cnnaudit probe examples/cheatsheet_net.py:Net --input-size 1,28,28 --device cpu --steps 100 --quiet
	$(BIN)/cnnaudit doctor examples/cheatsheet_net.py:Net --input-size 1,28,28 --quiet --exit-zero
	$(BIN)/cnnaudit report examples/cheatsheet_net.py:Net --input-size 1,28,28 -o cheatsheet_net.html
	# shrink exits 1 when one seed cannot show a candidate kept (--quick): fine for a demo, 2 is not
	$(BIN)/cnnaudit shrink examples/cheatsheet_net.py:Net --input-size 1,28,28 --max-params 10000 --quick --quiet -o small_net.py --force; test $$? -le 1

# The suite runs the console script in about 80 subprocesses: where
# PYTHONDONTWRITEBYTECODE is set (CI here), each would compile cnnaudit's
# sources again (0.1-0.4 s a process); compile them once, as an install does.
test: $(STAMP)
	$(BIN)/python -m compileall -q cnnaudit
	$(BIN)/python -m pytest -n 2 --dist worksteal

# The genuinely slow end-to-end runs make test leaves out (marked slow).
test-slow: $(STAMP)
	$(BIN)/python -m compileall -q cnnaudit
	$(BIN)/python -m pytest -m slow

ruff: $(STAMP)
	$(BIN)/ruff check cnnaudit tests benchmarks examples rules

benchmarks: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(BIN)/python benchmarks/torchvision_exactness.py
	$(BIN)/python benchmarks/speed_vs_torchinfo.py
	$(BIN)/python benchmarks/fast_meta_identity.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/peer_counts.py
	$(BIN)/python benchmarks/lint_overhead.py
	$(BIN)/python benchmarks/lint_precision.py
	$(BIN)/python benchmarks/peer_linters.py
	$(BIN)/python benchmarks/precommit_speed.py
	$(BIN)/python benchmarks/probe_overhead.py
	$(BIN)/python benchmarks/doctor_speed.py
	$(BIN)/python benchmarks/doctor_good_models.py
	$(BIN)/python benchmarks/doctor_wild.py
	$(BIN)/python benchmarks/lr_range_agreement.py
	$(BIN)/python benchmarks/report_speed.py
	$(BIN)/python benchmarks/shrink_speed.py
	$(BIN)/python benchmarks/shrink_wild.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
