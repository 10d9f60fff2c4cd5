"""Root conftest: loads the course's notebook plugin and kernel ports for every pytest run from this repository.

tools/nbval_plugin.py fixes the numerical environment before any notebook kernel starts and lets
nbval compare SVG figures with a 0.01 px tolerance on coordinates; read it for why.
"""
from tools import kernel_ports

pytest_plugins = ["tools.nbval_plugin"]
# Kernels started by the tests take ports below the ephemeral range, where no outgoing connection can take
# them first (a kernel died with "Address already in use" in a full run); tools/kernel_ports.py says more.
kernel_ports.install()

# The slowest files first. Under `-n` each file runs on one worker (--dist loadfile); a slow file
# started last would leave the other workers idle while it runs. Measured in one full run with 3 workers on
# 2 cores (a busy machine), in seconds: JupyterLab and live RISE ~145, the notebooks on a simulated CPU in the
# course set's environment ~90, static slides ~60, the website ~40.
SLOW_FIRST = ("tests/test_live.py", "tests/test_portability.py", "tests/test_slides.py", "tests/test_site.py")


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        path = item.nodeid.split("::")[0]
        return SLOW_FIRST.index(path) if path in SLOW_FIRST else len(SLOW_FIRST)

    items.sort(key=rank)  # stable: the order within each group is unchanged
