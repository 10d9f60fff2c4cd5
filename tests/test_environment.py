"""The lock (requirements/*.txt), environment.yml and the installed environment agree, and the two sets are apart.

Offline checks. tests/test_lock.py re-resolves the lock (network); tests/test_course_env.py builds the course set.
"""
from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from tests.support import DEV_ONLY, dev_modules, what_setup_installs
from tools import lock
from tools.lock import PROJECT, installed_in, lock_differences, versions, wanted_here
from tools.paths import ROOT
from tools.setup_env import NOT_INSTALLED

REQUIREMENTS = ROOT / "requirements"
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.+\-]+)$")


def direct_pins(name: str) -> dict[str, str]:
    """The exact pins of requirements/<name>.in (following its `-r` lines)."""
    pins = {}
    for line in (REQUIREMENTS / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            pins.update(direct_pins(line.removeprefix("-r ").strip()))
        elif line:
            match = PIN.match(line)
            assert match, f"requirements/{name}: {line!r} is not an exact pin (name==version)"
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def test_direct_pins_are_exact():
    pins = direct_pins("dev.in")
    for name in ("torch", "jupyterlab", "notebook", "jupyterlab-rise", "matplotlib", "matplotlib-inline", "pandas",
                 "jupyterquiz", "ipykernel", "nbval", "pytest", "pytest-xdist", "uv"):
        assert name in pins, f"requirements/*.in must pin {name}"
    assert pins["torch"] == "2.13.0", "a different torch changes the committed outputs"


def test_every_direct_pin_is_locked_at_its_version():
    for which in ("course", "dev"):
        entries = versions(which)
        for name, version in direct_pins(f"{which}.in").items():
            assert entries[name] == {version}, f"requirements/{which}.txt: {name} {entries[name]}, pinned {version}"


def test_every_locked_package_has_hashes():
    for which in ("course", "dev"):
        for entry in lock.entries((REQUIREMENTS / f"{which}.txt").read_text()):
            assert re.search(r"--hash=sha256:[0-9a-f]{64}", entry), f"requirements/{which}.txt: no hash in {entry[:80]}"


def test_the_development_lock_keeps_every_course_entry_unchanged():
    course = set(lock.entries((REQUIREMENTS / "course.txt").read_text()))
    dev = set(lock.entries((REQUIREMENTS / "dev.txt").read_text()))
    changed = sorted(entry.split(" ")[0] for entry in course - dev)
    assert not changed, f"requirements/dev.txt changes the course set's entries: {changed}"


def test_the_course_set_holds_no_development_tool():
    course = versions("course")
    assert [name for name in DEV_ONLY if name in course] == []
    assert all(name in versions("dev") for name in DEV_ONLY)
    modules = {canonicalize_name(d) for ds in packages_distributions().values() for d in ds}
    assert set(DEV_ONLY) <= modules and len(dev_modules()) >= len(DEV_ONLY), "the course env checks look for these"


def test_what_setup_leaves_out_is_locked_but_not_installed():
    """tools/setup_env.py NOT_INSTALLED: kept in the lock (pip and conda install only a whole lock), out of .venv."""
    assert "rfc3987-syntax" in NOT_INSTALLED
    for name in NOT_INSTALLED:
        for which in ("course", "dev"):
            assert name in versions(which), f"{name} is not in requirements/{which}.txt: drop it from NOT_INSTALLED"
    assert not set(NOT_INSTALLED) & set(installed_in(sys.executable))
    # What jsonschema loses: it registers the iri checks only when rfc3987-syntax imports.
    from jsonschema import FormatChecker
    assert not {"iri", "iri-reference"} & set(FormatChecker().checkers)
    assert {"uri", "uri-reference"} <= set(FormatChecker().checkers)


def test_environment_yml_is_the_course_lock():
    expected = lock.environment_yml((REQUIREMENTS / "course.txt").read_text())
    assert (ROOT / "environment.yml").read_text() == expected, "run `make lock` (environment.yml is generated)"
    assert "-e ." not in expected and "-r " not in expected, "postBuild installs d2l_utils (see tests/test_binder.py)"


def test_python_version_agrees_with_pyproject():
    python = re.search(r"- python=(\S+)", (ROOT / "environment.yml").read_text())[1]
    minimum = re.search(r'requires-python = ">=(\d+\.\d+)"', (ROOT / "pyproject.toml").read_text())[1]
    assert python == minimum, f"environment.yml uses Python {python}, pyproject.toml requires >={minimum}"
    assert sys.version_info >= tuple(int(p) for p in minimum.split("."))


def test_this_environment_is_exactly_the_development_lock():
    """What the tests run in is the locked development set (less what setup leaves out): nothing missing, nothing
    extra, no other version."""
    problems = lock_differences(what_setup_installs("dev"), installed_in(sys.executable))
    assert problems == [], "the environment is not the lock (run `make setup-dev`):\n" + "\n".join(problems)
    assert metadata.version("torch") == "2.13.0"


def uncompiled(site_packages: Path) -> list[Path]:
    """Modules under `site_packages` without their bytecode file (.pyc in __pycache__, for this Python)."""
    import importlib.util

    return [p for p in site_packages.rglob("*.py") if not Path(importlib.util.cache_from_source(str(p))).exists()]


def test_every_installed_module_is_compiled():
    """Setup writes the bytecode of every installed module (uv --compile-bytecode). Without it, where
    PYTHONDONTWRITEBYTECODE is set (as on the machines this course is tested on) every `import torch` compiled 2,000 files again: 4.7 s
    instead of 2.3 s, paid by every kernel, server and test worker. Only files this Python cannot compile
    (syntax of a newer Python, kept for torch's own tests) may lack one."""
    import sysconfig

    missing = uncompiled(Path(sysconfig.get_paths()["purelib"]))
    not_python_here = []
    for path in missing:
        try:
            compile(path.read_bytes(), str(path), "exec")
        except SyntaxError:
            not_python_here.append(path)
    assert missing == not_python_here, f"{len(missing) - len(not_python_here)} modules have no bytecode (run `make setup-dev`): " \
        + ", ".join(str(p) for p in missing if p not in not_python_here)[:2000]
    assert len(missing) < 10, missing


def test_uncompiled_finds_a_module_without_bytecode(tmp_path):
    """Control for the test above."""
    import py_compile

    (tmp_path / "compiled.py").write_text("x = 1\n")
    (tmp_path / "plain.py").write_text("y = 2\n")
    py_compile.compile(str(tmp_path / "compiled.py"))
    assert uncompiled(tmp_path) == [tmp_path / "plain.py"]


def test_differences_catch_extra_missing_and_moved_packages():
    wanted = {"numpy": "2.4.6", "torch": "2.13.0", "six": "1.17.0"}
    installed = {"numpy": "2.4.5", "torch": "2.13.0+cpu", "requests": "2.32.0", PROJECT: "0.1.0"}
    assert lock_differences(wanted, installed) == [
        "numpy: installed 2.4.5, locked 2.4.6",
        "requests==2.32.0 is installed but not in the lock",
        "six==1.17.0 is locked but not installed",
        "torch: installed 2.13.0+cpu, locked 2.13.0",  # a build from another index satisfies ==2.13.0, but is not it
    ]
    assert lock_differences(wanted, dict(wanted)) == []


def test_markers_choose_the_platform_packages():
    entries = [("appnope", "1.0.0", "sys_platform == 'darwin'"), ("pywin32", "312", "sys_platform == 'win32'"),
               ("triton", "3.7.1", "python_full_version < '3.15' and sys_platform == 'linux'"), ("numpy", "2.4.6", ""),
               ("contourpy", "1.3.3", "python_full_version < '3.12'"), ("contourpy", "1.3.4", "python_full_version >= '3.12'")]
    linux = {"sys_platform": "linux", "python_full_version": "3.11.7"}
    assert wanted_here(entries, linux) == {"triton": "3.7.1", "numpy": "2.4.6", "contourpy": "1.3.3"}
    assert wanted_here(entries, {"sys_platform": "darwin", "python_full_version": "3.13.0"}) == {
        "appnope": "1.0.0", "numpy": "2.4.6", "contourpy": "1.3.4"}


@pytest.fixture
def uv() -> str:
    return lock.uv()


def install_with_hashes(uv: str, target: Path, requirement: str) -> subprocess.CompletedProcess:
    """Install one locked requirement into a new empty environment the way setup does (hashes required)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(target)], check=True, timeout=120)
    requirements = target / "requirements.txt"
    requirements.write_text(requirement)
    return subprocess.run([uv, "pip", "install", "--python", str(target / "bin" / "python"), "--require-hashes",
                           "--no-deps", "-r", str(requirements)], capture_output=True, text=True, timeout=300)


def test_a_file_that_differs_from_its_locked_hash_is_refused(uv, tmp_path):
    """Setup installs with hashes required: a lock whose hash was edited by hand fails to install."""
    entry = next(e for e in lock.entries((REQUIREMENTS / "course.txt").read_text()) if e.startswith("six=="))
    good = install_with_hashes(uv, tmp_path / "good", entry + "\n")
    assert good.returncode == 0, good.stderr
    hashes = re.findall(r"sha256:([0-9a-f]{64})", entry)
    tampered = entry
    for digest in hashes:  # every file's hash, so whichever file uv picks is refused
        tampered = tampered.replace(digest, digest[:-1] + ("0" if digest[-1] != "0" else "1"))
    bad = install_with_hashes(uv, tmp_path / "bad", tampered + "\n")
    assert bad.returncode != 0, "a wrong hash was accepted"
    assert "hash" in bad.stderr.lower(), bad.stderr
