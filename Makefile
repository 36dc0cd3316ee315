# Two commands on a fresh clone: `make run` and `make test`. Everything else is a step they share.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
CHARTJS := static/vendor/chart.js/chart.umd.min.js
MO := locale/ko/LC_MESSAGES/django.mo
# Local commands default to debug settings; a production shell exports DEBUG=0 and SECRET_KEY.
MANAGE := DEBUG=$${DEBUG:-1} $(PY) manage.py

.PHONY: run test install vendor messages migrate demo lint bench worker beat procfile makemessages clean

run: install vendor messages migrate demo
	@echo ""
	@echo "  cxm is starting on http://127.0.0.1:8000/  —  sign in as user 'demo', password 'demo'"
	@echo ""
	$(MANAGE) runserver 127.0.0.1:8000

test: install vendor messages
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(VENV)/.installed

# Reinstall only when the dependency list changes.
$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required: install python3.11 (Django 5.2 LTS)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Chart.js comes from the npm registry at the version pinned in package.json, into a git-ignored folder.
vendor: $(CHARTJS)

$(CHARTJS): package.json package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "npm was not found: install Node.js and npm so that 'make' can fetch Chart.js (charts stay blank without it)."; \
	else \
		npm ci --no-audit --no-fund --loglevel=error && \
		mkdir -p static/vendor/chart.js && \
		cp node_modules/chart.js/dist/chart.umd.min.js $(CHARTJS) && \
		cp node_modules/chart.js/dist/chart.umd.min.js.map $(CHARTJS).map && \
		cp node_modules/chart.js/LICENSE.md static/vendor/chart.js/LICENSE.md; \
	fi

messages: $(MO)

$(MO): locale/ko/LC_MESSAGES/django.po install
	$(MANAGE) compile_translations

migrate: install
	$(MANAGE) migrate --noinput

demo: install
	$(MANAGE) seed_demo

lint: install
	$(BIN)/ruff check .

# Extract strings after changing templates or code; translate locale/ko/LC_MESSAGES/django.po.
makemessages: install
	$(MANAGE) makemessages -l ko --no-obsolete --ignore=.venv --ignore=node_modules --ignore=static/vendor

# Benchmarks under tests/bench (not collected by pytest); figures are merged into .bench/results.json.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cxm_bench
# bench_submit.py uses (and empties) this Redis database for the rate limiter and the broker; empty = no Redis.
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/14
# The dashboard bench serves pages as production does: collected static files, Chart.js among them.
bench: install vendor messages
	@# The submission bench sends its POSTs with wrk where it can be had (else with its Python client).
	@command -v wrk >/dev/null || ! command -v apt-get >/dev/null || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null 2>&1 || \
		echo "wrk could not be installed: the submission bench uses its Python client"
	@for script in tests/bench/bench_*.py; do \
		echo "=== $$script"; \
		DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(PY) $$script || exit 1; \
	done

worker: install
	$(BIN)/celery -A cxm worker --loglevel=info

beat: install
	$(BIN)/celery -A cxm beat --loglevel=info

procfile: install vendor messages migrate
	$(BIN)/honcho start

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles
