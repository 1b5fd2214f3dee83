# hushdesk: `make run` and `make test` do all their own set-up; set-up steps are skipped when
# nothing they depend on has changed (a stamp in .venv named after the requirement files' hash).
SHELL := /bin/bash
HOST ?= 127.0.0.1
PORT ?= 8000
# App processes behind the bundled nginx (services/ops/workers.py); unset: HUSHDESK_WORKERS (from the
# environment or .env), 1 by default: Chainlit alone on HOST:PORT.
WORKERS ?=
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
HAS_GPU := $(shell nvidia-smi -L >/dev/null 2>&1 && echo 1)
ENGINE_REQ := $(if $(HAS_GPU),requirements-gpu.txt,requirements-cpu.txt)
STAMP_APP := $(VENV)/.stamp-app-$(shell cat requirements.txt | sha256sum | cut -c1-12)
STAMP_DEV := $(VENV)/.stamp-dev-$(shell cat requirements-dev.txt | sha256sum | cut -c1-12)
STAMP_CPU := $(VENV)/.stamp-cpu-$(shell cat requirements-cpu.txt | sha256sum | cut -c1-12)
STAMP_GPU := $(VENV)/.stamp-gpu-$(shell cat requirements-gpu.txt | sha256sum | cut -c1-12)
STAMP_BENCH := $(VENV)/.stamp-bench-$(shell cat requirements-bench.txt | sha256sum | cut -c1-12)
ENGINE_STAMP := $(if $(HAS_GPU),$(STAMP_GPU),$(STAMP_CPU))

.PHONY: run test bench docs-picture setup setup-test browser nginx postgres clean-venv importable

run: setup
	$(PY) -m services.ops.bootstrap
ifneq ($(filter-out 1,$(WORKERS)),)
	@$(MAKE) --no-print-directory nginx
endif
	$(if $(WORKERS),HUSHDESK_WORKERS=$(WORKERS) )$(PY) -m services.ops.workers $(if $(WORKERS),--workers $(WORKERS) )--host $(HOST) --port $(PORT)

# Then the audit, session and user tests again against a real PostgreSQL server (the shared store of
# several hosts); tests about the SQLCipher file itself are deselected there.
STORE_TESTS := tests/audit tests/auth/test_sessions.py tests/auth/test_users.py

test: setup-test
	$(PY) -m pytest
	$(PY) -m pytest -q --store=postgres $(STORE_TESTS)

bench: setup-test $(STAMP_BENCH)
	$(PY) -m bench

# The README's picture: the first-run browser test's screenshot (tests/browser/test_first_run.py).
docs-picture: setup-test
	HUSHDESK_DOCS_PICTURE=$(CURDIR)/docs/first-run.png $(PY) -m pytest -q tests/browser/test_first_run.py

setup: $(STAMP_APP) $(ENGINE_STAMP) importable

setup-test: $(STAMP_APP) $(STAMP_DEV) $(STAMP_CPU) browser nginx postgres importable

# The project folder on the venv's path (a .pth file, rewritten each time: the clone may have moved), so
# `.venv/bin/python -m services.kb …` and `-m redaction …` work from any working folder.
importable: | $(VENV)/bin/python
	@$(PY) -c "import sys, sysconfig, pathlib; pathlib.Path(sysconfig.get_paths()['purelib'], 'hushdesk-project.pth').write_text(sys.argv[1] + '\n')" "$(CURDIR)"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(STAMP_APP): requirements.txt | $(VENV)/bin/python
	$(PIP) install -r requirements.txt
	rm -f $(VENV)/.stamp-app-*; touch $@

$(STAMP_DEV): requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install -r requirements-dev.txt
	rm -f $(VENV)/.stamp-dev-*; touch $@

$(STAMP_CPU): requirements-cpu.txt | $(VENV)/bin/python
	$(PIP) install -r requirements-cpu.txt
	rm -f $(VENV)/.stamp-cpu-*; touch $@

$(STAMP_GPU): requirements-gpu.txt | $(VENV)/bin/python
	$(PIP) install -r requirements-gpu.txt
	rm -f $(VENV)/.stamp-gpu-*; touch $@

$(STAMP_BENCH): requirements-bench.txt | $(VENV)/bin/python
	$(PIP) install -r requirements-bench.txt
	rm -f $(VENV)/.stamp-bench-*; touch $@

# Debian's Chromium for the browser tests (Playwright drives it; its own browser download is never used).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver; \
	fi

# Debian's nginx for several app processes (`make run WORKERS=N`) and their tests; never started as a
# system service by hushdesk (the launcher runs its own instance with its own configuration).
nginx:
	@if [ ! -x /usr/sbin/nginx ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx-light; \
	fi

# Debian's PostgreSQL server for the shared-store tests: they run initdb and postgres in a temporary
# directory of their own (tests/support/postgres.py); the system's cluster is neither used nor needed.
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql; \
	fi

clean-venv:
	rm -rf $(VENV)
