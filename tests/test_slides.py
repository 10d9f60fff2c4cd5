"""`make slides`: one offline reveal.js deck per notebook, checked in files and in Chromium.

Every notebook in notebooks/ is covered automatically. Screenshots of each deck's title slide and
first figure slide go to build/screenshots/ (CI keeps them as an artifact).
"""
from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import nbformat
import pytest

from tools import slides

from tests.support import (NOTEBOOKS, SHOW_ALL_SLIDES, SHOWN_SLIDE, UNDER_CONTROLS, PageProblems, answer_wrong_then_right,
                           figures, first_quiz, image_alts, kept_pages, measure_when_stable, settle, shows, slide_limit,
                           still_arrows)
IDS = [p.stem for p in NOTEBOOKS]


@pytest.fixture(scope="module")
def built() -> Path:
    """Build every deck once, the way `make slides` does."""
    slides.build()
    return slides.OUT


def shown_cells(nb) -> list:
    """Cells that appear on slides (not skipped)."""
    return [c for c in nb.cells if c.metadata.get("slideshow", {}).get("slide_type") != "skip"]


def has_math(nb) -> bool:
    return any(c.cell_type == "markdown" and "$" in c.source for c in shown_cells(nb))


# ---------------------------------------------------------------- files


def test_index_lists_every_notebook(built):
    entries = json.loads((built / "decks.json").read_text())
    assert [e["notebook"] for e in entries] == [p.name for p in NOTEBOOKS]
    index = (built / "index.html").read_text()
    for e in entries:
        assert f'href="{e["file"]}"' in index


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_deck_loads_nothing_from_the_network(built, path):
    html = (built / f"{path.stem}.slides.html").read_text()
    # Everything a deck loads: script sources, stylesheets, module imports.
    loaded = re.findall(r'<script[^>]*\ssrc="([^"]+)"', html) + re.findall(r'<link[^>]*\shref="([^"]+)"', html)
    loaded += re.findall(r"import\s+\w+\s+from\s+['\"]([^'\"]+)", html)
    assert loaded, "found no scripts or stylesheets at all"
    remote = [u for u in loaded if re.match(r"(https?:)?//", u)]
    assert not remote, f"{path.name}: the deck loads {remote} from the network"
    for url in loaded:
        if url.startswith("data:"):
            continue
        assert (built / url.split("?")[0]).is_file(), f"{path.name}: {url} is missing from {built}"
    assert re.search(r'require\(\s*\{[^}]*\}\s*,\s*\[\s*"lib/reveal\.js/dist/reveal\.js"', html), "reveal.js not local"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_deck_figures_carry_their_cells_description(built, path):
    """Each figure's alternative text is its cell's metadata `alt`, not nbconvert's "No description has been provided"."""
    nb = nbformat.read(path, as_version=4)
    expected = [c.metadata["alt"] for c in shown_cells(nb) if figures(c)]
    page = (built / f"{path.stem}.slides.html").read_text()
    assert image_alts(page) == expected


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_deck_uses_the_notebook_rise_settings(built, path):
    nb = nbformat.read(path, as_version=4)
    html = (built / f"{path.stem}.slides.html").read_text()
    rise = nb.metadata["rise"]
    assert f'dist/theme/{rise["theme"]}.css' in html
    assert f'width: {rise["width"]}' in html and f'height: {rise["height"]}' in html
    shown = {m[0]: unescape(m[1]) for m in re.findall(r'<div class="(course-header|course-footer)">([^<]*)</div>', html)}
    expected = {m[0]: unescape(m[1]) for m in re.findall(r"<div class='(course-header|course-footer)'>([^<]*)</div>",
                                                             rise["header"] + rise["footer"])}
    assert shown == expected and len(shown) == 2, f"header/footer {shown} differ from the rise settings {expected}"
    assert re.search(r'<link[^>]*href="rise.css"', html), "the course stylesheet is not loaded"


# ---------------------------------------------------------------- in Chromium

# nbconvert's template loads reveal.js through require.js, so `Reveal` is a module, not a global.
REVEAL = "require('lib/reveal.js/dist/reveal.js')"
READY = "() => document.querySelector('.reveal.ready') !== null"
MATH_DONE = """() => window.MathJax && MathJax.Hub && MathJax.Hub.queue
    && MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running
    && document.querySelectorAll('script[type^="math/tex"]').length > 0"""


def typeset(page, nb) -> None:
    """Wait until the slide just shown is laid out and its formulas are typeset again: reveal's math plugin
    typesets the new slide on every slide change, and a formula being typeset is blank (a screenshot taken two
    frames after the change showed "The tangent to at has slope and passes through , so it is .")."""
    settle(page)
    if has_math(nb):
        page.wait_for_function(MATH_DONE, timeout=60_000)
        settle(page)


# The decks the tests after test_deck_in_chromium present again: the first question's, and chapter 04's (keys).
QUESTION_DECK = f"{first_quiz().path.stem}.slides.html"
KEYS_DECK = "04_calculus.slides.html"


@pytest.fixture(scope="module")
def deck(browser, built):
    """deck(name) -> the page showing build/slides/<name>, loaded once for this module (support.KeptPages;
    deck.done(name) closes it unless a later test presents it again); `page.problems` collects what went
    wrong on it since it was loaded, for every test that uses it. A test removes what it added to the page and
    leaves it where it stopped (a question answered)."""
    def load(name: str):
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.problems = PageProblems(page, ("file://", "data:"))
        page.goto((built / name).as_uri())
        page.wait_for_function(READY, timeout=30_000)
        still_arrows(page)
        return page

    yield from kept_pages(load, keep={QUESTION_DECK, KEYS_DECK})


def test_a_deck_is_built_again_only_when_its_inputs_change(tmp_path, monkeypatch):
    """`make slides` after editing one chapter writes that chapter's deck only; a deck edited by hand, new tools or
    packages (slides.shared_inputs), or a deck whose notebook is gone, are dealt with too."""
    src, out = tmp_path / "notebooks", tmp_path / "slides"
    src.mkdir()
    a, b = (src / NOTEBOOKS[i].name for i in (1, 3))
    for copy, original in ((a, NOTEBOOKS[1]), (b, NOTEBOOKS[3])):
        copy.write_bytes(original.read_bytes())
    deck_a, deck_b = out / f"{a.stem}.slides.html", out / f"{b.stem}.slides.html"

    def build(*notebooks) -> dict:
        return {e["notebook"]: e["rebuilt"] for e in slides.build(out, list(notebooks))}

    assert build(a, b) == {a.name: True, b.name: True}
    written = deck_a.stat().st_mtime_ns, deck_b.stat().st_mtime_ns
    assert build(a, b) == {a.name: False, b.name: False}
    assert (deck_a.stat().st_mtime_ns, deck_b.stat().st_mtime_ns) == written
    nb = nbformat.read(a, as_version=4)
    nb.cells[0].source += "\n\nA sentence added by the test."
    nbformat.write(nb, a)
    deck_b.write_text(deck_b.read_text(encoding="utf-8") + "<!-- edited by hand -->", encoding="utf-8")
    assert build(a, b) == {a.name: True, b.name: True}
    assert "A sentence added by the test." in deck_a.read_text(encoding="utf-8")
    assert "edited by hand" not in deck_b.read_text(encoding="utf-8")
    monkeypatch.setattr(slides, "shared_inputs", lambda: "another template or package")
    assert build(a, b) == {a.name: True, b.name: True}
    assert build(b) == {b.name: False}
    assert not deck_a.exists() and not (out / f".{deck_a.name}.inputs").exists()
    assert [e["notebook"] for e in json.loads((out / "decks.json").read_text())] == [b.name]


@pytest.mark.browser
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_deck_in_chromium(deck, screenshots, path):
    nb = nbformat.read(path, as_version=4)
    page = deck(f"{path.stem}.slides.html")
    problems = page.problems

    total = page.evaluate(f"{REVEAL}.getTotalSlides()")
    assert total == slides.expected_slides(nb), "slide count differs from the notebook's slide metadata"

    if has_math(nb):
        page.wait_for_function(MATH_DONE, timeout=60_000)
        math = page.evaluate("""() => ({
            sources: document.querySelectorAll('script[type^="math/tex"]').length,
            rendered: document.querySelectorAll('.MathJax_SVG, .MathJax_SVG_Display .MathJax_SVG').length,
            errors: document.querySelectorAll('.MathJax_SVG [data-mjx-error], .MathJax_SVG .merror').length
                    + (document.body.innerText.includes('Math Processing Error') ? 1 : 0),
        })""")
        assert math["rendered"] >= math["sources"] > 0, f"not every formula was typeset: {math}"
        assert math["errors"] == 0, f"MathJax reported errors: {math}"

    images = page.evaluate("""() => Array.from(document.querySelectorAll('.reveal img[src^="data:image/"]'))
        .map(img => ({ok: img.complete && img.naturalWidth > 0}))""")
    assert len(images) == sum(figures(c) for c in shown_cells(nb)), "every figure of the shown cells appears in the deck"
    assert all(f["ok"] for f in images), "a figure failed to decode"

    # Slides are designed for 1280x720 and must show whole there: an instructor should never scroll mid-talk.
    # Heights are written to build/screenshots for the authors.
    show_all = page.add_style_tag(content=SHOW_ALL_SLIDES)
    heights = measure_when_stable(page, """() => { const Reveal = """ + REVEAL + """;
        return Reveal.getSlides().map(s => { const i = Reveal.getIndices(s);
            return {slide: `${i.h + 1}.${(i.v || 0) + 1}`, height: s.scrollHeight,
                    title: (s.querySelector('h1, h2, h3') || {textContent: ''}).textContent.replace('¶', '')}; }); }""")
    covered = page.evaluate(UNDER_CONTROLS)
    show_all.evaluate("e => e.remove()")
    (screenshots / f"{path.stem}-slide-heights.txt").write_text(
        "".join(f"{h['slide']:>6} {h['height']:5d}px  {h['title']}\n" for h in heights))
    limit = slide_limit(nb.metadata["rise"]["height"])
    too_tall = [h for h in heights if h["height"] > limit]
    assert not too_tall, f"slides taller than {limit} px become scroll boxes cut off at the footer; split or shorten them: {too_tall}"
    # The controls found: the slide number and two arrows (the static decks step linearly: no up or down arrow).
    assert covered["controls"] >= 3 and not covered["found"], f"the deck's arrows or slide number cover slide content: {covered}"
    # The tallest slide, with all its fragments, shows whole: no scroll box, and nothing under the footer.
    tallest = max(range(len(heights)), key=lambda i: heights[i]["height"])
    page.evaluate(f"i => {{ const R = {REVEAL}; const x = R.getIndices(R.getSlides()[i]); "
                  "R.slide(x.h, x.v, Number.MAX_SAFE_INTEGER); }", tallest)
    typeset(page, nb)
    shown = page.evaluate(SHOWN_SLIDE)
    page.screenshot(path=str(screenshots / f"{path.stem}-tallest.png"))
    assert not shown["scrolls"] and shown["bottom"] <= shown["footer"], f"slide {heights[tallest]} does not show whole: {shown}"
    page.evaluate(f"{REVEAL}.slide(0, 0, 0)")
    typeset(page, nb)
    page.screenshot(path=str(screenshots / f"{path.stem}-title.png"))
    if images:
        # Go to the first slide holding a figure (reveal fragments show up once we step through them).
        page.evaluate("""() => {
            const Reveal = """ + REVEAL + """;
            const img = document.querySelector('.reveal img[src^="data:image/"]');
            const section = img.closest('section');
            const idx = Reveal.getIndices(section);
            Reveal.slide(idx.h, idx.v, Number.MAX_SAFE_INTEGER);
        }""")
        page.wait_for_function("""() => { const img = document.querySelector(
            '.reveal section.present img[src^="data:image/"]');
            return img && img.getBoundingClientRect().width > 0; }""", timeout=10_000)
        typeset(page, nb)
        box = page.evaluate("""() => {
            const img = Array.from(document.querySelectorAll('.reveal section.present img[src^="data:image/"]'))[0];
            const r = img.getBoundingClientRect();
            return {w: r.width, h: r.height, top: r.top, bottom: r.bottom};
        }""")
        assert box["w"] >= 300 and box["h"] >= 200, f"figure too small to read on a slide: {box}"
        page.screenshot(path=str(screenshots / f"{path.stem}-figure.png"))
    deck.done(f"{path.stem}.slides.html")
    assert not problems.items, "\n".join(problems.items)


@pytest.mark.browser
def test_index_page_in_chromium(browser, watch, built):
    page = browser.new_page()
    problems = watch(page, ("file://",))
    page.goto((built / "index.html").as_uri())
    links = page.locator("a").evaluate_all("els => els.map(a => a.href)")
    assert len(links) == len(NOTEBOOKS)
    page.locator("a").first.click()
    page.wait_for_function(READY, timeout=30_000)
    assert not [p for p in problems.items if "request" in p], problems.items
    page.close()


@pytest.mark.browser
def test_a_question_gives_feedback_in_the_deck(deck, screenshots):
    path, div, wrong, right, wrong_feedback, right_feedback = first_quiz()
    page = deck(QUESTION_DECK)
    problems = page.problems
    page.evaluate("""div => { const Reveal = """ + REVEAL + """;
        const i = Reveal.getIndices(document.getElementById(div).closest('section'));
        Reveal.slide(i.h, i.v, Number.MAX_SAFE_INTEGER); }""", div)
    page.wait_for_selector(f"#{div} .MCButton", state="visible", timeout=20_000)
    after_wrong, after_right = answer_wrong_then_right(page, div, wrong, right)
    page.screenshot(path=str(screenshots / f"{path.stem}-quiz.png"))
    assert shows(after_wrong, wrong_feedback) and not shows(after_wrong, right_feedback), after_wrong
    assert shows(after_right, right_feedback), after_right
    assert not re.search(r"\bquiz\(", page.content()), "the deck shows the code that builds a question"
    assert not problems.items, "\n".join(problems.items)


# ---------------------------------------------------------------- presenting with the keyboard

READING_ORDER = """() => {
    // Every step a presenter should see, in document order: each slide or sub-slide, then its fragments.
    const steps = [];
    document.querySelectorAll('.reveal .slides > section').forEach((top, h) => {
        const inner = top.querySelectorAll(':scope > section');
        (inner.length ? Array.from(inner) : [top]).forEach((slide, v) => {
            const fragments = new Set(Array.from(slide.querySelectorAll('.fragment'))
                                      .map(f => Number(f.dataset.fragmentIndex)));
            steps.push(`${h}.${v}.-1`);
            Array.from(fragments).sort((a, b) => a - b).forEach(f => steps.push(`${h}.${v}.${f}`));
        });
    });
    return steps;
}"""
WHERE = "() => { const i = " + REVEAL + ".getIndices(); return `${i.h}.${i.v || 0}.${i.f === undefined ? -1 : i.f}`; }"


@pytest.mark.browser
@pytest.mark.parametrize("key", ["ArrowRight", "Space", "PageDown"])
def test_the_keys_step_through_every_slide_and_fragment_in_order(deck, key):
    """A clicker (PageDown), Space or the right arrow visits every step of the talk, sub-slides included."""
    page = deck(KEYS_DECK)
    expected = page.evaluate(READING_ORDER)
    assert any(not s.endswith(".0.-1") and s.split(".")[1] != "0" for s in expected[:31]), \
        "the first 30 steps of chapter 04 should include sub-slides"
    page.evaluate(f"{REVEAL}.slide(0, 0, -1)")  # back to the title: another key may have moved the deck
    visited = [page.evaluate(WHERE)]
    for _ in range(30):
        page.keyboard.press(key)
        page.wait_for_function(f"w => ({WHERE})() !== w", arg=visited[-1], timeout=5_000)
        visited.append(page.evaluate(WHERE))
    assert visited == expected[:31]
    assert not page.problems.items, "\n".join(page.problems.items)


@pytest.mark.browser
def test_a_question_answered_on_a_slide_leaves_the_keyboard_to_the_deck(deck, screenshots):
    """After a click on a choice, the keys move the deck, not the chosen answer."""
    quiz = first_quiz()
    page = deck(QUESTION_DECK)
    problems = page.problems
    page.evaluate("""div => { const Reveal = """ + REVEAL + """;
        const i = Reveal.getIndices(document.getElementById(div).closest('section'));
        Reveal.slide(i.h, i.v, Number.MAX_SAFE_INTEGER); }""", quiz.div)
    box = page.locator(f"#{quiz.div}")
    box.locator(".MCButton", has_text=quiz.wrong).first.click()
    chosen = box.locator(".Feedback").inner_text()
    radio = box.locator("input[type=radio]").first
    assert not radio.is_visible(), "the radio circle shows inside a choice"
    page.screenshot(path=str(screenshots / f"{quiz.path.stem}-quiz-answered.png"))
    for key in ("ArrowDown", "ArrowRight", "Space"):
        before = page.evaluate(WHERE)
        page.keyboard.press(key)
        page.wait_for_function(f"w => ({WHERE})() !== w", arg=before, timeout=5_000)
    assert box.locator(".Feedback").inner_text() == chosen, "a key changed the chosen answer"
    checked = box.locator("input[type=radio]:checked")
    assert checked.count() <= 1 and page.evaluate("() => document.activeElement === document.body")
    assert not problems.items, "\n".join(problems.items)
    page.close()
