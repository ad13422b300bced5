# Two commands matter: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install browser-deps serve require-secret-key messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput -v 1
	DEBUG=1 $(BIN)/python manage.py load_demo
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Browser tests drive Debian's chromium; Playwright's own browser download cannot work here.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wqy"; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing chromium and fonts-wqy-microhei for the browser tests"; \
	    (apt-get install -y -q chromium fonts-wqy-microhei >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-microhei >/dev/null)); \
	  else \
	    echo "chromium is missing and we are not root: browser tests will be skipped"; \
	  fi; \
	fi

# pytest's exit status 5 means no test ran: that is a failure, not a pass.
test: $(STAMP) browser-deps
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

require-secret-key:
	@if [ -z "$$SECRET_KEY" ]; then \
	  echo "make serve: SECRET_KEY must be set to a long random string (README, Production deployment)" >&2; exit 1; \
	fi

# Refresh locale/en after strings changed: merge new msgids into django.po, compile django.mo (see the script).
messages: $(STAMP)
	PYTHON=$(BIN)/python scripts/messages.sh

clean:
	rm -rf $(VENV) var staticfiles
