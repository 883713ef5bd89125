# `make test`, `make demo` and `make bench` set up .venv by themselves on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test demo bench clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest

demo: $(STAMP)
	$(PY) -m tutorials.lxmls_day5 --quick

bench: $(STAMP)
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
