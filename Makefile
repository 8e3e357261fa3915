# The two commands the README opens with: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test typecheck install install-dev system-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .

install-dev: install
	$(BIN)/pip install -q -r requirements-dev.txt
	$(BIN)/pip install -q --no-deps --ignore-requires-python -r requirements-readers.txt
	bash scripts/install-system-deps

demo: install
	$(BIN)/broadsheet demo

# mypy first (settings in pyproject.toml): strict on the pipeline's stage packages.
typecheck: install-dev
	$(BIN)/python -m mypy

test: typecheck
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

clean:
	rm -rf $(VENV) data test-output .pytest_cache .mypy_cache
