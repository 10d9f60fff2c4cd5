# Course tooling. `make help` lists the targets from the `##` comments below (the one list of them).
# Every target sets up .venv first when its lock (requirements/*.txt) or pyproject.toml changed: `make lab` the
# course set (what learners need), the others the development set (the course set plus tests and tools).

PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
# Tools run from the venv: the notebooks' python3 kernel resolves to its interpreter.
export PATH := $(BIN):$(PATH)
# Use the platformdirs locations now, which also silences jupyter_core's migration warning.
export JUPYTER_PLATFORM_DIRS := 1
# Let Python keep compiled modules in __pycache__ (git-ignored). Containers and CI images often set
# PYTHONDONTWRITEBYTECODE; then every pytest process compiled and assertion-rewrote the tests and pytest's
# plugins again (about 2 s of CPU each, and a test run starts more than ten), and every kernel recompiled tools/.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help setup setup-dev lock lab test check test-nb lib execute slides site mutants bench durations clean

# `make check` runs every test file except these, which run notebooks, start browsers or install things;
# a new unit-test file joins the one-minute loop without being listed anywhere. The mutation-killing tests
# (tests/test_mutants_*.py) are left to make test and make mutants: they doubled the loop's time.
SLOW_TESTS := test_live test_slides test_portability test_nbval_strict test_execute \
	test_setup_env test_commands test_site test_lock test_course_env test_kernel_env
# ruff lints the tools, the tests and the notebooks' code cells (settings in pyproject.toml).
LINT := $(BIN)/python -m ruff check tools tests conftest.py notebooks

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 20

# Incremental: tools/setup_env.py does nothing while the set's lock, pyproject.toml and the script itself are unchanged.
setup: ## create .venv with the course set, what learners need (requirements/course.txt; incremental)
	@$(PYTHON) tools/setup_env.py course

setup-dev: ## add the development set, what the tests and tools need (requirements/dev.txt; incremental)
	@$(PYTHON) tools/setup_env.py dev

lock: setup ## re-resolve requirements/*.in into the locks and environment.yml, with hashes (after editing a pin)
	$(BIN)/python -m tools.lock

lab: setup ## set up and open the course in JupyterLab
	$(BIN)/python -m tools.lab

# TESTS=core leaves out the browser and simulated-CPU tests (the CI matrix runs them on one Python).
TESTS ?= all
# One pytest worker more than the cores this process may use: the browser tests and kernel starts wait on
# each other for moments, which a third worker fills (on 2 cores, a full run took 155 s with 3 workers and
# 168 s with 2, measured back to back). Override with `make test WORKERS=n`.
WORKERS ?= $(shell $(PYTHON) -c "import os; print(len(os.sched_getaffinity(0)) + 1 if hasattr(os, 'sched_getaffinity') else (os.cpu_count() or 1) + 1)")
# The JUnit report a full make test writes and make durations reads.
TEST_REPORT := build/test-report.xml
test: setup-dev ## set up and run the whole test suite (what CI runs)
	$(LINT)
ifeq ($(TESTS),core)
	$(BIN)/python -m pytest -n $(WORKERS) -m "not browser" --ignore=tests/test_portability.py
else
	$(BIN)/python -m tools.browser_setup
	$(BIN)/python -m pytest -n $(WORKERS) --junitxml=$(TEST_REPORT)  # test time per file: make durations
endif

check: setup-dev ## the one-minute loop: lint, export in sync, hygiene, unit tests (no notebook runs, no browser)
	$(LINT)
	$(BIN)/python -m tools.export --check
	$(BIN)/python -m pytest -n 2 -m "not browser" tests $(SLOW_TESTS:%=--ignore=tests/%.py) \
		--ignore-glob='tests/test_mutants_*.py'  # they kill mutants (make mutants); make test runs them

# NB is checked before anything is set up: a usage error installs nothing.
test-nb: ## strict nbval on one notebook: make test-nb NB=notebooks/04_calculus.ipynb
	@test -n "$(NB)" || { echo "usage: make test-nb NB=notebooks/04_calculus.ipynb (make test runs them all)" >&2; exit 2; }
	@$(MAKE) --no-print-directory setup-dev
	$(BIN)/python -m pytest -n 0 $(NB)

lib: setup-dev ## regenerate d2l_utils/ from the #@save cells of the notebooks
	$(BIN)/python -m tools.export

execute: lib ## re-run every notebook in place (NB=notebooks/04_calculus.ipynb for one)
	$(BIN)/python -m tools.execute $(NB)

slides: setup-dev ## build offline reveal.js decks into build/slides/ (only the decks whose inputs changed)
	$(BIN)/python -m tools.slides

site: setup-dev ## build the course website into build/site/ from the committed outputs (again only if an input changed)
	$(BIN)/python -m tools.site

mutants: setup-dev ## mutation testing of d2l_utils and the tools that decide test outcomes: score per module (slow)
	$(BIN)/python -m tools.mutants

bench: setup-dev ## print the import-cost benchmark table
	$(BIN)/python -m tools.bench_import

durations: setup-dev ## print the test time per file of the last make test (build/test-report.xml)
	$(BIN)/python -m tools.durations $(TEST_REPORT)

clean: ## remove .venv, build/ and caches
	rm -rf $(VENV) build node_modules .pytest_cache
	find . -name __pycache__ -prune -exec rm -rf {} +
