"""The lock: every package setup installs, pinned with hashes (what `make lock` runs).

    python -m tools.lock            # rewrite requirements/course.txt, requirements/dev.txt and environment.yml
    python -m tools.lock --check    # regenerate them in a temporary folder and compare (tests/test_lock.py)

requirements/course.in names what learners need, requirements/dev.in adds what the tests and tools need; both
pin their packages exactly. uv resolves everything those pull in, for every Python from 3.11 on every platform
(--universal), and writes the sha256 of every file PyPI has for each version (--generate-hashes). Setup installs
with hashes required (tools/setup_env.py), so a file that differs from the one locked is refused.

The resolution is reproducible: only files uploaded to PyPI before EXCLUDE_NEWER count, so running this again
gives the same lock whatever has been released since. To take newer releases of what the pins pull in, move
EXCLUDE_NEWER forward; to change a pin, edit the .in file. Then run `make lock`, `make test`, and commit all three.
"""
from __future__ import annotations

import difflib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tools.paths import ROOT

REQUIREMENTS = ROOT / "requirements"
EXCLUDE_NEWER = "2026-11-30T00:00:00Z"
INDEX = "https://pypi.org/simple"
# Each lock, its input, and what constrains it: dev keeps every version course chose.
LOCKS = {"course": ("course.in", None), "dev": ("dev.in", "course.txt")}
# The project itself is installed from this folder (editable), not from the lock.
PROJECT = "d2l-utils"


def uv() -> str:
    """The uv that setup installed beside this interpreter (the course set pins it)."""
    for candidate in (Path(sys.executable).with_name("uv"), Path(sys.executable).with_name("uv.exe")):
        if candidate.exists():
            return str(candidate)
    found = shutil.which("uv")
    if not found:
        raise SystemExit("error: uv not found: run `make setup` first (the course set installs it)")
    return found


def compile_lock(folder: Path, name: str) -> None:
    """Resolve requirements/<name>.in into requirements/<name>.txt inside `folder` (a copy of the repository's)."""
    source, constraint = LOCKS[name]
    cmd = [uv(), "pip", "compile", "--quiet", "--no-config", "--universal", "--generate-hashes",
           "--python-version", "3.11", "--index-url", INDEX, "--exclude-newer", EXCLUDE_NEWER,
           "--custom-compile-command", "make lock", f"requirements/{source}", "-o", f"requirements/{name}.txt"]
    if constraint:
        cmd += ["-c", f"requirements/{constraint}"]
    result = subprocess.run(cmd, cwd=folder, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"error: uv could not resolve requirements/{source}:\n{result.stderr}")


def entries(lock_text: str) -> list[str]:
    """The requirements of a lock file, one string each: `name==version ; marker --hash=... --hash=...`."""
    joined = lock_text.replace("\\\n", " ")  # a requirement continues over its hash lines
    lines = (line.split("#", 1)[0] for line in joined.splitlines())  # no `#` in a requirement or a hash
    return [" ".join(line.split()) for line in lines if line.strip()]


# Comparing an environment with a lock (tests/test_environment.py, tests/test_course_env.py).

def locked(which: str) -> list[tuple[str, str, str]]:
    """(package, version, marker) of each entry of requirements/<which>.txt; a package can have one entry per
    range of Pythons (contourpy 1.3.3 below 3.12, a newer one from 3.12)."""
    result = []
    for entry in entries((REQUIREMENTS / f"{which}.txt").read_text()):
        requirement = Requirement(entry.split(" --hash")[0])
        (spec,) = requirement.specifier
        result.append((canonicalize_name(requirement.name), spec.version, str(requirement.marker or "")))
    return result


def wanted_here(lock: list[tuple[str, str, str]], environment: dict | None = None) -> dict[str, str]:
    """The packages of a lock that apply to this interpreter and platform (their markers hold): {name: version}."""
    wanted: dict[str, str] = {}
    for name, version, marker in lock:
        if not marker or Marker(marker).evaluate(environment):
            if name in wanted:
                raise ValueError(f"two entries of {name} apply here: {wanted[name]} and {version}")
            wanted[name] = version
    return wanted


def versions(which: str) -> dict[str, set[str]]:
    """{package: every version locked for it, whatever the platform}."""
    result: dict[str, set[str]] = {}
    for name, version, _ in locked(which):
        result.setdefault(name, set()).add(version)
    return result


def lock_differences(wanted: dict[str, str], installed: dict[str, str], project: str = PROJECT) -> list[str]:
    """How an environment differs from a lock: packages missing, extra, or at another version."""
    problems = []
    for name in sorted(wanted.keys() | installed.keys()):
        if name == project:
            continue
        if name not in installed:
            problems.append(f"{name}=={wanted[name]} is locked but not installed")
        elif name not in wanted:
            problems.append(f"{name}=={installed[name]} is installed but not in the lock")
        elif installed[name] != wanted[name]:  # exactly: 2.13.0+cpu (another index's build) is not PyPI's 2.13.0
            problems.append(f"{name}: installed {installed[name]}, locked {wanted[name]}")
    return problems


def installed_in(python: str) -> dict[str, str]:
    """{package: version} of everything installed in the environment of `python`."""
    code = "from importlib import metadata\nfor d in metadata.distributions(): print(d.metadata['Name'], d.version)"
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True, timeout=120).stdout
    return {canonicalize_name(name): version for name, version in (line.split() for line in out.splitlines())}


def environment_yml(course_lock: str) -> str:
    """environment.yml for conda and Binder: Python, pip, and the course lock's entries, hashes included.

    The entries are written out rather than referenced with `-r`: repo2docker copies the whole repository before
    installing an environment.yml that points at a local file, so every commit would rebuild gigabytes of torch."""
    lines = [
        "# Conda / Binder (repo2docker) environment: the course set, exactly as requirements/course.txt locks it.",
        "# Generated by `make lock` (tools/lock.py) from that file; do not edit. postBuild installs d2l_utils.",
        "name: d2l-math-tooling",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        "  - pip:",
    ]
    lines += [f'      - "{entry}"' for entry in entries(course_lock)]
    return "\n".join(lines) + "\n"


def generate(folder: Path) -> dict[str, str]:
    """Copy the .in files into `folder`, lock them there; return {file name: text} of the three outputs."""
    (folder / "requirements").mkdir(parents=True, exist_ok=True)
    for source, _ in LOCKS.values():
        shutil.copy2(REQUIREMENTS / source, folder / "requirements" / source)
    for name in LOCKS:  # course first: dev is constrained by it
        compile_lock(folder, name)
    texts = {f"requirements/{name}.txt": (folder / "requirements" / f"{name}.txt").read_text() for name in LOCKS}
    texts["environment.yml"] = environment_yml(texts["requirements/course.txt"])
    return texts


def stale(texts: dict[str, str], root: Path = ROOT) -> list[str]:
    """A short diff for each file under `root` that differs from its regenerated text."""
    diffs = []
    for name, text in texts.items():
        current = (root / name).read_text() if (root / name).exists() else ""
        if current != text:
            diff = difflib.unified_diff(current.splitlines(), text.splitlines(), name, "regenerated", lineterm="", n=1)
            diffs.append("\n".join(list(diff)[:40]))
    return diffs


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    with tempfile.TemporaryDirectory() as scratch:
        texts = generate(Path(scratch))
    if argv == ["--check"]:
        diffs = stale(texts)
        if diffs:
            print("\n\n".join(diffs), file=sys.stderr)
            print("error: the lock is not what `make lock` generates from requirements/*.in (diff above): "
                  "run `make lock` and commit the result; never edit the lock by hand", file=sys.stderr)
            return 1
        print("the lock is what `make lock` generates")
        return 0
    for name, text in texts.items():
        (ROOT / name).write_text(text)
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
