"""tools/export.py in detail: the names and origins it records, the cells it accepts, the exact messages and diffs
it gives, the files it writes and removes, and its command line. Written for mutation testing (`make mutants`):
each test catches changes that tests/test_export.py lets pass."""
from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from tools import export


def notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A chapter")] + [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def add_notebook(folder: Path, name: str, *sources: str) -> Path:
    path = folder / "notebooks" / name
    nbformat.write(notebook(*sources), path)
    return path


def blocks(source: str, monkeypatch) -> list[str]:
    """The blocks one #@save cell of a chapter gives, each without its provenance line."""
    monkeypatch.setattr(export, "ROOT", Path("/course"))
    monkeypatch.setattr(export.nbformat, "read", lambda *args, **kwargs: notebook(source))
    (module,) = export.collect(Path("/course/notebooks/99_blocks.ipynb"))
    return [block.partition("\n")[2] for block in module.blocks]


# ---------------------------------------------------------------- names and cells

def test_module_name_needs_a_number_and_an_identifier():
    assert export.module_name(Path("04_calculus.ipynb")) == "calculus"
    assert export.module_name(Path("10_a_b.ipynb")) == "a_b"
    for name in ("intro_calculus.ipynb", "04_my-topic.ipynb", "calculus.ipynb"):
        with pytest.raises(export.ExportError) as err:
            export.module_name(Path(name))
        assert str(err.value) == f"{name}: expected a name like '04_calculus.ipynb'"


def test_bound_names_and_their_origins():
    def bound(code: str) -> dict[str, str]:
        return export.bound_names(ast.parse(code).body[0])

    assert bound("import matplotlib.pyplot") == {"matplotlib": "import matplotlib"}
    assert bound("import matplotlib.pyplot as plt") == {"plt": "import matplotlib.pyplot"}
    assert bound("import numpy as np, torch") == {"np": "import numpy", "torch": "import torch"}
    assert bound("from torch import nn, optim as opt") == {"nn": "import torch.nn", "opt": "import torch.optim"}
    assert bound("import os.path, collections as c") == {}  # the standard library is not re-exported
    assert bound("from d2l_utils.checks import fail") == {}  # nor the package's own names
    assert bound("A, _b = 1, 2") == {"A": "def"}
    assert bound("LIMIT: int = 3") == {"LIMIT": "def"}
    assert bound("_PRIVATE: int = 3") == {}
    assert bound("class Timer:\n    pass") == {"Timer": "def"}


def test_saved_cells_skip_empty_cells_and_keep_the_source_as_written():
    nb = notebook("", "#@save\n\nX = 1\nY = 2 + X\t\n\n", "#@save checks\ndef f():\n    return 1", "x = 3")
    assert export.saved_cells(nb) == [(2, 2, "X = 1\nY = 2 + X\t", None), (3, 3, "def f():\n    return 1", "checks")]


def test_a_misplaced_marker_is_named_with_its_cell():
    with pytest.raises(export.ExportError) as err:
        export.saved_cells(notebook("x = 1  #@save"))
    assert str(err.value).startswith("notebook, cell 1 (In [1]): 'x = 1  #@save': write #@save alone on the first line")


def test_a_repeated_marker_line_is_harmless_and_not_exported(monkeypatch):
    source = "#@save\n# about g\ndef g():\n    return 0\n#@save\n  # about f\n# more\ndef f():\n    return 1\n# the end"
    assert [b for (_, _, b, _) in export.saved_cells(notebook(source))] == [source.partition("\n")[2]]
    assert blocks(source, monkeypatch) == ["# about g\ndef g():\n    return 0", "  # about f\n# more\ndef f():\n    return 1"]


def test_a_comment_on_the_first_line_stays_with_its_definition(monkeypatch):
    assert blocks("#@save\n# the answer\nANSWER = 42", monkeypatch) == ["# the answer\nANSWER = 42"]
    assert blocks("#@save\nimport torch\n# a note\n\ndef f():\n    return 1", monkeypatch) == ["def f():\n    return 1"]


def test_a_named_module_gets_a_title_from_its_name(sandbox):
    add_notebook(sandbox, "99_extra.ipynb", "#@save plotting_extra\ndef shade() -> int:\n    return 1")
    export.write()
    text = (sandbox / "d2l_utils" / "plotting_extra.py").read_text(encoding="utf-8")
    assert text.splitlines()[1] == '"""Plotting extra: helpers saved with #@save in notebooks/99_extra.ipynb."""'


# ---------------------------------------------------------------- messages

@pytest.mark.parametrize("source,message", [
    ("#@save\ndef f(:\n    pass", "#@save cell does not parse: "),
    ("#@save\nfrom torch import (\n    nn)", "line 1: write each #@save import alone on one line"),
    ("#@save\nimport numpy as np\nnp = 1", "line 2: np is bound twice in notebooks/99_bad.ipynb"),
])
def test_a_cell_that_cannot_be_exported_is_named_with_the_reason(sandbox, source, message):
    add_notebook(sandbox, "99_bad.ipynb", source)
    with pytest.raises(export.ExportError) as err:
        export.generate()
    assert str(err.value).startswith(f"notebooks/99_bad.ipynb, cell 1 (In [1]): {message}")


def test_a_name_exported_twice_names_both_notebooks_and_origins(sandbox):
    add_notebook(sandbox, "98_first.ipynb", "#@save\ndef helper():\n    return 1")
    add_notebook(sandbox, "99_second.ipynb", "#@save\ndef helper():\n    return 2")
    with pytest.raises(export.ExportError) as err:
        export.generate()
    assert str(err.value) == (
        "helper is exported by both 98_first.ipynb (def) and 99_second.ipynb (def): `d2l.helper` would silently be "
        "the later one; rename one, or import it from d2l_utils.first in 99_second.ipynb")


def test_a_stale_module_is_shown_as_a_diff_with_one_line_of_context(sandbox):
    module = sandbox / "d2l_utils" / "calculus.py"
    lines = module.read_text(encoding="utf-8").splitlines()
    at = lines.index("    axes.grid(True)")
    module.write_text(module.read_text(encoding="utf-8").replace("axes.grid(True)", "axes.grid(False)"), encoding="utf-8")
    (problem,) = export.stale_files()
    assert problem.startswith("d2l_utils/calculus.py differs from what the notebook gives (notebooks/04_calculus.ipynb). "
                              "Edit the #@save cells in notebooks/04_calculus.ipynb, then run `make lib`; never edit "
                              "d2l_utils/calculus.py by hand.\n")
    diff = problem.partition("\n")[2].splitlines()
    assert diff[:2] == ["--- d2l_utils/calculus.py (on disk)", "+++ d2l_utils/calculus.py (from notebooks/04_calculus.ipynb)"]
    assert diff[3:] == [" " + lines[at - 1], "-    axes.grid(False)", "+    axes.grid(True)", " " + lines[at + 1]]


def test_a_missing_module_and_init_are_reported(sandbox):
    (sandbox / "d2l_utils" / "calculus.py").unlink()
    init = sandbox / "d2l_utils" / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    problems = export.stale_files()
    assert len(problems) == 2
    missing = next(p for p in problems if p.startswith("d2l_utils/calculus.py"))
    assert missing.startswith("d2l_utils/calculus.py is missing (notebooks/04_calculus.ipynb). ")
    diff = missing.partition("\n")[2].splitlines()
    assert [line[0] for line in diff[3:]] == ["+"] * (len(diff) - 3), "every line is new"
    edited = next(p for p in problems if p.startswith("d2l_utils/__init__.py"))
    assert edited.startswith("d2l_utils/__init__.py differs from what the notebook gives (notebooks/*.ipynb). ")


# ---------------------------------------------------------------- files written

def test_write_returns_what_it_wrote_and_what_it_removed(sandbox):
    path = add_notebook(sandbox, "99_more.ipynb", "#@save\ndef extra():\n    return 1")
    module = sandbox / "d2l_utils" / "more.py"
    assert export.write() == [module, sandbox / "d2l_utils" / "__init__.py"]
    assert export.write() == []
    path.unlink()  # the chapter is gone: its generated module goes too
    assert export.write() == [sandbox / "d2l_utils" / "__init__.py", module]
    assert not module.exists()


def test_files_are_utf8_with_unix_newlines_whatever_the_platform(sandbox, monkeypatch):
    """On Windows the default encoding is cp1252 and text files get \\r\\n: the exporter must not rely on defaults."""
    real_read, real_write = Path.read_text, Path.write_text

    def read_text(self, encoding=None, errors=None):
        return real_read(self, encoding=encoding or "cp1252", errors=errors)

    def write_text(self, data, encoding=None, errors=None, newline=None):
        return real_write(self, data, encoding=encoding or "cp1252", errors=errors, newline=newline or "\r\n")

    monkeypatch.setattr(Path, "read_text", read_text)
    monkeypatch.setattr(Path, "write_text", write_text)
    path = add_notebook(sandbox, "99_text.ipynb", "#@save\nARROW = '→'  # a ≤ b, Á")
    export.write()
    module = sandbox / "d2l_utils" / "text.py"
    assert "ARROW = '→'  # a ≤ b, Á".encode("utf-8") in module.read_bytes() and b"\r" not in module.read_bytes()
    assert export.stale_files() == []
    assert export.write() == []
    path.unlink()  # removing the module reads it too (is it generated?): Á is b"\xc3\x81", not cp1252
    assert export.write() == [sandbox / "d2l_utils" / "__init__.py", module]


# ---------------------------------------------------------------- command line

def test_help_describes_the_tool(capsys):
    with pytest.raises(SystemExit) as exit_:
        export.main(["--help"])
    assert exit_.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Generate the d2l_utils package from the notebook cells marked ``#@save``." in out
    assert "--check report stale files, write nothing" in out


def test_main_names_what_it_wrote(sandbox, capsys):
    add_notebook(sandbox, "99_more.ipynb", "#@save\ndef extra():\n    return 1")
    assert export.main([]) == 0
    assert capsys.readouterr().out == "wrote d2l_utils/more.py\nwrote d2l_utils/__init__.py\n"
    assert export.main([]) == 0
    assert capsys.readouterr().out == ""


def test_main_reports_an_export_error_on_stderr(sandbox, capsys):
    add_notebook(sandbox, "99_bad.ipynb", "#@save\nprint('side effect')")
    assert export.main([]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: notebooks/99_bad.ipynb, cell 1 (In [1]): line 1: a #@save cell may hold only")
