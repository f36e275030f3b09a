# Two commands on a fresh machine: `make run` starts microapp, `make test` runs every test.
# Both create .venv and install what they need (Debian packages via packaging/linux/system-deps.sh).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run demo test lint sysdeps sysdeps-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

sysdeps:
	packaging/linux/system-deps.sh run

sysdeps-test:
	packaging/linux/system-deps.sh test

run: sysdeps $(VENV)/.installed
	$(BIN)/microapp

demo: sysdeps $(VENV)/.installed
	$(BIN)/microapp --demo

test: sysdeps-test $(VENV)/.installed
	$(BIN)/ruff check microapp tests benchmarks
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check microapp tests benchmarks

clean:
	rm -rf $(VENV) build dist artifacts
