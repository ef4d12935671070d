# Two commands do all the set-up: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/helpcenter
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

BENCH_ANCHOR_DIR ?= ../shared/bench/helpdesk_anchor

.PHONY: run test lint format worker beat bench bench-anchor bench-deps services-check browser-deps imap-deps clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The embedded development environment, set here and not as defaults in the settings: DEBUG on,
# SQLite in var/, Celery tasks in-process, emails as files in var/mail/. Nothing needs to be set.
# (RUN_VAR moves the database and mail files elsewhere, as the tests of `make run` do.)
# Links in emails point at the port being served (RUN_SITE_URL=... for another address).
RUN_VAR ?= $(CURDIR)/var
RUN_SITE_URL ?= http://127.0.0.1:$(PORT)
RUN_ENV := DJANGO_DEBUG=1 DATABASE_URL=sqlite:///$(RUN_VAR)/db.sqlite3 \
	CELERY_BROKER_URL=memory:// EMAIL_URL=filemail://$(RUN_VAR)/mail SITE_URL=$(RUN_SITE_URL)

run: $(BIN)/.installed
	mkdir -p $(RUN_VAR)/mail
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

worker: $(BIN)/.installed
	$(BIN)/celery -A helpcenter worker --loglevel=info

beat: $(BIN)/.installed
	mkdir -p var
	$(BIN)/celery -A helpcenter beat --loglevel=info --schedule var/celerybeat-schedule

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

services-check: $(BIN)/.installed
	@$(BIN)/python scripts/services_check.py "$(TEST_DATABASE_URL)" "$(TEST_REDIS_URL)"

browser-deps:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The inbound email e2e tests start their own throwaway Dovecot IMAP server (tests/inbound/dovecot.py).
imap-deps:
	@test -x /usr/sbin/dovecot || { echo "Installing Debian's dovecot-imapd for the inbound email tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null; }

test: $(BIN)/.installed services-check browser-deps imap-deps lint
	DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/pytest

bench-deps:
	@command -v wrk >/dev/null || { echo "Installing Debian's wrk for the benchmark"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

# 100,000 requests in helpcenter_bench (seeded once per schema; BENCH_RESEED=1 forces it),
# gunicorn with production settings, wrk at 1 and 8 connections; see scripts/bench.py.
bench: $(BIN)/.installed services-check bench-deps
	DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python scripts/bench.py

# django-helpdesk 2.6.1 measured the same way (its own venv and database); `make bench` then
# prints both side by side.
bench-anchor: bench-deps
	BENCH_ANCHOR_DIR=$(BENCH_ANCHOR_DIR) scripts/bench_anchor.sh

clean:
	rm -rf $(VENV) var/
