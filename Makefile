# mediadesk — two-command quick start: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
HOST ?= 127.0.0.1
export MEDIADESK_DATA_DIR ?= $(CURDIR)/var
PG_URL ?= postgres://postgres@127.0.0.1:5432/mediadesk
REDIS_URL ?= redis://127.0.0.1:6379/14

.PHONY: help venv node run test test-services bench bench-publishing lint format system-deps check-services clean

help:
	@echo "make run            start mediadesk on http://$(HOST):$(PORT) with demo data"
	@echo "make test           ruff + the whole suite on the embedded default (SQLite, no server)"
	@echo "make test-services  the suite on PostgreSQL with Redis and Celery workers"
	@echo "make bench          speed and quality figures"
	@echo "make bench-publishing  publishing throughput, lateness and cost per post (PostgreSQL, Redis, ~30 min; BENCH_SCALE=small: minutes)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

node: node_modules/.package-lock.json

run: venv node
	$(BIN)/mediadesk run --host $(HOST) --port $(PORT)

# Chromium and CJK fonts for the browser tests: installed with apt when root, otherwise named.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages:$$missing — run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: venv node system-deps lint
	$(BIN)/python -m pytest -m "not services" -q -p no:cacheprovider

check-services:
	@$(BIN)/python scripts/check_services.py "$(PG_URL)" "$(REDIS_URL)"

test-services: venv node system-deps check-services
	@psql "$(dir $(PG_URL))postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='mediadesk'" | grep -q 1 \
	  || psql "$(dir $(PG_URL))postgres" -c "CREATE DATABASE mediadesk" >/dev/null
	DATABASE_URL="$(PG_URL)" CELERY_BROKER_URL="$(REDIS_URL)" MEDIADESK_REDIS_URL="$(REDIS_URL)" \
	  $(BIN)/python -m pytest -q -p no:cacheprovider

bench: venv node
	$(BIN)/python -m mediadesk.bench

bench-publishing: venv check-services
	BENCH_DATABASE_URL="$(dir $(PG_URL))mediadesk_bench" BENCH_REDIS_URL="$(dir $(REDIS_URL))13" \
	  $(BIN)/python -m mediadesk.bench publishing

clean:
	rm -rf $(VENV) node_modules test-output
