# Two commands matter: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install browser-deps serve worker require-secret-key messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# The background worker (README "Background work": big imports, exports, review batches) runs beside
# the server and is stopped with it, however the server ends (Ctrl-C included).
run: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput -v 1
	DEBUG=1 $(BIN)/python manage.py load_demo
	DEBUG=1 $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Browser tests drive Debian's chromium (Playwright's own browser download cannot work here) with a
# CJK font; the translation-catalog tests run makemessages, which needs gettext's xgettext.
browser-deps:
	@missing=""; \
	  [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	  fc-list 2>/dev/null | grep -qi "wqy" || missing="$$missing fonts-wqy-microhei"; \
	  command -v xgettext >/dev/null || missing="$$missing gettext"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = "0" ]; then \
	      echo "Installing$$missing for the test suite"; \
	      (DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null 2>&1 || \
	       (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null)); \
	    else \
	      echo "Missing Debian packages:$$missing (install them as root: the browser and catalog tests need them)"; \
	    fi; \
	  fi

# The layer contracts first (pyproject.toml [tool.importlinter], docs/architecture.md), then the suite.
# pytest's exit status 5 means no test ran: that is a failure, not a pass.
test: $(STAMP) browser-deps
	$(BIN)/lint-imports --no-cache
	@$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest ran no tests: failing"; exit 1; fi; exit $$rc

# Production (README "Production deployment"): gunicorn behind a reverse proxy, static files from
# whitenoise. WORKERS processes of THREADS threads each (gthread): a request waiting on PostgreSQL
# or writing an export holds one thread, not a whole process, so 50 users do not queue behind
# 4 workers. Refuses to start without SECRET_KEY.
WORKERS ?= 4
THREADS ?= 8
GUNICORN_TIMEOUT ?= 120

serve: require-secret-key $(STAMP)
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py migrate --noinput
	exec $(BIN)/gunicorn fundmgr.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --worker-class gthread \
	  --threads $(THREADS) --timeout $(GUNICORN_TIMEOUT) --graceful-timeout 30 \
	  --max-requests 5000 --max-requests-jitter 500 --no-control-socket

# Production's background worker (README "Background work"): run it beside `make serve`, under the
# same supervisor; several may run, on any machine that reaches the database and the file storage.
worker: require-secret-key $(STAMP)
	exec $(BIN)/python manage.py db_worker --no-reload --interval 1

require-secret-key:
	@if [ -z "$$SECRET_KEY" ]; then \
	  echo "make serve: SECRET_KEY must be set to a long random string (README, Production deployment)" >&2; exit 1; \
	fi

# Refresh locale/en after strings changed: merge new msgids into django.po, compile django.mo (see the script).
messages: $(STAMP)
	PYTHON=$(BIN)/python scripts/messages.sh

clean:
	rm -rf $(VENV) var staticfiles
