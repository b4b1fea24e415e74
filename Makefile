VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: demo test lint

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.demo-installed: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[demo]'
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[test,demo]'
	touch $@

demo: $(VENV)/.demo-installed
	$(VENV)/bin/rolecall --demo

test: $(VENV)/.test-installed
	$(PY) -m pytest -q

lint: $(VENV)/.test-installed
	$(PIP) install -q -e '.[dev]'
	$(VENV)/bin/ruff check core gui tests
	$(VENV)/bin/ruff format --check core gui tests
	$(VENV)/bin/mypy
