# r2pnet: `make run` serves the app; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export HOST PORT

.PHONY: run test test-sqlite test-postgres lint install install-dev clean bench bench-load \
	bench-search bench-digests bench-pages bench-instructions

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

## run: migrate the SQLite database in instance/ and serve with the scheduler
run: install
	$(BIN)/python app.py

## test: the whole suite on SQLite, then on PostgreSQL (skipped when unreachable unless required)
test: install-dev lint test-sqlite test-postgres

lint: install-dev
	$(BIN)/ruff check .

test-sqlite: install-dev
	TEST_DATABASE=sqlite $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install-dev
	TEST_DATABASE=postgresql $(BIN)/python -m pytest $(PYTEST_ARGS)

## bench: every benchmark on both engines (results: docs/performance.md); each also alone:
bench: bench-load bench-pages bench-search bench-digests

## bench-load: pages under gunicorn (2 workers) against a bare Flask route, driven by wrk
bench-load: install-dev
	@command -v wrk >/dev/null || apt-get install -y wrk >/dev/null || \
		(echo "bench-load needs wrk: apt-get install wrk" && exit 1)
	$(BIN)/python -m benchmarks.load --database sqlite
	$(BIN)/python -m benchmarks.load --database postgresql

## bench-pages: each page's CPU per request in process, on a first visit and kept
bench-pages: install-dev
	$(BIN)/python -m benchmarks.pages --database sqlite
	$(BIN)/python -m benchmarks.pages --database postgresql

## bench-instructions: each page's instructions per request in process (needs valgrind)
bench-instructions: install-dev
	$(BIN)/python -m benchmarks.instructions --database sqlite
	$(BIN)/python -m benchmarks.instructions --database postgresql

## bench-search: lesson search at 100,000 lessons
bench-search: install-dev
	$(BIN)/python -m benchmarks.search --database sqlite
	$(BIN)/python -m benchmarks.search --database postgresql

## bench-digests: digests for 10,000 members against plain smtplib
bench-digests: install-dev
	$(BIN)/python -m benchmarks.digests --members 10000 --database sqlite
	$(BIN)/python -m benchmarks.digests --members 10000 --database postgresql

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
