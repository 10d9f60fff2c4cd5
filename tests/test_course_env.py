"""The course set alone (`make lab`, Binder) is what its lock says and needs nothing from the development set.

The course_python fixture (tests/conftest.py) has tools/setup_env.py make build/course-env exactly as `make lab`
makes .venv. tests/test_portability.py runs every chapter under strict nbval with its kernel in that environment.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support import COURSE_ENV, dev_modules, what_setup_installs
from tools.lock import installed_in, lock_differences


def test_the_course_env_is_exactly_the_course_lock(course_python):
    problems = lock_differences(what_setup_installs("course"), installed_in(str(course_python)))
    assert problems == [], "\n".join(problems)


def test_d2l_utils_needs_nothing_from_the_development_set(course_python):
    code = ("import importlib.util, json, sys\nimport d2l_utils, d2l_utils.answers\n"
            f"print(json.dumps([m for m in {dev_modules()!r} if importlib.util.find_spec(m)]))")
    env = {"PATH": str(course_python.parent) + ":/usr/bin:/bin", "HOME": str(Path.home())}  # nothing from this shell
    result = subprocess.run([str(course_python), "-c", code], cwd=COURSE_ENV, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) == [], "development tools in the course set"
