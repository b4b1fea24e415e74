VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: demo test lint lambda-zip bundle wheel bench

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# An editable install is not byte-compiled (pip compiles wheels only): compile it here, or
# every start compiles the sources again when the bytecode cannot be written.
$(VENV)/.demo-installed: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[demo]'
	$(PY) -m compileall -q core gui resources
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

lambda-zip: | $(PY)
	$(PY) packaging/build_lambda_zip.py dist/rolecall-lambda.zip

bundle: $(VENV)/.demo-installed
	$(PIP) install -q 'pyinstaller>=6.5'
	$(VENV)/bin/pyinstaller packaging/rolecall.spec --noconfirm --log-level WARN \
		--distpath dist --workpath build/pyinstaller
	bash packaging/check_bundle.sh dist/rolecall/rolecall

wheel: | $(PY)
	$(PIP) install -q build
	$(PY) -m build --wheel --outdir dist .

# The peers compared in the same run: awsume and the AWS CLI (the bench extra), and
# dynamodb-admin from npm into build/ (ignored by git, never a dependency of Rolecall).
bench: $(VENV)/.test-installed
	$(PIP) install -q -e '.[test,demo,bench]'
	if command -v npm >/dev/null; then \
		npm install --silent --no-audit --no-fund --prefix build/bench-node dynamodb-admin@5.3.3; fi
	QT_QPA_PLATFORM=offscreen $(PY) -m tests.bench --svg resources/screenshots/bench.svg
