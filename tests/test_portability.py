"""Every notebook passes strict nbval with only the course set installed, on a simulated CPU without AVX2.

One run of every chapter checks two things a learner relies on:

- the course set alone (`make lab`, Binder) runs every chapter: the notebooks' kernel is build/course-env's
  interpreter (tools/setup_env.py course, the course_python fixture), where no development tool is installed
  (checked below); pytest and nbval drive the run from the development environment;
- the outputs hold on other CPUs. PyTorch's kernels are chosen by CPU; this run forces the choices another
  machine would make:

- a CPU without AVX2 (ATen's plain C++ kernels, MKL limited to SSE4.2): the last bits of floats
  change, so figures may differ in the sixth decimal of coordinates and are accepted within the
  0.01 px tolerance; every text output must still match exactly;
- (AVX2 machines need no simulation: the course's environment runs ATen's AVX2 kernels on every x86-64
  CPU with AVX2, and tools/nbval_plugin.py fails the main run there if a figure needed the tolerance.)

The run is a separate `pytest notebooks/` from the repository root.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.support import COURSE_ENV, dev_modules
from tools import lab
from tools.paths import ROOT, chapters

NOTEBOOKS = chapters()

SIMULATED = {
    "no-avx2": ({"ATEN_CPU_CAPABILITY": "default", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2"}, "0.01"),
}


def code_cells() -> int:
    return sum(c.cell_type == "code" for p in NOTEBOOKS for c in nbformat.read(p, as_version=4).cells)


def capability(env: dict) -> str:
    """What ATen reports under `env`: proof that the simulation takes effect."""
    code = "import torch; print(torch.backends.cpu.get_cpu_capability())"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


KERNEL = "course-env"


@pytest.fixture(scope="module")
def kernels(course_python, tmp_path_factory) -> Path:
    """A Jupyter data folder whose kernel `course-env` runs the course kernel with build/course-env's interpreter.

    Its spec sets no numerical variables (unlike the one setup writes): the kernel inherits the simulated CPU."""
    folder = tmp_path_factory.mktemp("jupyter")
    lab.install_kernel(folder, env={"PYTHONPATH": str(ROOT)}, python=str(course_python), name=KERNEL,
                       display_name="Python 3 (course set only)")
    return folder


def test_the_kernel_runs_in_the_course_set_alone(kernels, monkeypatch):
    from jupyter_client.manager import start_new_kernel

    code = f"import importlib.util, sys; print(sys.prefix, [m for m in {dev_modules()!r} if importlib.util.find_spec(m)])"
    monkeypatch.setenv("JUPYTER_PATH", str(kernels))
    manager, client = start_new_kernel(kernel_name=KERNEL, cwd=str(ROOT / "notebooks"))
    try:
        printed = []
        client.execute_interactive(code, timeout=120, output_hook=lambda m: printed.append(m["content"].get("text", "")))
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert "".join(printed).strip() == f"{COURSE_ENV} []"


def start(cpu: str, kernels: Path) -> subprocess.Popen:
    """`pytest notebooks/…` in a new process that sees the simulated CPU, its kernels in the course set alone."""
    variables, tolerance = SIMULATED[cpu]
    env = dict(os.environ, **variables, JUPYTER_PATH=str(kernels))
    assert capability(env) == variables["ATEN_CPU_CAPABILITY"].upper(), f"{cpu}: ATen ignored the setting"
    # The configuration's --nbval-current-env (kernels in this interpreter) is replaced by the course-env kernel.
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-o", "addopts=", "--nbval", f"--nbval-kernel-name={KERNEL}",
         "--strict-markers", "-n", "0", "-p", "no:cacheprovider", "-q", "-rfE",
         f"--svg-tolerance={tolerance}", *(str(p.relative_to(ROOT)) for p in NOTEBOOKS)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def test_notebooks_reproduce_in_the_course_set_on_a_cpu_without_avx2(kernels):
    run = start("no-avx2", kernels)
    report = run.communicate(timeout=1200)[0]
    assert run.returncode == 0, f"notebooks differ on a simulated CPU without AVX2:\n{report[-6000:]}"
    passed = re.search(r"(\d+) passed", report)
    assert passed and int(passed[1]) == code_cells(), report[-2000:]
    tolerated = re.search(r"(\d+) SVG figure\(s\) differed", report)
    print(f"no-avx2: {passed[1]} cells pass; figures accepted within the tolerance: "
          f"{tolerated[1] if tolerated else 0}")
