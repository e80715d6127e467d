# MACE Hub's developer tasks.
#
#   make demo        run the hub on synthetic data at http://127.0.0.1:8000
#   make test        every check CI runs: lint, types, migrations, system checks, pytest
#
# Each target installs what it needs first (a virtual environment in .venv, the Python
# packages from pyproject.toml, the front-end packages from package-lock.json and the
# built assets), and skips what is already up to date. `make help` lists the targets.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
NPM ?= npm

# pytest-xdist workers for `make pytest`: "auto" (one per core), or 0 to run in one process.
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=
# The PostgreSQL database `make test-postgres` uses. Django's test runner creates and
# drops test_<name> itself, so the role needs CREATEDB.
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres

# Stamps: each records that a step ran after its inputs last changed.
PYTHON_STAMP := $(VENV)/.macehub-installed
NODE_STAMP := node_modules/.macehub-installed
ASSETS_STAMP := build/assets/.macehub-built

# The checks and the test suite run on the test settings (a test-only SECRET_KEY, 2FA on).
# DATABASE_URL passes through from the environment when it is set (SQLite otherwise).
TEST_ENV := DJANGO_SETTINGS_MODULE=macehub.test_settings

# Demo mode: synthetic data only, its own SQLite file and a secret key made once.
DEMO_ADDRESS ?= 127.0.0.1:8000
DEMO_DB := $(CURDIR)/var/demo.sqlite3
DEMO_SECRET_KEY := var/demo-secret-key
DEMO_ENV := DJANGO_SETTINGS_MODULE=macehub.settings MACEHUB_DEMO=true \
	SECRET_KEY_FILE=$(CURDIR)/$(DEMO_SECRET_KEY) DATABASE_URL=sqlite:///$(DEMO_DB)
DEMO_DATA_ARGS := --scale small --seed 1
DEMO_MANAGE := $(DEMO_ENV) $(PY) manage.py

.PHONY: help install demo demo-reset demo-data demo-migrate test lint typecheck \
	check-migrations check-django pytest test-postgres assets clean serve bench

help:
	@echo "MACE Hub"
	@echo "  make demo           run the hub on synthetic data at http://$(DEMO_ADDRESS)"
	@echo "  make demo-reset     delete and regenerate the demo data (then: make demo)"
	@echo "  make test           ruff, mypy, migrations check, system checks and pytest"
	@echo "  make lint           ruff check and the layers (lint-imports)"
	@echo "  make typecheck      mypy"
	@echo "  make pytest         the test suite only (DATABASE_URL if set, else SQLite)"
	@echo "  make test-postgres  the test suite on PostgreSQL ($(POSTGRES_URL))"
	@echo "  make serve          run the hub with gunicorn on the settings from the environment"
	@echo "  make bench          manage.py bench_pages on DATABASE_URL (BENCH_ARGS=...)"
	@echo "  make install        set up .venv, node_modules and build/assets only"
	@echo "  make clean          remove .venv, node_modules, build/, var/ and caches"

# ---------------------------------------------------------------------------------------
# Dependencies

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
		"MACE Hub needs Python 3.11 or newer; $(PYTHON) is " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)

$(PYTHON_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check --progress-bar off -e '.[dev]'
	@touch $@

$(NODE_STAMP): package-lock.json package.json
	@command -v node >/dev/null && command -v $(NPM) >/dev/null || \
		{ echo "Node.js 20+ and npm are needed for the front-end assets" >&2; exit 1; }
	@major=$$(node -p 'process.versions.node.split(".")[0]'); [ "$$major" -ge 20 ] || \
		{ echo "Node.js 20+ is needed, found $$(node --version)" >&2; exit 1; }
	$(NPM) ci --no-audit --no-fund
	@touch $@

$(ASSETS_STAMP): $(NODE_STAMP) scripts/build_assets.sh
	scripts/build_assets.sh
	@touch $@

assets: $(ASSETS_STAMP)

install: $(PYTHON_STAMP) $(ASSETS_STAMP)

# ---------------------------------------------------------------------------------------
# Demo

var:
	mkdir -p var

# A random key, made once and kept (mode 600) so demo sessions survive a restart.
$(DEMO_SECRET_KEY): | var $(PY)
	@umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(64))' > $@
	@echo "Made a demo secret key in $@"

demo-migrate: install $(DEMO_SECRET_KEY)
	$(DEMO_MANAGE) migrate --no-input

# Generate the demo data only when the database has none; otherwise list the accounts.
demo-data: demo-migrate
	@status=0; $(DEMO_MANAGE) shell -v 0 -c 'import sys; \
		from macehub.demo.services import existing_data; \
		sys.exit(10 if existing_data() else 0)' || status=$$?; \
	case $$status in \
	  0) $(DEMO_MANAGE) demo_data $(DEMO_DATA_ARGS) ;; \
	  10) echo "The demo database already has its data (make demo-reset regenerates it)."; \
	      echo; \
	      $(DEMO_MANAGE) demo_accounts ;; \
	  *) exit $$status ;; \
	esac

demo: demo-data
	@echo
	@echo "MACE Hub demo (synthetic data only): http://$(DEMO_ADDRESS)/"
	@echo "Sign in with any account above. Ctrl+C stops the server."
	@echo
	@# The background worker (a list linked from the analysts' page) runs beside the
	@# server and stops with it.
	@$(DEMO_MANAGE) db_worker --no-reload -v 0 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(DEMO_MANAGE) runserver $(DEMO_ADDRESS)

demo-reset: demo-migrate
	$(DEMO_MANAGE) demo_data $(DEMO_DATA_ARGS) --reset

# ---------------------------------------------------------------------------------------
# Production serving and the page benchmark

# Production settings come from the environment (README, "Settings"): DATABASE_URL,
# SECRET_KEY, ALLOWED_HOSTS... and gunicorn's from gunicorn.conf.py (WEB_CONCURRENCY,
# MACEHUB_BIND). Static files are collected into STATIC_ROOT for whitenoise to serve.
# Migrations are not run here: apply them on purpose first (manage.py migrate).
serve: install
	$(PY) manage.py collectstatic --no-input -v 0
	$(BIN)/gunicorn --config gunicorn.conf.py macehub.wsgi:application

# The page benchmark on the database DATABASE_URL names (PostgreSQL for real figures),
# with the load tool from the `bench` extra. For example:
#   make bench BENCH_ARGS="--scale force --users 1 50 --seconds 20 --audit-off --markdown"
BENCH_ARGS ?= --scale force
bench: install
	$(PY) -m pip install --disable-pip-version-check --progress-bar off -q -e '.[bench]'
	$(PY) manage.py bench_pages $(BENCH_ARGS)

# ---------------------------------------------------------------------------------------
# Checks and tests

# ruff, then the layers: import-linter's contracts in pyproject.toml (docs/architecture.md).
lint: $(PYTHON_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(PYTHON_STAMP)
	$(BIN)/mypy macehub

check-migrations: $(PYTHON_STAMP) $(ASSETS_STAMP)
	@mkdir -p var
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

check-django: $(PYTHON_STAMP) $(ASSETS_STAMP)
	$(TEST_ENV) $(PY) manage.py check --fail-level WARNING

# The whole suite in one run, browser tests included: each pytest-xdist worker gets its
# own test database, live server and Chromium. --dist loadfile keeps each test file on one
# worker, so tests in the same file never run at the same time as each other.
pytest: $(PYTHON_STAMP) $(ASSETS_STAMP)
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
		echo "Note: no chromium on PATH; the browser tests will look for Playwright's own" \
		"(Debian: apt-get install chromium; online: $(BIN)/playwright install chromium)"
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test: lint typecheck check-migrations check-django pytest

test-postgres: $(PYTHON_STAMP) $(ASSETS_STAMP)
	DATABASE_URL=$(POSTGRES_URL) $(MAKE) --no-print-directory pytest

clean:
	rm -rf $(VENV) node_modules build var test-results .pytest_cache .mypy_cache \
		.ruff_cache macehub.egg-info
	find macehub -name __pycache__ -type d -prune -exec rm -rf {} +
