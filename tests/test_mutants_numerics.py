"""tools/numerics.py in detail: the CPU flags it reads, the machines it calls x86-64, what `python -m tools.numerics`
prints. Written for mutation testing (`make mutants`): each test catches changes the chapter-level tests let pass."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools import numerics

CPUINFO = Path("/proc/cpuinfo")


def fake_cpuinfo(monkeypatch, text: str | None) -> None:
    """Make numerics read `text` as /proc/cpuinfo (None: the file cannot be read, as on macOS)."""
    real_read_text = Path.read_text

    def read_text(self, *args, **kwargs):
        if self == CPUINFO:
            if text is None:
                raise FileNotFoundError(self)
            return text
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)


@pytest.mark.skipif(not CPUINFO.exists(), reason="Linux only")
def test_cpu_flags_are_the_flags_line_of_proc_cpuinfo():
    line = re.search(r"^flags\s*:(.*)$", CPUINFO.read_text(), re.MULTILINE)
    assert numerics.cpu_flags() == (set(line[1].split()) if line else set())


def test_cpu_flags_from_a_cpuinfo_text(monkeypatch):
    fake_cpuinfo(monkeypatch, "processor\t: 0\nvendor_id\t: GenuineIntel\n"
                              "flags\t\t: fpu sse2 avx2 fma\nvmx flags\t: vnmi\nbugs\t\t: spectre_v1\n")
    assert numerics.cpu_flags() == {"fpu", "sse2", "avx2", "fma"}
    assert numerics.has_avx2(machine="x86_64")


def test_no_cpuinfo_means_no_flags(monkeypatch):
    fake_cpuinfo(monkeypatch, None)
    assert numerics.cpu_flags() == set()
    assert not numerics.has_avx2(machine="x86_64")
    fake_cpuinfo(monkeypatch, "Features\t: fp asimd\n")  # ARM Linux: no `flags` line
    assert numerics.cpu_flags() == set()


@pytest.mark.parametrize("machine", ["x86_64", "AMD64", "amd64"])  # AMD64: what Windows reports
def test_avx2_and_fma_alone_are_enough_on_every_name_of_x86_64(machine):
    assert numerics.has_avx2({"avx2", "fma"}, machine)
    assert numerics.environment({"avx2", "fma"}, machine)["ATEN_CPU_CAPABILITY"] == "avx2"
    assert not numerics.has_avx2({"fma"}, machine)


def test_main_prints_every_variable_it_sets(monkeypatch, capsys):
    for name in numerics.environment():
        monkeypatch.delenv(name, raising=False)
    assert numerics.main() == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == [f"{name}={value}" for name, value in numerics.environment().items()]
