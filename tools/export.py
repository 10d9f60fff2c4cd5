"""Generate the d2l_utils package from the notebook cells marked ``#@save``.

A cell whose first line is ``#@save`` may hold only imports, functions, classes and constants, one
statement per line. Each chapter with such cells becomes one module: ``notebooks/04_calculus.ipynb``
-> ``d2l_utils/calculus.py``; each block in it names the cell it comes from. A first line
``#@save checks`` sends its cell to a module of that name instead (``d2l_utils/checks.py``, the argument
checks every chapter uses); such a module is imported by the others, not star-exported as ``d2l.*``. ``d2l_utils/__init__.py``
re-exports every module in reading order. Anything that would be lost or shadowed silently stops the
export with a message naming the notebooks: a marker written another way (``def f():  #@save``,
``# @save``), two notebooks mapping to one module, one public name defined in two modules.

    python -m tools.export           # write the package (what `make lib` runs)
    python -m tools.export --check   # exit 1 and name the notebook if a file would change
"""
from __future__ import annotations

import argparse
import ast
import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from tools import deck, paths

ROOT = paths.ROOT
NOTEBOOKS = paths.NOTEBOOKS
PACKAGE = paths.PACKAGE
MARKER = "#@save"
REGENERATE = "make lib"
# A marker anywhere else in a code cell, or with a space: the exporter would not see it.
LOOSE_MARKER = re.compile(r"#\s*@save\b")
# The first line of an exported cell: `#@save`, or `#@save checks` for a module of its own.
FIRST_LINE = re.compile(r"#@save(?: ([a-z_]+))?")


class ExportError(Exception):
    """A #@save cell that cannot be exported."""


@dataclass
class Module:
    """One generated module and the notebook it comes from."""

    name: str
    notebook: Path
    title: str
    # A chapter's module is star-exported as d2l.*; a module named in `#@save NAME` is only imported.
    chapter: bool = True
    imports: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    # public name -> what it is: "import numpy" for a re-exported module, "def" for a definition
    origins: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return PACKAGE / f"{self.name}.py"


def module_name(notebook: Path) -> str:
    """'04_calculus.ipynb' -> 'calculus'."""
    number, _, rest = notebook.stem.partition("_")
    if not (number.isdigit() and rest.isidentifier()):
        raise ExportError(f"{notebook.name}: expected a name like '04_calculus.ipynb'")
    return rest


def saved_cells(nb: nbformat.NotebookNode, where: str = "notebook") -> list[tuple[int, int, str, str | None]]:
    """(cell index, code-cell number In [n], source without the marker line, module named in the
    marker or None) of every #@save cell."""
    found = []
    code_number = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        code_number += 1
        lines = cell.source.splitlines()
        first = FIRST_LINE.fullmatch(lines[0].strip()) if lines else None
        if first:
            found.append((index, code_number, "\n".join(lines[1:]).strip("\n"), first.group(1)))
        for number, line in enumerate(lines):
            # In an exported cell a repeated `#@save` line is harmless: the whole cell is exported.
            if LOOSE_MARKER.search(line) and not (first and (number == 0 or line.strip() == MARKER)):
                raise ExportError(
                    f"{where}, cell {index} (In [{code_number}]): {line.strip()!r}: write {MARKER} alone on the "
                    f"first line of the cell to export it (a marker elsewhere would be ignored)"
                )
    return found


def target_names(target: ast.expr) -> list[str]:
    """Names an assignment target binds: `A`, `A, B`, `(A, [B, *C])`."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for element in target.elts for n in target_names(element)]
    if isinstance(target, ast.Starred):
        return target_names(target.value)
    return []  # attribute or subscript: binds no module-level name


def bound_names(node: ast.stmt) -> dict[str, str]:
    """Public names a top-level import, def, class or constant binds (they go into __all__),
    each with its origin: what the name refers to, so two modules can be checked for clashes."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        bound = {}
        for alias in node.names:
            source = alias.name if isinstance(node, ast.Import) else f"{node.module}.{alias.name}"
            root = source.split(".")[0]
            # Third-party modules the helpers use are re-exported as the book's d2l does (d2l.plt,
            # d2l.torch); standard-library modules and names one chapter borrows from another
            # (exported by the chapter that defines them) are not.
            if root in sys.stdlib_module_names or root == PACKAGE.name:
                continue
            name = alias.asname or alias.name.split(".")[0]
            bound[name] = f"import {source if alias.asname or isinstance(node, ast.ImportFrom) else root}"
    elif isinstance(node, ast.Assign):
        bound = {n: "def" for t in node.targets for n in target_names(t)}
    elif isinstance(node, ast.AnnAssign):
        bound = {n: "def" for n in target_names(node.target)}
    else:
        bound = {node.name: "def"}  # type: ignore[attr-defined]
    return {n: origin for n, origin in bound.items() if not n.startswith("_")}


def collect(notebook: Path) -> list[Module]:
    """Read one notebook's #@save cells: its chapter module, then any module named by `#@save NAME`."""
    nb = nbformat.read(notebook, as_version=4)
    rel = notebook.relative_to(ROOT).as_posix()
    modules: dict[str | None, Module] = {}
    for index, number, source, target in saved_cells(nb, rel):
        if target not in modules:
            modules[target] = (Module(module_name(notebook), notebook, deck.chapter_title(nb)) if target is None
                               else Module(target, notebook, target.replace("_", " ").capitalize(), chapter=False))
        module = modules[target]
        where = f"{rel}, cell {index} (In [{number}])"
        try:
            tree = ast.parse(source)
        except SyntaxError as err:
            raise ExportError(f"{where}: #@save cell does not parse: {err}") from err
        lines = source.splitlines()
        previous_end = 0
        for node in tree.body:
            if node.lineno <= previous_end:
                raise ExportError(f"{where}: line {node.lineno}: one statement per line in a #@save cell")
            previous_end = node.end_lineno
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                line = lines[node.lineno - 1].strip()
                if node.col_offset or node.end_lineno != node.lineno:
                    raise ExportError(f"{where}: line {node.lineno}: write each #@save import alone on one line")
                if any(alias.name == "*" for alias in node.names):
                    raise ExportError(
                        f"{where}: line {node.lineno}: `{line}` cannot be listed in __all__; import the names you use"
                    )
                if line not in module.imports:
                    module.imports.append(line)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)):
                start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
                # keep comment lines written just above the definition
                while start > 1 and lines[start - 2].lstrip().startswith("#") and not FIRST_LINE.fullmatch(lines[start - 2].strip()):
                    start -= 1
                provenance = f"# {rel}, In [{number}]"
                module.blocks.append(provenance + "\n" + "\n".join(lines[start - 1:node.end_lineno]))
            else:
                raise ExportError(
                    f"{where}: line {node.lineno}: a #@save cell may hold only imports, functions, "
                    f"classes and constants; move other code to an unmarked cell"
                )
            for name, origin in bound_names(node).items():
                if name in module.origins and module.origins[name] != origin:
                    raise ExportError(f"{where}: line {node.lineno}: {name} is bound twice in {rel}")
                module.origins[name] = origin
                if name not in module.names:
                    module.names.append(name)
    # Named modules first: the chapter's own module imports them.
    return sorted(modules.values(), key=lambda m: m.chapter)


def render(module: Module) -> str:
    """Source text of one generated module."""
    rel = module.notebook.relative_to(ROOT).as_posix()
    # `from __future__` imports must come first in a module, whichever cell they were written in.
    imports = sorted(module.imports, key=lambda line: not line.startswith("from __future__ "))
    parts = [
        f"# AUTOGENERATED from {rel} by `{REGENERATE}`. Edit the notebook, not this file.",
        f'"""{module.title}: helpers saved with #@save in {rel}."""',
        "\n".join(imports),
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
        if module.chapter:
            lines.append(f"from .{module.name} import *  # {module.notebook.relative_to(ROOT).as_posix()}")
    lines.append("from . import " + ", ".join(m.name for m in modules))
    lines.append("")
    lines.append("# Every public name once (torch, np and plt are re-exported by several modules).")
    lines.append("__all__ = list(dict.fromkeys([")
    for module in modules:
        if module.chapter:
            lines.append(f"    *{module.name}.__all__,")
    lines.append("]))")
    return "\n".join(lines) + "\n"


def check_unique(modules: list[Module]) -> None:
    """Stop when two notebooks would write one module, or two modules bind one public name differently.

    Without this, one chapter's module would silently overwrite the other's, and through the star
    imports of __init__.py the later chapter's name would silently shadow the earlier one.
    Re-exporting the same third-party module (`import torch` in two chapters) is fine.
    """
    owners: dict[str, Module] = {}
    for module in modules:
        if module.name in owners:
            raise ExportError(
                f"{owners[module.name].notebook.name} and {module.notebook.name} would both write "
                f"d2l_utils/{module.name}.py: rename one notebook"
            )
        owners[module.name] = module
    seen: dict[str, tuple[str, Module]] = {}
    for module in (m for m in modules if m.chapter):  # only chapters' names reach d2l.*
        for name, origin in module.origins.items():
            if name in seen and (seen[name][0] != origin or origin == "def"):
                first = seen[name][1]
                raise ExportError(
                    f"{name} is exported by both {first.notebook.name} ({seen[name][0]}) and "
                    f"{module.notebook.name} ({origin}): `d2l.{name}` would silently be the later one; "
                    f"rename one, or import it from d2l_utils.{first.name} in {module.notebook.name}"
                )
            seen.setdefault(name, (origin, module))


def generate() -> dict[Path, tuple[str, str]]:
    """Every generated file: path -> (text, notebook it comes from)."""
    modules = [m for nb in sorted(NOTEBOOKS.glob("*.ipynb")) for m in collect(nb)]
    check_unique(modules)
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
            path.write_text(text, encoding="utf-8", newline="\n")  # \n on every OS
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
