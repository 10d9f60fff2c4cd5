"""tools/kernel_ports.py: the tests' kernels get ports below the ephemeral range, never the same one twice in a row."""
from __future__ import annotations

import socket
import subprocess
import sys

import pytest
from jupyter_client.connect import LocalPortCache

from tools import kernel_ports
from tools.paths import ROOT


def test_ports_are_handed_out_in_turn_across_processes(tmp_path):
    counter = tmp_path / "counter"
    code = ("import sys; from pathlib import Path; from tools import kernel_ports; "
            "print(*(kernel_ports.next_port('127.0.0.1', Path(sys.argv[1])) for _ in range(20)))")
    runs = [subprocess.Popen([sys.executable, "-c", code, str(counter)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
            for _ in range(3)]
    ports = [int(p) for run in runs for p in run.communicate(timeout=60)[0].split()]
    assert len(ports) == 60 and len(set(ports)) == 60, sorted(ports)
    low = kernel_ports.ephemeral_range()[0]
    assert all(kernel_ports.FIRST <= p <= kernel_ports.LAST < low for p in ports)


def test_a_port_in_use_is_skipped(tmp_path):
    counter = tmp_path / "counter"
    first = kernel_ports.next_port("127.0.0.1", counter)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", first + 1))
        taken.listen()
        assert kernel_ports.next_port("127.0.0.1", counter) == first + 2


def test_the_counter_wraps_to_the_first_port(tmp_path):
    counter = tmp_path / "counter"
    counter.write_text(str(kernel_ports.LAST))
    assert kernel_ports.next_port("127.0.0.1", counter) == kernel_ports.FIRST


def test_a_range_reaching_the_ephemeral_ports_is_refused(tmp_path):
    low = kernel_ports.ephemeral_range()[0]
    with pytest.raises(ValueError, match="below the ephemeral range"):
        kernel_ports.next_port("127.0.0.1", tmp_path / "counter", first=low - 10, last=low + 10)


def test_jupyter_client_takes_its_ports_from_here():
    """The root conftest.py installed it in this process: a kernel's port comes from the course's range."""
    cache = LocalPortCache.instance()
    port = cache.find_available_port("127.0.0.1")
    cache.return_port(port)
    assert kernel_ports.FIRST <= port <= kernel_ports.LAST
