"""The numerical environment: what it sets, where, and that every way of running a notebook gets it."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools import numerics



# What torch reports (torch.backends.cpu.get_cpu_capability(), run without ATEN_CPU_CAPABILITY) on each kind of
# CPU: ATen picks AVX-512 only with AVX512F/BW/VL/DQ and FMA, AVX2 only with FMA too, else its plain kernels.
@pytest.mark.parametrize("cpu,reported,machine,pinned", [
    ("AVX-512 (Intel server, AMD Zen 4)", "AVX512", "x86_64", "avx2"),  # AVX-512 kernels pinned down to AVX2
    ("AVX2 with FMA", "AVX2", "x86_64", "avx2"),
    ("AVX2 with FMA, on Windows", "AVX2", "AMD64", "avx2"),
    ("AVX only (Sandy Bridge)", "DEFAULT", "x86_64", None),  # forcing avx2 would crash: illegal instruction
    ("no AVX (old Atom)", "DEFAULT", "x86_64", None),
    ("Apple silicon", "DEFAULT", "arm64", None),
    ("ARM Linux with SVE", "SVE256", "aarch64", None),
    ("ARM server that reports AVX2 by mistake", "AVX2", "aarch64", None),  # x86 names mean nothing on ARM
])
def test_the_capability_decision_for_each_kind_of_cpu(cpu, reported, machine, pinned):
    env = numerics.environment(reported, machine)
    assert env.get("ATEN_CPU_CAPABILITY") == pinned, cpu
    assert env["MKL_CBWR"] == "COMPATIBLE"
    assert env["OMP_NUM_THREADS"] == env["MKL_NUM_THREADS"] == env["OPENBLAS_NUM_THREADS"] == "1"


def test_the_decision_never_reads_proc(monkeypatch):
    """macOS and Windows have no /proc/cpuinfo: the decision must not depend on it."""
    import builtins
    real_open, real_read = builtins.open, Path.read_text

    def guarded_open(file, *args, **kwargs):
        assert not str(file).startswith("/proc"), f"read {file}"
        return real_open(file, *args, **kwargs)

    def guarded_read(self, *args, **kwargs):
        assert not str(self).startswith("/proc"), f"read {self}"
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(Path, "read_text", guarded_read)
    numerics.detected.cache_clear()
    try:
        assert numerics.environment()["MKL_CBWR"] == "COMPATIBLE"
    finally:
        numerics.detected.cache_clear()


def test_apply_keeps_a_simulated_cpu_and_overrides_the_rest():
    environ = {"ATEN_CPU_CAPABILITY": "default", "OMP_NUM_THREADS": "8", "MKL_CBWR": "AUTO"}
    applied = numerics.apply(environ)
    assert environ["ATEN_CPU_CAPABILITY"] == "default", "a simulated CPU must not be overridden"
    assert environ["MKL_CBWR"] == "COMPATIBLE" and applied["MKL_CBWR"] == "COMPATIBLE"
    assert environ["OMP_NUM_THREADS"] == "1", "a shell's thread count must not change the outputs"


def test_this_pytest_process_has_the_environment():
    """The root conftest.py applied it before any kernel started (kernels inherit os.environ)."""
    for name, value in numerics.environment().items():
        assert os.environ.get(name) == value or name == "ATEN_CPU_CAPABILITY", name


def test_make_lab_starts_jupyterlab_in_the_environment(monkeypatch, tmp_path):
    from tools import lab

    for name in numerics.environment():
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "notebooks").mkdir()
    seen = {}
    monkeypatch.setattr(lab, "trust_notebooks", lambda notebooks: [])
    monkeypatch.setattr(lab.os, "execv", lambda exe, cmd: seen.update(env=dict(os.environ), cmd=cmd))
    monkeypatch.chdir(tmp_path)
    lab.main(["--root", str(tmp_path), "--no-browser"])
    for name, value in numerics.environment().items():
        assert seen["env"].get(name) == value, name
