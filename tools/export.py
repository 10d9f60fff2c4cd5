"""Generate the d2l_utils package from the notebook cells marked ``#@save``.

A cell whose first line is ``#@save`` may hold only imports, functions, classes and constants.
Each chapter with such cells becomes one module: ``notebooks/04_calculus.ipynb`` ->
``d2l_utils/calculus.py``. ``d2l_utils/__init__.py`` re-exports every module in reading order.

    python -m tools.export           # write the package (what `make lib` runs)
    python -m tools.export --check   # exit 1 and name the notebook if a file would change
"""
from __future__ import annotations

import argparse
import ast
import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PACKAGE = ROOT / "d2l_utils"
MARKER = "#@save"
REGENERATE = "make lib"


class ExportError(Exception):
    """A #@save cell that cannot be exported."""


@dataclass
class Module:
    """One generated module and the notebook it comes from."""

    name: str
    notebook: Path
    title: str
    imports: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return PACKAGE / f"{self.name}.py"


def module_name(notebook: Path) -> str:
    """'04_calculus.ipynb' -> 'calculus'."""
    number, _, rest = notebook.stem.partition("_")
    if not (number.isdigit() and rest.isidentifier()):
        raise ExportError(f"{notebook.name}: expected a name like '04_calculus.ipynb'")
    return rest


def notebook_title(nb: nbformat.NotebookNode) -> str:
    """The first markdown heading, without the '#'."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            return first.lstrip("#").strip()
    return ""


def saved_cells(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(cell index, source without the marker line) of every #@save cell."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        lines = cell.source.splitlines()
        if lines and lines[0].strip() == MARKER:
            found.append((index, "\n".join(lines[1:]).strip("\n")))
    return found


def bound_names(node: ast.stmt) -> list[str]:
    """Public names a top-level import, def, class or constant binds (they go into __all__)."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        names = [(alias.asname or alias.name).split(".")[0] for alias in node.names]
    elif isinstance(node, ast.Assign):
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
    elif isinstance(node, ast.AnnAssign):
        names = [node.target.id] if isinstance(node.target, ast.Name) else []
    else:
        names = [node.name]  # type: ignore[attr-defined]
    # Third-party modules the helpers use are re-exported as the book's d2l does (d2l.plt, d2l.torch);
    # standard-library modules and names imported from d2l_utils itself are not.
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        root = node.names[0].name if isinstance(node, ast.Import) else (node.module or "")
        if root.split(".")[0] in sys.stdlib_module_names:
            return []
        # Helpers one chapter borrows from another are exported by the chapter that defines them.
        if root.split(".")[0] == PACKAGE.name:
            return []
    return [n for n in names if not n.startswith("_")]


def collect(notebook: Path) -> Module | None:
    """Read one notebook's #@save cells; None when it has none."""
    nb = nbformat.read(notebook, as_version=4)
    cells = saved_cells(nb)
    if not cells:
        return None
    module = Module(module_name(notebook), notebook, notebook_title(nb))
    for index, source in cells:
        where = f"{notebook.relative_to(ROOT)}, cell {index}"
        try:
            tree = ast.parse(source)
        except SyntaxError as err:
            raise ExportError(f"{where}: #@save cell does not parse: {err}") from err
        lines = source.splitlines()
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                if node.col_offset or node.end_lineno != node.lineno:
                    raise ExportError(f"{where}: write each #@save import on one line")
                line = lines[node.lineno - 1].strip()
                if line not in module.imports:
                    module.imports.append(line)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)):
                start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
                # keep comment lines written just above the definition
                while start > 1 and lines[start - 2].lstrip().startswith("#") and lines[start - 2].strip() != MARKER:
                    start -= 1
                module.blocks.append("\n".join(lines[start - 1:node.end_lineno]))
            else:
                raise ExportError(
                    f"{where}: line {node.lineno}: a #@save cell may hold only imports, functions, "
                    f"classes and constants; move other code to an unmarked cell"
                )
            for name in bound_names(node):
                if name not in module.names:
                    module.names.append(name)
    return module


def render(module: Module) -> str:
    """Source text of one generated module."""
    rel = module.notebook.relative_to(ROOT).as_posix()
    parts = [
        f"# AUTOGENERATED from {rel} by `{REGENERATE}`. Edit the notebook, not this file.",
        f'"""{module.title}: helpers saved with #@save in {rel}."""',
        "\n".join(module.imports),
        "__all__ = [" + ", ".join(repr(n) for n in module.names) + "]",
        *module.blocks,
    ]
    body = "\n\n\n".join(p for p in parts[2:] if p)
    return "\n".join(parts[:2]) + "\n" + body + "\n"


def render_init(modules: list[Module]) -> str:
    """Source text of d2l_utils/__init__.py."""
    lines = [
        f"# AUTOGENERATED by `{REGENERATE}` from the #@save cells of notebooks/*.ipynb. Do not edit.",
        '"""Helpers of the course, importable as the book\'s `d2l` package: `import d2l_utils as d2l`."""',
    ]
    for module in modules:
        lines.append(f"from .{module.name} import *  # {module.notebook.relative_to(ROOT).as_posix()}")
    lines.append("from . import " + ", ".join(m.name for m in modules))
    lines.append("")
    lines.append("# Every public name once (torch, np and plt are re-exported by several modules).")
    lines.append("__all__ = list(dict.fromkeys([")
    for module in modules:
        lines.append(f"    *{module.name}.__all__,")
    lines.append("]))")
    return "\n".join(lines) + "\n"


def generate() -> dict[Path, tuple[str, str]]:
    """Every generated file: path -> (text, notebook it comes from)."""
    modules = [m for nb in sorted(NOTEBOOKS.glob("*.ipynb")) if (m := collect(nb))]
    files = {m.path: (render(m), m.notebook.relative_to(ROOT).as_posix()) for m in modules}
    files[PACKAGE / "__init__.py"] = (render_init(modules), "notebooks/*.ipynb")
    return files


def stale_files() -> list[str]:
    """One message per generated file that differs from what the notebooks give."""
    problems = []
    files = generate()
    for path, (text, source) in files.items():
        rel = path.relative_to(ROOT).as_posix()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        what = "is missing" if current is None else "differs from what the notebook gives"
        diff = "".join(
            difflib.unified_diff(
                (current or "").splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"{rel} (on disk)",
                f"{rel} (from {source})",
                n=1,
            )
        )
        problems.append(
            f"{rel} {what} ({source}). Edit the #@save cells in {source}, "
            f"then run `{REGENERATE}`; never edit {rel} by hand.\n{diff}"
        )
    for path in sorted(PACKAGE.glob("*.py")):
        if path not in files:
            problems.append(
                f"{path.relative_to(ROOT).as_posix()} comes from no notebook: every module of "
                f"d2l_utils is generated. Move its code into a #@save cell and run `{REGENERATE}`."
            )
    return problems


def write() -> list[Path]:
    """Write every generated file that changed; return those paths."""
    PACKAGE.mkdir(exist_ok=True)
    changed = []
    files = generate()
    for path, (text, _) in files.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    for path in PACKAGE.glob("*.py"):
        if path in files:
            continue
        if not path.read_text(encoding="utf-8").startswith("# AUTOGENERATED"):
            raise ExportError(f"{path.relative_to(ROOT)} was written by hand: move it into a #@save cell")
        path.unlink()  # its notebook was renamed or lost its #@save cells
        changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale files, write nothing")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = stale_files()
            for problem in problems:
                print(problem, file=sys.stderr)
            return 1 if problems else 0
        for path in write():
            print(f"wrote {path.relative_to(ROOT)}")
    except ExportError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
