# Two commands on a fresh machine with Python 3.11 and make: `make run`, `make test`.
# Python 3.11 or newer; falls back to python3 when python3.11 is not on PATH.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint typecheck unit bench eval clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
		|| { echo "ostbot needs Python 3.11+ (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list changes. The code is compiled once here, so a cold
# `ostbot ask` does not compile every module each time where PYTHONDONTWRITEBYTECODE is set.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m compileall -q bot
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q bot
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/ostbot run

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check bot tests setup.py
	$(BIN)/ruff format --check bot tests setup.py

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

unit: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

test: lint typecheck unit

bench: $(VENV)/.installed-run
	$(BIN)/ostbot bench
	$(BIN)/ostbot bench --tracks 100000

# Scores the bot on tests/data/requests.yaml: the share of right answers per category and
# overall. Options through EVAL_ARGS, e.g. `make eval EVAL_ARGS=--failures`. `make test` gates
# the score: tests/test_evaluate.py keeps the whole set at >= 95% (see docs/understanding.md,
# "Measuring understanding").
eval: $(VENV)/.installed-run
	$(BIN)/ostbot eval $(EVAL_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
