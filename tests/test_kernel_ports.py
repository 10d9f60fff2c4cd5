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


def test_a_port_in_use_is_skipped(tmp_path, monkeypatch):
    counter = tmp_path / "counter"
    first = kernel_ports.next_port("127.0.0.1", counter)
    # Which ports are free is decided here: other workers' kernels use the real ones meanwhile.
    monkeypatch.setattr(kernel_ports, "is_free", lambda ip, port: port != first + 1)
    assert kernel_ports.next_port("127.0.0.1", counter) == first + 2


def test_the_counter_wraps_to_the_first_port(tmp_path, monkeypatch):
    counter = tmp_path / "counter"
    counter.write_text(str(kernel_ports.LAST))
    monkeypatch.setattr(kernel_ports, "is_free", lambda ip, port: True)
    assert kernel_ports.next_port("127.0.0.1", counter) == kernel_ports.FIRST


def test_a_bound_port_is_not_free():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert not kernel_ports.is_free("127.0.0.1", taken.getsockname()[1])


def test_a_range_reaching_the_ephemeral_ports_is_refused(tmp_path):
    low = kernel_ports.ephemeral_range()[0]
    with pytest.raises(ValueError, match="below the ephemeral range"):
        kernel_ports.next_port("127.0.0.1", tmp_path / "counter", first=low - 10, last=low + 10)


def test_jupyter_client_takes_its_ports_from_here():
    """The root conftest.py installed it in this process where it applies: a kernel's port comes from the
    course's range; elsewhere jupyter_client keeps its own way."""
    applies = sys.platform != "win32" and kernel_ports.ephemeral_range()[0] > kernel_ports.LAST
    cache = LocalPortCache.instance()
    port = cache.find_available_port("127.0.0.1")
    cache.return_port(port)
    if applies:
        assert kernel_ports.FIRST <= port <= kernel_ports.LAST
    else:
        assert LocalPortCache.find_available_port.__module__ == "jupyter_client.connect"


def test_install_leaves_jupyter_client_alone_where_no_range_is_safe(monkeypatch):
    monkeypatch.setattr(kernel_ports, "ephemeral_range", lambda: (1024, 65535))
    assert kernel_ports.install() is False
