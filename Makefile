# lianxin — the two commands are `make dev` and `make test`; both install what they need.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
UV := $(VENV)/bin/uv
PY := $(VENV)/bin/python
SERVICES := people tickets assessment

.PHONY: help dev test test-faults lint typecheck contracts proto schema compose persisted clean install fmt bench

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# --- installation (idempotent; re-runs only when the lock files change) -----------------
$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "lianxin needs Python 3.11 or newer (set PYTHON=python3.12 …)")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.8

$(VENV)/.synced: uv.lock pyproject.toml $(UV)
	$(UV) sync --frozen --quiet --compile-bytecode
	@touch $@

gateway/node_modules/.installed: gateway/package-lock.json
	@command -v npm >/dev/null || { echo "lianxin needs Node 20+ with npm for the gateway"; exit 1; }
	cd gateway && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.synced gateway/node_modules/.installed  ## install Python and Node dependencies

# --- the two commands ----------------------------------------------------------------------
dev: install  ## run the whole system with demo data (Ctrl-C stops it)
	$(VENV)/bin/lianxin dev

test: install lint typecheck contracts  ## lint, type-check, contract drift, then every test
	$(VENV)/bin/pytest

test-faults: install  ## the fault, fuzz and authorisation suite in its long versions (under 30 minutes)
	LIANXIN_FAULTS=full $(VENV)/bin/pytest tests/faults

# --- performance (issue 8) -------------------------------------------------------------------
bench: install  ## every benchmark, about 15 minutes (QUICK=1: a 5-minute smoke run); figures for bench/RESULTS.md
	$(VENV)/bin/python bench/run_all.py $(if $(QUICK),--quick,)

# --- checks ---------------------------------------------------------------------------------
lint: $(VENV)/.synced  ## ruff
	$(VENV)/bin/ruff check .

typecheck: $(VENV)/.synced  ## mypy
	$(VENV)/bin/mypy

contracts: install  ## fail if generated contracts drifted from their sources
	$(PY) scripts/gen_proto.py --check
	@for s in $(SERVICES); do $(VENV)/bin/lianxin-$$s export-schema --check; done
	cd gateway && node compose.mjs --check
	cd gateway && node persisted.mjs --check

# --- regenerating contracts -----------------------------------------------------------------
proto: $(VENV)/.synced  ## regenerate Python code from proto/*.proto
	$(PY) scripts/gen_proto.py

schema: $(VENV)/.synced  ## export each subgraph's schema.graphql
	@for s in $(SERVICES); do $(VENV)/bin/lianxin-$$s export-schema; done

compose: schema gateway/node_modules/.installed  ## compose gateway/supergraph.graphql
	cd gateway && node compose.mjs

persisted: gateway/node_modules/.installed  ## regenerate gateway/persisted-documents.json from clients/miniprogram
	cd gateway && node persisted.mjs

fmt: $(VENV)/.synced  ## format and fix imports
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:  ## delete the dev stack's data (PostgreSQL, logs, secret) in .lianxin/
	rm -rf .lianxin
