"""Create .venv inside the repository and install one of the course's locked package sets into it, once.

    python3 tools/setup_env.py course   # `make setup` and `make lab`: what a learner needs
    python3 tools/setup_env.py dev      # `make test`, `make check`, ...: the course set plus the tests and tools
    python3 tools/setup_env.py course --venv DIR   # another folder (tests/test_course_env.py)

Both sets are locked with hashes in requirements/course.txt and requirements/dev.txt (`make lock`). pip installs
uv (its line of the lock, hash checked), then uv makes the environment exactly the lock, less NOT_INSTALLED
(below): `uv pip sync` adds and removes packages until .venv holds the set's packages at the locked versions and
nothing else, and refuses a downloaded file whose hash differs (a package already installed at the locked version
is kept; one installed from another index, like torch 2.13.0+cpu, is reinstalled). d2l_utils is installed
editable, then the course's `python3` kernelspec is written into the environment (tools/lab.py): every front end
that starts this environment's kernel gets the course's numerical settings (tools/numerics.py).

Nothing is reinstalled while the set's lock, pyproject.toml, this file and the interpreter are unchanged: a hash
of them is stored in .venv/.installed. The development set includes the course set, so `make lab` after `make test`
installs nothing. A .venv made by another Python (`PYTHON=python3.12 make lab` after a 3.11 setup) is
replaced. A setup that was interrupted is repaired by the next run. Failures end with one line saying what to do.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
STAMP = VENV / ".installed"
LOCKS = {"course": "requirements/course.txt", "dev": "requirements/dev.txt"}
# A set is also satisfied by a set that contains it.
SATISFIED_BY = {"course": ("course", "dev"), "dev": ("dev",)}
MIN_PYTHON = (3, 11)
# Locked but left out of the environments setup makes, because nothing in the course needs them. They stay in the
# lock: pip and conda (Binder's environment.yml) install a lock in hash-checking mode only when it holds every
# dependency of every package in it.
# - rfc3987-syntax, and lark, which only it needs: jupyter-events asks for jsonschema[format-nongpl], whose
#   "iri" and "iri-reference" string formats it checks. No schema in the course's environments uses those
#   formats, and without it jsonschema leaves them unchecked. Importing it builds about 40 parsers: 2 s of CPU
#   in every process that imports jsonschema (nbformat does), such as each Jupyter server, the tools/lab.py that
#   starts one, nbval, nbconvert, and pytest with each of its workers.
NOT_INSTALLED = ("rfc3987-syntax", "lark")


class SetupError(Exception):
    """A setup step failed; the message says what to do."""


def venv_python() -> Path:
    """The interpreter inside .venv on this platform."""
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def interpreter() -> str:
    """What identifies the Python that builds .venv: implementation and full version."""
    return f"{platform.python_implementation()} {platform.python_version()}"


def fingerprint(which: str, python: str | None = None) -> str:
    """Hash of what decides what gets installed: the set's lock, pyproject.toml, this recipe and the interpreter."""
    digest = hashlib.sha256()
    digest.update(b"interpreter\0" + (python or interpreter()).encode())
    for name in (LOCKS[which], "pyproject.toml", "tools/setup_env.py"):
        digest.update(name.encode() + b"\0" + (ROOT / name).read_bytes())
    return digest.hexdigest()


def is_current(which: str) -> bool:
    """True when .venv holds `which` (or a set that contains it) as locked now."""
    if not (STAMP.exists() and venv_python().exists()):
        return False
    stamped = STAMP.read_text().strip()
    return any(stamped == f"{have} {fingerprint(have)}" for have in SATISFIED_BY[which])


def lock_entry(lock: Path, name: str) -> str:
    """One package's requirement in a lock file, with its hash lines: what pip needs to install it alone."""
    lines = lock.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{name}=="))
    end = start + 1
    while end < len(lines) and lines[end - 1].rstrip().endswith("\\"):
        end += 1
    return "\n".join(lines[start:end]) + "\n"


def local_builds(python: Path) -> list[str]:
    """Installed packages whose version carries a local label (`+cpu`): none of them comes from PyPI."""
    code = ("from importlib import metadata\n"
            "print('\\n'.join(d.metadata['Name'] for d in metadata.distributions() if '+' in d.version))")
    result = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    return sorted(set(result.stdout.split())) if result.returncode == 0 else []


def without(lock_text: str, names: tuple[str, ...]) -> str:
    """The lock with the entries of `names` removed (an entry is its `name==version` line and the lines below it)."""
    kept, dropping = [], False
    for line in lock_text.splitlines(keepends=True):
        if line[:1].strip() and not line.startswith("#"):  # an entry's first line
            dropping = re.sub(r"[-_.]+", "-", re.split(r"[=<>!~ ;\[]", line, maxsplit=1)[0]).lower() in names
        if not dropping:
            kept.append(line)
    return "".join(kept)


def uv_path(python: Path) -> Path:
    """Where pip puts uv's executable in the environment of `python`."""
    return python.with_name("uv.exe" if os.name == "nt" else "uv")


def install(python: Path, which: str) -> None:
    """Make the environment of `python` exactly the locked set `which`, plus d2l_utils and the course kernel."""
    lock = ROOT / LOCKS[which]
    uv = uv_path(python)
    with tempfile.TemporaryDirectory() as scratch:
        uv_lock = Path(scratch) / "uv.txt"  # uv's own line of the lock, hash included
        uv_lock.write_text(lock_entry(lock, "uv"))
        run(python, "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off", "-q",
            "--no-deps", "--require-hashes", "-r", uv_lock,
            what=f"pip could not install uv from {LOCKS[which]} (its message is above)")
        # PEP 440 lets 2.13.0+cpu (a build from another index, installed by hand or by an older setup) satisfy
        # ==2.13.0, so uv would keep it; no lock from PyPI holds a local version, so every such package is reinstalled.
        reinstall = [arg for name in local_builds(python) for arg in ("--reinstall-package", name)]
        wanted = Path(scratch) / Path(LOCKS[which]).name  # the lock less NOT_INSTALLED
        wanted.write_text(without(lock.read_text(), NOT_INSTALLED))
        # --compile-bytecode: every .pyc is written now. Otherwise Python compiles each module from source on every
        # import wherever PYTHONDONTWRITEBYTECODE is set (CI images and containers often set it): `import torch`
        # alone took 4.7 s instead of 2.3 s, paid by every kernel, JupyterLab server and test worker.
        run(uv, "pip", "sync", "--python", python, "--require-hashes", "--compile-bytecode", *reinstall, wanted,
            what=f"uv could not install {LOCKS[which]} for Python {platform.python_version()} (its message is "
                 "above); the course is tested with Python 3.11, 3.12 and 3.13")
    # No build isolation: setuptools comes from the lock (torch needs it), not from an unpinned download.
    run(uv, "pip", "install", "--python", python, "--no-deps", "--no-build-isolation", "--compile-bytecode", "-e", ".",
        what="uv could not install the d2l_utils package (pyproject.toml); its message is above")
    run(python, "-c", "from tools.lab import install_environment; install_environment()",
        what="could not write the course's kernelspec into the environment (the message is above)")
    # Build matplotlib's font cache now: doing it inside a notebook prints a warning into its outputs.
    run(python, "-c", "import matplotlib.pyplot", what="matplotlib does not import in the environment")


def venv_version(cfg: Path | None = None) -> str | None:
    """The Python version .venv was made with (from pyvenv.cfg), or None."""
    cfg = cfg or VENV / "pyvenv.cfg"
    if not cfg.exists():
        return None
    for line in cfg.read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("version", "version_info"):
            return value.strip()
    return None


def run(*cmd: str | Path, what: str) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    if subprocess.run([str(c) for c in cmd], cwd=ROOT).returncode != 0:
        raise SetupError(what)


def has_pip(python: Path) -> bool:
    return subprocess.run([str(python), "-m", "pip", "--version"], capture_output=True).returncode == 0


def ensure_venv() -> Path:
    """A .venv made by this interpreter, with pip; made anew when it is another Python's or broken."""
    python = venv_python()
    made_by = venv_version()
    if python.exists() and made_by and made_by.split(".")[:3] != platform.python_version().split(".")[:3]:
        print(f"{VENV.name} was made with Python {made_by}; replacing it with Python {platform.python_version()}",
              flush=True)
        shutil.rmtree(VENV)
    elif VENV.exists() and not python.exists():
        print(f"{VENV.name} is incomplete; making it again", flush=True)
        shutil.rmtree(VENV)
    if not python.exists():
        print(f"creating {VENV.name} with Python {platform.python_version()}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not has_pip(python):
        print(f"{VENV.name} has no working pip; restoring it", flush=True)
        subprocess.run([str(python), "-m", "ensurepip", "--upgrade"], capture_output=True)
        if not has_pip(python):  # ensurepip may skip a pip whose metadata survived: start afresh
            shutil.rmtree(VENV)
            venv.EnvBuilder(with_pip=True).create(VENV)
        if not has_pip(python):
            raise SetupError(f"{VENV.name} has no pip and ensurepip failed: remove {VENV.name} and run again")
    return python


def main(argv: list[str] | None = None) -> int:
    global VENV, STAMP
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", nargs="?", choices=sorted(LOCKS), default="course")
    parser.add_argument("--venv", type=Path, default=VENV, help="the environment's folder (default: .venv)")
    args = parser.parse_args(argv)
    VENV, STAMP = args.venv.resolve(), args.venv.resolve() / ".installed"
    if sys.version_info < MIN_PYTHON:
        print(f"error: Python {'.'.join(map(str, MIN_PYTHON))}+ is needed, this is {sys.version.split()[0]}",
              file=sys.stderr)
        return 1
    if is_current(args.set):
        print(f"{VENV.name} is up to date")
        return 0
    try:
        try:
            python = ensure_venv()
        except (OSError, subprocess.CalledProcessError) as err:  # venv's ensurepip failed, or a file could not be written
            v = f"{sys.version_info.major}.{sys.version_info.minor}"
            raise SetupError(f"could not create {VENV.name} ({err}): on Debian/Ubuntu install python{v}-venv "
                             f"(sudo apt-get install python{v}-venv), then run again") from None
        STAMP.unlink(missing_ok=True)  # written again only when every step below succeeded
        install(python, args.set)
    except SetupError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    STAMP.write_text(f"{args.set} {fingerprint(args.set)}\n")
    print(f"{VENV.name} holds the {args.set} set of {LOCKS[args.set]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
