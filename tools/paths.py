"""Where things are: the one definition of the repository's root and its folders, for tools and tests.

(tools/setup_env.py keeps its own: it runs with the system Python before `tools` is importable.)
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PACKAGE = ROOT / "d2l_utils"
BUILD = ROOT / "build"


def chapters() -> list[Path]:
    """The chapter notebooks in reading order."""
    return sorted(NOTEBOOKS.glob("*.ipynb"))
