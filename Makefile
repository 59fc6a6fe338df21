# Developer entry points. Every target installs what it needs into the checkout, so a fresh
# clone on a machine with Python 3.10+ and network access to PyPI needs nothing else.

PYTHON ?= python3
VENV := .venv
VENV_AIRFLOW2 := .venv-airflow2
AIRFLOW_VERSION ?= 3.3.2
AIRFLOW2_VERSION ?= 2.11.0
UV := $(VENV)/bin/uv
PY := $(VENV)/bin/python
export AIRFLOW_HOME := $(CURDIR)/.airflow

.PHONY: venv venv-airflow2 doccano-up doccano-down test test-unit test-airflow2 demo \
	demo-active-learning stop bench clean

# Airflow 2.11.0 allows universal-pathlib>=0.2.2, but its ObjectStoragePath raises TypeError for
# every URI with universal-pathlib 0.3.10, so the 2.11 virtualenv stays on 0.2.x.

# uv is installed into the project virtualenv with the interpreter's own pip, so it does not
# have to be on PATH beforehand.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv
	$(UV) pip install --quiet --python $(PY) -e ".[test,examples]" "apache-airflow==$(AIRFLOW_VERSION)"
	touch $@

venv: $(VENV)/.installed

$(VENV_AIRFLOW2)/.installed: pyproject.toml $(VENV)/.installed
	$(UV) venv --quiet --clear --python $(PY) $(VENV_AIRFLOW2)
	$(UV) pip install --quiet --python $(VENV_AIRFLOW2)/bin/python -e ".[test]" \
		"apache-airflow==$(AIRFLOW2_VERSION)" "universal-pathlib<0.3"
	touch $@

venv-airflow2: $(VENV_AIRFLOW2)/.installed

doccano-up: venv
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) tools/doccano_server.py up

doccano-down:
	$(PYTHON) tools/doccano_server.py down

test-unit: venv
	$(PY) -m pytest tests/unit -q

test-airflow2: venv-airflow2
	AIRFLOW_HOME=$(CURDIR)/.airflow2 $(VENV_AIRFLOW2)/bin/python -m pytest tests/unit -q -rs -p no:cacheprovider

# pytest exits with 5 when a selection collects no tests (e.g. every test of a marker skipped
# by -m); that is not a failure here.
test: venv doccano-up
	DOCCANO_REQUIRE_ALL_CALLS=1 $(PY) -m pytest tests -q -rs || [ $$? -eq 5 ]
	$(MAKE) test-airflow2

bench: venv doccano-up
	$(PY) bench/list_examples.py
	$(PY) bench/bench_import_export.py
	$(PY) bench/preannotate.py

# make demo starts its own Doccano in .doccano (bound to 127.0.0.1), never a shared dev server,
# unless DOCCANO_URL (with DOCCANO_USERNAME/DOCCANO_PASSWORD and the annotator logins, see the
# README) points it at a running one. DEMO_LIMIT, DEMO_PACE and DEMO_TARGET size the round.
demo: venv
	$(PY) tools/demo.py run

# Stops the .doccano server of make demo / make test. DOCCANO_STATE_DIR is ignored on purpose so
# that stop never reaches a server this checkout did not start.
stop:
	env -u DOCCANO_STATE_DIR $(PYTHON) tools/doccano_server.py down

demo-active-learning: venv doccano-up
	$(PY) tools/demo_active_learning.py $(DEMO_AL_ARGS)

clean: stop
	rm -rf $(VENV) $(VENV_AIRFLOW2) .doccano .airflow .airflow2 .demo
