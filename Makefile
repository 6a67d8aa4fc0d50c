# The two commands of the README:  make run  (set up + serve on SQLite with demo data)
#                                  make test (the whole suite)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run setup test lint messages bench bench-all bench-imports bench-exports bench-reports bench-pages bench-firstrequest loadtest loadtest-ramp generatedata clean

# The task worker (manage.py db_worker: big imports) runs in the background beside the
# server and is stopped when the server stops (Ctrl+C). It does not reload on code changes.
# DEBUG is on for these commands unless the environment says otherwise: with DEBUG off the
# settings refuse to start without a SECRET_KEY (DEBUG=0 SECRET_KEY=... make run serves as
# production does, on the files collectstatic wrote).
DEV := DEBUG=$${DEBUG:-1}
# Commands that serve nothing and should run as production does (DEBUG off): a key of their own.
SCRATCH_KEY := SECRET_KEY=$${SECRET_KEY:-scratch-$$(date +%s)-not-for-serving}

run: setup
	@echo "Serving on http://$(HOST)/  (the demo accounts are listed above)"
	@echo "Task worker: manage.py db_worker (stopped with the server)"
	$(DEV) $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV) $(PY) manage.py runserver $(HOST)

# collectstatic every time (a few seconds): with DEBUG off the pages link the collected,
# hashed files, and without them they would have no styles or scripts (check audit.W001).
setup: $(VENV)/.installed
	mkdir -p var
	$(DEV) $(PY) manage.py compilemessages --ignore '.venv/*' -v 0
	$(DEV) $(PY) manage.py migrate --noinput -v 0
	$(DEV) $(PY) manage.py collectstatic --noinput -v 0
	$(DEV) $(PY) manage.py loaddemo
	$(DEV) $(PY) manage.py warm_summaries

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[test]"
	touch $@

# pytest runs on jianye.test_settings (DEBUG off, a throw-away SECRET_KEY).
test: $(VENV)/.installed
	$(DEV) $(PY) manage.py compilemessages --ignore '.venv/*' -v 0
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	mkdir -p var
	$(VENV)/bin/ruff check .
	$(DEV) $(VENV)/bin/lint-imports
	$(DEV) $(PY) manage.py makemigrations --check --dry-run

# Each app keeps its own catalogue (APP/locale); the project one (locale/) holds jianye/ and
# templates/ (but templates/budgets/, which the budgets catalogue holds). Django's --ignore
# matches folder names anywhere, so the apps are ignored file by file, not as folders.
APPS_WITH_CATALOGUES := $(patsubst %/locale,%,$(wildcard */locale))
messages: $(VENV)/.installed
	for app in $(APPS_WITH_CATALOGUES); do \
	  (cd $$app && ../$(VENV)/bin/django-admin makemessages -l zh_Hans) || exit 1; done
	$(VENV)/bin/django-admin makemessages -l zh_Hans --ignore=.venv --ignore=tests \
	  --ignore=bench --ignore=staticfiles --ignore='templates/budgets/*.html' \
	  $(foreach app,$(APPS_WITH_CATALOGUES),--ignore='$(app)/*.py' --ignore='$(app)/*.html' --ignore='$(app)/*.txt')
	$(DEV) $(PY) manage.py compilemessages --ignore '.venv/*'

# Benchmarks print their own baselines and ratios; results are kept in docs/benchmarks.md.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench
bench: $(VENV)/.installed
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.budget --committees 20000 --postings 250000

# Scale (issue 9): a generated province, the pages benchmark and the load test, all on
# PostgreSQL. generatedata fills GENERATE_DATABASE_URL (an empty, migrated database);
# bench-pages builds its own throwaway test database; loadtest creates and drops its own.
GENERATE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/province
GENERATE_ARGS ?=
generatedata: $(VENV)/.installed
	$(SCRATCH_KEY) DATABASE_URL=$(GENERATE_DATABASE_URL) $(PY) manage.py migrate --noinput -v 0
	$(SCRATCH_KEY) DATABASE_URL=$(GENERATE_DATABASE_URL) $(PY) manage.py generatedata $(GENERATE_ARGS)

BENCH_PAGES_ARGS ?=
bench-pages: $(VENV)/.installed
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.pages $(BENCH_PAGES_ARGS)

# The login storm and 50 street users at a 10 s think time (issue 17); add --ramp for the
# users at which the pages' p95 crosses 500 ms, --profile for where the CPU goes.
LOADTEST_ARGS ?= --profile
loadtest: $(VENV)/.installed
	$(PY) -m bench.loadtest $(LOADTEST_ARGS)

# The users at which the pages' p95 crosses 500 ms (20 more every 30 s, up to 200), and the
# requests per second per core there.
LOADTEST_RAMP_ARGS ?= --ramp --ramp-step 20 --ramp-max 200 --step-duration 30
loadtest-ramp: $(VENV)/.installed
	$(PY) -m bench.loadtest $(LOADTEST_RAMP_ARGS)

# Excel in and out (issue 6): import 10,000 people three ways; export 100,000 postings three ways.
# The import on PostgreSQL (with one round of stock django-import-export) and on SQLite.
bench-imports: $(VENV)/.installed
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.imports --rows 10000
	DATABASE_URL= $(PY) -m bench.imports --rows 10000 --stock-rounds 0

bench-exports: $(VENV)/.installed
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.exports --rows 100000

# No slow first request (issue 17): the first dashboard and funding request after a change,
# summaries recomputed by a real db_worker against the old on-demand path, interleaved.
BENCH_FIRSTREQUEST_ARGS ?=
bench-firstrequest: $(VENV)/.installed
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.firstrequest $(BENCH_FIRSTREQUEST_ARGS)

# Report workbooks (issue 17): every report's full workbook for the district clerk at
# province size, ours and the cell-by-cell renderer interleaved; goal under 2 s each.
BENCH_REPORTS_ARGS ?= --committees 20000
bench-reports: $(VENV)/.installed
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.reports $(BENCH_REPORTS_ARGS)

clean:
	rm -rf $(VENV) var staticfiles

# Every benchmark in one command (PostgreSQL): budget, pages and report downloads at
# province size, imports, exports, the load test. Each prints its baseline, its ratios, the load average
# at its start and end, and a "GOAL met: ..." / "GOAL MISSED: ..." line per goal
# (bench/machine.py); pages write their table to docs/benchmarks.md. One benchmark failing
# does not stop the others; the summary of every goal comes last (var/bench-all.log).
# Add a benchmark: one line in BENCH_ALL.
BENCH_ALL = \
	bench \
	bench-pages \
	bench-imports \
	bench-exports \
	bench-reports \
	bench-firstrequest \
	loadtest \
	loadtest-ramp
bench-all: $(VENV)/.installed
	mkdir -p var && : > var/bench-all.log
	for target in $(BENCH_ALL); do \
	  echo "== make $$target" | tee -a var/bench-all.log; \
	  $(MAKE) --no-print-directory $$target 2>&1 | tee -a var/bench-all.log; \
	done
	@echo "== goals (from var/bench-all.log)"
	@grep -h '^GOAL' var/bench-all.log || echo "no goal lines"
	@echo "$$(grep -c '^GOAL met' var/bench-all.log) met, $$(grep -c '^GOAL MISSED' var/bench-all.log) missed"
