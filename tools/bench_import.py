"""Benchmark: what `import d2l_utils` costs next to importing torch and matplotlib alone.

    python -m tools.bench_import [--runs N]       # what `make bench` runs

Each import runs in a fresh interpreter, N times; the table gives the median and the range of wall time.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CASES = {
    "python (empty)": "pass",
    "torch": "import torch",
    "matplotlib.pyplot": "import matplotlib.pyplot",
    "torch + matplotlib.pyplot": "import torch, matplotlib.pyplot",
    "d2l_utils": "import d2l_utils",
}


def measure(code: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    results = {name: measure(code, args.runs) for name, code in CASES.items()}
    base = statistics.median(results["torch + matplotlib.pyplot"])
    print(f"{'import':28} {'median s':>9} {'min s':>7} {'max s':>7} {'vs torch+mpl':>13}")
    for name, times in results.items():
        median = statistics.median(times)
        print(f"{name:28} {median:9.3f} {min(times):7.3f} {max(times):7.3f} {median / base:12.2f}x")
    print(f"({args.runs} fresh interpreters each; wall time, so expect noise on a shared machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
