# `make test`, `make demo` and `make bench` set up .venv by themselves on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test demo bench clean system-packages

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

# Graphviz (pydotprint's pictures) and Chromium with its driver (the d3viz page's browser
# test): installed with apt-get where missing and possible (root, apt); else those tests skip.
system-packages:
	@missing=""; \
	command -v dot >/dev/null || missing="$$missing graphviz"; \
	command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
		|| missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "apt-get install$$missing"; \
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			$$missing; } >/dev/null 2>&1 || echo "could not install$$missing"; \
	else \
		echo "not installed:$$missing (the tests that need them will skip)"; \
	fi

# One worker per core, at most four: the suite is mostly XLA compiles, one thread each. A
# file's tests stay together in one worker, so that they share its compiled functions.
TEST_WORKERS ?= auto
test: $(STAMP) system-packages
	$(PY) -m pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile

demo: $(STAMP)
	$(PY) -m tutorials.lxmls_day5 --quick

bench: $(STAMP)
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
