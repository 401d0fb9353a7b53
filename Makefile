# The two commands a fresh clone needs are `make run` and `make test`; `make help` lists the rest.
.DEFAULT_GOAL := help
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed
UV ?= $(BIN)/uv

# Settings for commands that run Django outside `make run`: production-shaped (DEBUG off), with
# a throwaway key that is only ever used on this machine.
TEST_ENV := DEBUG=0 SECRET_KEY=insecure-key-for-local-checks-only

# Django 6.1 needs Python 3.12 or newer. PYTHON=... wins; then python3.13, python3.12 and python3
# (pyenv picks the version named in .python-version for them).
define find_python
for candidate in $(PYTHON) python3.13 python3.12 python3; do \
  if "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
    command -v "$$candidate"; exit 0; \
  fi; \
done; \
echo "No Python 3.12 or newer found. Install one (pyenv install 3.12, or apt-get install python3.12)," >&2; \
echo "then run again, or point at it: make $@ PYTHON=/path/to/python3.12" >&2; \
exit 1
endef

.PHONY: help
help: ## List the make targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	@python=$$($(find_python)); \
	if [ ! -x $(BIN)/python ]; then echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV); fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-dev.txt
	@touch $@

.PHONY: install
install: $(STAMP) ## Create .venv and install the pinned dependencies

.PHONY: run
run: install ## Migrate, load the article, ensure a local moderator, serve http://127.0.0.1:8000/
	DEBUG=1 $(MANAGE) migrate --noinput
	DEBUG=1 $(MANAGE) createcachetable
	DEBUG=1 $(MANAGE) load_seed_articles
	DEBUG=1 $(MANAGE) ensure_local_moderator
	DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

.PHONY: lint
lint: install ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

.PHONY: check
check: install ## Django system checks and the missing-migrations check
	$(TEST_ENV) $(MANAGE) check --fail-level WARNING
	$(TEST_ENV) $(MANAGE) makemigrations --check --dry-run

# Tests that need a running PostgreSQL server (gunicorn against it, restarts, outages) carry
# the `postgres` marker; the SQLite run deselects them and says how many.
SQLITE_ONLY := -m "not postgres"

.PHONY: test
test: lint check chromium ## Lint, check, then the whole suite on SQLite and on a throwaway PostgreSQL
	@failed=""; \
	echo "== Test suite on SQLite"; \
	start=$$SECONDS; \
	$(TEST_ENV) $(BIN)/pytest $(SQLITE_ONLY) || failed="$$failed SQLite"; \
	echo "== SQLite run: $$((SECONDS - start)) s"; \
	echo "== Test suite on PostgreSQL (throwaway cluster)"; \
	start=$$SECONDS; \
	$(TEST_ENV) $(BIN)/python -m tests.support.run_on_postgres || failed="$$failed PostgreSQL"; \
	echo "== PostgreSQL run: $$((SECONDS - start)) s"; \
	if [ -n "$$failed" ]; then echo "== FAILED on:$$failed" >&2; exit 1; fi; \
	echo "== Passed on SQLite and PostgreSQL"

.PHONY: test-fast
test-fast: install ## The suite on SQLite only, without lint: for quick local loops
	$(TEST_ENV) $(BIN)/pytest $(SQLITE_ONLY)

.PHONY: test-postgres
test-postgres: install chromium ## The whole suite on a throwaway PostgreSQL (started and removed here)
	$(TEST_ENV) $(BIN)/python -m tests.support.run_on_postgres

.PHONY: chromium
chromium: ## Install Debian's Chromium for the browser tests, if it is missing
	@if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Chromium for the browser tests (apt-get install chromium)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	elif [ -n "$${CI:-}" ]; then \
	  echo "Chromium is missing and this is not root: run 'sudo apt-get install -y chromium'." >&2; exit 1; \
	else \
	  echo "Chromium is missing: browser tests will be skipped. Install: sudo apt-get install -y chromium" >&2; \
	fi

LIGHTHOUSE_DIR := tools/lighthouse
LIGHTHOUSE := $(LIGHTHOUSE_DIR)/node_modules/.bin/lighthouse

# npm installs the exact version in package.json; no lock file is written (.npmrc says so).
$(LIGHTHOUSE): $(LIGHTHOUSE_DIR)/package.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js 20 or newer." >&2; exit 1; }
	npm install --prefix $(LIGHTHOUSE_DIR) --no-package-lock --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: lighthouse
lighthouse: install chromium $(LIGHTHOUSE) ## Lighthouse on index and article, phone and desktop, served as in production
	$(BIN)/python $(LIGHTHOUSE_DIR)/run.py $(LIGHTHOUSE_ARGS)

.PHONY: observatory
observatory: install ## Serve the site over local TLS and grade its headers with MDN HTTP Observatory
	$(BIN)/python scripts/observatory.py

.PHONY: bench
bench: install ## Load-test under gunicorn on SQLite and PostgreSQL (wrk, nginx); see docs/benchmarks.md
	$(BIN)/python bench/run.py $(BENCH_ARGS)

.PHONY: format
format: install ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

.PHONY: lock
lock: ## Re-pin requirements*.txt with hashes from pyproject.toml
	UV_PYTHON_DOWNLOADS=never $(UV) pip compile pyproject.toml --python-version 3.12 --generate-hashes \
	  --quiet --custom-compile-command "make lock" -o requirements.txt
	UV_PYTHON_DOWNLOADS=never $(UV) pip compile pyproject.toml --python-version 3.12 --generate-hashes \
	  --extra dev --quiet --custom-compile-command "make lock" -o requirements-dev.txt

.PHONY: clean
clean: ## Remove the virtualenv, the local database, collected static files, reports and Lighthouse
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles var $(LIGHTHOUSE_DIR)/node_modules
