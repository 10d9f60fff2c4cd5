"""Where the test suite's time goes: test time per file from pytest's JUnit report, optionally against an older one.

    python -m tools.durations build/test-report.xml                 # what `make durations` runs
    python -m tools.durations build/test-report.xml OLD.xml         # side by side with an earlier run

`make test` writes build/test-report.xml. A test's time is its setup, call and teardown; a file's time is the sum
over its tests, whichever worker ran them, so the column adds up to about twice the wall time under `-n 2`.
"""
from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path


def file_of(classname: str) -> str:
    """The test file of a JUnit classname: tests.test_site.TestX -> tests/test_site.py; a notebook's cells
    (notebooks.01_tensors.ipynb) -> notebooks/01_tensors.ipynb."""
    if not classname:
        return "(no file: a collection error)"
    if ".ipynb" in classname:
        return classname.split(".ipynb")[0].replace(".", "/", 1) + ".ipynb"
    parts = classname.split(".")
    module = next((i for i, part in enumerate(parts) if part.startswith("test_")), len(parts) - 1)
    return "/".join(parts[:module + 1]) + ".py"


def per_file(report: Path, name: str = "report") -> tuple[Counter, float]:
    """Seconds of test time per file, and the run's wall time, from a JUnit XML report (`name`: the argument it came
    from, for the error)."""
    expected = f"{name} must be a pytest JUnit XML file (a full `make test` writes build/test-report.xml)"
    try:
        root = ET.parse(report).getroot()
    except (OSError, ET.ParseError) as error:
        raise SystemExit(f"{expected}, got {report}: {error}") from None
    if root.tag not in ("testsuites", "testsuite"):
        raise SystemExit(f"{expected}, got {report}: its root element is <{root.tag}>, not <testsuites>")
    times: Counter = Counter()
    for case in root.iter("testcase"):
        times[file_of(case.get("classname", ""))] += float(case.get("time", 0))
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    return times, float(suite.get("time", 0)) if suite is not None else 0.0


def table(report: Path, baseline: Path | None = None, rows: int = 25) -> str:
    """The slowest files of `report` (and their time in `baseline`), then the totals and the wall times."""
    now, wall = per_file(report)
    if rows < 1:
        raise ValueError(f"rows must be an int >= 1, got {rows!r}")
    then, then_wall = per_file(baseline, "baseline") if baseline else (Counter(), 0.0)

    def row(before: float, after: float, label: str) -> str:
        return (f"{before:8.1f} " if baseline else "") + f"{after:8.1f}  {label}"

    lines = [f"{'before':>8} {'after':>8}  file" if baseline else f"{'seconds':>8}  file"]
    lines += [row(then[name], seconds, name) for name, seconds in now.most_common(rows)]
    rest = [name for name, _ in now.most_common()[rows:]]
    if rest:
        lines.append(row(sum(then[n] for n in rest), sum(now[n] for n in rest), f"({len(rest)} more files)"))
    lines.append(row(sum(then.values()), sum(now.values()), "test time, all files"))
    lines.append(row(then_wall, wall, "wall time of the pytest run"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("report", type=Path, help="pytest's JUnit XML report (make test writes build/test-report.xml)")
    parser.add_argument("baseline", type=Path, nargs="?", help="an earlier report to compare with")
    parser.add_argument("--rows", type=int, default=25, help="how many of the slowest files to list (default 25)")
    args = parser.parse_args(argv)
    try:
        print(table(args.report, args.baseline, args.rows))
    except ValueError as error:
        parser.error(f"--{error}")  # "--rows must be …"
    return 0


if __name__ == "__main__":
    sys.exit(main())
