"""Answers and self-check questions in JupyterLab, on a fresh copy of the course (see test_live.py).

A separate file from test_live.py so that, under `-n 2`, it runs on the other worker with its own
JupyterLab server: both files are among the slowest of the suite.
"""
from __future__ import annotations

import nbformat
import pytest

from tests.support import NOTEBOOKS, open_in_lab

pytestmark = pytest.mark.browser

# For the cells from `start` on: scroll each into view and report what a learner sees of it.
ANSWER_VIEW = """async start => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  const shown = el => !!el && el.checkVisibility() && el.getBoundingClientRect().height > 0;
  const seen = [];
  for (let i = start; i < nb.widgets.length; i++) {
    await nb.scrollToItem(i, 'center');
    await new Promise(r => requestAnimationFrame(() => setTimeout(r, 30)));
    const node = nb.widgets[i].node;
    const details = Array.from(node.querySelectorAll('.jp-RenderedMarkdown details'));
    seen.push({
      index: i,
      kind: nb.widgets[i].model.type,
      summaries: details.filter(d => shown(d.querySelector('summary'))).length,
      open: details.filter(d => d.open).length,
      // Anything inside <details> but its <summary>, any editor, any output: none should show.
      answerText: details.flatMap(d => Array.from(d.children).filter(c => c.tagName !== 'SUMMARY')).filter(shown).length,
      code: Array.from(node.querySelectorAll('.jp-InputArea .cm-editor')).filter(shown).length,
      outputs: Array.from(node.querySelectorAll('.jp-OutputArea-output')).filter(shown).length,
      placeholders: Array.from(node.querySelectorAll('.jp-InputPlaceholder, .jp-OutputPlaceholder')).filter(shown).length,
      firstLine: (node.querySelector('.jp-InputPlaceholder') || {innerText: ''}).innerText.trim(),
    });
  }
  return seen;
}"""


def exercises_index(nb) -> int:
    return next(i for i, c in enumerate(nb.cells) if c.source.startswith("## Exercises"))


# The answers' metadata is checked in every chapter by tests/test_notebooks.py; here JupyterLab shows that
# metadata hides them. Three chapters stand for all (each open costs a kernel start and about 7 s): the first
# (self-check questions and a collapsed helper cell), one with a figure in an answer, and the last.
ANSWER_CHAPTERS = sorted({NOTEBOOKS[0], NOTEBOOKS[-1], next(p for p in NOTEBOOKS if any(
    "solution" in c.metadata.get("tags", []) and any("image/svg+xml" in o.get("data", {}) for o in c.outputs)
    for c in nbformat.read(p, as_version=4).cells))})


@pytest.mark.parametrize("path", ANSWER_CHAPTERS, ids=lambda p: p.stem)
def test_answers_are_hidden_on_first_open(lab_page, screenshots, path):
    """Below the exercise list a learner sees only 'Answer N' lines and collapsed cells, no answer."""
    nb = nbformat.read(path, as_version=4)
    start = exercises_index(nb) + 1
    open_in_lab(lab_page, path.name)
    lab_page.wait_for_selector("#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=60_000)
    seen = lab_page.evaluate(ANSWER_VIEW, start)
    assert len(seen) == len(nb.cells) - start
    for cell, view in zip(nb.cells[start:], seen):
        where = f"{path.name} cell {view['index']}"
        assert view["answerText"] == view["code"] == view["outputs"] == view["open"] == 0, f"{where} shows its answer: {view}"
        if cell.cell_type == "markdown":
            assert view["summaries"] == 1, f"{where}: no 'Answer' line to click: {view}"
        else:
            assert view["placeholders"] >= 1, f"{where}: a code answer shows no collapsed placeholder: {view}"
            assert view["firstLine"].startswith("#"), f"{where}: the collapsed cell shows a line of code: {view}"
    lab_page.screenshot(path=str(screenshots / f"lab-answers-{path.stem}.png"))


def test_one_click_reveals_an_answer(lab_page, screenshots):
    """Clicking 'Answer N' opens the worked answer; clicking a collapsed solution shows its code and figure."""
    path = next(p for p in NOTEBOOKS if any(
        "solution" in c.metadata.get("tags", []) and any("image/svg+xml" in o.get("data", {}) for o in c.outputs)
        for c in nbformat.read(p, as_version=4).cells))
    nb = nbformat.read(path, as_version=4)
    start = exercises_index(nb) + 1
    text = next(i for i in range(start, len(nb.cells)) if nb.cells[i].cell_type == "markdown")
    code = next(i for i in range(start, len(nb.cells)) if any("image/svg+xml" in o.get("data", {})
                                                              for o in nb.cells[i].get("outputs", [])))
    open_in_lab(lab_page, path.name)
    lab_page.wait_for_selector("#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=60_000)
    cell = "(i => window.jupyterapp.shell.currentWidget.content.widgets[i].node)"

    lab_page.evaluate("async i => window.jupyterapp.shell.currentWidget.content.scrollToItem(i, 'center')", text)
    lab_page.evaluate(f"i => {cell}(i).querySelector('summary').click()", text)
    view = lab_page.evaluate(ANSWER_VIEW, text)[0]
    assert view["open"] == 1 and view["answerText"] >= 1, f"one click did not reveal answer text: {view}"

    lab_page.evaluate("async i => window.jupyterapp.shell.currentWidget.content.scrollToItem(i, 'center')", code)
    for kind in ("Input", "Output"):
        lab_page.evaluate(f"i => {cell}(i).querySelector('.jp-{kind}Placeholder .jp-Placeholder-content').click()", code)
    lab_page.wait_for_function(f"i => {cell}(i).querySelector('.jp-RenderedSVG img, .jp-RenderedSVG svg')", arg=code,
                               timeout=10_000)
    view = lab_page.evaluate(ANSWER_VIEW, code)[0]
    svg = lab_page.evaluate(f"i => {cell}(i).querySelectorAll('.jp-RenderedSVG img, .jp-RenderedSVG svg').length", code)
    lab_page.screenshot(path=str(screenshots / f"lab-answer-revealed-{path.stem}.png"))
    assert view["code"] == 1 and view["outputs"] >= 1 and svg >= 1, f"the solution's code and figure did not show: {view}"


def test_a_question_gives_feedback_in_jupyterlab(lab_page, screenshots):
    from tests.support import answer_wrong_then_right, first_quiz, shows

    path, div, wrong, right, wrong_feedback, right_feedback = first_quiz()
    open_in_lab(lab_page, path.name)
    index = next(i for i, c in enumerate(nbformat.read(path, as_version=4).cells) if div in str(c.get("outputs")))
    lab_page.evaluate("async i => window.jupyterapp.shell.currentWidget.content.scrollToItem(i, 'center')", index)
    lab_page.wait_for_selector(f"#{div} .MCButton", state="visible", timeout=30_000)
    after_wrong, after_right = answer_wrong_then_right(lab_page, div, wrong, right)
    lab_page.screenshot(path=str(screenshots / f"lab-quiz-{path.stem}.png"))
    assert shows(after_wrong, wrong_feedback) and not shows(after_wrong, right_feedback), after_wrong
    assert shows(after_right, right_feedback), after_right
