"""Ports for the kernels the tests start, handed out in turn below the ephemeral range.

jupyter_client gives a new kernel five ports by binding port 0, reading the number and closing the socket;
the kernel binds them a moment later. Port 0 comes from the ephemeral range (32768-60999 on Linux), the
range every outgoing connection on the machine also takes its local port from: when one of them takes the
port first, the kernel dies with "Address already in use" (seen in a full `make test` with three workers,
where Chromium, JupyterLab and dozens of kernel clients connect all the time; jupyter_client#487 is the same
race between two kernels).

install() makes jupyter_client take ports from FIRST..LAST instead, below the ephemeral range, where no
outgoing connection goes: one after another across every process of the test run (a counter in a locked
file), each checked free by binding it. The root conftest.py installs it in every pytest process (nbval's
kernels, tools.execute called by a test, the kernels tests start themselves); tests/support.py start_lab has
the JupyterLab servers of the browser tests install it through their config file. Two kernels of the suite
still take jupyter_client's own ports: those of `python -m tools.execute` and `jupyter nbconvert --execute`,
which tests/test_kernel_env.py runs as commands, as a learner would.
"""
from __future__ import annotations

import os
import socket
import sys
import tempfile
from pathlib import Path

FIRST = 20000
LAST = 32000  # below 32768, where Linux's default ephemeral range starts
COUNTER = Path(tempfile.gettempdir()) / f"course-kernel-ports-{getattr(os, 'getuid', lambda: 'user')()}"


def ephemeral_range() -> tuple[int, int]:
    """The range the kernel gives outgoing connections their ports from (Linux; else the IANA range)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 49152, 65535


def is_free(ip: str, port: int) -> bool:
    """Whether a socket can bind `port` on `ip` now."""
    with socket.socket() as probe:
        try:
            probe.bind((ip, port))
        except OSError:
            return False
    return True


def next_port(ip: str, counter: Path = COUNTER, first: int = FIRST, last: int = LAST) -> int:
    """The next free port after the one handed out last by any process (wrapping from `last` to `first`)."""
    import fcntl  # POSIX; install() leaves Windows alone

    if not 0 < first <= last < ephemeral_range()[0]:
        raise ValueError(f"ports {first}..{last} must lie below the ephemeral range {ephemeral_range()}")
    with open(counter, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)  # released when the file closes
        f.seek(0)
        text = f.read().strip()
        port = int(text) if text.isdigit() and first <= int(text) <= last else last
        for _ in range(last - first + 1):
            port = port + 1 if port < last else first
            if is_free(ip, port):
                f.seek(0)
                f.truncate()
                f.write(str(port))
                return port
    raise RuntimeError(f"no free port in {first}..{last} for a kernel")


def install() -> bool:
    """Make jupyter_client's port cache hand out next_port(); whether it did. Not on Windows (the lock is
    fcntl's), nor where the ephemeral range starts at or below LAST (some containers start it at 1024):
    there no range is safe from outgoing connections, and jupyter_client keeps its own way."""
    if sys.platform == "win32" or ephemeral_range()[0] <= LAST:
        return False
    from jupyter_client.connect import LocalPortCache

    def find_available_port(self, ip: str) -> int:
        port = next_port(ip)
        self.currently_used_ports.add(port)
        return port

    LocalPortCache.find_available_port = find_available_port
    return True
