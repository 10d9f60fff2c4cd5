"""A code cell that prints the numerical environment a notebook kernel actually runs in."""
from __future__ import annotations

import subprocess
import sys

from tools import numerics

SOURCE = """\
import os, torch
print(os.environ.get('MKL_CBWR'), torch.get_num_threads(), torch.backends.cpu.get_cpu_capability())
"""


def expected() -> str:
    """What SOURCE prints in a kernel that got the course's environment on this machine."""
    if numerics.pins_aten():
        capability = "AVX2"
    else:  # ATen is left to pick on its own here
        code = "import torch; print(torch.backends.cpu.get_cpu_capability())"
        capability = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()
    return f"COMPATIBLE 1 {capability}"
