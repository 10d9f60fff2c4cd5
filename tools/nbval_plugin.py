"""pytest plugin for the notebooks: the course's numerical environment and tolerant figure comparison.

Loaded by the repository's root conftest.py, so it applies however the notebooks are tested:
`make test`, `make test-nb NB=…` and plain `pytest notebooks/…` from the repository root.

1. At import, before any kernel starts, it sets the numerical environment (tools/numerics.py); the
   kernels nbval starts inherit it.
2. It wraps nbval's output comparison. Before nbval compares a cell, each SVG figure the cell
   produced is checked against the committed figure in the same position with
   tools/svg_compare.py; if the two differ only by coordinates within the tolerance, the committed
   figure stands in for the produced one, and nbval's own exact comparison does the rest. Every
   other output (text, numbers, HTML, figures that differ in anything else) is compared exactly by
   nbval as before. Why a tolerance: on CPUs without AVX2 or on ARM, PyTorch's kernels round the
   last bits differently, and the sixth decimal of a coordinate can change (an invisible amount).

`--svg-tolerance=0` turns the tolerance off (bit-identical figures required). On a machine where the
course's environment runs ATen's AVX2 kernels (every x86-64 CPU with AVX2: the machines that made the
committed outputs), a figure that needed the tolerance fails the run anyway: there, outputs must be
bit-identical, so the main run itself proves it and no separate AVX2 simulation is needed.
"""
from __future__ import annotations

import base64
import copy
import os
import re

import pytest

from tools import numerics, svg_compare

numerics.apply()

SVG = "image/svg+xml"
HTML = "text/html"
EMBEDDED_SVG = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")
TOLERATED = "svg_figures_within_tolerance"


def pytest_addoption(parser):
    parser.addoption(
        "--svg-tolerance", type=float, default=svg_compare.DEFAULT_TOLERANCE,
        help="largest difference allowed between a coordinate of a produced and a committed SVG figure "
             f"(px, default {svg_compare.DEFAULT_TOLERANCE}; 0 requires identical figures)",
    )


def tolerate_figures(produced: list, committed: list, tolerance: float) -> tuple[list, list[str], int]:
    """Outputs to hand to nbval, why figures still differ, and how many matched only within tolerance.

    The k-th SVG produced is compared with the k-th SVG committed. Where they agree within the
    tolerance the committed SVG replaces the produced one; the rest is left as produced, with a
    sentence per figure saying where it differs beyond the tolerance. Figures inside an HTML output
    (a worked answer's box, d2l_utils/answers.py, holds them as `<img src="data:image/svg+xml;base64,…">`)
    are compared the same way, the k-th embedded figure with the k-th.
    """
    committed_svgs = [out["data"][SVG] for out in committed if SVG in out.get("data", {})]
    committed_embedded = [m for out in committed for m in EMBEDDED_SVG.findall(out.get("data", {}).get(HTML, ""))]
    result, problems = [], []
    tolerated = k = j = 0

    def keep_committed(reference: str, figure: str, label: str) -> bool:
        nonlocal tolerated
        problem = svg_compare.difference(reference, figure, tolerance)
        if problem is not None:
            problems.append(f"{label}: {problem}")
            return False
        tolerated += reference != figure
        return True

    def embedded(match: re.Match) -> str:
        nonlocal j
        j += 1
        if j > len(committed_embedded):
            return match.group(0)
        reference = committed_embedded[j - 1]
        if keep_committed(_decode(reference), _decode(match.group(1)), f"figure {j} inside an HTML output"):
            return match.group(0).replace(match.group(1), reference)
        return match.group(0)

    for out in produced:
        data = out.get("data", {})
        if SVG in data and k < len(committed_svgs):
            k += 1
            if keep_committed(committed_svgs[k - 1], data[SVG], f"figure {k}"):
                out = copy.copy(out)
                out["data"] = {**data, SVG: committed_svgs[k - 1]}
        elif EMBEDDED_SVG.search(data.get(HTML, "")):
            out = copy.copy(out)
            out["data"] = {**data, HTML: EMBEDDED_SVG.sub(embedded, data[HTML])}
        result.append(out)
    return result, problems, tolerated


def _decode(figure: str) -> str:
    """The SVG text of a base64 data URI's payload."""
    return base64.b64decode(figure).decode()


def _install() -> None:
    from nbval.plugin import IPyNbCell

    if getattr(IPyNbCell.compare_outputs, "course_tolerant", False):
        return
    exact = IPyNbCell.compare_outputs

    def compare_outputs(self, test, ref, skip_compare=None):
        tolerance = self.config.getoption("svg_tolerance", svg_compare.DEFAULT_TOLERANCE)
        test, problems, tolerated = tolerate_figures(test, ref, tolerance)
        if tolerated:
            self.user_properties.append((TOLERATED, tolerated))  # reaches the main process under xdist
        same = exact(self, test, ref, skip_compare)
        if not same and problems:
            self.comparison_traceback.insert(
                0, f"SVG figure differs beyond the {tolerance:g} px tolerance: " + "; ".join(problems))
        return same

    compare_outputs.course_tolerant = True
    IPyNbCell.compare_outputs = compare_outputs


class _Tally:
    """Counts figures accepted within the tolerance, for one line in pytest's summary."""

    def __init__(self, config):
        self.config, self.count = config, 0

    def pytest_runtest_logreport(self, report):
        if report.when == "call":
            self.count += sum(value for name, value in report.user_properties if name == TOLERATED)

    def exact_machine(self) -> bool:
        """True where the course's environment pins ATen to AVX2 (tools/numerics.py): outputs must then be
        bit-identical to the committed ones, which were made the same way, so no figure needs the tolerance."""
        return self.config.getoption("svg_tolerance") > 0 and os.environ.get("ATEN_CPU_CAPABILITY") == "avx2" \
            and numerics.pins_aten()

    def pytest_sessionfinish(self, session):
        if self.count and self.exact_machine():
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter):
        if self.count and self.exact_machine():
            terminalreporter.write_line(
                f"FAILED: {self.count} SVG figure(s) differed from the committed ones on a machine that runs the "
                "course's AVX2 kernels, where figures must be identical: re-run `make execute` on such a "
                "machine (tools/nbval_plugin.py)", red=True)
        elif self.count:
            terminalreporter.write_line(
                f"{self.count} SVG figure(s) differed from the committed ones only in coordinates, by at "
                f"most {self.config.getoption('svg_tolerance'):g} px, and were accepted (tools/nbval_plugin.py)")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    _install()
    config.pluginmanager.register(_Tally(config), "course-svg-tally")
