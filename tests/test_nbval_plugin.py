"""tools/nbval_plugin.py's tally: on a machine running the course's AVX2 kernels, a figure that needed the
tolerance fails the run (outputs there must be bit-identical); elsewhere it is only reported."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from tools import nbval_plugin, numerics


def finish(tolerated: int, capability: str, avx2: bool, monkeypatch) -> tuple[int, list[str]]:
    """Run the tally over one report with `tolerated` figures; return the exit status and the summary."""
    monkeypatch.setenv("ATEN_CPU_CAPABILITY", capability)
    monkeypatch.setattr(numerics, "pins_aten", lambda: avx2)
    config = SimpleNamespace(getoption=lambda name: 0.01)
    tally = nbval_plugin._Tally(config)
    tally.pytest_runtest_logreport(SimpleNamespace(when="call", user_properties=[(nbval_plugin.TOLERATED, tolerated)]))
    session = SimpleNamespace(exitstatus=pytest.ExitCode.OK)
    tally.pytest_sessionfinish(session)
    lines = []
    tally.pytest_terminal_summary(SimpleNamespace(write_line=lambda text, **kw: lines.append(text)))
    return session.exitstatus, lines


def test_a_tolerated_figure_fails_the_run_on_an_avx2_machine(monkeypatch):
    status, lines = finish(2, "avx2", True, monkeypatch)
    assert status == pytest.ExitCode.TESTS_FAILED and lines[0].startswith("FAILED: 2 SVG figure(s)")


def test_identical_figures_pass_on_an_avx2_machine(monkeypatch):
    assert finish(0, "avx2", True, monkeypatch) == (pytest.ExitCode.OK, [])


@pytest.mark.parametrize("capability,avx2", [("default", True), ("avx2", False)])
def test_elsewhere_a_tolerated_figure_is_reported_not_failed(monkeypatch, capability, avx2):
    status, lines = finish(3, capability, avx2, monkeypatch)
    assert status == pytest.ExitCode.OK and lines[0].startswith("3 SVG figure(s) differed")
