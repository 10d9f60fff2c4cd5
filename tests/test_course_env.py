"""The course set alone (`make lab`, Binder) runs every chapter: built by setup itself into build/course-env.

`tools/setup_env.py course --venv build/course-env` makes the environment a learner gets (uv links the files from
its cache, so this takes seconds once the development set is installed). Then, inside it: it is exactly
requirements/course.txt, `import d2l_utils` works with no development tool installed, and nbclient runs each
chapter top to bottom in the environment's own `python3` kernel.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

from tests.test_environment import installed_in, lock_differences, locked, wanted_here
from tools.paths import BUILD, ROOT, chapters

COURSE_ENV = BUILD / "course-env"
# Import names of the development set's tools (requirements/dev.in).
DEV_MODULES = ("pytest", "xdist", "nbval", "hypothesis", "playwright", "repo2docker", "ruff", "mutmut", "sphinx",
               "myst_nb", "sphinx_book_theme")

RUN_CHAPTER = """
import json, sys
import nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": sys.argv[2]}}).execute()
errors = [o.get("ename") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
          if o.get("output_type") == "error"]
print(json.dumps({"cells": len(nb.cells), "errors": errors, "language_info": nb.metadata.get("language_info", {})}))
"""


@pytest.fixture(scope="session")
def course_python() -> Path:
    """build/course-env's interpreter, set up once for all test workers."""
    with FileLock(str(BUILD / "course-env.lock")):
        result = subprocess.run([sys.executable, str(ROOT / "tools" / "setup_env.py"), "course", "--venv",
                                 str(COURSE_ENV)], capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return COURSE_ENV / "bin" / "python"


def in_course_env(python: Path, code: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {"PATH": str(python.parent) + ":/usr/bin:/bin", "HOME": str(Path.home())}  # nothing from this shell
    return subprocess.run([str(python), "-c", code, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)


def test_the_course_env_is_exactly_the_course_lock(course_python):
    problems = lock_differences(wanted_here(locked("course")), installed_in(str(course_python)))
    assert problems == [], "\n".join(problems)


def test_d2l_utils_needs_nothing_from_the_development_set(course_python):
    code = ("import importlib.util, json, sys\nimport d2l_utils, d2l_utils.answers\n"
            f"print(json.dumps([m for m in {DEV_MODULES!r} if importlib.util.find_spec(m)]))")
    result = in_course_env(course_python, code, cwd=COURSE_ENV)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) == [], "development tools in the course set"


@pytest.mark.parametrize("chapter", chapters(), ids=lambda p: p.stem)
def test_every_chapter_runs_in_the_course_env(course_python, chapter):
    result = in_course_env(course_python, RUN_CHAPTER, str(chapter), str(chapter.parent), cwd=chapter.parent)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["errors"] == [] and report["cells"] > 10, report
    assert "version" not in report["language_info"], "the environment's python3 kernel is the course kernel"
