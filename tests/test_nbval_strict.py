"""Negative controls: strict nbval, with the course's figure tolerance, still fails on every visible change.

A copy of chapter 04 gets one change per cell: an invisible 0.001 px jitter of every coordinate of
one figure (must pass), and a 1-px move of a plotted line, a changed colour, a changed label and one
changed digit of a printed number (each must fail). The copy is tested the way `pytest notebooks/…`
tests a chapter: from the repository root, so the root conftest.py and its plugin apply. A last cell
prints the kernel's numerical environment, which must be the course's (tools/numerics.py), although
the pytest process starts without it.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import nbformat
import pytest

from tests import kernel_probe
from tests import svg_tamper
from tools import numerics

from tools.paths import ROOT
SOURCE = ROOT / "notebooks" / "04_calculus.ipynb"
SVG = "image/svg+xml"


def bump_first_digit(text: str) -> str:
    match = re.search(r"\d", text)
    return text[: match.start()] + str((int(match[0]) + 1) % 10) + text[match.end():]


def tamper(path: Path) -> dict[str, int]:
    """Apply one change to each of five code cells; return {change: nbval cell number}."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    figures = [i for i, c in enumerate(code) if any(SVG in o.get("data", {}) for o in c.outputs)]
    printed = [i for i, c in enumerate(code)
               if any(o.output_type == "stream" and re.search(r"\d", o.text) for o in c.outputs)]
    assert len(figures) >= 4 and printed, "chapter 04 needs four figures and a printed number"
    edits = {"jitter": svg_tamper.jitter, "move": svg_tamper.move_line,
             "colour": svg_tamper.recolour, "label": svg_tamper.relabel}
    where = {}
    for (change, edit), index in zip(edits.items(), figures):
        out = next(o for o in code[index].outputs if SVG in o.get("data", {}))
        out.data[SVG] = edit(out.data[SVG])
        where[change] = index
    out = next(o for o in code[printed[0]].outputs if o.output_type == "stream")
    out.text = bump_first_digit(out.text)
    where["digit"] = printed[0]
    probe = nbformat.v4.new_code_cell(kernel_probe.SOURCE, execution_count=len(code) + 1)
    probe.outputs = [nbformat.v4.new_output("stream", name="stdout", text=kernel_probe.expected() + "\n")]
    nb.cells.append(probe)
    where["probe"] = len(code)
    nbformat.write(nb, path)
    return where


@pytest.fixture
def scratch():
    """A folder inside the repository (so its conftest.py applies), removed afterwards."""
    folder = ROOT / "build" / f"negative-controls-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_visible_changes_fail_and_invisible_jitter_passes(scratch):
    copy = scratch / "tampered.ipynb"
    shutil.copy(SOURCE, copy)
    where = tamper(copy)
    learner_shell = {k: v for k, v in os.environ.items() if k not in numerics.environment()}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-p", "no:cacheprovider", "-q", "-rfE",
         str(copy.relative_to(ROOT))],
        capture_output=True, text=True, cwd=ROOT, env=learner_shell, timeout=600,
    )
    report = result.stdout + result.stderr
    failed = {int(n) for n in re.findall(r"FAILED \S*tampered\.ipynb::Cell (\d+)", report)}
    expected = {where[c] for c in ("move", "colour", "label", "digit")}
    assert failed == expected, f"changed cells {where}; failed {sorted(failed)}\n{report[-4000:]}"
    assert where["jitter"] not in failed
    assert where["probe"] not in failed, "the kernel did not get the numerical environment"
    cells = where["probe"] + 1
    assert f"4 failed, {cells - 4} passed" in report, report[-2000:]
    assert "SVG figure differs beyond the 0.01 px tolerance" in report, "the failure says why"
