# Haulbill: two commands for a fresh machine.
#   make demo   set up, migrate, seed, start the Billit sandbox, a worker and the web UI on http://127.0.0.1:8000
#   make test   set up with the dev tools, then ruff, mypy and pytest on SQLite, then on PostgreSQL
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HB := $(BIN)/haulbill
PG_URL ?= postgresql://postgres@127.0.0.1:5432/haulbill
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: messages demo test test-fast test-slow test-postgres bench setup setup-dev system-packages lint typecheck clean

# Debian packages the product and its tests need: Pango for WeasyPrint's PDFs, Chromium for the browser
# journey, poppler-utils to read PDFs back in tests, gettext for the translation catalogs. Installed only when missing (we are root here).
system-packages:
	@missing=""; \
	for pkg in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core chromium poppler-utils gettext; do \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "WARNING: could not install$$missing (PDF or browser tests may skip)"; \
	  else echo "WARNING: missing Debian packages:$$missing (install them as root)"; fi; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel setuptools

setup: system-packages $(BIN)/python
	$(BIN)/pip install -q -e .
	@if command -v npm >/dev/null; then npm install --no-audit --no-fund --silent; else echo "WARNING: npm missing: pages render without the Pico stylesheet"; fi

setup-dev: system-packages $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	@if command -v npm >/dev/null; then npm install --no-audit --no-fund --silent; else echo "WARNING: npm missing: pages render without the Pico stylesheet"; fi

demo: setup
	HAULBILL_DEMO=1 $(HB) migrate --noinput -v0
	HAULBILL_DEMO=1 $(HB) seed-demo --if-empty
	HAULBILL_DEMO=1 $(HB) demo

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy haulbill billit_sandbox

test: setup-dev lint typecheck
	@echo "== pytest on SQLite"
	$(BIN)/pytest -q -n 2 -m "not slow"
	@$(MAKE) --no-print-directory test-postgres
	@$(MAKE) --no-print-directory test-slow

test-fast:
	$(BIN)/pytest -q -m "not slow and not e2e"

# PostgreSQL is the production database: the same suite runs on it when a server is reachable.
test-postgres:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && command -v pg_ctlcluster >/dev/null; then \
	  echo "Starting the local PostgreSQL server"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start || true; sleep 2; \
	fi
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	  echo "== pytest on PostgreSQL ($(PG_URL))"; \
	  DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -n 2 -m "not slow and not e2e"; \
	else \
	  echo "SKIPPED PostgreSQL: no server on 127.0.0.1:5432 (install postgresql and start it, then run 'make test-postgres')"; \
	fi

test-slow:
	@echo "== slow drills"
	$(BIN)/pytest -q -m slow; rc=$$?; if [ $$rc -eq 5 ]; then echo "no slow tests"; exit 0; else exit $$rc; fi

bench: setup-dev
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# Re-extract the translatable strings (en -> fr, nl) and compile the catalogs.
messages:
	cd haulbill && HAULBILL_VAR_DIR=$(CURDIR)/var ../$(BIN)/haulbill makemessages -l fr -l nl --no-obsolete --no-location
	cd haulbill && HAULBILL_VAR_DIR=$(CURDIR)/var ../$(BIN)/haulbill compilemessages

clean:
	rm -rf $(VENV) var node_modules
