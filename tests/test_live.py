"""JupyterLab and live RISE slides in Chromium, on a fresh copy of the course opened like `make lab` does.

A JupyterLab server is started by `python -m tools.lab` (what `make lab` runs) on a free loopback port,
serving a temporary copy of notebooks/ with an empty Jupyter data folder: no notebook is trusted
beforehand, exactly as after a fresh clone. Screenshots go to build/screenshots/.
"""
from __future__ import annotations

import json
import subprocess
import time

import nbformat
import pytest

from tests.support import (NOTEBOOKS, SHOW_ALL_SLIDES, first_quiz, has_svg, kept_pages, measure_when_stable, open_in_lab,
                           settle, show_cell, svg_cells)
from tools import kernel_ports, slides

pytestmark = pytest.mark.browser


# What a cell's node shows of its outputs: SVG rendered, or figures shown only as text.
CELL_FIGURES = """node => {
  const svgs = node.querySelectorAll('.jp-RenderedSVG img, .jp-RenderedSVG svg').length;
  const bare = Array.from(node.querySelectorAll('.jp-OutputArea-output'))
      .filter(e => e.innerText.trim().startsWith('<Figure size')).length;
  return {svgs, bare};
}"""
# The same for cell `i` of the notebook on screen.
CELL = "(i => window.jupyterapp.shell.currentWidget.content.widgets[i].node)"


def first_figure(page, path, figures_only: bool = False) -> dict:
    """Bring the open notebook's first SVG output (as `path` holds it) to the middle of the screen; what it shows.

    JupyterLab renders only the cells near the view: going straight to the cell, rather than scrolling past
    every cell before it, spares typesetting them all."""
    index = svg_cells(path, figures_only)[0]
    page.wait_for_selector("#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=60_000)
    if not show_cell(page, index, f"node => {{ const f = ({CELL_FIGURES})(node); return f.svgs + f.bare > 0; }}"):
        # Neither: the caller's assertion shows what there is, and where the cell was.
        return page.evaluate(f"""i => {{ const panel = window.jupyterapp.shell.currentWidget;
            const cell = panel.content.widgets[i].node.getBoundingClientRect();
            const view = panel.content.node.getBoundingClientRect();
            return {{...({CELL_FIGURES})({CELL}(i)), tab: panel.context ? panel.context.path : panel.id,
                     cell: [Math.round(cell.top - view.top), Math.round(cell.bottom - view.top)],
                     view: Math.round(view.height)}}; }}""", index)
    return measure_when_stable(page, f"() => ({CELL_FIGURES})({CELL}({index}))")


# `make lab` trusts every chapter the same way, so three stand for all (each open costs a kernel start and
# about 7 s): the first chapter drawing with IPython's SVG display, the first and the last drawing with
# matplotlib. tests/test_notebooks.py checks every chapter's figures in the files.
_MATPLOTLIB = [p for p in NOTEBOOKS if has_svg(p, figures_only=True)]
FIGURE_CHAPTERS = sorted({next(p for p in NOTEBOOKS if has_svg(p) and p not in _MATPLOTLIB),
                          _MATPLOTLIB[0], _MATPLOTLIB[-1]})


@pytest.mark.parametrize("path", FIGURE_CHAPTERS, ids=lambda p: p.stem)
def test_fresh_copy_shows_svg_figures_in_jupyterlab(lab_page, screenshots, path):
    page = lab_page
    open_in_lab(page, path.name)
    found = first_figure(page, path)
    page.screenshot(path=str(screenshots / f"lab-{path.stem}.png"))
    assert found == {"svgs": found["svgs"], "bare": 0} and found["svgs"] >= 1, (
        f"{path.name} opened in JupyterLab shows its figure as text, not SVG: {found}"
    )


def test_untrusted_notebook_would_hide_figures(lab_page, lab):
    """Control: the check above can fail. A copy no one has trusted shows `<Figure size ...>` text."""
    source = next(p for p in NOTEBOOKS if has_svg(p, figures_only=True))
    nb = nbformat.read(source, as_version=4)
    nb.metadata["note"] = "changed after `make lab` trusted the notebooks, so its signature is unknown"
    nbformat.write(nb, lab.root / "notebooks" / "untrusted_control.ipynb")
    open_in_lab(lab_page, "untrusted_control.ipynb")
    found = first_figure(lab_page, source, figures_only=True)
    assert found["bare"] >= 1 and found["svgs"] == 0, found


def test_jupyterlab_kernels_take_the_course_ports(lab_page, lab):
    """The kernels of the chapters opened above took ports below the ephemeral range (tools/kernel_ports.py)."""
    files = sorted((lab.log.parent / "runtime").glob("kernel-*.json"))
    assert files, "no kernel has started"
    ports = {name: json.loads(f.read_text())[name] for f in files
             for name in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")}
    assert all(kernel_ports.FIRST <= port <= kernel_ports.LAST for port in ports.values()), ports


def open_rise(browser, lab, name: str):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(lab.page_url(f"/rise/notebooks/{name}"))
    page.wait_for_selector(".reveal.ready", timeout=90_000)
    return page


# The chapters whose live deck the tests after test_rise_renders_the_deck present: a question, and a code cell run.
QUESTION_CHAPTER = first_quiz().path.name
CODE_CHAPTER = "04_calculus.ipynb"


@pytest.fixture(scope="module")
def rise_deck(browser, lab):
    """rise_deck(name) -> the page showing chapter `name` in live RISE, opened once for this module
    (support.kept_pages). A test that uses it removes what it added to the page and leaves it where it stopped
    (a question answered, a cell edited); the tests that use a kept deck close it, before the test that saves
    chapters in JupyterLab."""
    yield from kept_pages(lambda name: open_rise(browser, lab, name))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_rise_renders_the_deck(rise_deck, screenshots, path):
    nb = nbformat.read(path, as_version=4)
    page = rise_deck(path.name)
    slides_shown = page.evaluate("document.querySelectorAll('.reveal .slides section:not(.stack)').length")
    marks = page.evaluate("""() => ['.course-header', '.course-footer'].map(
        s => { const e = document.querySelector('.reveal ' + s); return e ? e.textContent : null; })""")
    css = page.evaluate("Array.from(document.querySelectorAll('link[rel=stylesheet]')).map(l => l.href)")
    page.screenshot(path=str(screenshots / f"rise-{path.stem}-title.png"))
    # Self-check questions render in the live slideshow too (their JavaScript runs in a trusted chapter).
    questions = sum("quiz" in c.metadata.get("tags", []) for c in nb.cells)
    page.wait_for_function("n => new Set(Array.from(document.querySelectorAll('.reveal [id^=\"quiz\"] .MCButton'))"
                           ".map(b => b.closest('[id^=\"quiz\"]').id)).size === n", arg=questions, timeout=30_000)
    # RISE lays out only the slides near the current one; show them all at once to measure each.
    show_all = page.add_style_tag(content=SHOW_ALL_SLIDES)
    heights = measure_when_stable(page, """() => Array.from(document.querySelectorAll('.reveal .slides section'))
        .filter(s => !s.querySelector('section'))
        .map(s => ({height: s.scrollHeight, title: (s.querySelector('h1, h2, h3') || {textContent: ''})
                    .textContent.replace('¶', '').slice(0, 60)}))""")
    (screenshots / f"rise-{path.stem}-slide-heights.txt").write_text(
        "".join(f"{i + 1:>4} {h['height']:5d}px  {h['title']}\n" for i, h in enumerate(heights)))
    show_all.evaluate("e => e.remove()")
    if path.name not in (QUESTION_CHAPTER, CODE_CHAPTER):
        page.close()
    assert slides_shown == slides.expected_slides(nb), "RISE shows a different number of slides than the metadata"
    assert len(heights) == slides_shown
    screen = nb.metadata["rise"]["height"]
    too_tall = [h for h in heights if h["height"] > screen]
    assert not too_tall, f"live RISE slides taller than the {screen}-px screen; split or shorten them: {too_tall}"
    assert marks[0] == "Deep Learning Math & Tooling" and marks[1].endswith(nb.metadata["rise"]["footer"].split("· ")[1][:-6])
    assert any(h.endswith("/notebooks/rise.css") for h in css), "RISE did not load the course stylesheet"


def test_rise_runs_a_code_cell_during_the_talk(rise_deck, screenshots):
    page = rise_deck(CODE_CHAPTER)
    page.wait_for_selector(".reveal section.present", timeout=60_000)
    for _ in range(40):  # step through slides and fragments until a code cell is on screen
        cells = page.locator(".reveal section.present .jp-CodeCell")
        if cells.count() and cells.first.is_visible():
            break
        page.keyboard.press("ArrowRight")
        settle(page)
    # Pin the cell handle. Ctrl-Enter runs the cell and stays on it (Shift-Enter would move on).
    cell = page.locator(".reveal section.present .jp-CodeCell").first.element_handle()
    editor = cell.query_selector(".cm-content")
    editor.click()
    page.wait_for_function("c => c.classList.contains('jp-mod-active')", arg=cell)
    page.keyboard.press("Control+a")
    page.keyboard.type('print("computed live:", sum(range(10)))')
    assert editor.inner_text() == 'print("computed live:", sum(range(10)))'
    page.keyboard.press("Control+Enter")
    try:
        # 45 is computed by the kernel; the committed notebook contains no such output.
        page.wait_for_function(
            "c => Array.from(c.querySelectorAll('.jp-OutputArea-output')).some(o => o.innerText.includes('computed live: 45'))",
            arg=cell, timeout=120_000,
        )
        settle(page)
    finally:
        page.screenshot(path=str(screenshots / "rise-live-cell.png"))
        page.close()


# Where live RISE stands: the present slide's position among all slides, and how many fragments it shows.
RISE_WHERE = """() => {
    const leaves = Array.from(document.querySelectorAll('.reveal .slides section')).filter(s => !s.querySelector('section'));
    const present = leaves.findIndex(s => s.classList.contains('present'));
    const shown = present < 0 ? 0 : leaves[present].querySelectorAll('.fragment.visible').length;
    return `${present}.${shown}`;
}"""


def test_a_question_answered_in_live_rise_leaves_the_keyboard_to_the_deck(rise_deck, screenshots):
    """In the live slideshow too: after a click on a choice, → and Space move the deck, not the answer."""
    quiz = first_quiz()
    page = rise_deck(quiz.path.name)
    page.wait_for_selector(".reveal section.present", timeout=60_000)
    box = page.locator(f"#{quiz.div}")
    # Jump to the question's slide by its address, then step through its fragments with Space as a presenter
    # would (stepping there from the title took seconds of CPU; the keys are checked on this slide, below).
    target = page.evaluate("div => document.getElementById(div).closest('section[id]').id", quiz.div)
    page.evaluate("id => { location.hash = '#/' + id; }", target)
    page.wait_for_function("id => document.getElementById(id).classList.contains('present')", arg=target, timeout=10_000)
    for _ in range(30):
        if page.evaluate("""div => { const q = document.getElementById(div);
                return !!q && q.closest('section').classList.contains('present')
                    && !q.closest('.fragment:not(.visible)'); }""", quiz.div):
            break
        before = page.evaluate(RISE_WHERE)
        page.keyboard.press("Space")  # Space visits every step; → in live RISE jumps to the next top-level slide
        page.wait_for_function(f"w => ({RISE_WHERE})() !== w", arg=before, timeout=10_000)
    box.locator(".MCButton", has_text=quiz.wrong).first.click()
    chosen = box.locator(".Feedback").inner_text()
    assert not box.locator("input[type=radio]").first.is_visible(), "the radio circle shows inside a choice"
    page.screenshot(path=str(screenshots / f"rise-{quiz.path.stem}-quiz-answered.png"))
    for key in ("ArrowRight", "Space"):
        before = page.evaluate(RISE_WHERE)
        page.keyboard.press(key)
        page.wait_for_function(f"w => ({RISE_WHERE})() !== w", arg=before, timeout=10_000)
    assert box.locator(".Feedback").inner_text() == chosen, "a key changed the chosen answer"
    assert box.locator("input[type=radio]:checked").count() <= 1
    page.close()


# Resolves once the open chapter's kernel has answered and JupyterLab has copied its language_info into the
# notebook; returns whether the chapter then counts as modified, and what the kernel reported.
KERNEL_CONNECTED = """async () => {
    const panel = window.jupyterapp.shell.currentWidget;
    await panel.sessionContext.ready;
    const kernel = panel.sessionContext.session.kernel;
    const info = await kernel.info;
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    return {dirty: panel.context.model.dirty, language: info.language_info,
            saved: panel.context.model.getMetadata('language_info')};
}"""


@pytest.mark.parametrize("names", [("01_tensors.ipynb", "03_linear_algebra.ipynb")], ids=["01+03"])
def test_opening_and_saving_chapters_leaves_the_clone_clean(lab_page, lab, screenshots, names):
    """A learner opens two chapters and the kernel starts: neither shows as modified, and saving them
    leaves `git status` empty."""
    for name in names:
        path = lab.root / "notebooks" / name
        before = path.stat().st_mtime_ns
        page = lab_page
        open_in_lab(page, name)
        page.wait_for_selector("#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=60_000)
        connected = page.evaluate(KERNEL_CONNECTED)
        assert "version" not in connected["language"], "the course kernel reports no Python patch version"
        assert connected["saved"] == connected["language"], connected
        assert connected["dirty"] is False, f"{name} shows as modified once its kernel has started"
        page.locator("#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.click()
        page.keyboard.press("Control+s")
        page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000)
        deadline = time.monotonic() + 30
        while path.stat().st_mtime_ns == before and time.monotonic() < deadline:
            time.sleep(0.1)  # the save request reaches the server after the key press
        page.screenshot(path=str(screenshots / f"lab-saved-{path.stem}.png"))
        assert path.stat().st_mtime_ns != before, f"JupyterLab did not save {name}"
    status = subprocess.run(["git", "-C", str(lab.root), "status", "--porcelain", "--", *(f"notebooks/{n}" for n in names)],
                            capture_output=True, text=True, check=True).stdout
    diff = subprocess.run(["git", "-C", str(lab.root), "diff"], capture_output=True, text=True).stdout
    assert status == "", f"saving unchanged chapters modified the clone:\n{status}{diff}"


def test_a_presenter_note_reads_as_a_note_in_jupyterlab(lab_page, screenshots):
    """A learner sees the presenter's notes as a labelled quote, set apart from the lesson text."""
    path, index = next((p, i) for p in NOTEBOOKS for i, c in enumerate(nbformat.read(p, as_version=4).cells)
                       if c.metadata.get("slideshow", {}).get("slide_type") == "notes")
    open_in_lab(lab_page, path.name)
    lab_page.wait_for_selector("#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=60_000)
    assert show_cell(lab_page, index, "node => node.querySelector('.jp-RenderedMarkdown blockquote strong')"), (
        f"{path.name}: the presenter's note in cell {index} did not render")
    label = lab_page.evaluate("""i => { const node = window.jupyterapp.shell.currentWidget.content.widgets[i].node;
        const quote = node.querySelector('.jp-RenderedMarkdown blockquote');
        return {label: quote.querySelector('strong').innerText, border: getComputedStyle(quote).borderLeftStyle}; }""", index)
    lab_page.screenshot(path=str(screenshots / f"lab-presenter-note-{path.stem}.png"))
    assert label["label"] == "Presenter's note." and label["border"] != "none", label
