# Jengu — two commands: `make dev` (run it locally) and `make test` (everything CI runs).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python
# The venv first on PATH: wrangler's [build] step runs `python3`, which must exist even where only uv was installed.
export PATH := $(CURDIR)/.venv/bin:$(PATH)
export WRANGLER_SEND_METRICS := false
export UV_NO_PROGRESS := 1

.PHONY: help install dev demo test browser-deps lint fmt typecheck unit bundle dry-run migrate bench clean

help:
	@echo "make dev        install, migrate, run the local runtime on http://127.0.0.1:8787"
	@echo "make demo       with make dev running: the whole loop on the sample data (jengu demo)"
	@echo "make test       install, then ruff, mypy and the whole pytest suite (both D1 backends, the browser)"
	@echo "make fmt | lint | typecheck | bench | dry-run | migrate | clean"

install:
	@bash scripts/bootstrap.sh

dev: install
	@$(PY) scripts/dev_vars.py
	@$(PY) -m local migrate
	@$(PY) -m local serve

demo: install
	@.venv/bin/jengu demo

migrate: install
	@$(PY) -m local migrate

test: install lint typecheck browser-deps
	@$(PY) -m pytest -q

browser-deps:
	@bash scripts/install_chromium.sh

lint: install
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .

fmt: install
	@$(PY) -m ruff format .
	@$(PY) -m ruff check --fix .

typecheck: install
	@$(PY) -m mypy shared workers durable_objects local scripts bench cli

bundle:
	@python3 scripts/build_bundle.py

dry-run: install
	@npx wrangler deploy --dry-run --outdir .local/dist

bench: install
	@$(PY) -m bench

clean:
	rm -rf .bundle .local/dist .pytest_cache .mypy_cache .ruff_cache
