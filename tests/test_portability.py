"""Every notebook passes strict nbval on simulated other CPUs.

PyTorch's kernels are chosen by CPU; these runs force the choices another machine would make:

- a CPU without AVX2 (ATen's plain C++ kernels, MKL limited to SSE4.2): the last bits of floats
  change, so figures may differ in the sixth decimal of coordinates and are accepted within the
  0.01 px tolerance; every text output must still match exactly;
- a CPU with AVX2 but not AVX-512 (ATen and MKL at AVX2): under the course's numerical environment
  (tools/numerics.py) its outputs must be bit-identical, so the tolerance is switched off.

Each run is a separate `pytest notebooks/` from the repository root, as a learner would type it.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

import nbformat
import pytest

from tools import numerics

from tools.paths import ROOT
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

SIMULATED = {
    "no-avx2": ({"ATEN_CPU_CAPABILITY": "default", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2"}, "0.01"),
    "avx2-only": ({"ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}, "0"),
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


def test_notebooks_reproduce_on_simulated_cpus():
    """Both simulated CPUs run at once: each run spends much of its time starting kernels."""
    cpus = [c for c in SIMULATED if SIMULATED[c][0]["ATEN_CPU_CAPABILITY"] != "avx2" or numerics.has_avx2()]
    assert "no-avx2" in cpus
    runs = {cpu: start(cpu) for cpu in cpus}
    reports = {cpu: run.communicate(timeout=1200)[0] for cpu, run in runs.items()}
    for cpu, run in runs.items():
        report = reports[cpu]
        assert run.returncode == 0, f"notebooks differ on a simulated {cpu} CPU:\n{report[-6000:]}"
        passed = re.search(r"(\d+) passed", report)
        assert passed and int(passed[1]) == code_cells(), report[-2000:]
        tolerated = re.search(r"(\d+) SVG figure\(s\) differed", report)
        print(f"{cpu}: {passed[1]} cells pass; figures accepted within the tolerance: "
              f"{tolerated[1] if tolerated else 0}")
    if len(cpus) < len(SIMULATED):
        pytest.skip("this CPU cannot run AVX2 kernels, so it cannot simulate an AVX2 machine")
