"""requirements.txt (pip) and environment.yml (conda, Binder) describe the same pinned environment."""
from __future__ import annotations

import re
import sys
from importlib import metadata

from tools.paths import ROOT
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.+\-]+)$")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        match = PIN.match(line)
        assert match, f"requirements.txt: {line!r} is not an exact pin (name==version)"
        pins[canonical(match[1])] = match[2]
    return pins


def environment_yml() -> tuple[str, dict[str, str], list[str]]:
    """(python version, pip pins, other pip lines) read from environment.yml without a YAML library."""
    python, pins, other = "", {}, []
    for raw in (ROOT / "environment.yml").read_text().splitlines():
        line = raw.split("#")[0].strip()
        if line.startswith("- python="):
            python = line.removeprefix("- python=")
        elif line.startswith("- ") and raw.startswith("      "):  # entries under `pip:`
            entry = line.removeprefix("- ")
            match = PIN.match(entry)
            if match:
                pins[canonical(match[1])] = match[2]
            else:
                other.append(entry)
    return python, pins, other


def test_requirements_pin_every_package_exactly():
    pins = requirement_pins()
    for name in ("torch", "jupyterlab", "notebook", "jupyterlab-rise", "matplotlib", "matplotlib-inline",
                 "pandas", "nbval", "pytest", "pytest-xdist"):
        assert name in pins, f"requirements.txt must pin {name}"
    assert pins["torch"] == "2.13.0", "a different torch changes the committed outputs"


def test_environment_yml_matches_requirements():
    python, pins, other = environment_yml()
    assert pins == requirement_pins(), "environment.yml's pip pins must equal requirements.txt"
    assert other == [], "environment.yml holds only pins; postBuild installs d2l_utils (see tests/test_binder.py)"


def test_python_version_agrees_with_pyproject():
    python, _, _ = environment_yml()
    pyproject = (ROOT / "pyproject.toml").read_text()
    minimum = re.search(r'requires-python = ">=(\d+\.\d+)"', pyproject)[1]
    assert python == minimum, f"environment.yml uses Python {python}, pyproject.toml requires >={minimum}"
    assert sys.version_info >= tuple(int(p) for p in minimum.split("."))


def test_installed_versions_are_the_pinned_ones():
    """The environment the tests run in is the pinned one (otherwise outputs may legitimately differ)."""
    for name, version in requirement_pins().items():
        installed = metadata.version(name)
        assert installed.split("+")[0] == version, f"{name}: installed {installed}, pinned {version}"
