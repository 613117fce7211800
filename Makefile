# The README's two commands are `make run` and `make test`; .ci/run calls `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# The tests' and benchmarks' databases: TEST_DATABASE_URL / BENCH_DATABASE_URL in the
# environment, else what scripts/services-up found or started (the system's or the embedded one).
TEST_DB = $${TEST_DATABASE_URL:-$$(cat var/test-database-url)}
BENCH_DB = $${BENCH_DATABASE_URL:-$$(cat var/bench-database-url)}

.PHONY: run test lint format bench bench-seed services system-deps venv deps dev-deps clean db-stop

$(VENV)/bin/activate:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Redress needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Stamps make re-installs happen only when a requirements file changes.
$(VENV)/.deps: requirements.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.deps

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

# The embedded PostgreSQL (var/pgdata) is started first and stopped when `make run` ends.
run: deps
	bash scripts/run-local

# Stops the embedded server if `make run` was killed without its clean-up.
db-stop: deps
	$(PY) -m config.embedded_db stop var/pgdata

services: dev-deps
	bash scripts/services-up

# Every program and library the app and the tests call (README: "What a machine needs").
system-deps:
	bash scripts/system-deps

test: dev-deps system-deps services
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DATABASE_URL=$(TEST_DB) $(VENV)/bin/pytest

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: dev-deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Heavy measurements live here, never in `make test`: each at 100,000 and then 1,000,000
# complaints (the database is topped up between), with the ratio. BENCH_SIZE=100000 for a quick run.
BENCH_SIZE ?= 100000,1000000
bench: dev-deps system-deps services
	DATABASE_URL=$(BENCH_DB) $(PY) bench/run.py --size $(BENCH_SIZE)

clean:
	-test -x $(PY) && $(PY) -m config.embedded_db stop var/pgdata
	-test -x $(PY) && $(PY) -m config.embedded_db stop var/pgdata-test
	rm -rf var $(VENV)
