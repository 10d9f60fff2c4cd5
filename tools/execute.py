"""Re-execute notebooks in place so their committed outputs are what running them produces.

    python -m tools.execute                          # every notebook (what `make execute` runs)
    python -m tools.execute notebooks/04_calculus.ipynb

Files are written only when something changed, in nbformat's canonical layout, with nothing that
varies between runs: no timing metadata, no Python patch version, stream chunks merged.
"""
from __future__ import annotations

import argparse
import copy
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

from tools import deck, numerics, paths

ROOT = paths.ROOT
NOTEBOOKS = paths.NOTEBOOKS

# What the kernel reports about itself, minus the version, which differs between 3.11.x patch releases.
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def normalize(nb: nbformat.NotebookNode) -> None:
    """Drop run-specific metadata so re-running an unchanged notebook changes no byte."""
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = copy.deepcopy(LANGUAGE_INFO)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    # Join consecutive chunks of one stream: how the kernel splits them depends on timing.
    CoalesceStreamsPreprocessor().preprocess(nb, {})


IGNORE_MARKERS = ("# NBVAL_IGNORE_OUTPUT",)


def committed_sources(path: Path) -> dict[str, str] | None:
    """Each cell's source, by cell id, in the notebook as git's HEAD has it; None outside git or for a new file."""
    shown = subprocess.run(["git", "-C", str(path.parent), "show", f"HEAD:./{path.name}"],
                           capture_output=True, text=True, encoding="utf-8")
    if shown.returncode != 0:
        return None
    return {cell.id: cell.source for cell in nbformat.reads(shown.stdout, as_version=4).cells if "id" in cell}


def varying_outputs(nb: nbformat.NotebookNode, committed: dict[str, str] | None = None) -> dict[int, list]:
    """Outputs of cells that nbval ignores because they truly vary (timings), where they can stay: the cell's
    source is what was committed (`committed`, by cell id; None keeps them all). An edited cell's old output
    came from other code."""
    kept = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and (
            any(m in cell.source for m in IGNORE_MARKERS) or "nbval-ignore-output" in cell.metadata.get("tags", [])
        ) and (committed is None or committed.get(cell.get("id")) == cell.source):
            kept[index] = copy.deepcopy(cell.outputs)
    return kept


NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def without_numbers(outputs: list) -> list:
    """The outputs with every number masked: what stays the same when only a timing changes."""
    return [(o.get("output_type"), o.get("name"),
             NUMBER.sub("#", o.get("text") or json.dumps(o.get("data", {}), sort_keys=True))) for o in outputs]


def course_kernel() -> KernelManager:
    """A python3 kernel that runs this interpreter (the course's .venv when run by `make execute`).

    Jupyter would otherwise take the first `python3` kernelspec it finds, and a user-level one from
    another environment comes first.
    """
    specs = KernelSpecManager(kernel_dirs=[], ensure_native_kernel=True)
    return KernelManager(kernel_name="python3", kernel_spec_manager=specs)


def execute(path: Path, timeout: int = 600) -> bool:
    """Run one notebook top to bottom in its own folder; return True if the file changed.

    Cells marked NBVAL_IGNORE_OUTPUT keep their committed output while their source is the one committed
    and they print the same text apart from numbers, so re-running an unchanged notebook does not rewrite its
    timings; an edit of such a cell, or of what it prints, replaces its output.
    """
    before = path.read_text(encoding="utf-8")
    nb = nbformat.reads(before, as_version=4)
    kept = varying_outputs(nb, committed_sources(path))
    client = NotebookClient(
        nb,
        km=course_kernel(),
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    normalize(nb)
    for index, outputs in kept.items():
        if outputs and without_numbers(outputs) == without_numbers(nb.cells[index].outputs):
            nb.cells[index].outputs = outputs
    deck.apply(path, nb)
    after = nbformat.writes(nb) + "\n"
    if after == before:
        return False
    path.write_text(after, encoding="utf-8", newline="\n")
    return True


def main(argv: list[str] | None = None) -> int:
    numerics.apply()  # before the first kernel starts: kernels inherit this process's environment
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    failed = 0
    for path in paths:
        start = time.perf_counter()
        try:
            changed = execute(path.resolve())
        except Exception as err:  # report every broken notebook, not only the first
            failed += 1
            print(f"FAILED   {path}: {type(err).__name__}: {str(err)[-2000:]}", file=sys.stderr)
            continue
        status = "updated" if changed else "unchanged"
        print(f"{status:10}{path} ({time.perf_counter() - start:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
