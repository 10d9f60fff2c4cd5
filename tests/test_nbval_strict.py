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
import base64
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
EMBEDDED = "data:image/svg+xml;base64,"


def bump_first_digit(text: str) -> str:
    match = re.search(r"\d", text)
    return text[: match.start()] + str((int(match[0]) + 1) % 10) + text[match.end():]


def tamper(path: Path) -> dict[str, int]:
    """Apply one change to each of five code cells; return {change: nbval cell number}."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    # Figures of two kinds: a figure output, and a figure inside a worked answer's HTML box (d2l_utils/answers.py),
    # taken in turn so that each kind gets a change that must pass (jitter) and changes that must fail.
    plain = [i for i, c in enumerate(code) if any(SVG in o.get("data", {}) for o in c.outputs)]
    boxed = [i for i, c in enumerate(code) if any(EMBEDDED in o.get("data", {}).get("text/html", "") for o in c.outputs)]
    printed = [i for i, c in enumerate(code)
               if any(o.output_type == "stream" and re.search(r"\d", o.text) for o in c.outputs)]
    assert len(plain) >= 2 and len(boxed) >= 2 and printed, "chapter 04 needs two figures, two in answers, a number"
    figures = [boxed[0], plain[0], boxed[1], plain[1]]
    edits = {"jitter": svg_tamper.jitter, "move": svg_tamper.move_line,
             "colour": svg_tamper.recolour, "label": svg_tamper.relabel}
    where = {}
    for (change, edit), index in zip(edits.items(), figures):
        out = next(o for o in code[index].outputs if SVG in o.get("data", {}) or "text/html" in o.get("data", {}))
        if SVG in out.data:
            out.data[SVG] = edit(out.data[SVG])
        else:
            start = out.data["text/html"].index(EMBEDDED) + len(EMBEDDED)
            end = out.data["text/html"].index('"', start)
            figure = base64.b64decode(out.data["text/html"][start:end]).decode()
            edited = base64.b64encode(edit(figure).encode()).decode()
            out.data["text/html"] = out.data["text/html"][:start] + edited + out.data["text/html"][end:]
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
