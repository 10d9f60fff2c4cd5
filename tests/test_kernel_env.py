"""Kernels started outside the test process get the course's numerical environment: by `make execute`, and by
plain Jupyter from the environment (the kernelspec setup writes). Each starts a real kernel (a few seconds), so
these run in make test, not in the one-minute make check."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

from tests import kernel_probe
from tools import numerics
from tools.paths import ROOT


def probe_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(kernel_probe.SOURCE)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def clean_environment() -> dict[str, str]:
    """This process's environment without the variables, as a learner's shell would have it."""
    return {k: v for k, v in os.environ.items()
            if k not in {*numerics.environment(), "MKL_ENABLE_INSTRUCTIONS", "PYTHONPATH", "JUPYTER_PATH"}}


def test_make_execute_runs_the_course_kernel_in_the_environment(tmp_path):
    """The kernel gets the numerical environment and is this interpreter (the course's .venv),
    even when the learner has a `python3` kernelspec of their own that points elsewhere."""
    data = tmp_path / "jupyter-data"
    spec = data / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        '{"argv": ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],'
        ' "display_name": "Python 3 (elsewhere)", "language": "python"}')
    path = tmp_path / "probe.ipynb"
    probe_notebook(path)
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.executable)"))
    nbformat.write(nb, path)
    env = dict(clean_environment(), JUPYTER_DATA_DIR=str(data), JUPYTER_PATH=str(data))
    subprocess.run([sys.executable, "-m", "tools.execute", str(path)], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=300)
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].outputs[0].text.strip() == kernel_probe.expected()
    assert nb.cells[1].outputs[0].text.strip() == sys.executable


# Plain `pytest notebooks/…` from the root: tests/test_nbval_strict.py runs a probe cell that way.


def test_a_kernel_started_by_plain_jupyter_gets_the_settings(tmp_path):
    """Not through make: `jupyter nbconvert --execute` from this environment, in a shell without the variables and
    outside the repository, starts the environment's python3 kernel, whose spec setup wrote (tools/lab.py)."""
    path = tmp_path / "probe.ipynb"
    probe_notebook(path)
    jupyter = Path(sys.executable).with_name("jupyter")
    result = subprocess.run([str(jupyter), "nbconvert", "--to", "notebook", "--execute", "--stdout", str(path)],
                            cwd=tmp_path, env=clean_environment(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    nb = nbformat.reads(result.stdout, as_version=4)
    assert nb.cells[0].outputs[0].text.strip() == kernel_probe.expected()
    assert "version" not in nb.metadata["language_info"], "the course kernel reports no patch version"
