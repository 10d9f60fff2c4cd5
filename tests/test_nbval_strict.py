"""Strict nbval really compares outputs: one changed digit or one changed SVG byte fails the notebook."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "notebooks" / "04_calculus.ipynb"


def tamper(path: Path, kind: str) -> str:
    """Change one digit of a printed output or one byte of an SVG figure; return what was changed."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if kind == "digit" and out.output_type == "stream" and re.search(r"\d", out.text):
                match = re.search(r"\d", out.text)
                digit = str((int(match[0]) + 1) % 10)
                out.text = out.text[: match.start()] + digit + out.text[match.end():]
                nbformat.write(nb, path)
                return f"stdout digit {match[0]} -> {digit}"
            if kind == "svg" and "image/svg+xml" in out.get("data", {}):
                svg = out.data["image/svg+xml"]
                match = re.search(r'd="M (\d)', svg)  # first coordinate of the first path
                digit = str((int(match[1]) + 1) % 10)
                out.data["image/svg+xml"] = svg[: match.start(1)] + digit + svg[match.end(1):]
                nbformat.write(nb, path)
                return f"svg byte {match[1]} -> {digit}"
    raise AssertionError(f"nothing to tamper with ({kind}) in {path}")


def test_changed_output_digit_or_svg_byte_fails_strict_nbval(tmp_path):
    for name in ("pristine", "digit", "svg"):
        shutil.copy(SOURCE, tmp_path / f"{name}.ipynb")
    changes = {kind: tamper(tmp_path / f"{kind}.ipynb", kind) for kind in ("digit", "svg")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path),
         "-p", "no:xdist", "-p", "no:cacheprovider", "-q", *sorted(str(p) for p in tmp_path.glob("*.ipynb"))],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    report = result.stdout + result.stderr
    failed = set(re.findall(r"FAILED .*?(\w+)\.ipynb::", report))
    assert failed == {"digit", "svg"}, f"changes {changes}; pytest reported:\n{report[-3000:]}"
    assert re.search(r"\b2 failed\b", report), report[-3000:]
