"""Mutation testing: how many deliberately broken copies of the code the unit tests catch.

    python -m tools.mutants                          # every module (what `make mutants` runs)
    python -m tools.mutants tools/numerics.py ...    # only these modules

mutmut (pinned in requirements/dev.in) makes mutants of a module, each with one small change (`<` for
`<=`, `None` for a value, a string altered), and runs the unit tests that reach the changed function.
A mutant is killed when a test fails, survives when every test passes. The score of a module is the
share of its mutants that are killed or justified; each module must reach 90 %.

Each module is its own mutmut run, in build/mutants/<module>/ with its own copy of the project:
tests/test_export.py compares d2l_utils/ with the notebooks, so it can only run while the package is
not mutated, and a run per module gives each module's wall time. The settings the runs share are in
pyproject.toml [tool.mutmut]; this file chooses, per module, the fast unit tests that cover it.

d2l_utils is generated from the notebooks, so an equivalent mutant there (one that cannot change
behaviour) cannot carry mutmut's `# pragma: no mutate`: tests/mutants_justified.md names each one with
the reason, and the table counts them apart. The tools' equivalent mutants are listed there too (a pragma
would silence a whole line, with the mutants of it that the tests kill).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from tools.paths import BUILD, ROOT

THRESHOLD = 90.0  # per cent of mutants killed or justified, per module
WORK = BUILD / "mutants"
JUSTIFIED = ROOT / "tests" / "mutants_justified.md"
# A justified mutant is a list item that starts with its name in backticks: - `d2l_utils.x.x_f__mutmut_3`: why
JUSTIFIED_ITEM = re.compile(r"^- `([\w.ǁ]+__mutmut_\d+)`", re.MULTILINE)
# What the project's own files the runs need (symlinked into each run's folder; mutmut copies them).
PROJECT_FILES = ("conftest.py", "d2l_utils", "tools", "tests", "notebooks")

# The unit tests that cover each module, besides tests/test_mutants_<name>.py (written to kill its mutants).
# A mutant runs only those of them that reach the function it changes.
PACKAGE_TESTS = ("test_malformed_input", "test_checks")  # call every public helper of d2l_utils
MODULES: dict[str, tuple[str, ...]] = {
    "tools/svg_compare.py": ("test_svg_compare", "test_nbval_plugin"),
    "tools/export.py": ("test_export",),
    "tools/numerics.py": ("test_numerics", "test_nbval_plugin"),
    "tools/inputs.py": ("test_inputs",),
    "d2l_utils/checks.py": PACKAGE_TESTS + ("test_tensors", "test_calculus", "test_matrix_calculus", "test_autograd",
                                            "test_linear_regression", "test_linear_regression_scratch",
                                            "test_linear_regression_concise"),
    "d2l_utils/tensors.py": PACKAGE_TESTS + ("test_tensors",),
    "d2l_utils/answers.py": ("test_answers",),
    "d2l_utils/calculus.py": PACKAGE_TESTS + ("test_calculus", "test_matrix_calculus"),
    "d2l_utils/matrix_calculus.py": PACKAGE_TESTS + ("test_matrix_calculus",),
    "d2l_utils/autograd.py": PACKAGE_TESTS + ("test_autograd",),
    "d2l_utils/linear_regression.py": PACKAGE_TESTS + ("test_linear_regression",),
    "d2l_utils/linear_regression_scratch.py": PACKAGE_TESTS + ("test_linear_regression_scratch",),
    "d2l_utils/linear_regression_concise.py": PACKAGE_TESTS + ("test_linear_regression_concise",),
}


def tests_for(module: str) -> tuple[str, ...]:
    """The test files a module's run uses (names without .py)."""
    own = f"test_mutants_{Path(module).stem}"
    return MODULES[module] + ((own,) if (ROOT / "tests" / f"{own}.py").exists() else ())


@dataclass
class Score:
    """The outcome of one module's run."""

    module: str
    killed: int = 0
    survived: int = 0
    justified: int = 0
    other: int = 0  # timeout, no tests, suspicious, not checked
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.killed + self.survived + self.justified + self.other

    @property
    def percent(self) -> float:
        return 100.0 * (self.killed + self.justified) / self.total if self.total else 100.0

    @property
    def killed_percent(self) -> float:
        return 100.0 * self.killed / self.total if self.total else 100.0


def justified_mutants(text: str | None = None) -> set[str]:
    """The names listed in tests/mutants_justified.md."""
    text = JUSTIFIED.read_text(encoding="utf-8") if text is None else text
    return set(JUSTIFIED_ITEM.findall(text))


def mutmut_pyproject(module: str, tests: tuple[str, ...]) -> str:
    """The project's pyproject.toml with [tool.mutmut] narrowed to one module and its tests."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    shared = tomllib.loads(text)["tool"]["mutmut"]
    settings = dict(shared, source_paths=[module],
                    pytest_add_cli_args_test_selection=[f"tests/{name}.py" for name in tests])
    without = re.sub(r"^\[tool\.mutmut\]\n(?:(?!\[).*\n?)*", "", text, flags=re.MULTILINE)
    # JSON writes strings and lists of strings as TOML reads them.
    return without.rstrip("\n") + "\n\n[tool.mutmut]\n" + "".join(
        f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in settings.items())


def prepare(module: str, tests: tuple[str, ...]) -> Path:
    """A fresh folder for one module's run: links to the project's files and its own pyproject.toml."""
    folder = WORK / module.replace("/", "-").removesuffix(".py")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in PROJECT_FILES:
        (folder / name).symlink_to(ROOT / name)
    (folder / "pyproject.toml").write_text(mutmut_pyproject(module, tests), encoding="utf-8")
    return folder


def results(folder: Path, module: str) -> dict[str, int | None]:
    """mutmut's exit code per mutant of the module (1 or 3: killed, 0: survived, None: not checked)."""
    meta = json.loads((folder / "mutants" / f"{module}.meta").read_text(encoding="utf-8"))
    return meta["exit_code_by_key"]


def score(module: str, codes: dict[str, int | None], justified: set[str], seconds: float) -> Score:
    result = Score(module, seconds=seconds)
    for name, code in codes.items():
        if code in (1, 3):
            result.killed += 1
        elif code == 0 and name in justified:
            result.justified += 1
        elif code == 0:
            result.survived += 1
        else:
            result.other += 1
    return result


def run(module: str, tests: tuple[str, ...]) -> tuple[Score, list[str]]:
    """Run mutmut on one module with one worker; return its score and the names of its surviving mutants."""
    folder = prepare(module, tests)
    # Only the run's own copy is importable (mutmut puts mutants/ first on sys.path); one thread per library.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    mutmut = Path(sys.executable).with_name("mutmut")
    start = time.monotonic()
    proc = subprocess.run([str(mutmut), "run", "--max-children", "1"], cwd=folder, env=env,
                          capture_output=True, text=True)
    seconds = time.monotonic() - start
    (folder / "mutmut.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    if proc.returncode != 0:
        raise SystemExit(f"mutmut failed on {module} (exit {proc.returncode}); see {folder / 'mutmut.log'}:\n"
                         + (proc.stdout + proc.stderr)[-3000:])
    codes = results(folder, module)
    justified = justified_mutants()
    survivors = sorted(name for name, code in codes.items() if code not in (1, 3) and name not in justified)
    return score(module, codes, justified, seconds), survivors


def table(scores: list[Score]) -> str:
    header = ("module", "mutants", "killed", "survived", "justified", "timeout/other", "killed %", "score %", "time")
    rows = [header] + [(s.module, str(s.total), str(s.killed), str(s.survived), str(s.justified), str(s.other),
                        f"{s.killed_percent:.1f}", f"{s.percent:.1f}", f"{s.seconds:.0f} s") for s in scores]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
             for row in rows]
    return "\n".join(lines[:1] + ["-" * len(lines[0])] + lines[1:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=f"default: all of {', '.join(MODULES)}")
    args = parser.parse_args(argv)
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; choose from {list(MODULES)}")
    scores = []
    for module in args.modules or list(MODULES):
        print(f"mutmut: {module} ...", flush=True)
        result, survivors = run(module, tests_for(module))
        scores.append(result)
        for name in survivors:
            print(f"    not killed: {name}", flush=True)
        print(f"    {result.killed} of {result.total} killed, {result.justified} justified, "
              f"score {result.percent:.1f} % in {result.seconds:.0f} s", flush=True)
    print(table(scores))
    low = [s.module for s in scores if s.percent < THRESHOLD]
    if low:
        print(f"below {THRESHOLD:g} %: {', '.join(low)} (`mutmut show NAME` in build/mutants/<module>/ shows a mutant)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
