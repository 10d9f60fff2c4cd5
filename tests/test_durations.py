"""tools/durations.py: test time per file from pytest's JUnit report (`make durations`)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tools import durations

REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="0" failures="0" skipped="0" tests="5" time="{wall}">
<testcase classname="tests.test_site" name="test_a[01_tensors]" time="{a}" />
<testcase classname="tests.test_site" name="test_b" time="{b}" />
<testcase classname="tests.test_live.TestDeck" name="test_c" time="{c}" />
<testcase classname="notebooks.01_tensors.ipynb" name="Cell 0" time="{d}" />
<testcase classname="notebooks.01_tensors.ipynb" name="Cell 1" time="{e}" />
</testsuite></testsuites>
"""


def report(tmp_path: Path, name: str, **times: float) -> Path:
    path = tmp_path / name
    path.write_text(REPORT.format(**times))
    return path


@pytest.mark.parametrize("classname, file", [
    ("tests.test_site", "tests/test_site.py"),
    ("tests.test_live.TestDeck", "tests/test_live.py"),
    ("notebooks.01_tensors.ipynb", "notebooks/01_tensors.ipynb"),
    ("notebooks.08_linear_regression_scratch.ipynb", "notebooks/08_linear_regression_scratch.ipynb"),
    ("", "(no file: a collection error)"),
])
def test_file_of(classname, file):
    assert durations.file_of(classname) == file


def test_times_add_up_per_file(tmp_path):
    times, wall = durations.per_file(report(tmp_path, "r.xml", wall=9.5, a=1.25, b=2.0, c=4.0, d=0.5, e=0.25))
    assert dict(times) == {"tests/test_site.py": 3.25, "tests/test_live.py": 4.0, "notebooks/01_tensors.ipynb": 0.75}
    assert wall == 9.5


def test_the_table_lists_the_slowest_first_beside_the_baseline(tmp_path):
    now = report(tmp_path, "now.xml", wall=9.5, a=1.25, b=2.0, c=4.0, d=0.5, e=0.25)
    then = report(tmp_path, "then.xml", wall=20.0, a=5.0, b=5.0, c=6.0, d=1.0, e=1.0)
    lines = durations.table(now, then, rows=2).splitlines()
    assert lines == [
        "  before    after  file",
        "     6.0      4.0  tests/test_live.py",
        "    10.0      3.2  tests/test_site.py",
        "     2.0      0.8  (1 more files)",
        "    18.0      8.0  test time, all files",
        "    20.0      9.5  wall time of the pytest run",
    ]


def test_a_report_pytest_wrote_is_read_per_file(tmp_path):
    """The classnames of a real run (this pytest, --junitxml) map back to the file that holds the tests."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "__init__.py").write_text("")
    (tmp_path / "tests" / "test_tiny.py").write_text("def test_one():\n    pass\n\n"
                                                      "class TestTwo:\n    def test_two(self):\n        pass\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                             "-p", "no:nbval", "--junitxml=out.xml", "tests"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    times, wall = durations.per_file(tmp_path / "out.xml")
    assert list(times) == ["tests/test_tiny.py"] and wall > 0


@pytest.mark.parametrize("content", ["not xml", "<html><body/></html>"], ids=["not-xml", "other-xml"])
def test_a_file_that_is_not_a_report_is_an_error_naming_it(tmp_path, content):
    bad = tmp_path / "notes.txt"
    bad.write_text(content)
    with pytest.raises(SystemExit, match=f"^report must be a pytest JUnit XML file .*, got {bad}"):
        durations.per_file(bad)


def test_a_bad_baseline_is_named_as_the_baseline(tmp_path):
    good = report(tmp_path, "now.xml", wall=1.0, a=1.0, b=1.0, c=1.0, d=1.0, e=1.0)
    with pytest.raises(SystemExit, match=f"^baseline must be a pytest JUnit XML file .*, got {tmp_path / 'nowhere.xml'}"):
        durations.table(good, tmp_path / "nowhere.xml")


def test_rows_below_one_are_refused(tmp_path, capsys):
    good = report(tmp_path, "now.xml", wall=1.0, a=1.0, b=1.0, c=1.0, d=1.0, e=1.0)
    with pytest.raises(ValueError, match=r"^rows must be an int >= 1, got 0"):
        durations.table(good, rows=0)
    with pytest.raises(SystemExit):
        durations.main([str(good), "--rows", "-1"])
    assert "--rows must be an int >= 1, got -1" in capsys.readouterr().err
