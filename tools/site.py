"""Build the course website into build/site/ from the committed notebooks, never re-executing them.

    python -m tools.site              # what `make site` runs; then open build/site/index.html

Sphinx with MyST-NB and sphinx-book-theme (settings: site/conf.py). This module writes the Sphinx source
folder build/site-src/: index.md (the course's description and chapter table, taken from README.md) and a
copy of each chapter prepared for reading: speaker notes dropped, the source of hidden cells (worked
answers, self-check questions, helpers) removed so only their outputs show, and links to the chapter's
offline slides and notebook under the title. The site serves MathJax, the decks (tools.slides) and the
notebooks itself, so it opens from file:// with no internet access. A Sphinx warning fails the build.
"""
from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from tools import deck, inputs, paths, slides

ROOT = paths.ROOT
OUT = paths.BUILD / "site"
README = ROOT / "README.md"
CONF = ROOT / "site"
# MathJax 3 with SVG output (no web fonts), from the npm package aliased `mathjax3` in package.json.
MATHJAX = ROOT / "node_modules" / "mathjax3" / "es5"
MATHJAX_FILES = ("tex-svg.js", "input", "ui", "a11y", "sre")
MATHJAX_PATH = "mathjax/tex-svg.js"  # relative to the site's _static/

NOTE = "> **Presenter's note.**"
# Removed from the page: worked answers and questions (their outputs stay); helpers are shown collapsed.
REMOVED_TAGS = {"solution", "quiz"}
HIDDEN_TAGS = REMOVED_TAGS | {"helpers"}


def course_title() -> str:
    """The course's name: README.md's first heading."""
    return re.search(r"^# (.+)$", README.read_text(encoding="utf-8"), re.MULTILINE)[1].strip()


def repository_url() -> str:
    """The course's GitHub page: from GitHub Actions' GITHUB_REPOSITORY or the `origin` remote; '' if unknown."""
    if os.environ.get("GITHUB_REPOSITORY"):
        server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
        return f"{server}/{os.environ['GITHUB_REPOSITORY']}"
    remote = subprocess.run(["git", "remote", "get-url", "origin"], cwd=ROOT, capture_output=True, text=True)
    match = re.match(r"(?:https://github\.com/|git@github\.com:)([\w.-]+/[\w.-]+?)(?:\.git)?$", remote.stdout.strip())
    return f"https://github.com/{match[1]}" if match else ""


def home_page(readme: str) -> str:
    """index.md: README's title and introduction, then its chapter table, linking the chapter pages.

    Paragraphs of the Chapters section that speak of GitHub are left out: on the site the reader is not there.
    """
    intro = readme.split("\n## ", 1)[0]
    section = re.search(r"^## Chapters\n(.*?)(?=^## )", readme, re.MULTILINE | re.DOTALL)[1]
    kept = [p for p in section.strip().split("\n\n") if "GitHub" not in p]
    chapters = re.sub(r"\]\(notebooks/(\w+)\.ipynb\)", r"](\1.ipynb)", "\n\n".join(kept))
    toctree = "\n".join(p.stem for p in paths.chapters())
    return (f"{intro.strip()}\n\n## Chapters\n\n{chapters}\n\n"
            f"```{{toctree}}\n:hidden:\n:maxdepth: 1\n\n{toctree}\n```\n")


def is_note(cell: nbformat.NotebookNode) -> bool:
    """A speaker note: a `notes` cell of the slides, or a markdown presenter's note."""
    return (cell.metadata.get("slideshow", {}).get("slide_type") == "notes"
            or (cell.cell_type == "markdown" and cell.source.lstrip().startswith(NOTE)))


def hides_source(cell: nbformat.NotebookNode) -> bool:
    """A code cell whose source the reader does not see: a worked answer, a question, a helper, a collapsed cell."""
    tags = set(cell.metadata.get("tags", []))
    return cell.cell_type == "code" and bool(tags & HIDDEN_TAGS or cell.metadata.get("jupyter", {}).get("source_hidden"))


def collapses_source(cell: nbformat.NotebookNode) -> bool:
    """A hidden cell that is neither a worked answer nor a question (a helper's code, a figure's styling): the site
    shows it as JupyterLab does, collapsed behind a toggle, rather than removing it."""
    return hides_source(cell) and not set(cell.metadata.get("tags", [])) & REMOVED_TAGS


def chapter_links(path: Path, repo: str) -> nbformat.NotebookNode:
    """A markdown cell linking the chapter's offline slides, its notebook and (if known) its source on GitHub."""
    links = [f'<a href="slides/{path.stem}.slides.html">Slides</a>',
             f'<a href="notebooks/{path.name}" download>Download the notebook</a>']
    if repo:
        links.append(f'<a href="{html.escape(repo)}/blob/main/notebooks/{path.name}">Source on GitHub</a>')
    return nbformat.v4.new_markdown_cell(f'<p class="chapter-links">{" · ".join(links)}</p>')


def reading_copy(path: Path, repo: str) -> nbformat.NotebookNode:
    """The chapter as the site shows it (the committed notebook is not changed)."""
    nb = nbformat.read(path, as_version=4)
    cells = []
    for cell in nb.cells:
        if is_note(cell):
            continue
        if collapses_source(cell):  # shown collapsed, as in JupyterLab: the text calls them "collapsed cells"
            cell.metadata["tags"] = [*cell.metadata.get("tags", []), "hide-input"]
        elif hides_source(cell):
            if not cell.outputs:
                continue
            cell.metadata["tags"] = [*cell.metadata.get("tags", []), "remove-input"]
        describe_figures(cell)
        cells.append(cell)
    nb.cells = cells[:1] + [chapter_links(path, repo)] + cells[1:]
    return nb


# d2l_utils/answers.py writes this alternative text for a figure inside a worked answer's box.
ANSWER_FIGURE_ALT = '<img alt="figure" '


def describe_figures(cell: nbformat.NotebookNode) -> None:
    """Give the cell's figures the description in its metadata `alt` as alternative text, for screen readers:
    MyST-NB's image option for a figure output (it would write the image's file name), and the `<img>` of a
    figure in a worked answer's box."""
    alt = cell.metadata.get("alt")
    if not alt:
        return
    cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = alt
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "text/html" in data:
            data["text/html"] = data["text/html"].replace(ANSWER_FIGURE_ALT, f'<img alt="{html.escape(alt)}" ')


def write_sources(src: Path) -> None:
    """Fill the Sphinx source folder: the home page and one prepared copy per chapter."""
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    (src / "index.md").write_text(home_page(README.read_text(encoding="utf-8")), encoding="utf-8")
    repo = repository_url()
    for path in paths.chapters():
        nbformat.write(reading_copy(path, repo), src / path.name)


def copy_assets(out: Path, with_slides: bool) -> None:
    """Put MathJax, the committed notebooks and (with_slides) the offline decks into the built site."""
    for name in MATHJAX_FILES:
        source, target = MATHJAX / name, out / "_static" / "mathjax" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, target)
    (out / "notebooks").mkdir()
    for path in paths.chapters():
        shutil.copy2(path, out / "notebooks" / path.name)
    if with_slides:
        slides.build(out / "slides")


def inputs_key(with_slides: bool) -> str:
    """Hash of everything the site is built from: README, the notebooks, site/, the tools, the front-end lock,
    the interpreter and the installed packages, the repository's address and whether decks are included."""
    files = inputs.files(README, paths.NOTEBOOKS, CONF, Path(__file__).resolve().parent, ROOT / "package-lock.json")
    return inputs.digest(files, inputs.environment(), repository_url(), f"with_slides={with_slides}")


def build(out: Path = OUT, with_slides: bool = True) -> Path:
    """Build the whole site into `out` (its sources go to `<out>-src`); return out/index.html. A site built from
    these very inputs (tools/inputs.py), with no file of it changed or removed since, is kept as it is."""
    slides.install_vendor()  # MathJax and the decks' libraries (npm ci when package-lock.json changed)
    key, stamp = inputs_key(with_slides), out / ".inputs"
    if inputs.unchanged(stamp, key, out):
        return out / "index.html"
    from sphinx.application import Sphinx

    src = out.parent / f"{out.name}-src"
    write_sources(src)
    if out.exists():
        shutil.rmtree(out)
    app = Sphinx(srcdir=src, confdir=CONF, outdir=out, doctreedir=src / ".doctrees", buildername="html",
                 status=None, warningiserror=True)
    app.build()
    copy_assets(out, with_slides)
    inputs.record(stamp, key, out)
    return out / "index.html"


def main() -> int:
    start = time.monotonic()
    stamp = OUT / ".inputs"
    stamped = stamp.stat().st_mtime_ns if stamp.exists() else None
    try:
        index = build()
    except slides.SlidesError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    kept = stamped is not None and stamp.stat().st_mtime_ns == stamped  # build() writes the stamp only when it builds
    done = "unchanged since the last build" if kept else f"built in {time.monotonic() - start:.1f} s"
    print(f"{deck.COURSE!r} {done}: open {index.relative_to(ROOT)} in a browser (works offline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
