# SE-Höglandet. `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Packages WeasyPrint needs (Pango, fonts), and Chromium for the browser tests.
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
TEST_PACKAGES := $(RUN_PACKAGES) chromium
DEV_ENV := DEBUG=true
# pytest-xdist spreads the suite over every core, keeping each group of tests that share a costly
# state (pytest.mark.xdist_group: the form fuzz, the demo data, the worked cases) on one worker, so
# the state is built once; --reuse-db keeps the test databases between local runs. After a new
# migration, start afresh once with `PYTEST_ADDOPTS=--create-db make test`.
PYTEST_FLAGS ?= -n auto --dist loadgroup --reuse-db

.PHONY: run test lint format messages system-run system-test clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c "import ensurepip" 2>/dev/null || bin/ensure-debian-packages python3-venv
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Local development settings; settings.py reads .env (never used in production, never committed).
.env:
	printf 'DEBUG=true\n' > $@

system-run:
	@bin/ensure-debian-packages $(RUN_PACKAGES)

system-test:
	@bin/ensure-debian-packages $(TEST_PACKAGES)

run: system-run $(VENV)/.installed .env
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py load_reference_data
	$(DEV_ENV) $(PY) manage.py demo_data
	@echo "Serving SE-Höglandet at http://127.0.0.1:8000 (stop with Ctrl-C)"
	@echo "Demo logins may skip the second factor here (DEMO_LOGINS_SKIP_SECOND_FACTOR, DEBUG only): press"
	@echo "'Hoppa över (endast demo)' after the password, or add an authenticator app to try it."
	$(DEV_ENV) DEMO_LOGINS_SKIP_SECOND_FACTOR=true $(PY) manage.py runserver 127.0.0.1:8000

test: system-test $(VENV)/.installed .env
	$(DEV_ENV) DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest $(PYTEST_FLAGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refresh the Swedish catalogue after changing user-facing strings; commit both .po and .mo.
messages: $(VENV)/.installed
	@bin/ensure-debian-packages gettext
	$(DEV_ENV) $(PY) manage.py makemessages --locale sv --no-obsolete --no-location --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'tests/*'
	$(DEV_ENV) $(PY) manage.py compilemessages --locale sv --ignore '.venv/*'

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
