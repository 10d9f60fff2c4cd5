"""tools/numerics.py in detail: how the capability is detected and recorded, the machines it calls x86-64, what
`python -m tools.numerics` prints. Written for mutation testing (`make mutants`): each test catches changes the
chapter-level tests let pass."""
from __future__ import annotations

import json

import pytest

from tools import numerics


@pytest.mark.parametrize("machine", ["x86_64", "AMD64", "amd64"])  # AMD64: what Windows reports
def test_every_name_of_x86_64_pins_avx2_where_aten_would_pick_it(machine):
    assert numerics.aten_capability("AVX2", machine) == "avx2"
    assert numerics.aten_capability("avx512", machine) == "avx2"  # torch's spelling is upper case; be lenient
    assert numerics.environment("AVX2", machine)["ATEN_CPU_CAPABILITY"] == "avx2"


def test_detection_ignores_a_capability_already_set(tmp_path, monkeypatch):
    """torch reports the capability in use, which the variable lowers: detection must ask without it. The probe
    here is a stand-in interpreter that prints the variable it gets (a real one costs seconds of CPU to import
    torch; test_this_machine_uses_the_record_setup_wrote asks the real torch)."""
    probe = tmp_path / "python"
    probe.write_text('#!/bin/sh\nprintf "%s" "${ATEN_CPU_CAPABILITY-not set}"\n')
    probe.chmod(0o755)
    monkeypatch.setenv("ATEN_CPU_CAPABILITY", "default")
    assert numerics.detect_capability(python=str(probe)) == "not set"


def fake_python(tmp_path, stdout: str, stderr: str, status: int) -> str:
    """An executable that answers like a probe interpreter: prints and exits with `status`."""
    script = tmp_path / "python"
    script.write_text(f"#!/bin/sh\nprintf '%s' '{stdout}'\nprintf '%s' '{stderr}' >&2\nexit {status}\n")
    script.chmod(0o755)
    return str(script)


@pytest.mark.parametrize("stdout,status", [("", 1), ("AVX2", 1), ("", 0), ("  \n", 0)])
def test_a_failed_probe_says_so(tmp_path, stdout, status):
    """An exit status other than 0, or no answer, is a failure even when the other looks fine."""
    with pytest.raises(RuntimeError, match="could not ask torch for the CPU capability"):
        numerics.detect_capability(python=fake_python(tmp_path, stdout, "", status))


def test_a_failed_probe_quotes_the_end_of_its_error(tmp_path):
    stderr = "x" * 600 + "ImportError: no torch"
    with pytest.raises(RuntimeError) as caught:
        numerics.detect_capability(python=fake_python(tmp_path, "", stderr, 1))
    assert str(caught.value) == "could not ask torch for the CPU capability: " + stderr[-500:]


def test_the_probe_answer_is_its_last_line(tmp_path):
    assert numerics.detect_capability(python=fake_python(tmp_path, "a warning\nAVX512\n", "", 0)) == "AVX512"


def test_the_record_is_read_from_the_kernelspec_metadata(tmp_path):
    spec = tmp_path / "kernel.json"
    assert numerics.recorded_capability(spec) is None  # no file
    spec.write_text("{not json")
    assert numerics.recorded_capability(spec) is None
    spec.write_text(json.dumps({"metadata": {"debugger": True}}))
    assert numerics.recorded_capability(spec) is None
    spec.write_text(json.dumps({"argv": ["python"]}))  # a kernelspec without metadata (ipykernel's own)
    assert numerics.recorded_capability(spec) is None
    spec.write_text(json.dumps({"metadata": {numerics.RECORD: ""}}))
    assert numerics.recorded_capability(spec) is None
    spec.write_text(json.dumps({"metadata": {numerics.RECORD: "AVX512"}}))
    assert numerics.recorded_capability(spec) == "AVX512"


def test_this_machine_uses_the_record_setup_wrote():
    """The environment's kernelspec carries torch's answer (tools/lab.py install_environment), so nothing asks again."""
    assert numerics.recorded_capability() == numerics.detect_capability()
    assert numerics.detected() == numerics.recorded_capability()
    assert numerics.pins_aten() == ("ATEN_CPU_CAPABILITY" in numerics.environment())


def test_main_prints_every_variable_it_sets(monkeypatch, capsys):
    for name in numerics.environment():
        monkeypatch.delenv(name, raising=False)
    assert numerics.main() == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == [f"{name}={value}" for name, value in numerics.environment().items()]
