"""The numerical environment: what it sets, where, and that every way of running a notebook gets it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests import kernel_probe
from tools import numerics

from tools.paths import ROOT
AVX512_FLAGS = {"sse2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq"}


def test_avx2_machines_run_the_same_aten_kernels():
    env = numerics.environment(AVX512_FLAGS, "x86_64")
    assert env["ATEN_CPU_CAPABILITY"] == "avx2"
    assert env["MKL_CBWR"] == "COMPATIBLE"
    assert env["OMP_NUM_THREADS"] == env["MKL_NUM_THREADS"] == "1"


@pytest.mark.parametrize("flags,machine", [
    ({"sse2", "avx"}, "x86_64"),          # no AVX2: forcing avx2 kernels would crash (illegal instruction)
    ({"avx2"}, "x86_64"),                 # AVX2 without FMA: ATen itself would not pick AVX2
    (AVX512_FLAGS, "arm64"),              # Apple silicon reports no x86 flags, but be sure
    (set(), "aarch64"),
])
def test_aten_is_left_alone_where_avx2_cannot_run(flags, machine):
    env = numerics.environment(flags, machine)
    assert "ATEN_CPU_CAPABILITY" not in env
    assert env["MKL_CBWR"] == "COMPATIBLE"


def test_apply_keeps_a_simulated_cpu_and_overrides_the_rest():
    environ = {"ATEN_CPU_CAPABILITY": "default", "OMP_NUM_THREADS": "8", "MKL_CBWR": "AUTO"}
    applied = numerics.apply(environ)
    assert environ["ATEN_CPU_CAPABILITY"] == "default", "a simulated CPU must not be overridden"
    assert environ["MKL_CBWR"] == "COMPATIBLE" and applied["MKL_CBWR"] == "COMPATIBLE"
    assert environ["OMP_NUM_THREADS"] == "1", "a shell's thread count must not change the outputs"


def test_this_pytest_process_has_the_environment():
    """The root conftest.py applied it before any kernel started (kernels inherit os.environ)."""
    for name, value in numerics.environment().items():
        assert os.environ.get(name) == value or name == "ATEN_CPU_CAPABILITY", name


def probe_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(kernel_probe.SOURCE)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def clean_environment() -> dict[str, str]:
    """This process's environment without the variables, as a learner's shell would have it."""
    return {k: v for k, v in os.environ.items() if k not in {*numerics.environment(), "MKL_ENABLE_INSTRUCTIONS"}}


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


def test_make_lab_starts_jupyterlab_in_the_environment(monkeypatch, tmp_path):
    from tools import lab

    for name in numerics.environment():
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "notebooks").mkdir()
    seen = {}
    monkeypatch.setattr(lab, "trust_notebooks", lambda notebooks: [])
    monkeypatch.setattr(lab.os, "execv", lambda exe, cmd: seen.update(env=dict(os.environ), cmd=cmd))
    monkeypatch.chdir(tmp_path)
    lab.main(["--root", str(tmp_path), "--no-browser"])
    for name, value in numerics.environment().items():
        assert seen["env"].get(name) == value, name

