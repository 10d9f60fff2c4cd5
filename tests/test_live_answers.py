"""Answers and self-check questions in JupyterLab, on a fresh copy of the course (see test_live.py).

A separate file from test_live.py so that, under `-n`, it runs on another worker with its own
JupyterLab server: both files are among the slowest of the suite.
"""
from __future__ import annotations

import subprocess

import nbformat
import pytest

from tests.support import NOTEBOOKS, answer_wrong_then_right, bounded, first_quiz, open_in_lab, show_cell, shows

pytestmark = pytest.mark.browser


def question_shown(div: str) -> str:
    """JavaScript: whether a cell's node shows question `div`'s buttons. (checkVisibility counts what the
    `contentVisibility` windowing skips as visible unless told otherwise.)"""
    return (f"node => {{ const b = node.querySelector('#{div} .MCButton');"
            " return !!b && b.checkVisibility({contentVisibilityAuto: true}); }")

# For the cells from `start` on: scroll each into view and report what a learner sees of it.
ANSWER_VIEW = """async ([name, start]) => {
  const app = window.jupyterapp;
  // The chapter's tab: the current one if it shows this chapter (after a page reload the restored layout
  // and the URL can both open it), else the last one opened.
  const panels = Array.from(app.shell.widgets('main')).filter(w => w.context && w.context.path === 'notebooks/' + name);
  const panel = panels.includes(app.shell.currentWidget) ? app.shell.currentWidget : panels[panels.length - 1];
  app.shell.activateById(panel.id);
  await panel.context.ready;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const nb = panel.content;
  const shown = el => !!el && el.isConnected && el.checkVisibility() && el.getBoundingClientRect().height > 0;
  const look = i => {
    const node = nb.widgets[i].node;
    const details = Array.from(node.querySelectorAll('.jp-RenderedMarkdown details, .jp-OutputArea details'));
    const outputs = Array.from(node.querySelectorAll('.jp-OutputArea-output')).filter(shown);
    return {
      index: i,
      kind: nb.widgets[i].model.type,
      tabs: panels.length,
      tabShown: panel.isVisible,
      summaries: details.filter(d => shown(d.querySelector('summary'))).length,
      open: details.filter(d => d.open).length,
      // Anything inside <details> but its <summary>, any editor, any output outside a box: none should show.
      answerText: details.flatMap(d => Array.from(d.children).filter(c => c.tagName !== 'SUMMARY')).filter(shown).length,
      code: Array.from(node.querySelectorAll('.jp-InputArea .cm-editor')).filter(shown).length,
      looseOutputs: outputs.filter(o => !o.querySelector('details')).length,
      placeholders: Array.from(node.querySelectorAll('.jp-OutputPlaceholder')).filter(shown).length,
    };
  };
  const seen = [];
  for (let i = start; i < nb.widgets.length; i++) {
    if (!panel.isVisible) {  // something else came to the front (e.g. a tab restored late on a busy machine)
      app.shell.activateById(panel.id);
      await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    }
    await nb.scrollToItem(i, 'center');
    // Every answer cell holds a <details> box (markdown, or the output of %%answer). Markdown renders
    // asynchronously, slowly on a busy machine, and a re-render on trust or MathJax can replace it: wait
    // (up to 20 s) until the box is there, then take what the cell shows once it has stayed the same for
    // three frames.
    const node = nb.widgets[i].node;
    const deadline = performance.now() + 20000;
    while (!node.querySelector('details > summary') && performance.now() < deadline)
      await new Promise(r => requestAnimationFrame(r));
    let last = '', same = 0, view = null;
    for (let frame = 0; frame < 600 && same < 3; frame++) {
      await new Promise(r => requestAnimationFrame(r));
      view = look(i);
      const key = JSON.stringify(view);
      same = key === last ? same + 1 : 0;
      last = key;
    }
    seen.push(view);
  }
  return seen;
}"""


def exercises_index(nb) -> int:
    return next(i for i, c in enumerate(nb.cells) if c.source.startswith("## Exercises"))


def assert_answers_hidden(page, nb, name: str, when: str = "") -> None:
    """Below the exercise list a learner sees only closed 'Answer N' and 'Worked code …' lines."""
    start = exercises_index(nb) + 1
    seen = page.evaluate(ANSWER_VIEW, [name, start])
    assert len(seen) == len(nb.cells) - start
    for cell, view in zip(nb.cells[start:], seen):
        where = f"{name}{when} cell {view['index']}"
        assert view["answerText"] == view["code"] == view["looseOutputs"] == view["open"] == 0, f"{where} shows its answer: {view}"
        assert view["placeholders"] == 0, f"{where}: its box is collapsed away, so there is nothing to click: {view}"
        assert view["summaries"] == 1, f"{where}: no closed line to click: {view}"


def chapter_with_an_answer_figure():
    return next(p for p in NOTEBOOKS if any(
        "solution" in c.metadata.get("tags", []) and any("data:image/svg+xml" in o.get("data", {}).get("text/html", "")
                                                         for o in c.outputs)
        for c in nbformat.read(p, as_version=4).cells))


# The answers' metadata is checked in every chapter by tests/test_notebooks.py; here JupyterLab shows that
# it hides them. Three chapters stand for all (each open costs a kernel start and about 7 s): the first
# (self-check questions and collapsed helper cells), one with a figure in an answer, and the last.
ANSWER_CHAPTERS = sorted({NOTEBOOKS[0], NOTEBOOKS[-1], chapter_with_an_answer_figure()})


@pytest.mark.parametrize("path", ANSWER_CHAPTERS, ids=lambda p: p.stem)
def test_answers_are_hidden_on_first_open(lab_page, screenshots, path):
    nb = nbformat.read(path, as_version=4)
    open_in_lab(lab_page, path.name)
    lab_page.wait_for_selector("#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=60_000)
    assert_answers_hidden(lab_page, nb, path.name)
    lab_page.screenshot(path=str(screenshots / f"lab-answers-{path.stem}.png"))


def test_one_click_reveals_an_answer(lab_page, screenshots):
    """Clicking 'Answer N' opens the written answer; clicking 'Worked code …' shows the code and its figure."""
    path = chapter_with_an_answer_figure()
    nb = nbformat.read(path, as_version=4)
    start = exercises_index(nb) + 1
    text = next(i for i in range(start, len(nb.cells)) if nb.cells[i].cell_type == "markdown")
    code = next(i for i in range(start, len(nb.cells)) if "data:image/svg+xml" in str(nb.cells[i].get("outputs")))
    open_in_lab(lab_page, path.name)
    lab_page.wait_for_selector("#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=60_000)
    cell = "(i => window.jupyterapp.shell.currentWidget.content.widgets[i].node)"

    lab_page.evaluate("async i => window.jupyterapp.shell.currentWidget.content.scrollToItem(i, 'center')", text)
    lab_page.evaluate(f"i => {cell}(i).querySelector('summary').click()", text)
    view = lab_page.evaluate(ANSWER_VIEW, [path.name, text])[0]
    assert view["open"] == 1 and view["answerText"] >= 1, f"one click did not reveal answer text: {view}"

    lab_page.evaluate("async i => window.jupyterapp.shell.currentWidget.content.scrollToItem(i, 'center')", code)
    lab_page.evaluate(f"i => {cell}(i).querySelector('.jp-OutputArea details summary').click()", code)
    shown = lab_page.evaluate(f"""i => {{
        const box = {cell}(i).querySelector('.jp-OutputArea details');
        const visible = el => !!el && el.checkVisibility() && el.getBoundingClientRect().height > 0;
        const figure = box.querySelector('img');
        return {{code: visible(box.querySelector('pre.d2l-answer-code')), figure: visible(figure) && figure.complete
                 && figure.naturalWidth > 0, text: box.innerText}};
    }}""", code)
    lab_page.screenshot(path=str(screenshots / f"lab-answer-revealed-{path.stem}.png"))
    assert shown["code"] and shown["figure"], f"one click did not show the solution's code and figure: {shown}"
    assert nb.cells[code].source.splitlines()[2] in shown["text"], "the box shows the cell's own code"


# Run every cell of the chapter `name` (in a fresh kernel first if `fresh`), and wait until all have run.
# Bounded: after 240 s it fails with what it saw, rather than hanging the test run.
# A fresh kernel is a new one (changeKernel), not a restart: on a restart JupyterLab opens a second websocket with
# the same session, jupyter_server 2.21 closes the first as stale, and a message still arriving on it is parsed
# with the wrong protocol and dropped ("struct.error: unpack requires a buffer" in the server log), so Run All
# never finished (seen twice in CI-like runs). A new kernel has a new websocket: nothing is replaced.
RUN_ALL = """async ([name, fresh]) => {
  const app = window.jupyterapp;
  const panel = Array.from(app.shell.widgets('main')).find(w => w.context && w.context.path === 'notebooks/' + name);
  app.shell.activateById(panel.id);
  await panel.sessionContext.ready;
  const settled = async (what) => {  // requests sent while the websocket reconnects can be lost (seen once in CI)
    const until = performance.now() + 60000;
    for (;;) {
      const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
      // A new kernel's status reads 'unknown' until it first reports one: only a settled socket counts.
      if (kernel && kernel.connectionStatus === 'connected'
          && !['starting', 'restarting', 'autorestarting', 'dead', 'busy'].includes(kernel.status)) return;
      if (performance.now() > until) throw new Error(`kernel not connected and settled 60 s ${what}: `
          + `${kernel ? kernel.connectionStatus + ', ' + kernel.status : 'no kernel'}`);
      await new Promise(r => setTimeout(r, 100));
    }
  };
  await settled('before Run All');
  if (fresh) {
    await panel.sessionContext.changeKernel({name: panel.sessionContext.session.kernel.name});
    await settled('in the new kernel');
  }
  const cells = panel.content.model.cells;
  const code = Array.from({length: cells.length}, (_, i) => cells.get(i)).filter(c => c.type === 'code');
  code.forEach(c => { c.executionCount = null; });  // a count appears again only when the cell has run
  if (app.shell.currentWidget !== panel) throw new Error('the chapter is not the current tab');
  await app.commands.execute('notebook:run-all-cells');
  const deadline = performance.now() + 240000;
  const done = () => code.every(c => c.executionCount !== null && c.executionState !== 'running');
  while (!done() || panel.sessionContext.session.kernel.status !== 'idle') {
    if (performance.now() > deadline) throw new Error(`Run All did not finish: ${code.filter(c => c.executionCount === null).length}`
        + ` cells not run, kernel ${panel.sessionContext.session.kernel.status}`);
    await new Promise(r => setTimeout(r, 200));
  }
}"""


def without_counts(path) -> dict:
    """The notebook at `path` without its cells' and results' execution counts."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.pop("execution_count", None)
        for output in cell.get("outputs", []):
            output.pop("execution_count", None)
    return nb


def test_answers_and_questions_survive_run_all_twice_save_and_reload(lab_page, lab, screenshots):
    """Run All in a fresh kernel, then again in the same kernel (the cell holding the questions' script is re-run):
    the answers are still closed on screen. Saved, closed, the page reloaded and the chapter reopened: `git diff`
    is empty, the answers are closed again, and every question renders and answers (its script travels with the
    notebook). One chapter with both a figure in an answer and questions stands for all."""
    path = chapter_with_an_answer_figure()
    quiz = first_quiz([path])
    nb = nbformat.read(path, as_version=4)
    # Start from a fresh tab: an earlier test may have opened this chapter and clicked its answers.
    lab_page.evaluate("""name => { for (const w of Array.from(window.jupyterapp.shell.widgets('main')))
        if (w.context && w.context.path === 'notebooks/' + name) w.dispose(); }""", path.name)
    open_in_lab(lab_page, path.name)
    lab_page.wait_for_selector("#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=60_000)
    bounded(lab_page, RUN_ALL, [path.name, True], 300, f"Run All of {path.name}")
    assert_answers_hidden(lab_page, nb, path.name, " after Run All")
    lab_page.screenshot(path=str(screenshots / f"lab-after-run-all-{path.stem}.png"))
    bounded(lab_page, "async () => { await window.jupyterapp.shell.currentWidget.context.save(); }", None, 120, "save")
    diff = subprocess.run(["git", "-C", str(lab.root), "diff", "--", f"notebooks/{path.name}"],
                          capture_output=True, text=True, check=True).stdout
    assert diff == "", f"Run All in a fresh kernel and save changed the chapter:\n{diff[:3000]}"
    bounded(lab_page, RUN_ALL, [path.name, False], 300, f"Run All again of {path.name}")
    assert_answers_hidden(lab_page, nb, path.name, " after Run All twice")
    bounded(lab_page, """async () => {
        const panel = window.jupyterapp.shell.currentWidget;
        await panel.context.save();
        await panel.sessionContext.shutdown();
        panel.dispose();
    }""", None, 120, "save, shut down and close")
    # The second run in the same kernel numbers its cells on from the first; nothing else may change.
    assert without_counts(lab.root / "notebooks" / path.name) == without_counts(path), (
        "Run All twice and save changed more than the execution counts")
    lab_page.goto(lab.page_url("/lab/tree/notebooks?reset"))  # a new page: the old one's JavaScript state is gone
    lab_page.wait_for_function("() => window.jupyterapp", timeout=90_000)
    lab_page.evaluate("async () => { await window.jupyterapp.restored; }")
    open_in_lab(lab_page, path.name)
    lab_page.wait_for_selector("#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=60_000)
    saved = nbformat.read(lab.root / "notebooks" / path.name, as_version=4)
    assert_answers_hidden(lab_page, saved, path.name, " reopened")
    lab_page.screenshot(path=str(screenshots / f"lab-reopened-{path.stem}.png"))
    questions = [i for i, c in enumerate(saved.cells) if "quiz" in c.metadata.get("tags", [])]
    assert questions, f"{path.name} has no question to check"
    for index in questions:
        assert show_cell(lab_page, index, "node => node.querySelector('.MCButton')"), f"question {index} did not render"
    assert show_cell(lab_page, questions[0], question_shown(quiz.div)), f"{quiz.div} did not show after the reload"
    after_wrong, after_right = answer_wrong_then_right(lab_page, quiz.div, quiz.wrong, quiz.right)
    lab_page.screenshot(path=str(screenshots / f"lab-quiz-after-run-all-twice-{path.stem}.png"))
    subprocess.run(["git", "-C", str(lab.root), "checkout", "--", f"notebooks/{path.name}"], check=True)
    assert shows(after_wrong, quiz.wrong_feedback) and shows(after_right, quiz.right_feedback), (after_wrong, after_right)
    # Seconds after the page loaded, stock JupyterLab asks about "official Jupyter news"; the course's settings
    # (tools/lab.py install_settings) turn that off.
    asked = lab_page.evaluate("() => Array.from(document.querySelectorAll('.Toastify__toast, .jp-toast-message'))"
                              ".map(t => t.innerText).filter(t => /Jupyter news/.test(t))")
    assert asked == [], f"JupyterLab shows the news pop-up: {asked}"


def test_a_question_gives_feedback_in_jupyterlab(lab_page, screenshots):
    path, div, wrong, right, wrong_feedback, right_feedback = first_quiz()
    open_in_lab(lab_page, path.name)
    index = next(i for i, c in enumerate(nbformat.read(path, as_version=4).cells) if div in str(c.get("outputs")))
    assert show_cell(lab_page, index, question_shown(div)), f"the question in cell {index} did not show"
    after_wrong, after_right = answer_wrong_then_right(lab_page, div, wrong, right)
    lab_page.screenshot(path=str(screenshots / f"lab-quiz-{path.stem}.png"))
    assert shows(after_wrong, wrong_feedback) and not shows(after_wrong, right_feedback), after_wrong
    assert shows(after_right, right_feedback), after_right
