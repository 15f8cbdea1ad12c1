# Cartable — the two commands: `make run` (demo on http://127.0.0.1:8000) and `make test` (whole suite).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Find a Python >= 3.12: pyenv's choice from .python-version first, then the usual names.
PYTHON := $(shell for p in python3.13 python3.12 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; \
	then echo $$p; break; fi; done)

export DJANGO_SETTINGS_MODULE := cartable.settings
# Letters and emails of the demo point at the address it is served on.
SITE_URL ?= http://$(HOST):$(PORT)
export SITE_URL

.PHONY: run test lint bench venv dev-deps migrate demo messages messages-app e2e static axe clean

$(VENV)/.installed: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Cartable needs Python 3.12 or newer (python3.13, python3.12 or python3 on PATH)."; exit 1; fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

venv: $(VENV)/.installed
dev-deps: $(VENV)/.dev-installed

# Where ClamAV is installed (Debian's clamav-daemon), `make run` starts a demo daemon beside the server that knows
# only the EICAR test signature, so that the demo's files are scanned and shown; without it, or with
# CLAMAV_ADDRESS given, nothing is started and uploads wait in quarantine until an antivirus answers.
CLAMD := $(firstword $(wildcard /usr/sbin/clamd) $(shell command -v clamd 2>/dev/null))
DEMO_CLAMD_SOCKET := var/clamav/clamd.sock

run: venv
	@mkdir -p var/static
	DEBUG=true $(PY) manage.py migrate --noinput
	@# The antivirus and the background worker (imports, emails, digests, scans) run beside the web server and
	@# stop with it.
	@pids=""; trap 'kill $$pids 2>/dev/null' EXIT INT TERM; \
	if [ -z "$$CLAMAV_ADDRESS" ] && [ -n "$(CLAMD)" ]; then \
		DEBUG=true $(PY) manage.py run_clamd > var/clamd.log 2>&1 & pids="$$pids $$!"; \
		export CLAMAV_ADDRESS="unix://$(CURDIR)/$(DEMO_CLAMD_SOCKET)"; \
		for _ in $$(seq 1 100); do [ -S $(DEMO_CLAMD_SOCKET) ] && break; sleep 0.3; done; \
		echo "Antivirus de démonstration (signature de test EICAR seulement) : $$CLAMAV_ADDRESS"; \
	fi; \
	DEBUG=true $(PY) manage.py seed_demo --if-empty && \
	DEBUG=true $(PY) manage.py demo_logins && \
	DEBUG=true $(PY) manage.py plan_daily_tasks && \
	{ DEBUG=true $(PY) manage.py db_worker --no-reload --interval 1 & pids="$$pids $$!"; } && \
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

test: dev-deps axe
	$(PY) -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

e2e: dev-deps axe
	$(PY) -m pytest -m e2e $(PYTEST_ARGS)

# Production serves only the static files gathered here (hashed names, gzip and brotli copies): run it at each
# deployment. `make run` (DEBUG) serves the source folders and does not need it; the tests gather their own copy.
static: venv
	$(PY) manage.py collectstatic --noinput --verbosity 0

# axe-core, which the browser tests inject in every app's main page (tests/e2e/test_accessibility.py), at the
# version locked in tests/e2e/axe/package-lock.json, from the npm registry.
AXE := tests/e2e/axe/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE): tests/e2e/axe/package.json tests/e2e/axe/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/e2e/axe --no-audit --no-fund --loglevel error && touch $@; \
	else echo "npm is not installed: the accessibility check of the browser tests is skipped (apt-get install npm)."; fi

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true $(VENV)/bin/mypy cartable
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

# French is the source language; English is kept complete. One catalogue per app (cartable/<app>/locale) and one for
# the project's own templates and settings (cartable/locale). Translate what is new in each .po, then run it again:
# tests/test_translations.py fails while a string is missing, untranslated, fuzzy, or a .mo is stale.
# Locations without line numbers and no POT-Creation-Date: the .po files change only when the strings do.
# The `fr` catalogues hold the plural strings only, filled by cartable/lib/french_plurals.py: without them a
# French plural would follow the English rule (« 0 familles » for « 0 famille »).
APPS := $(sort $(patsubst cartable/%/apps.py,%,$(wildcard cartable/*/apps.py)))
messages: dev-deps
	@set -e; for app in $(APPS); do \
		echo "cartable/$$app"; mkdir -p cartable/$$app/locale; \
		(cd cartable/$$app && DEBUG=true ../../$(PY) ../../manage.py makemessages -l en -l fr --no-obsolete --no-wrap \
			--add-location file --ignore "tests/*" --ignore "static/*"); \
	done
	@mkdir -p cartable/locale
	cd cartable && DEBUG=true ../$(PY) ../manage.py makemessages -l en -l fr --no-obsolete --no-wrap --add-location file \
		--ignore "static/*" $(foreach app,$(APPS),--ignore "$(app)/*")
	sed -i '/^"POT-Creation-Date: /d' cartable/locale/en/LC_MESSAGES/django.po cartable/*/locale/en/LC_MESSAGES/django.po
	$(PY) -m cartable.lib.french_plurals cartable/locale/fr/LC_MESSAGES/django.po cartable/*/locale/fr/LC_MESSAGES/django.po
	DEBUG=true $(PY) manage.py compilemessages --ignore ".venv/*" --ignore "var/*" --ignore "build/*"

# One app's catalogue only: `make messages-app APP=messaging`.
messages-app: dev-deps
	mkdir -p cartable/$(APP)/locale
	cd cartable/$(APP) && DEBUG=true ../../$(PY) ../../manage.py makemessages -l en -l fr --no-obsolete --no-wrap \
		--add-location file --ignore "tests/*" --ignore "static/*"
	sed -i '/^"POT-Creation-Date: /d' cartable/$(APP)/locale/en/LC_MESSAGES/django.po
	$(PY) -m cartable.lib.french_plurals cartable/$(APP)/locale/fr/LC_MESSAGES/django.po
	cd cartable/$(APP) && DEBUG=true ../../$(PY) ../../manage.py compilemessages

# Each figure is one JSON line on stdout: the home page and logins, the AAF importer, messaging, the timetable,
# and whether each shortcut through the framework's internals still pays (ARCHITECTURE.md).
# Every figure is measured even when one misses its target; the command fails at the end if any did.
BENCHES := run feeds_import messaging liaison albums timetable internals sso
bench: dev-deps static
	@failed=""; for b in $(BENCHES); do $(PY) -m bench.$$b || failed="$$failed $$b"; done; \
	if [ -n "$$failed" ]; then echo "targets missed in:$$failed" >&2; exit 1; fi

clean:
	rm -rf $(VENV) var tests/e2e/axe/node_modules
