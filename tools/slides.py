"""Build offline reveal.js slide decks, one per chapter, plus an index page.

    python -m tools.slides            # what `make slides` runs; writes build/slides/

Each deck is nbconvert's reveal export of a notebook with the course template
(tools/templates/course_slides): the notebook's `rise` settings (theme, transition, size, header,
footer), notebooks/rise.css, and reveal.js, MathJax, require.js and jQuery loaded from build/slides/lib.
Those libraries come from the npm packages pinned in package.json/package-lock.json (`npm ci`), so a
deck opens from file:// or any local server without internet access.
"""
from __future__ import annotations

import html
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter
from traitlets.config import Config

from tools import deck, inputs, paths

ROOT = paths.ROOT
NOTEBOOKS = paths.NOTEBOOKS
OUT = paths.BUILD / "slides"
NODE_MODULES = ROOT / "node_modules"
TEMPLATES = Path(__file__).resolve().parent / "templates"

# What the decks load, relative to build/slides/. MathJax 2 renders to SVG: no web fonts to fetch.
LIB = "lib"
REVEAL = f"{LIB}/reveal.js"
MATHJAX = f"{LIB}/mathjax/MathJax.js?config=TeX-AMS_SVG-full,Safe"
REQUIRE = f"{LIB}/require.js"
JQUERY = f"{LIB}/jquery.min.js"

# Files copied from node_modules: the full MathJax package is 73 MB, the SVG-output subset ~15 MB.
VENDOR = {
    "reveal.js/dist": "reveal.js/dist",
    "reveal.js/plugin/notes": "reveal.js/plugin/notes",
    "requirejs/require.js": "require.js",
    "jquery/dist/jquery.min.js": "jquery.min.js",
    "mathjax/MathJax.js": "mathjax/MathJax.js",
    "mathjax/config/TeX-AMS_SVG-full.js": "mathjax/config/TeX-AMS_SVG-full.js",
    "mathjax/config/Safe.js": "mathjax/config/Safe.js",
    "mathjax/extensions": "mathjax/extensions",
    "mathjax/jax/element": "mathjax/jax/element",
    "mathjax/jax/input/TeX": "mathjax/jax/input/TeX",
    "mathjax/jax/output/SVG/jax.js": "mathjax/jax/output/SVG/jax.js",
    "mathjax/jax/output/SVG/config.js": "mathjax/jax/output/SVG/config.js",
    "mathjax/jax/output/SVG/autoload": "mathjax/jax/output/SVG/autoload",
    "mathjax/jax/output/SVG/fonts/TeX": "mathjax/jax/output/SVG/fonts/TeX",
    "mathjax/localization/en": "mathjax/localization/en",
}


class SlidesError(Exception):
    """The decks cannot be built (e.g. npm missing)."""


def install_vendor() -> None:
    """Run `npm ci` when node_modules does not match package-lock.json (incremental, like `make setup`)."""
    stamp, key = NODE_MODULES / ".course-lock-sha256", inputs.digest([ROOT / "package-lock.json"])
    if inputs.unchanged(stamp, key):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SlidesError(
            "npm not found: the offline decks need reveal.js, MathJax, require.js and jQuery from the npm "
            "registry. Install Node.js 18 or newer (which brings npm) and run `make slides` again."
        )
    print("installing the decks' front-end libraries (npm ci)...", flush=True)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True)
    inputs.record(stamp, key)


def copy_vendor(out: Path) -> None:
    """Copy the libraries the decks load into out/lib."""
    lib = out / LIB
    if lib.exists():
        shutil.rmtree(lib)
    for source, target in VENDOR.items():
        src, dst = NODE_MODULES / source, lib / target
        if not src.exists():
            raise SlidesError(f"{src} is missing; delete node_modules and run `make slides` again")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)


def expected_slides(nb: nbformat.NotebookNode) -> int:
    """Number of reveal.js slides the notebook's metadata asks for (slides plus subslides)."""
    return sum(c.metadata.get("slideshow", {}).get("slide_type") in ("slide", "subslide") for c in nb.cells)


def exporter_for(rise: dict) -> SlidesExporter:
    """An nbconvert SlidesExporter configured from a notebook's `rise` settings and the local libraries."""
    return SlidesExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        template_name="course_slides",
        reveal_url_prefix=REVEAL,
        reveal_theme=rise["theme"],
        reveal_transition=rise["transition"],
        reveal_number="c/t" if rise["slideNumber"] else "",
        reveal_width=str(rise["width"]),
        reveal_height=str(rise["height"]),
        reveal_scroll=rise["scroll"],
        mathjax_url=MATHJAX,
        require_js_url=REQUIRE,
        jquery_url=JQUERY,
        # A self-check question shows its question and choices, not the code that builds them.
        config=Config({"TagRemovePreprocessor": {"enabled": True, "remove_input_tags": ["quiz"]}}),
    )


def shared_inputs() -> str:
    """Hash of what every deck is built from besides its notebook: the tools and the template, rise.css, the
    front-end libraries' lock, the interpreter and the installed packages."""
    return inputs.digest(inputs.files(Path(__file__).resolve().parent, NOTEBOOKS / "rise.css", ROOT / "package-lock.json"),
                         inputs.environment())


def build_deck(path: Path, out: Path, shared: str | None = None) -> dict:
    """Write out/<notebook>.slides.html unless it was built from these very inputs; return its index entry.

    `shared` is shared_inputs(), computed once by the caller for many decks. The entry's `rebuilt` says whether
    the deck was written."""
    nb = nbformat.read(path, as_version=4)
    target = out / f"{path.stem}.slides.html"
    stamp = out / f".{target.name}.inputs"
    key = inputs.digest([path], shared or shared_inputs())
    rebuilt = not inputs.unchanged(stamp, key, target)
    if rebuilt:
        stamp.unlink(missing_ok=True)
        rise = deck.rise_settings(path, nb)
        resources = {"course": {"header": rise["header"], "footer": rise["footer"]}}
        body, _ = exporter_for(rise).from_notebook_node(nb, resources=resources)
        target.write_text(body, encoding="utf-8")
        inputs.record(stamp, key, target)
    return {"file": target.name, "notebook": path.name, "title": deck.chapter_title(nb), "slides": expected_slides(nb),
            "rebuilt": rebuilt}


def write_index(entries: list[dict], out: Path) -> None:
    """An index page linking every deck, and decks.json for the tests."""
    rows = "\n".join(
        f'<li><a href="{html.escape(e["file"])}">{html.escape(e["notebook"][:2])} {html.escape(e["title"])}</a>'
        f' <span class="count">({e["slides"]} slides)</span></li>'
        for e in entries
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(deck.COURSE)}: slides</title>
<style>
body {{ font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.6; }}
.count {{ color: #777; }}
</style>
</head>
<body>
<h1>{html.escape(deck.COURSE)}</h1>
<p>One deck per chapter. <kbd>&rarr;</kbd>, <kbd>Space</kbd>, <kbd>PageDown</kbd> or a clicker show the
next step (every slide, sub-slide and fragment in reading order); <kbd>&larr;</kbd> goes back,
<kbd>Esc</kbd> shows the overview, <kbd>S</kbd> opens the speaker notes.</p>
<ol>
{rows}
</ol>
</body>
</html>
"""
    (out / "index.html").write_text(page, encoding="utf-8")
    (out / "decks.json").write_text(json.dumps(entries, indent=1) + "\n", encoding="utf-8")


def build(out: Path = OUT, notebooks: list[Path] | None = None) -> list[dict]:
    """Build every deck and the index into `out`; return the index entries. A deck whose notebook, tools and
    packages are what it was built from is kept (tools/inputs.py); a deck of no notebook is removed."""
    install_vendor()
    out.mkdir(parents=True, exist_ok=True)
    paths = notebooks if notebooks is not None else sorted(NOTEBOOKS.glob("*.ipynb"))
    for old in out.glob("*.slides.html"):
        if old.name not in {f"{p.stem}.slides.html" for p in paths}:
            old.unlink()
            (out / f".{old.name}.inputs").unlink(missing_ok=True)
    copy_vendor(out)
    shutil.copy2(NOTEBOOKS / "rise.css", out / "rise.css")
    shared = shared_inputs()
    entries = [build_deck(p, out, shared) for p in paths]
    write_index([{k: v for k, v in e.items() if k != "rebuilt"} for e in entries], out)
    return entries


def main() -> int:
    try:
        entries = build()
    except SlidesError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for e in entries:
        print(f"{e['slides']:3d} slides  {OUT.relative_to(ROOT) / e['file']}{'' if e['rebuilt'] else '  (unchanged)'}")
    print(f"open {(OUT / 'index.html').relative_to(ROOT)} in a browser (works offline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
