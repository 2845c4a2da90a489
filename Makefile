# The two commands of the README: `make run` and `make test`.
PYTHON ?= python
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The address people open, printed by create_demo_org and used by links in e-mails.
SITE_URL ?= http://127.0.0.1:$(PORT)
LOCAL_POSTGRES := postgres://postgres@127.0.0.1:5432/ladder
TEST_DATABASE_URL ?= $(LOCAL_POSTGRES)

.PHONY: run test lint check-python

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 13) else "Ladder needs Python 3.13; with pyenv: pyenv install 3.13.0 (.python-version selects it), or make PYTHON=python3.13")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# pip compiles what it installs one file at a time; compileall spreads it over the cores
# (a quarter off a fresh set-up, before anything else can start). As with pip, a file
# that doesn't compile is named and left to be read from source.
$(VENV)/.app: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --no-compile .
	-$(BIN)/python -m compileall -q -j 0 $(VENV)/lib
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --no-compile ".[test]"
	-$(BIN)/python -m compileall -q -j 0 $(VENV)/lib
	touch $@ $(VENV)/.app

# WeasyPrint (packet PDFs) lays text out with Pango and subsets fonts with HarfBuzz;
# installed from Debian once, when missing. The tests read PDFs with poppler.
.PHONY: pdf-libs
pdf-libs:
	@ldconfig -p | grep -q 'libharfbuzz-subset.so.0' && ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null; }

/usr/bin/pdftotext:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null

## run: set up an embedded SQLite database with the IC5 ladder and demo people, and serve it
## with the background workers beside it: one for e-mails, one for packet PDFs, so that
## e-mails never wait behind a batch of packets. Both stop with the server.
run: export DEBUG = true
run: export SITE_URL := $(SITE_URL)
run: $(VENV)/.app pdf-libs
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_builtin_ladder
	$(BIN)/python manage.py create_demo_org
	$(BIN)/python manage.py db_worker --queue-name default & mail=$$!; \
	$(BIN)/python manage.py db_worker --queue-name packets & packets=$$!; \
	trap 'kill $$mail $$packets 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The import contract (site → assessments → ladder, no circles) is read from the source,
# without Django.
lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q -p no:django --noconftest -W ignore::pytest.PytestConfigWarning tests/test_import_contract.py

# Browser tests drive Debian's Chromium; Playwright cannot download its own here.
/usr/bin/chromium:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null

# The single sign-on tests run a real OpenID provider (npm's oidc-provider) on Node.js.
tests/oidc/node_modules/.package-lock.json: tests/oidc/package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error

## test: install what the tests need, lint, then run the suite on SQLite and on PostgreSQL
## side by side (and check that no migration is missing, beside them); each output
## follows when all are done.
# Five streams keep both cores busy to the end (several tests wait on servers and
# sleep), each about as long as the others:
#   1. the apps' tests on SQLite, then the PostgreSQL backup tests;
#   2. the rest of the SQLite pass, browser tests, benches and admin filters aside;
#   3. the browser tests, then the PostgreSQL tests that start servers of their own;
#   4. the apps' tests on PostgreSQL, then the benches (they build databases of their own);
#   5. the rest of the PostgreSQL pass, then the admin filters (engine-neutral: SQLite).
# Each PostgreSQL run has a test database of its own.
APPS := tests/assessments tests/ladder
APART := tests/browser
BENCHES := tests/test_benches.py
FILTERS := tests/test_admin_filters.py
BACKUPS := tests/test_backup_restore.py
SERVERS := tests/test_load.py tests/test_worker_recovery.py tests/test_production_serving.py
test: lint /usr/bin/chromium /usr/bin/pdftotext pdf-libs tests/oidc/node_modules/.package-lock.json
	@if [ "$(TEST_DATABASE_URL)" = "$(LOCAL_POSTGRES)" ]; then bash .ci/ensure-postgres; fi
	@mkdir -p var
	@echo "Running the SQLite and PostgreSQL passes side by side, in five streams (var/test-*.log)..."
	@# Some machines set PYTHONDONTWRITEBYTECODE: every process of the run (a stream's
	@# pytest, each server and command a test starts) would then compile the project and
	@# pytest rewrite the tests again. Compiled once here, and kept as they are written.
	@unset PYTHONDONTWRITEBYTECODE; export SECRET_KEY=test; \
	$(BIN)/python -m compileall -q -j 0 ladder assessments tests bench; \
	DATABASE_URL=sqlite://:memory: $(BIN)/python manage.py makemigrations --check --dry-run \
	  > var/test-migrations.log 2>&1 & six=$$!; \
	{ $(BIN)/pytest --durations=15 $(APPS) > var/test-sqlite-apps.log 2>&1; first=$$?; \
	  DATABASE_URL=$(TEST_DATABASE_URL)_backups $(BIN)/pytest --durations=15 $(BACKUPS) \
	    > var/test-postgres-backups.log 2>&1 && exit $$first; } & one=$$!; \
	$(BIN)/pytest --durations=15 $(APPS:%=--ignore=%) $(APART:%=--ignore=%) \
	  $(BENCHES:%=--ignore=%) $(FILTERS:%=--ignore=%) > var/test-sqlite.log 2>&1 & four=$$!; \
	{ $(BIN)/pytest --durations=15 $(APART) > var/test-sqlite-apart.log 2>&1; first=$$?; \
	  DATABASE_URL=$(TEST_DATABASE_URL)_servers $(BIN)/pytest --durations=15 $(SERVERS) \
	    > var/test-postgres-servers.log 2>&1 && exit $$first; } & two=$$!; \
	{ DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest --durations=15 $(APPS) \
	    > var/test-postgres-apps.log 2>&1; first=$$?; \
	  $(BIN)/pytest --durations=15 $(BENCHES) > var/test-sqlite-benches.log 2>&1 \
	    && exit $$first; } & three=$$!; \
	{ DATABASE_URL=$(TEST_DATABASE_URL)_rest $(BIN)/pytest --durations=15 $(APPS:%=--ignore=%) \
	    $(SERVERS:%=--ignore=%) $(BACKUPS:%=--ignore=%) > var/test-postgres.log 2>&1; \
	  first=$$?; $(BIN)/pytest --durations=15 $(FILTERS) > var/test-sqlite-filters.log 2>&1 \
	    && exit $$first; } & five=$$!; \
	failed=0; for pid in $$six $$one $$two $$three $$four $$five; do wait $$pid || failed=1; done; \
	for pass in migrations sqlite-apps sqlite sqlite-apart sqlite-benches sqlite-filters \
	  postgres-apps postgres postgres-servers postgres-backups; do \
	  echo "==== $$pass ===="; cat var/test-$$pass.log; done; \
	test $$failed -eq 0
