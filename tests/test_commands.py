"""The cheap commands that README.md and CONTRIBUTING.md document work as written.

(`pytest -m browser tests` is not run here: collecting every test module takes half a minute.)
"""
from __future__ import annotations

import subprocess
import sys

from tools.paths import ROOT
DOCS = (ROOT / "README.md").read_text() + (ROOT / "CONTRIBUTING.md").read_text()


def run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_documented_commands_are_the_ones_tested_here():
    for command in ("make test-nb NB=notebooks/04_calculus.ipynb", ".venv/bin/python -m pytest -m browser tests",
                    "make lib", "make execute NB=notebooks/NN_topic.ipynb"):
        assert command in DOCS, command
    assert "-p no:nbval" not in DOCS, "pytest refuses -p no:nbval: the configuration uses --nbval"


def test_make_test_nb_without_a_notebook_says_how_to_use_it():
    result = run("make", f"PYTHON={sys.executable}", "test-nb")
    assert result.returncode == 2
    assert "usage: make test-nb NB=notebooks/04_calculus.ipynb" in result.stderr


def test_export_check_passes_on_the_committed_package():
    result = run(sys.executable, "-m", "tools.export", "--check")
    assert result.returncode == 0, result.stderr


def test_numerics_prints_the_kernel_environment():
    result = run(sys.executable, "-m", "tools.numerics")
    assert "MKL_CBWR=COMPATIBLE" in result.stdout.splitlines()


def test_make_help_lists_every_target_once():
    import re
    targets = re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), re.MULTILINE)
    result = run("make", "help")
    listed = re.findall(r"^\s+make (\S+)\s+\S", result.stdout, re.MULTILINE)
    assert result.returncode == 0 and sorted(listed) == sorted(set(targets)), (targets, result.stdout)
    assert "make check" in DOCS and "make help" in DOCS


def test_ci_runs_browser_and_portability_tests_on_exactly_one_python():
    import yaml
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    matrix = workflow["jobs"]["test"]["strategy"]["matrix"]
    selection = {entry["python"]: entry["tests"] for entry in matrix["include"]}
    assert sorted(selection) == sorted(matrix["python"]) and list(selection.values()).count("all") == 1
    core = run("make", "-n", "test", "TESTS=core").stdout
    assert '-m "not browser"' in core and "--ignore=tests/test_portability.py" in core
    assert "browser_setup" in run("make", "-n", "test").stdout  # .ci/run: everything
