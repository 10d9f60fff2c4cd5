"""The numerical environment of every notebook run: the one place that makes outputs reproducible.

    python -m tools.numerics        # print the variables this machine gets

Committed outputs are compared with what running a notebook produces (strict nbval). PyTorch's
math libraries choose their kernels by CPU, and the last bits of float results change with them:

- MKL (matrix products, linear algebra on x86) picks SSE, AVX2 or AVX-512 code at run time.
  MKL_CBWR=COMPATIBLE is its conditional-numerical-reproducibility mode: the same code path, and so
  the same bits, on every x86-64 CPU, Intel or AMD.
- ATen (PyTorch's own elementwise and reduction kernels) is compiled three times on x86, for no SIMD,
  AVX2 and AVX-512, and picks the widest the CPU has. ATEN_CPU_CAPABILITY=avx2 makes AVX2 and AVX-512
  machines run the same kernels. ATen does not check this value against the CPU, so it is set only where
  ATen itself would pick AVX2 or AVX-512: torch is asked, in a fresh interpreter without the variable
  (torch reads the CPU's feature flags itself, on Linux, macOS and Windows alike). Elsewhere (AVX only,
  no AVX, ARM) the figures' tolerant comparison covers the difference.
- Threads split reductions into different partial sums, so a 2-core and an 8-core machine could
  disagree: OpenMP, MKL and OpenBLAS get one thread each. The course's tensors are small; one thread is enough.

FIXED variables are always set. ATEN_CPU_CAPABILITY is kept when it is already set, so a test can
simulate another CPU (tests/test_portability.py). Setup writes all of them into the environment's `python3`
kernelspec (tools/lab.py install_environment), with torch's answer in its metadata, so whatever starts that
kernel gets them (JupyterLab, `jupyter execute`, Binder), and torch is asked once per environment. That
kernelspec sets ATEN_CPU_CAPABILITY outright (a kernel's spec env wins over its parent's): a simulation needs a
spec without it (tests/test_portability.py writes one).
What starts kernels from this repository also calls apply(): the root conftest.py (make test, make test-nb,
plain pytest), tools/execute.py (make execute) and tools/lab.py (make lab).
"""
from __future__ import annotations

import functools
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

# Independent of the CPU: reproducible MKL, one thread everywhere.
FIXED = {
    "MKL_CBWR": "COMPATIBLE",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}
# Where setup records what torch detected (tools/lab.py writes it): the environment's python3 kernelspec.
KERNELSPEC = Path(sys.prefix) / "share" / "jupyter" / "kernels" / "python3" / "kernel.json"
RECORD = "course_cpu_capability"
PROBE = "import torch; print(torch.backends.cpu.get_cpu_capability())"


def aten_capability(detected: str, machine: str) -> str | None:
    """The ATEN_CPU_CAPABILITY to pin, given the capability ATen picks by itself on this CPU, or None."""
    if machine.lower() not in ("x86_64", "amd64"):
        return None  # ARM and others: ATen's x86 names mean nothing there
    return "avx2" if detected.upper() in ("AVX2", "AVX512") else None


def detect_capability(python: str = sys.executable) -> str:
    """The capability ATen picks on this CPU when left alone (AVX512, AVX2, DEFAULT, ...), asked of torch."""
    env = {name: value for name, value in os.environ.items() if name != "ATEN_CPU_CAPABILITY"}
    result = subprocess.run([python, "-c", PROBE], env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or not result.stdout.strip():
        raise RuntimeError(f"could not ask torch for the CPU capability: {result.stderr.strip()[-500:]}")
    return result.stdout.strip().splitlines()[-1]


def recorded_capability(spec: Path = KERNELSPEC) -> str | None:
    """What setup recorded in the course kernelspec, or None when there is no such record."""
    try:
        value = json.loads(spec.read_text(encoding="utf-8")).get("metadata", {}).get(RECORD)
    except (OSError, ValueError):
        return None
    return value if isinstance(value, str) and value else None


@functools.cache
def detected(spec: Path = KERNELSPEC) -> str:
    """This machine's capability: the record in the kernelspec `spec` when there is one, otherwise torch's answer."""
    return recorded_capability(spec) or detect_capability()


def environment(capability: str | None = None, machine: str | None = None) -> dict[str, str]:
    """The variables a notebook kernel needs on a machine where ATen picks `capability` (default: this one)."""
    env = dict(FIXED)
    pinned = aten_capability(detected() if capability is None else capability, machine or platform.machine())
    if pinned:
        env["ATEN_CPU_CAPABILITY"] = pinned
    return env


def pins_aten() -> bool:
    """True where the course pins ATen's kernels (and outputs must match the committed ones bit for bit)."""
    return "ATEN_CPU_CAPABILITY" in environment()


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
