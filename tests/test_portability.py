"""Every notebook passes strict nbval on simulated other CPUs.

PyTorch's kernels are chosen by CPU; these runs force the choices another machine would make:

- a CPU without AVX2 (ATen's plain C++ kernels, MKL limited to SSE4.2): the last bits of floats
  change, so figures may differ in the sixth decimal of coordinates and are accepted within the
  0.01 px tolerance; every text output must still match exactly;
- (AVX2 machines need no simulation: the course's environment runs ATen's AVX2 kernels on every x86-64
  CPU with AVX2, and tools/nbval_plugin.py fails the main run there if a figure needed the tolerance.)

Each run is a separate `pytest notebooks/` from the repository root, as a learner would type it.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

import nbformat

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


def start(cpu: str) -> subprocess.Popen:
    """`pytest notebooks/…` in a new process that sees the simulated CPU."""
    variables, tolerance = SIMULATED[cpu]
    env = dict(os.environ, **variables)
    assert capability(env) == variables["ATEN_CPU_CAPABILITY"].upper(), f"{cpu}: ATen ignored the setting"
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-n", "0", "-p", "no:cacheprovider", "-q", "-rfE",
         f"--svg-tolerance={tolerance}", *(str(p.relative_to(ROOT)) for p in NOTEBOOKS)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def test_notebooks_reproduce_on_a_cpu_without_avx2():
    run = start("no-avx2")
    report = run.communicate(timeout=1200)[0]
    assert run.returncode == 0, f"notebooks differ on a simulated CPU without AVX2:\n{report[-6000:]}"
    passed = re.search(r"(\d+) passed", report)
    assert passed and int(passed[1]) == code_cells(), report[-2000:]
    tolerated = re.search(r"(\d+) SVG figure\(s\) differed", report)
    print(f"no-avx2: {passed[1]} cells pass; figures accepted within the tolerance: "
          f"{tolerated[1] if tolerated else 0}")
