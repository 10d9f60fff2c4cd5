"""The numerical environment of every notebook run: the one place that makes outputs reproducible.

    python -m tools.numerics        # print the variables this machine gets

Committed outputs are compared with what running a notebook produces (strict nbval). PyTorch's
math libraries choose their kernels by CPU, and the last bits of float results change with them:

- MKL (matrix products, linear algebra on x86) picks SSE, AVX2 or AVX-512 code at run time.
  MKL_CBWR=COMPATIBLE is its conditional-numerical-reproducibility mode: the same code path, and so
  the same bits, on every x86-64 CPU, Intel or AMD.
- ATen (PyTorch's own elementwise and reduction kernels) is compiled three times, for no SIMD, AVX2
  and AVX-512, and picks the widest the CPU has. ATEN_CPU_CAPABILITY=avx2 makes AVX2 and AVX-512
  machines run the same kernels. ATen does not check this value against the CPU, so it is set only
  where the CPU has AVX2 and FMA; elsewhere the figures' tolerant comparison covers the difference.
- Threads split reductions into different partial sums, so a 2-core and an 8-core machine could
  disagree: every library gets one thread. The course's tensors are small; one thread is enough.

FIXED variables are always set. ATEN_CPU_CAPABILITY is kept when it is already set, so a test can
simulate another CPU (tests/test_portability.py). Everything that starts a notebook kernel calls
apply(): the root conftest.py (make test, make test-nb, plain pytest), tools/execute.py
(make execute) and tools/lab.py (make lab, so a learner sees the committed numbers).
"""
from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

# Independent of the CPU: reproducible MKL, one thread everywhere.
FIXED = {
    "MKL_CBWR": "COMPATIBLE",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}


def cpu_flags() -> set[str]:
    """The x86 feature flags of this CPU as Linux reports them (empty where unknown)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()


def has_avx2(flags: set[str] | None = None, machine: str | None = None) -> bool:
    """True when ATen's AVX2 kernels can run here (x86-64 with AVX2 and FMA)."""
    machine = (machine or platform.machine()).lower()
    if machine not in ("x86_64", "amd64"):
        return False
    flags = cpu_flags() if flags is None else flags
    return {"avx2", "fma"} <= flags


def environment(flags: set[str] | None = None, machine: str | None = None) -> dict[str, str]:
    """The variables a notebook kernel needs on this machine."""
    env = dict(FIXED)
    if has_avx2(flags, machine):
        env["ATEN_CPU_CAPABILITY"] = "avx2"
    return env


def apply(environ: dict | None = None) -> dict[str, str]:
    """Set the variables in `environ` (default os.environ); return the ones that apply."""
    environ = os.environ if environ is None else environ
    for name, value in environment().items():
        if name in FIXED:
            environ[name] = value
        else:
            environ.setdefault(name, value)
    return {name: environ[name] for name in environment()}


def main() -> int:
    for name, value in apply().items():
        print(f"{name}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
