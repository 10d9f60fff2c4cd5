"""Slide conventions shared by every chapter: RISE settings and per-cell slide metadata.

tools/execute.py applies them each time it runs a notebook (`make execute`).

Every deck gets the same `rise` settings (theme, size, header/footer naming the course and the
chapter); every cell gets a `slideshow.slide_type`; exercise solutions (cells tagged `solution`)
have their source hidden in JupyterLab and are skipped in slides. tests/test_notebooks.py checks all of this.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

from tools import paths

ROOT = paths.ROOT
NOTEBOOKS = paths.NOTEBOOKS
COURSE = "Deep Learning Math & Tooling"
SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")


def chapter_title(nb: nbformat.NotebookNode) -> str:
    """Text of the notebook's first markdown heading."""
    first = nb.cells[0].source.strip().splitlines()[0] if nb.cells else ""
    return first.lstrip("#").strip()


def rise_settings(path: Path, nb: nbformat.NotebookNode) -> dict:
    """The notebook-level `rise` metadata every chapter uses (read by jupyterlab-rise)."""
    number = path.stem.split("_")[0]
    return {
        "autolaunch": False,
        "controls": True,
        "enable_chalkboard": False,
        "footer": f"<div class='course-footer'>{COURSE} · {number} {chapter_title(nb)}</div>",
        "header": f"<div class='course-header'>{COURSE}</div>",
        "height": 720,
        "progress": True,
        "scroll": True,
        "slideNumber": True,
        "start_slideshow_at": "beginning",
        "theme": "white",
        "transition": "none",
        "width": 1280,
    }


# What a worked answer carries in the file: its source hidden. Its output is one closed <details> box
# (%%answer, d2l_utils/answers.py) holding the code and what it printed, so it stays closed after the
# cell runs and opens with one click. An output collapsed by hand (`outputs_hidden`, the classic
# `collapsed`) would hide that box, so they are removed: JupyterLab drops them itself when the cell runs.
HIDDEN_ANSWER = {"source_hidden": True}


def hide_answers(cells: list) -> int:
    """Give every worked answer (cells tagged `solution`) the committed visibility; return how many needed it.

    Used by apply() (`make execute`) and by the save hook of `make lab` (tools/lab.py), which gets the
    cells as plain dicts."""
    changed = 0
    for cell in cells:
        metadata = cell.get("metadata", {}) if isinstance(cell, dict) else {}
        if "solution" not in metadata.get("tags", []):
            continue
        jupyter = metadata.setdefault("jupyter", {})
        if jupyter != HIDDEN_ANSWER or "collapsed" in metadata:
            jupyter.clear()
            jupyter.update(HIDDEN_ANSWER)
            metadata.pop("collapsed", None)
            changed += 1
    return changed


def apply(path: Path, nb: nbformat.NotebookNode) -> None:
    """Set the course's slide and visibility metadata on one notebook, keeping the author's slide types.

    Everything tests/test_notebooks.py and tests/test_quizzes.py require of the metadata is set here, so
    `make execute` repairs what the hygiene tests reject: every cell after the exercise list is an answer
    skipped on slides; worked code (tag `solution`) has its source hidden and its output, a closed box, shown;
    a self-check question (tag `quiz`) shows its question, not its code.
    """
    nb.metadata["rise"] = rise_settings(path, nb)
    hide_answers(nb.cells)
    exercises = next((i for i, c in enumerate(nb.cells) if c.source.startswith("## Exercises")), len(nb.cells))
    for index, cell in enumerate(nb.cells):
        show = cell.metadata.setdefault("slideshow", {})
        if index == 0:
            show["slide_type"] = "slide"
        show.setdefault("slide_type", "-")
        tags = cell.metadata.get("tags", [])
        if index > exercises:
            show["slide_type"] = "skip"
        if "solution" in tags:
            show["slide_type"] = "skip"
        if "quiz" in tags:
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
