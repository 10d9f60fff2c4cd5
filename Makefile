# Course tooling. Every target sets up .venv first when requirements.txt or pyproject.toml changed.
#   make lab       set up and open the course in JupyterLab
#   make test      set up and run the whole test suite (what CI runs)
#   make lib       regenerate d2l_utils/ from the #@save cells of the notebooks
#   make execute   re-run every notebook in place (NB=notebooks/04_calculus.ipynb for one)
#   make test-nb   strict nbval on one notebook: make test-nb NB=notebooks/04_calculus.ipynb
#   make slides    build offline reveal.js decks into build/slides/
#   make bench     print the import-cost benchmark table
#   make clean     remove .venv, build/ and caches

PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
# Tools run from the venv: the notebooks' python3 kernel resolves to its interpreter.
export PATH := $(BIN):$(PATH)
# Use the platformdirs locations now, which also silences jupyter_core's migration warning.
export JUPYTER_PLATFORM_DIRS := 1

.PHONY: setup lab test test-nb lib execute slides bench clean

# Incremental: tools/setup_env.py does nothing when requirements.txt and pyproject.toml are unchanged.
setup:
	@$(PYTHON) tools/setup_env.py

lab: setup
	$(BIN)/python -m tools.lab

test: setup
	$(BIN)/python -m tools.browser_setup
	$(BIN)/python -m pytest -n auto

test-nb: setup
	@test -n "$(NB)" || { echo "usage: make test-nb NB=notebooks/04_calculus.ipynb (make test runs them all)" >&2; exit 2; }
	$(BIN)/python -m pytest -n 0 $(NB)

lib: setup
	$(BIN)/python -m tools.export

execute: lib
	$(BIN)/python -m tools.execute $(NB)

slides: setup
	$(BIN)/python -m tools.slides

bench: setup
	$(BIN)/python -m tools.bench_import

clean:
	rm -rf $(VENV) build node_modules .pytest_cache
	find . -name __pycache__ -prune -exec rm -rf {} +
