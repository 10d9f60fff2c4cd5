"""The course website (tools/site.py), built once from the committed notebooks and read in Chromium offline.

Pages load from file://; every request outside the built site is aborted and fails the test that made it.
"""
from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from tests import support
from tools import inputs, site
from tools.paths import BUILD

CHAPTERS = support.NOTEBOOKS
# What a formula left untypeset shows in the prose of a page: MyST writes $…$ as \(…\) and $$…$$ as \[…\],
# which MathJax replaces; and the TeX commands the chapters use.
TEX_LEFT = re.compile(r"\\[(\[]|\\(?:frac|partial|mathbf|sum|top|nabla|begin|left|right|cdot|in)\b")


@pytest.fixture(scope="session")
def built() -> Path:
    """The site, built as `make site` builds it but without the slide decks (tools.slides, tested elsewhere), into
    build/site-without-decks: like build/site, it is built again only when an input changed (tools/inputs.py)."""
    from filelock import FileLock

    BUILD.mkdir(exist_ok=True)
    with FileLock(str(BUILD / "site-without-decks.lock")):
        return site.build(BUILD / "site-without-decks", with_slides=False).parent


@pytest.fixture
def open_page(browser, built, watch):
    """open_page(name[?query]) -> a page of the site, loaded offline and typeset; problems land in `page.problems`."""
    pages = []

    def opener(name: str):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.problems = watch(page, (built.as_uri() + "/",))
        support.keep_inside(page, built.as_uri() + "/")
        name, _, query = name.partition("?")
        page.goto((built / name).as_uri() + (f"?{query}" if query else ""))
        support.math_done(page)
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.close()


def page_name(path: Path) -> str:
    return f"{path.stem}.html"


def identifying_lines(path: Path, cells: list) -> list[str]:
    """For each of `cells`: a line of its source found nowhere else in the chapter (not in a shown cell's source,
    not in any output: a worked answer's box shows its code)."""
    nb = nbformat.read(path, as_version=4)
    others = [c for c in nb.cells if c.source not in {cell.source for cell in cells}]
    outputs = [html.unescape(text) for c in nb.cells for o in c.get("outputs", [])
               for text in [o.get("text", ""), *o.get("data", {}).values()] if isinstance(text, str)]
    elsewhere = "\n".join([c.source for c in others] + outputs)
    lines = []
    for cell in cells:
        unique = [line.strip() for line in cell.source.splitlines() if len(line.strip()) > 12
                  and line.strip() not in elsewhere]
        if not unique and "solution" in cell.metadata.get("tags", []):
            continue  # its code is in its box; its title line, in chapter 01's collapsed %%answer cell (as an example)
        assert unique, f"{path.name}: no line identifies the cell {cell.source[:60]!r}"
        lines.append(max(unique, key=len))
    return lines


def hidden_sources(path: Path) -> list[str]:
    """A line of each cell the site removes: speaker notes, and the code of worked answers and questions."""
    nb = nbformat.read(path, as_version=4)
    removed = [c for c in nb.cells if site.is_note(c) or (site.hides_source(c) and not site.collapses_source(c))]
    return identifying_lines(path, removed)


def collapsed_sources(path: Path) -> list[str]:
    """A line of each cell the site shows collapsed, as JupyterLab does: helpers' code, a figure's styling."""
    nb = nbformat.read(path, as_version=4)
    return identifying_lines(path, [c for c in nb.cells if site.collapses_source(c)])


def neighbours(path: Path) -> tuple[str, str | None]:
    """Where a chapter's "previous" and "next" links should lead: the neighbouring chapters (the home page before
    the first; nothing after the last)."""
    i = CHAPTERS.index(path)
    return ("index.html" if i == 0 else page_name(CHAPTERS[i - 1]),
            page_name(CHAPTERS[i + 1]) if i + 1 < len(CHAPTERS) else None)


def link(page, selector: str) -> str | None:
    """The href of the page's one link matching `selector`, None without one."""
    links = page.locator(selector)
    assert links.count() <= 1, f"{links.count()} links {selector}"
    if not links.count():
        return None
    links.first.scroll_into_view_if_needed()
    assert links.first.is_visible(), f"the link {selector} is on the page but not shown"
    return links.first.get_attribute("href")


# One load per chapter (MathJax typesetting makes each load cost seconds of CPU) checks everything a reader of
# that chapter relies on at once, its formulas included.
@pytest.mark.browser
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_page_reads_offline(open_page, path):
    """Loads offline without errors; shows its first figure; typesets its formulas; hides speaker notes and the
    code of answers and questions; shows helpers' code collapsed; links visibly to the chapters before and after it."""
    page = open_page(page_name(path))
    assert page.locator("article h1").first.inner_text().strip(), "no title"
    text = page.locator("article").text_content().replace("’", "'")  # Sphinx's smart quotes, undone
    assert "Presenter's note" not in text
    shown = [line for line in hidden_sources(path) if line in text]
    assert not shown, f"hidden source or note on the page: {shown}"
    # The collapsed cells are on the page (the text speaks of them) but not visible until their toggle is clicked.
    visible = page.locator("article").inner_text().replace("’", "'")
    collapsed = collapsed_sources(path)
    assert collapsed and all(line in text for line in collapsed), "a collapsed cell is missing"
    assert not [line for line in collapsed if line in visible], "a collapsed cell shows without a click"
    if support.has_svg(path) or path.stem == "01_tensors":  # 01 draws with SVG: its check cannot vanish
        figure = page.locator(".cell_output img[src$='.svg']").first
        figure.scroll_into_view_if_needed()
        box = figure.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, f"the first figure is {box}"
        assert figure.evaluate("img => img.complete && img.naturalWidth > 0"), "the first figure did not load"
    # Every formula typeset: MathJax drew some, and no TeX command is left in the prose (code cells may hold TeX).
    if any(c.cell_type == "markdown" and "$" in c.source for c in nbformat.read(path, as_version=4).cells):
        assert page.locator("mjx-container svg").count() > 0, "no formula was typeset"
        prose = page.evaluate("""() => { const a = document.querySelector('article').cloneNode(true);
            a.querySelectorAll('.cell, mjx-container').forEach(e => e.remove()); return a.textContent; }""")
        assert not TEX_LEFT.findall(prose), f"TeX left untypeset: {TEX_LEFT.findall(prose)[:5]}"
    # The links a reader follows (the home page's "next" leads to the first chapter: checked below).
    assert (link(page, "a.left-prev"), link(page, "a.right-next")) == neighbours(path)
    assert not page.problems.items, "\n".join(page.problems.items)


@pytest.mark.browser
def test_home_page_has_the_readme_chapter_table_and_loads_offline(open_page, screenshots):
    page = open_page("index.html")
    assert page.locator("h1").first.inner_text().startswith(site.course_title())
    links = page.locator("article table a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert links == [page_name(p) for p in CHAPTERS]
    assert (link(page, "a.left-prev"), link(page, "a.right-next")) == (None, page_name(CHAPTERS[0]))
    page.screenshot(path=screenshots / "site-home.png")
    assert not page.problems.items, "\n".join(page.problems.items)


@pytest.mark.browser
def test_answers_and_helper_cells_open_with_one_click(open_page, screenshots):
    page = open_page("01_tensors.html")
    toggle = page.locator("details.hide.above-input").first
    helper = toggle.locator(".cell_input")
    assert not helper.is_visible()
    toggle.locator("summary").click()
    assert helper.is_visible() and "#@save checks" in helper.inner_text()
    helper.screenshot(path=screenshots / "site-helper-cell-open.png")
    answer = page.locator("details", has=page.locator("summary", has_text="Answer 1")).first
    text = answer.locator("p").first
    worked = page.locator("details.d2l-answer").first
    code = worked.locator("pre.d2l-answer-code")
    assert not text.is_visible() and not code.is_visible()
    answer.locator("summary").click()
    worked.locator("summary").click()
    assert text.is_visible() and code.is_visible()
    assert "Worked code for exercise 1" in worked.inner_text()
    worked.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "site-chapter-answer.png")


@pytest.mark.browser
def test_a_question_gives_feedback(open_page, screenshots):
    quiz = support.first_quiz()
    page = open_page(page_name(quiz.path))
    page.locator(f"#{quiz.div}").scroll_into_view_if_needed()
    after_wrong, after_right = support.answer_wrong_then_right(page, quiz.div, quiz.wrong, quiz.right)
    assert support.shows(after_wrong, quiz.wrong_feedback), after_wrong
    assert support.shows(after_right, quiz.right_feedback), after_right
    page.screenshot(path=screenshots / "site-chapter-question.png")
    assert not page.problems.items, "\n".join(page.problems.items)


@pytest.mark.browser
def test_search_finds_broadcasting_in_the_tensors_chapter(open_page):
    page = open_page("search.html?q=broadcasting")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=20_000)
    hrefs = results.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert any(href.startswith("01_tensors.html") for href in hrefs), hrefs
    assert not page.problems.items, "\n".join(page.problems.items)


def test_each_chapter_links_its_slides_and_its_notebook(built):
    for path in CHAPTERS:
        page = (built / page_name(path)).read_text(encoding="utf-8")
        links = re.search(r'<p class="chapter-links">(.*?)</p>', page)[1]
        # tools.slides writes the deck of notebooks/NN_topic.ipynb as NN_topic.slides.html; site.build copies
        # the decks into slides/ (left out here to keep the build fast).
        assert f'href="slides/{path.stem}.slides.html"' in links
        assert f'href="notebooks/{path.name}"' in links
        assert (built / "notebooks" / path.name).read_bytes() == path.read_bytes()


def test_figures_carry_their_cells_description(built):
    """A chapter page's figures, answers' figures included, have their cell's metadata `alt` as alternative text:
    MyST-NB would write the image's file name, and the answers' boxes say only "figure"."""
    for path in CHAPTERS:
        nb = site.reading_copy(path, "https://example.org/course")
        expected = [c.metadata["alt"] for c in nb.cells if support.figures(c)]
        page = (built / page_name(path)).read_text(encoding="utf-8")
        assert support.image_alts(page) == expected, path.name


def test_a_figure_in_an_answer_box_gets_the_description():
    svg = '<img alt="figure" src="data:image/svg+xml;base64,PHN2Zz4=">'
    cell = nbformat.v4.new_code_cell("%%answer", metadata={"alt": 'The "line" rises & falls.'}, outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": f"<div>{svg}</div>", "text/plain": "box"})])
    plain = nbformat.v4.new_code_cell("1", outputs=[nbformat.v4.new_output("display_data", data={"text/html": svg})])
    site.describe_figures(cell)
    site.describe_figures(plain)
    assert support.image_alts(cell.outputs[0]["data"]["text/html"]) == ['The "line" rises & falls.']
    assert cell.metadata["mystnb"] == {"image": {"alt": 'The "line" rises & falls.'}}
    assert plain.outputs[0]["data"]["text/html"] == svg and "mystnb" not in plain.metadata


def test_a_site_built_from_the_same_inputs_is_kept(built, monkeypatch, tmp_path):
    """`make site` again with nothing changed keeps the site (tools/inputs.py); the key covers what a page shows."""
    index = built / "index.html"
    written = index.stat().st_mtime_ns

    def no_rebuild(src):
        raise AssertionError("the site was built again from unchanged inputs")

    monkeypatch.setattr(site, "write_sources", no_rebuild)
    assert site.build(built, with_slides=False) == index and index.stat().st_mtime_ns == written
    key = site.inputs_key(False)
    # The stamp covers every page: a copy of the site is kept until a page goes missing.
    copy = tmp_path / "site"
    shutil.copytree(built, copy)
    assert inputs.unchanged(copy / ".inputs", key, copy)
    (copy / page_name(CHAPTERS[-1])).unlink()
    assert not inputs.unchanged(copy / ".inputs", key, copy)
    assert site.inputs_key(True) != key  # the decks are part of the site
    readme = site.README
    monkeypatch.setattr(site, "README", built / "index.html")  # stands for an edited README
    assert site.inputs_key(False) != key
    monkeypatch.setattr(site, "README", readme)
    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/a-fork-of-the-course")  # the address is on every page
    assert site.inputs_key(False) != key
