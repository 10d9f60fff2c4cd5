"""Create .venv inside the repository and install the pinned environment, once.

    python3 tools/setup_env.py        # what `make setup` runs; Windows: py tools\\setup_env.py

Nothing is reinstalled while requirements.txt and pyproject.toml are unchanged: a hash of both is
stored in .venv/.installed and compared on every run.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
STAMP = VENV / ".installed"
INPUTS = ("requirements.txt", "pyproject.toml")
MIN_PYTHON = (3, 11)


def venv_python() -> Path:
    """The interpreter inside .venv on this platform."""
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def fingerprint() -> str:
    """Hash of the files that decide what gets installed."""
    digest = hashlib.sha256()
    for name in INPUTS:
        digest.update(name.encode() + b"\0" + (ROOT / name).read_bytes())
    return digest.hexdigest()


def run(*cmd: str | Path) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT)


def main() -> int:
    if sys.version_info < MIN_PYTHON:
        print(f"error: Python {'.'.join(map(str, MIN_PYTHON))}+ is needed, this is {sys.version.split()[0]}",
              file=sys.stderr)
        return 1
    wanted = fingerprint()
    if STAMP.exists() and STAMP.read_text().strip() == wanted and venv_python().exists():
        print(f"{VENV.name} is up to date")
        return 0
    if not venv_python().exists():
        print(f"creating {VENV.name} with Python {sys.version.split()[0]}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    python = venv_python()
    run(python, "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off", "-q", "-r", "requirements.txt")
    run(python, "-m", "pip", "install", "--disable-pip-version-check", "-q", "--no-deps", "-e", ".")
    # Build matplotlib's font cache now: doing it inside a notebook prints a warning into its outputs.
    run(python, "-c", "import matplotlib.pyplot")
    STAMP.write_text(wanted + "\n")
    print(f"{VENV.name} is ready")
    return 0


if __name__ == "__main__":
    sys.exit(main())
