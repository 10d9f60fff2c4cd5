"""Create .venv inside the repository and install the pinned environment, once.

    python3 tools/setup_env.py        # what `make setup` runs; Windows: py tools\\setup_env.py

Nothing is reinstalled while requirements.txt, pyproject.toml and the interpreter are unchanged: a
hash of them is stored in .venv/.installed and compared on every run. A .venv made by another Python
(`PYTHON=python3.12 make lab` after a 3.11 setup) is replaced. A setup that was interrupted, or a
.venv that lost pip, is repaired by the next run. Failures end with one line saying what to do.
"""
from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
STAMP = VENV / ".installed"
INPUTS = ("requirements.txt", "pyproject.toml")
MIN_PYTHON = (3, 11)


class SetupError(Exception):
    """A setup step failed; the message says what to do."""


def venv_python() -> Path:
    """The interpreter inside .venv on this platform."""
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def interpreter() -> str:
    """What identifies the Python that builds .venv: implementation and full version."""
    return f"{platform.python_implementation()} {platform.python_version()}"


def fingerprint(python: str | None = None) -> str:
    """Hash of what decides what gets installed: the input files and the interpreter."""
    digest = hashlib.sha256()
    digest.update(b"interpreter\0" + (python or interpreter()).encode())
    for name in INPUTS:
        digest.update(name.encode() + b"\0" + (ROOT / name).read_bytes())
    return digest.hexdigest()


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


def main() -> int:
    if sys.version_info < MIN_PYTHON:
        print(f"error: Python {'.'.join(map(str, MIN_PYTHON))}+ is needed, this is {sys.version.split()[0]}",
              file=sys.stderr)
        return 1
    wanted = fingerprint()
    if STAMP.exists() and STAMP.read_text().strip() == wanted and venv_python().exists():
        print(f"{VENV.name} is up to date")
        return 0
    try:
        python = ensure_venv()
        STAMP.unlink(missing_ok=True)  # written again only when every step below succeeded
        version = platform.python_version()
        run(python, "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off", "-q",
            "-r", "requirements.txt",
            what=f"pip could not install requirements.txt for Python {version} (its message is above); "
                 f"the course is tested with Python 3.11")
        run(python, "-m", "pip", "install", "--disable-pip-version-check", "-q", "--no-deps", "-e", ".",
            what="pip could not install the d2l_utils package (pyproject.toml); its message is above")
        # Build matplotlib's font cache now: doing it inside a notebook prints a warning into its outputs.
        run(python, "-c", "import matplotlib.pyplot", what="matplotlib does not import in .venv")
    except SetupError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    STAMP.write_text(wanted + "\n")
    print(f"{VENV.name} is ready")
    return 0


if __name__ == "__main__":
    sys.exit(main())
