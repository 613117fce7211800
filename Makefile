# The README's two commands are `make run` and `make test`; .ci/run calls `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
TEST_DATABASE_URL ?= postgres://redress@127.0.0.1:5432/redress

.PHONY: run test lint format bench bench-seed services browser-deps venv deps dev-deps clean

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

run: deps
	mkdir -p var/broker var/mail var/media
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py demo_seed
	$(VENV)/bin/honcho start -f Procfile.dev

services:
	bash scripts/services-up

# Debian's Chromium and axe-core (package-lock.json) for tests/browser, installed when missing.
browser-deps:
	bash scripts/browser-deps

test: dev-deps services browser-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DATABASE_URL=$(TEST_DATABASE_URL) $(VENV)/bin/pytest

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: dev-deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Heavy measurements live here, never in `make test`. BENCH_SIZE=1000000 for the full run.
BENCH_SIZE ?= 100000
bench: dev-deps services
	DATABASE_URL=$(TEST_DATABASE_URL)_bench $(PY) bench/run.py --size $(BENCH_SIZE)

clean:
	rm -rf var $(VENV)
