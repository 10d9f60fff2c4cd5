"""Code shared by the test modules (no test module imports another): the course's paths, the course set's
environment, the self-check questions as committed, a JupyterLab server on a fresh copy of the course, and the
stylesheet that lays out every slide at once for measuring.
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import NamedTuple

import nbformat
import pytest

from tools.lock import locked, wanted_here
from tools.paths import BUILD, ROOT, chapters
from tools.setup_env import NOT_INSTALLED

NOTEBOOKS = chapters()
# The course set alone, as `make lab` installs it (the course_python fixture in tests/conftest.py makes it).
COURSE_ENV = BUILD / "course-env"
# Tools that only the tests and maintainers use (requirements/dev.in): none may reach a learner's environment.
DEV_ONLY = ("pytest", "pytest-xdist", "nbval", "hypothesis", "playwright", "jupyter-repo2docker", "ruff", "mutmut",
            "sphinx", "myst-nb", "sphinx-book-theme")


def dev_modules() -> list[str]:
    """The top-level modules these tools install, as this (development) environment has them."""
    from importlib.metadata import packages_distributions

    from packaging.utils import canonicalize_name
    return sorted(module for module, dists in packages_distributions().items()
                  if not module.startswith("_") and any(canonicalize_name(d) in DEV_ONLY for d in dists))


def what_setup_installs(which: str) -> dict[str, str]:
    """{package: version} that setup installs here from requirements/<which>.txt: the lock less NOT_INSTALLED."""
    return {name: version for name, version in wanted_here(locked(which)).items() if name not in NOT_INSTALLED}


TOKEN = "course-browser-test"
KEY = re.compile(r'<script type="application/json" class="quiz-key">(.*?)</script>', re.DOTALL)


# ---------------------------------------------------------------- self-check questions

def quizzes(path: Path) -> list[tuple[int, nbformat.NotebookNode]]:
    nb = nbformat.read(path, as_version=4)
    return [(i, c) for i, c in enumerate(nb.cells) if "quiz" in c.metadata.get("tags", [])]


def committed_question(index: int, cell) -> dict:
    html = "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)
    keys = KEY.findall(html)
    assert keys, f"cell {index}: no committed question"
    return json.loads(keys[0])[0]


class FirstQuiz(NamedTuple):
    """The course's first question: where it is, one wrong and the right choice, and their feedback."""
    path: Path
    div: str
    wrong: str
    right: str
    wrong_feedback: str
    right_feedback: str


def first_quiz(chapters: list[Path] = NOTEBOOKS) -> FirstQuiz:
    """The first question of `chapters` (by default, of the course)."""
    for path in chapters:
        for index, cell in quizzes(path):
            html = "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)
            answers = committed_question(index, cell)["answers"]
            right = next(a for a in answers if a["correct"])
            wrong = next(a for a in answers if not a["correct"])
            return FirstQuiz(path, re.search(r'<div id="(quiz\w+)"', html)[1], wrong["answer"], right["answer"],
                             wrong["feedback"], right["feedback"])
    pytest.fail(f"no quiz in {[p.name for p in chapters]}")


def shows(shown: str, feedback: str) -> bool:
    """True if the page shows this feedback (compared on letters and digits: math and markup render)."""
    letters = lambda text: re.sub(r"[^A-Za-z0-9]", "", text)  # noqa: E731
    return letters(feedback)[:30] in letters(shown)


def answer_wrong_then_right(page, div: str, wrong: str, right: str) -> tuple[str, str]:
    """Click a wrong choice, then the right one; return the feedback shown after each click."""
    quiz = page.locator(f"#{div}")
    quiz.locator(".MCButton", has_text=wrong).first.click()
    after_wrong = quiz.locator(".Feedback").inner_text()
    quiz.locator(".MCButton", has_text=right).first.click()
    return after_wrong, quiz.locator(".Feedback").inner_text()


# ---------------------------------------------------------------- slides

# Every fragment of a slide shown, as after stepping through them all.
SHOW_FRAGMENTS = ".reveal .slides section .fragment { visibility: visible !important; opacity: 1 !important; }"
# Stepping through with Reveal.slide() and reading at once under-measures: layout and MathJax catch up with
# a newly shown slide only after a few hundred milliseconds. test_live.py measures live RISE the same way.
SHOW_ALL_SLIDES = ".reveal .slides section { display: block !important; } " + SHOW_FRAGMENTS

# JavaScript expression: a deck's slides in order (the sections that hold no other section), in nbconvert's
# decks and in live RISE alike.
SLIDES = "Array.from(document.querySelectorAll('.reveal .slides section')).filter(s => !s.querySelector('section'))"


def slide_limit(screen: int) -> int:
    """The tallest slide (px) that shows whole on a `screen`-px-high window.

    nbconvert's reveal template (setScrollingSlide in nbconvert/templates/reveal/index.html.j2) and
    jupyterlab-rise (the same rule in its bundle, run on every slide change) turn a slide taller than 95 % of the
    window into a scroll box 95vh high: its last lines are cut off and hide behind the footer, and the instructor
    has to scroll mid-talk. A slide up to this height is centred and ends above the footer; `SHOWN_SLIDE` checks
    that on each deck's tallest slide."""
    return math.floor(0.95 * screen)


# JavaScript function (slide, keep): the boxes of what a slide shows, each with a short label: every line of text
# and every image, figure, button and formula whose element `keep` accepts.
CONTENT_BOXES = """(slide, keep) => {
  const boxes = [];
  const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || !keep(node.parentElement)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) if (r.height > 0) boxes.push([r, node.textContent.trim().slice(0, 40)]);
  }
  for (const el of slide.querySelectorAll('img, svg, button, mjx-container')) {
    const r = el.getBoundingClientRect();
    if (r.height > 0 && keep(el)) boxes.push([r, el.tagName.toLowerCase()]);
  }
  return boxes;
}"""


# JavaScript, run while SHOW_ALL_SLIDES is on: what of each slide (in order) would lie under the deck's own
# controls, which float over the slides: reveal.js's arrows, the slide number and live RISE's help button (?).
# Each slide is measured where SHOW_ALL_SLIDES leaves it, then moved to where reveal.js shows it: centred in the
# 720-px-high slide area (slides are `center`ed; the static decks scale that area to fit a margin). All four
# arrows count, shown or not: which ones show depends on where the talk is. rise.css puts the controls in the
# footer band, below the slides.
UNDER_CONTROLS = """() => {
  const area = document.querySelector('.reveal .slides'), box = area.getBoundingClientRect();
  const scale = box.height / area.offsetHeight;
  const controls = Array.from(document.querySelectorAll('.reveal .controls button, .reveal .slide-number, #help-b'))
    .map(e => ({name: e.id || e.className.split(' ')[0], box: e.getBoundingClientRect()})).filter(c => c.box.width > 0);
  const found = [];
  """ + SLIDES + """.forEach((slide, i) => {
    const at = slide.getBoundingClientRect();
    const top = box.top + scale * Math.max((area.offsetHeight - slide.scrollHeight) / 2, 0);  // as reveal.js centres it
    for (const [r, what] of (""" + CONTENT_BOXES + """)(slide, () => true)) {
      const x = r.left - at.left + box.left, y = r.top - at.top + top;
      for (const c of controls)
        if (x < c.box.right && x + r.width > c.box.left && y < c.box.bottom && y + r.height > c.box.top)
          found.push({slide: i + 1, text: what, under: c.name});
    }
  });
  return {controls: controls.length, found};
}"""


# JavaScript: the slide shown now, with all its fragments. Whether it became a scroll box, where its lowest
# visible text, image or button ends, and where the footer's box starts (px from the top of the window).
SHOWN_SLIDE = """() => {
  const slide = document.querySelector('.reveal .slides section.present:not(.stack)');
  const shown = el => el.checkVisibility({opacityProperty: true, visibilityProperty: true});
  const bottom = Math.max(0, ...(""" + CONTENT_BOXES + """)(slide, shown).map(([r]) => r.bottom));
  return {scrolls: slide.scrollHeight > slide.clientHeight + 1, bottom: Math.round(bottom),
          footer: Math.round(document.querySelector('.reveal .course-footer').getBoundingClientRect().top)};
}"""


# ---------------------------------------------------------------- JupyterLab

def svg_cells(path: Path, figures_only: bool = False) -> list[int]:
    """Indices of a chapter's cells that show SVG (with figures_only: a matplotlib figure, which is
    `<Figure size …>` as text)."""
    nb = nbformat.read(path, as_version=4)
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
            and any("image/svg+xml" in o.get("data", {})
                    and (not figures_only or o["data"].get("text/plain", "").startswith("<Figure size"))
                    for o in c.outputs)]


def has_svg(path: Path, figures_only: bool = False) -> bool:
    """Whether a chapter shows SVG (see svg_cells)."""
    return bool(svg_cells(path, figures_only))


class Lab:
    def __init__(self, url: str, root: Path, log: Path):
        self.url, self.root, self.log = url, root, log

    def page_url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.url}{path}{sep}token={TOKEN}"


def start_lab(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    jupyter = tmp_path_factory.mktemp("jupyter")
    (course / "notebooks").mkdir()
    for path in NOTEBOOKS + [ROOT / "notebooks" / "rise.css"]:
        shutil.copy2(path, course / "notebooks" / path.name)
    # A clone, as a learner has it: committed, with the course's .gitignore.
    shutil.copy2(ROOT / ".gitignore", course / ".gitignore")
    git = ["git", "-c", "user.name=Learner", "-c", "user.email=learner@example.invalid", "-C", str(course)]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "the course as cloned"]):
        subprocess.run(git + args, check=True, capture_output=True)
    env = dict(
        os.environ,
        JUPYTER_DATA_DIR=str(jupyter / "data"),  # holds the trust database: empty, like a new machine
        JUPYTER_RUNTIME_DIR=str(jupyter / "runtime"),
        JUPYTER_CONFIG_DIR=str(jupyter / "config"),
        JUPYTER_PLATFORM_DIRS="1",
    )
    # Its kernels take their ports as the tests' own kernels do (tools/kernel_ports.py): the server runs
    # this config file at start, from the tests' empty config folder.
    (jupyter / "config").mkdir()
    (jupyter / "config" / "jupyter_server_config.py").write_text(
        "from tools import kernel_ports\n\nkernel_ports.install()\n")
    # JupyterLab picks its own port (from 8888 up, skipping busy ones) and writes the one it bound to its
    # runtime file: no window between probing a free port and binding it, whatever else runs.
    log = open(jupyter / "lab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tools.lab", "--root", str(course), "--no-browser",
         "--ServerApp.port_retries=200", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
         # window.jupyterapp lets one page open notebook after notebook, without reloading JupyterLab.
         "--LabApp.expose_app_in_browser=True"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    runtime = jupyter / "runtime" / f"jpserver-{proc.pid}.json"  # tools.lab execs: the server keeps the pid
    deadline = time.monotonic() + 90
    while True:
        try:
            url = json.loads(runtime.read_text())["url"].rstrip("/")
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except (OSError, ValueError, KeyError):  # not written yet, half written, or not serving yet
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("JupyterLab did not start:\n" + (jupyter / "lab.log").read_text()[-3000:])
            time.sleep(0.2)
    try:
        yield Lab(url, course, jupyter / "lab.log")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def open_lab_page(browser, lab):
    """One JupyterLab page for the tests that open notebooks: loading the app once saves CPU time."""
    browser.context.clear_cookies()  # a server started earlier in this browser on the same port left its cookies
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(lab.page_url("/lab/tree/notebooks?reset"))
    page.wait_for_function("() => window.jupyterapp", timeout=90_000)
    page.evaluate("async () => { await window.jupyterapp.restored; }")  # every plugin has started
    yield page
    page.close()


def bounded(page, script: str, arg=None, seconds: float = 120, what: str = "a step in the page"):
    """Evaluate an async `script` with `arg`, failing after `seconds` instead of waiting forever (a dialog or a
    lost kernel reply would otherwise hang the test run); the error names `what` was waited for."""
    return page.evaluate("""async ([source, arg, ms, what]) => Promise.race([
        (0, eval)(source)(arg),
        new Promise((_, reject) => setTimeout(() => reject(new Error(what + ' did not finish in ' + ms / 1000 + ' s')), ms))])""",
        [script, arg, int(seconds * 1000), what])


# The cells of the notebook tab in front.
SHOWN_CELLS = "#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell"


def open_in_lab(page, name: str) -> None:
    """Open notebooks/<name> as a learner would from the file browser: in a new tab, or in its tab if it is open.

    Earlier tabs stay open behind it (closing one whose kernel has started asks to save it). Returns once the
    chapter's tab is the shell's current widget, through which the tests read the chapter, and shows cells.
    """
    bounded(page, """async name => {
        const app = window.jupyterapp;
        const widget = await app.commands.execute('docmanager:open', {path: 'notebooks/' + name});
        await widget.context.ready;
        app.shell.activateById(widget.id);
        while (app.shell.currentWidget !== widget) await new Promise(r => requestAnimationFrame(r));
    }""", name, 120, f"opening {name}")
    page.wait_for_selector(SHOWN_CELLS, timeout=60_000)


def show_cell(page, index: int, ready: str = "node => true", timeout_ms: int = 30_000) -> bool:
    """Scroll the current notebook until cell `index` is on screen and `ready(cell's node)` holds; False if that
    did not happen in time.

    The scroll is repeated at each poll: where one scroll lands depends on the layout at that moment (cells off
    screen have an estimated height under JupyterLab's default `contentVisibility` windowing, and a tab just
    opened may not be laid out yet). In one CI run a figure cell showed nothing for 30 s after a single scroll.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # only the browser tests need Playwright

    # A block body: JupyterLab's promise is not awaited (a later scroll rejects it); the polls scroll again anyway.
    page.evaluate("i => { window.jupyterapp.shell.currentWidget.content.scrollToItem(i, 'center'); }", index)
    try:
        page.wait_for_function(f"""i => {{ const nb = window.jupyterapp.shell.currentWidget.content;
            const node = nb.widgets[i].node;
            const cell = node.getBoundingClientRect(), view = nb.node.getBoundingClientRect();
            if (cell.bottom > view.top && cell.top < view.bottom && ({ready})(node)) return true;
            nb.scrollToItem(i, 'center');
            return false; }}""", arg=index, polling=250, timeout=timeout_ms)
    except PlaywrightTimeout:
        return False
    return True


# ---------------------------------------------------------------- waiting on the page, not on the clock

# Resolves after the browser has laid out and painted twice: what a style or scroll change needs to show.
TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def settle(page) -> None:
    """Wait until the page has laid out what the last action changed (two animation frames)."""
    page.evaluate(TWO_FRAMES)


def measure_when_stable(page, script: str, timeout_s: float = 20.0):
    """Evaluate `script` frame after frame until it gives the same result three times in a row.

    Layout, fonts and MathJax catch up with a change over several frames, more of them on a slow or busy
    machine; a measurement taken after a fixed pause can read a slide before it has its final height.
    """
    deadline = time.monotonic() + timeout_s
    last, same = None, 0
    while same < 3:
        settle(page)
        current = page.evaluate(script)
        same = same + 1 if current == last else 1
        last = current
        if time.monotonic() > deadline:
            pytest.fail(f"the page kept changing for {timeout_s} s while being measured")
    return last


# ---------------------------------------------------------------- offline pages

class PageProblems:
    """Console errors, uncaught exceptions and failed or remote requests seen by one page."""

    def __init__(self, page, allowed_prefixes: tuple[str, ...]):
        self.items: list[str] = []
        self.allowed = allowed_prefixes
        page.on("console", lambda m: m.type == "error" and self.items.append(f"console error: {m.text}"))
        page.on("pageerror", lambda e: self.items.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.items.append(f"request failed: {r.url} ({r.failure})"))
        page.on("request", self._check_origin)

    def _check_origin(self, request) -> None:
        if not request.url.startswith(self.allowed):
            self.items.append(f"request outside the allowed origins: {request.url}")


class KeptPages:
    """Pages opened by `open_page(name)`, one per name, kept for later tests when their name is in `keep`.

    A load of a deck costs seconds of CPU, so a test that presents a deck again reuses the one an earlier test
    loaded: pages(name) returns the page of `name` if it is still open, else opens it; pages.done(name) closes it
    unless a later test needs it (`keep`)."""

    def __init__(self, open_page, keep: set[str]):
        self.open_page, self.keep, self.pages = open_page, keep, {}

    def __call__(self, name: str):
        if name not in self.pages or self.pages[name].is_closed():
            self.pages[name] = self.open_page(name)
        return self.pages[name]

    def done(self, name: str) -> None:
        if name not in self.keep:
            self.pages.pop(name).close()


def kept_pages(open_page, keep: set[str]):
    """For a module-scoped fixture: yields KeptPages(open_page, keep), and closes every page at the end."""
    pages = KeptPages(open_page, keep)
    yield pages
    for page in pages.pages.values():
        page.close()


def keep_inside(page, prefix: str) -> None:
    """Abort every request of `page` whose URL does not start with `prefix` (the `watch` fixture records it)."""
    page.route(lambda url: not url.startswith(prefix), lambda route: route.abort())


# reveal.js bounces an arrow of its controls for up to 100 s after a deck opens, until the first move (its
# "controls tutorial"). That animation kept an idle deck at 5-7 % of a CPU core (measured); no test looks at the
# arrows, so the decks the tests open have it stopped.
STILL_ARROWS = ".reveal .controls .highlight { animation: none !important; }"


def still_arrows(page) -> None:
    """Stop reveal.js's bouncing arrow on `page` (STILL_ARROWS)."""
    page.add_style_tag(content=STILL_ARROWS)


def math_done(page) -> None:
    """Wait until MathJax 3 (if the page loads it) has typeset the page."""
    page.evaluate("async () => { if (window.MathJax?.startup?.promise) await MathJax.startup.promise; }")


# ---------------------------------------------------------------- figures and their descriptions

# A figure inside a worked answer's box: d2l_utils/answers.py embeds it in the HTML output as an <img>.
EMBEDDED_FIGURE = re.compile(r'<img [^>]*src="data:image/(?:svg\+xml|png);base64,')


def figures(cell) -> int:
    """How many figures a cell shows: SVG or PNG outputs, and figures embedded in a worked answer's HTML."""
    count = 0
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        count += ("image/svg+xml" in data or "image/png" in data) + len(EMBEDDED_FIGURE.findall(data.get("text/html", "")))
    return count


def image_alts(page: str) -> list[str | None]:
    """The alternative text of every <img> in an HTML page, in order (None where an image has none)."""
    from html import unescape

    return [unescape(alt) if alt is not None else None
            for alt in (re.search(r'\salt="([^"]*)"', tag)[1] if ' alt="' in tag else None
                        for tag in re.findall(r"<img\b[^>]*>", page))]
