"""The commands that README.md and CONTRIBUTING.md document work as written.

Every command the two files show is either checked here (each `make` command is dry-run with `make -n`: the
target exists and takes the arguments as written) or listed in NOT_RUN_HERE with the
test that covers it or the reason it is not run. A new command in the docs fails the test until it is one
or the other.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

from tools.paths import ROOT

DOCS = (ROOT / "README.md").read_text() + (ROOT / "CONTRIBUTING.md").read_text()


def run(*cmd: str) -> subprocess.CompletedProcess:
    # Without the make variables CI sets in the environment (TESTS=core on two of its Pythons): each command
    # here is dry-run as the docs write it.
    env = {k: v for k, v in os.environ.items() if k not in ("TESTS", "NB")}
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)


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


# Documented commands that this file does not run, and why (or where they are covered).
NOT_RUN_HERE = {
    ".ci/run": "CI itself runs it on a fresh clone (it is `make test`)",
    ".venv/bin/python -m pytest -m browser tests": "the browser half of `make test`, which runs it; collecting "
                                                   "every module takes half a minute",
    "cp notebooks/04_calculus.ipynb my_notebooks/": "tests/test_lab.py checks git ignores the copy",
    "git diff": "git's own; tests/test_live.py checks it is empty after Run All and save",
    "git pull": "git's own; tests/test_lab.py checks the README names it",
    "git pull origin main": "git's own",
    "git restore notebooks/04_calculus.ipynb": "git's own; tests/test_lab.py checks the README names it",
    "git switch -c my-notes": "git's own; tests/test_lab.py checks the README names it",
    "jupyter-repo2docker .": "needs Docker; tests/test_binder.py runs it with --no-build",
    ".venv/bin/python -m playwright install --with-deps chromium": "downloads Chromium; tests/test_browser_setup.py checks "
                                                                   "tools/browser_setup.py chooses it and Playwright offers it",
    "npm ci": "`make slides` runs it (tools/slides.py) when node_modules is out of date",
    "pip install -e .": "for an environment of the reader's own; `make setup` installs the package with uv "
                        "(tools/setup_env.py, tests/test_course_env.py), postBuild with pip",
    ".venv/bin/python -m pytest tests/test_calculus.py": "one unit-test file: `make check` runs it with the others",
    "pytest --nbval": "what `make test` and `make test-nb` run (the nbval option is in pyproject.toml)",
    "pytest notebooks/…": "what `make test-nb` runs for one notebook, dry-run below",
}
COMMAND = re.compile(r"(make|\.venv|\.ci/run|git |cp |jupyter-repo2docker|npm |pip |pytest)")


def documented_commands() -> set[str]:
    """Commands in code spans and in the lines of shell code blocks of README.md and CONTRIBUTING.md."""
    found = set()
    for text in ((ROOT / "README.md").read_text(), (ROOT / "CONTRIBUTING.md").read_text()):
        for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.DOTALL):
            found |= {line.split("  #")[0].strip() for line in block.splitlines() if COMMAND.match(line.strip())}
        for span in re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.DOTALL)):
            if COMMAND.match(span) and (" " in span or span == ".ci/run"):  # not a bare name: `make`, `.venv/`
                found.add(span)
    return {command.split("  ")[0].strip() for command in found}


def test_every_documented_command_is_checked_or_excused():
    commands = documented_commands()
    make = {c for c in commands if c.startswith("make ")}
    unaccounted = commands - make - set(NOT_RUN_HERE)
    assert not unaccounted, f"documented but neither run by a test nor excused in NOT_RUN_HERE: {sorted(unaccounted)}"
    stale = set(NOT_RUN_HERE) - commands
    assert not stale, f"no longer documented: {sorted(stale)}"
    for command in sorted(make):
        words = command.replace("NN_topic", "04_calculus").replace("NB=…", "NB=notebooks/04_calculus.ipynb").split()
        result = run("make", "-n", *words[1:])
        assert result.returncode == 0, f"`{command}`: {result.stderr[-500:]}"


def test_make_durations_reads_the_report_make_test_writes():
    written = re.search(r"--junitxml=(\S+)", run("make", "-n", "test").stdout)
    assert written, "make test writes no JUnit report"
    commands = run("make", "-n", "durations").stdout.splitlines()  # under make: also "Entering directory" lines
    assert any(line.endswith(f"-m tools.durations {written[1]}") for line in commands), commands
