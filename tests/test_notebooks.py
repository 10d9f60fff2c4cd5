"""Structure and hygiene of every chapter notebook; new notebooks are covered automatically."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from tests.support import figures
from tools import deck, execute, slides

from tools.paths import ROOT, chapters

NOTEBOOKS = chapters()
MAX_BYTES = 300 * 1024  # the course budget; split a chapter rather than squeeze its outputs
IMAGE_TYPES = ("image/svg+xml", "image/png", "image/jpeg")


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def headings(nb) -> list[str]:
    return [
        line.strip()
        for c in nb.cells
        if c.cell_type == "markdown"
        for line in c.source.splitlines()
        if line.startswith("#")
    ]


def test_chapters_are_numbered_in_reading_order():
    numbers = [int(p.name.split("_")[0]) for p in NOTEBOOKS]
    assert NOTEBOOKS, "no notebooks found"
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", p.name) for p in NOTEBOOKS), [p.name for p in NOTEBOOKS]
    assert numbers == sorted(set(numbers)), "chapter numbers must be unique"


@pytest.fixture(params=NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def notebook(request):
    return request.param, load(request.param)


def test_valid_nbformat(notebook):
    path, nb = notebook
    nbformat.validate(nb)


def test_starts_with_title_and_goals(notebook):
    path, nb = notebook
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "the first cell must be a '# Title'"
    assert "What you will learn" in first.source, "the title cell must list what the learner will learn"


def test_ends_with_summary_and_exercises_with_solutions(notebook):
    path, nb = notebook
    heads = headings(nb)
    assert "## Summary" in heads and "## Exercises" in heads
    assert heads.index("## Summary") < heads.index("## Exercises")
    solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) >= 3, "each chapter has at least three worked solutions"
    for cell in solutions:
        assert cell.cell_type == "code", "solutions are code cells that run under the tests"
    exercises = next(c.source for c in nb.cells if c.source.startswith("## Exercises"))
    assert "Bug hunt" in exercises, "each chapter has a 'Bug hunt' exercise"


ANSWER = re.compile(r"<details><summary>[^<]+</summary>\n\n.+\n\n</details>", re.DOTALL)


def test_answers_stay_hidden_until_asked(notebook):
    """Every cell after the exercise list is an answer, and none shows until the learner opens it."""
    path, nb = notebook
    start = next(i for i, c in enumerate(nb.cells) if c.source.startswith("## Exercises"))
    answers = nb.cells[start + 1:]
    assert answers, "the exercises have worked answers"
    for index, cell in enumerate(answers, start + 1):
        where = f"{path.name}, cell {index}"
        assert cell.metadata.get("slideshow", {}).get("slide_type") == "skip", f"{where}: answers are not on slides"
        if cell.cell_type == "markdown":
            # A blank line after <summary> and before </details> lets Markdown and math render inside.
            assert ANSWER.fullmatch(cell.source), f"{where}: wrap the answer in <details><summary>…</summary>"
        else:
            assert "solution" in cell.metadata.get("tags", []), f"{where}: tag answer code `solution`"
            # %%answer (d2l_utils/answers.py) shows the code and its output in one closed box; its first
            # comment line is the box's title.
            assert re.match(r"%%answer\n# Worked code for exercise \d+", cell.source), (
                f"{where}: start answer code with `%%answer` and a line `# Worked code for exercise N`")
            # The source stays hidden (running a cell does not show it); the output must not be collapsed,
            # or the box with the answer would not show at all.
            assert cell.metadata.get("jupyter") == {"source_hidden": True}, f"{where}: hide the source only"
            assert "collapsed" not in cell.metadata, f"{where}: drop `collapsed` (it would hide the box)"
            kinds = [(out.output_type, out.get("data", {}).get("text/html", "")[:30]) for out in cell.outputs]
            assert kinds == [("display_data", '<details class="d2l-answer"><s')], (
                f"{where}: the answer's only output is its closed box; something shows outside it: {kinds}")


def test_worked_answers_load_their_cell_magic(notebook):
    """The hidden cell before the exercises loads %%answer, so Run All reaches the answers with it."""
    path, nb = notebook
    start = next(i for i, c in enumerate(nb.cells) if c.source.startswith("## Exercises"))
    loader = nb.cells[start - 1]
    assert loader.cell_type == "code" and loader.source.splitlines()[-1] == "%reload_ext d2l_utils.answers", (
        f"{path.name}: put a cell `%reload_ext d2l_utils.answers` right before the exercises")
    assert loader.metadata.get("jupyter", {}).get("source_hidden") is True, f"{path.name}: hide the loader cell"
    assert loader.metadata.get("slideshow", {}).get("slide_type") == "skip", f"{path.name}: skip it on slides"


# On a 1280x720 slide a code line of 90 characters and an output line of 100 fit without wrapping.
MAX_CODE_LINE, MAX_OUTPUT_LINE = 90, 100


def output_lines(cell) -> list[str]:
    lines = []
    for out in cell.outputs:
        text = out.get("text", "") if out.output_type == "stream" else out.get("data", {}).get("text/plain", "")
        if "image/svg+xml" not in out.get("data", {}):
            lines += text.splitlines()
    return lines


def test_lines_fit_on_a_slide(notebook):
    path, nb = notebook
    long = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or cell.metadata.get("slideshow", {}).get("slide_type") == "skip":
            continue
        long += [f"[{index}] code {len(l)}: {l}" for l in cell.source.splitlines() if len(l) > MAX_CODE_LINE]
        long += [f"[{index}] output {len(l)}: {l}" for l in output_lines(cell) if len(l) > MAX_OUTPUT_LINE]
    assert not long, f"{path.name}: lines too wide for a slide (code {MAX_CODE_LINE}, output {MAX_OUTPUT_LINE}):\n" + (
        "\n".join(long))


def test_kernelspec_and_language(notebook):
    path, nb = notebook
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata.get("language_info") == execute.LANGUAGE_INFO, "run `make execute` to normalise metadata"


def test_executed_in_order(notebook):
    path, nb = notebook
    counts = [c.execution_count for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), (
        f"code cells must be executed once, top to bottom (run `make execute NB={path.relative_to(ROOT)}`); "
        f"got {counts}"
    )
    for cell in nb.cells:
        assert "execution" not in cell.metadata, "timing metadata varies between runs"


def test_no_errors_stderr_or_bare_figures(notebook):
    path, nb = notebook
    for index, cell in enumerate(code_cells(nb)):
        where = f"{path.name}, code cell {index + 1}"
        for out in cell.outputs:
            assert out.output_type != "error", f"{where}: error output {out.get('ename')}"
            if out.output_type == "stream":
                assert out.name == "stdout", f"{where}: stderr output: {out.text[:200]}"
            data = out.get("data", {})
            if data.get("text/plain", "").startswith("<Figure size"):
                assert any(t in data for t in IMAGE_TYPES), f"{where}: a figure that shows only as text"
            if "image/png" in data:
                pytest.fail(f"{where}: PNG figure (strict nbval does not compare PNG); use d2l.use_svg_display()")


def test_size_on_disk(notebook):
    path, nb = notebook
    assert path.stat().st_size <= MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes (limit {MAX_BYTES})"


def test_slide_metadata(notebook):
    path, nb = notebook
    assert nb.metadata.get("rise") == deck.rise_settings(path, nb), (
        "the `rise` settings differ from the course's (tools/deck.py); run `make execute`"
    )
    for index, cell in enumerate(nb.cells):
        kind = cell.metadata.get("slideshow", {}).get("slide_type")
        assert kind in deck.SLIDE_TYPES, f"cell {index} has slide_type {kind!r}"
    assert nb.cells[0].metadata["slideshow"]["slide_type"] == "slide"
    assert slides.expected_slides(nb) >= 5, "a chapter is a deck of several slides, one idea each"


def test_canonical_file_layout(notebook):
    """Files are written the way tools/execute.py writes them, so re-running changes no byte."""
    path, nb = notebook
    assert path.read_text(encoding="utf-8") == nbformat.writes(nb) + "\n"


def test_rise_stylesheet_exists():
    assert (ROOT / "notebooks" / "rise.css").is_file(), "jupyterlab-rise loads rise.css from the notebooks folder"


# Deprecated or discouraged PyTorch idioms, and warnings hidden from the learner.
OUTDATED = {
    r"\btorch\.norm\(|(?<!linalg)\.norm\(": "use torch.linalg.norm / vector_norm / matrix_norm",
    r"\b(simplefilter|filterwarnings)\(": "do not hide warnings; fix what causes them",
    r"\.data\b(?!_ptr)": "use torch.no_grad() or nn.init instead of .data",
}


def pattern_hits(index: int, source: str, patterns: dict[str, str]) -> list[str]:
    """One line per match of each pattern in a cell's source: "[cell] what matched: why it is banned"."""
    return [f"[{index}] {m.group(0)!r}: {why}" for pattern, why in patterns.items()
            for m in re.finditer(pattern, source)]


def test_current_apis_and_no_hidden_warnings(notebook):
    path, nb = notebook
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        patterns = dict(OUTDATED)
        # Chapter 06's own scalar autograd (`Value`) names its forward number `.data`, as micrograd does.
        if re.search(r"\b(Value|_Node)\b", cell.source):
            patterns = {p: why for p, why in patterns.items() if not why.startswith("use torch.no_grad")}
        found += pattern_hits(index, cell.source, patterns)
    assert not found, f"{path.name}:\n" + "\n".join(found)


# ---- Third edition: predictions that are real, helpers that show their idea, text for learners ----

PROMPT = "**Predict first.**"
REVEALING = ("fragment", "subslide", "slide")


def lesson_cells(nb) -> list[tuple[int, nbformat.NotebookNode]]:
    """The cells before the exercises (exercises may ask for predictions in their own words)."""
    end = next((i for i, c in enumerate(nb.cells) if c.source.startswith("## Exercises")), len(nb.cells))
    return list(enumerate(nb.cells[:end]))


def visible(cell) -> bool:
    """Shown to a learner in JupyterLab: markdown, or code whose source is not collapsed."""
    return cell.cell_type == "markdown" or not cell.metadata.get("jupyter", {}).get("source_hidden")


def slide_type(cell) -> str:
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


def test_predictions_are_asked_before_the_answer_shows(notebook):
    """A prompt ends with a visible break (a rule), and what answers it comes on a later reveal step."""
    path, nb = notebook
    problems = []
    for index, cell in lesson_cells(nb):
        if cell.cell_type != "markdown":
            continue
        # An instruction to the learner ("Predict the shape ..."), not a model's prediction ("Predict new inputs").
        asks = re.search(r"\bPredict (the|what|whether|which|how|both|each|its|where|first)\b", cell.source)
        if asks and PROMPT not in cell.source:
            problems.append(f"[{index}] asks for a prediction without the marker {PROMPT!r}")
        if PROMPT not in cell.source:
            continue
        if not cell.source.startswith(PROMPT) and not re.search(r"\n\n\*\*Predict first\.\*\*", cell.source):
            problems.append(f"[{index}] start the prompt's paragraph with {PROMPT!r}")
        if not re.search(r"\n\n---\s*$", cell.source):
            problems.append(f"[{index}] end the prompt with a blank line and `---` (a visible break)")
        following = nb.cells[index + 1] if index + 1 < len(nb.cells) else None
        if following is None or slide_type(following) not in REVEALING:
            problems.append(f"[{index}] the cell after the prompt must be a fragment, subslide or slide")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


CHECK_LINE = re.compile(r"\braise\b|\bfail\(|\bcheck_\w*\(|\b_check\w*\(")


def test_displayed_helpers_show_their_idea(notebook):
    """A #@save helper a learner sees has at most two lines of argument checking; the rest is out of sight."""
    path, nb = notebook
    heavy = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.startswith("#@save") or not visible(cell):
            continue
        lines = cell.source.splitlines()
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = lines[node.body[0].lineno - 1:node.end_lineno]
                checks = [line.strip() for line in body if CHECK_LINE.search(line)]
                if len(checks) > 2:
                    heavy.append(f"[{index}] {node.name}: {len(checks)} checking lines: {checks}")
    assert not heavy, f"{path.name}: move argument checks to @checked hints or a collapsed cell:\n" + "\n".join(heavy)


# Words that belong to maintainers, each with the reason a learner should not meet it.
MAINTAINER_WORDS = {
    r"NBVAL": "test markers: use the cell tags nbval-ignore-output/nbval-skip",
    r"(?i)\b(any|every|other|each) (CPU|machine)s?\b": "reproducibility plumbing is not lesson text",
    r"hashsalt": "SVG determinism belongs in hidden helpers",
    r"\btextwrap\b": "wrapping for slide width is not lesson code",
    r"\btests?/test_\w+\.py|\btest_\w+\.py": "test file names",
    r"(?i)\bthe tests\b": "learners do not run the course's tests",
    r"d2l\.__file__": "finding files through the package is plumbing",
    r"(?i)to fit (on )?the slide": "slide layout is not lesson text",
    r"(?i)common pitfall\.?\s*a common misconception": "say it once",
}


def test_learners_see_no_maintainer_plumbing(notebook):
    path, nb = notebook
    found = []
    for index, cell in enumerate(nb.cells):
        if not visible(cell):
            continue
        found += pattern_hits(index, cell.source, MAINTAINER_WORDS)
        if cell.cell_type == "code":
            comments = [line.split("#", 1)[1] for line in cell.source.splitlines() if "#" in line]
            found += [f"[{index}] comment {c.strip()!r}: slides are not lesson code" for c in comments
                      if re.search(r"(?i)\bslides?\b", c)]
    assert not found, f"{path.name}:\n" + "\n".join(found)


def test_ignored_outputs_say_why(notebook):
    """An output nbval ignores is tagged, never marked in the learner's code, and says why."""
    path, nb = notebook
    for index, cell in enumerate(nb.cells):
        if "nbval-ignore-output" in cell.metadata.get("tags", []):
            assert cell.metadata.get("why_ignored", "").strip(), (
                f"{path.name} [{index}]: say in metadata why_ignored why this output varies")


def bug_hunt(nb) -> str:
    cell = next(c for c in nb.cells if c.source.startswith("## Exercises"))
    return cell.metadata.get("bug_hunt", "")


def test_every_bug_hunt_hunts_a_different_bug():
    """Nine chapters, nine different bugs: each exercise list names its bug in metadata `bug_hunt`."""
    bugs = {path.name: bug_hunt(load(path)) for path in NOTEBOOKS}
    missing = [name for name, bug in bugs.items() if not bug.strip()]
    assert not missing, f"name the bug of each bug hunt in the exercise cell's metadata bug_hunt: {missing}"
    repeated = {bug for bug in bugs.values() if list(bugs.values()).count(bug) > 1}
    assert not repeated, f"two chapters hunt the same bug: {repeated}"


def test_one_name_per_chapter():
    """The README's chapter table names each chapter exactly as its notebook's title (and so its deck)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        title = deck.chapter_title(load(path))
        assert title[:1].isupper() and title[1:] == title[1:].lower() or " " not in title, (
            f"{path.name}: titles use sentence case, got {title!r}")
        assert f"[{title}](notebooks/{path.name})" in readme, f"README's table names {path.name} differently: {title!r}"


def test_make_execute_repairs_the_metadata_hygiene_requires(tmp_path):
    """Strip every visibility key the hygiene tests demand; the normaliser (`make execute`) puts them back."""
    source = ROOT / "notebooks" / "04_calculus.ipynb"
    nb = load(source)
    for cell in nb.cells:
        cell.metadata.pop("jupyter", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.get("slideshow", {}).pop("slide_type", None)
    with pytest.raises(AssertionError):
        test_answers_stay_hidden_until_asked((source, nb))
    deck.apply(source, nb)
    test_answers_stay_hidden_until_asked((source, nb))
    assert all(c.metadata["jupyter"]["source_hidden"] for c in nb.cells if "quiz" in c.metadata.get("tags", []))


def test_presenter_notes_look_like_notes(notebook):
    """A `notes` cell is for the presenter: in JupyterLab it reads as a labelled aside, not lesson text."""
    path, nb = notebook
    for index, cell in enumerate(nb.cells):
        if slide_type(cell) != "notes":
            continue
        assert cell.cell_type == "markdown", f"{path.name} [{index}]: notes are markdown"
        assert cell.source.startswith("> **Presenter's note.**") and all(
            line.startswith(">") for line in cell.source.splitlines()), (
            f"{path.name} [{index}]: write presenter notes as a quote starting with **Presenter's note.**")


def test_every_figure_carries_a_description(notebook):
    """A screen reader reads a figure's alternative text; the decks (tools/templates) and the site (tools/site.py)
    take it from the cell's metadata `alt`, written by the author: one description, so one figure per cell."""
    path, nb = notebook
    for index, cell in enumerate(nb.cells):
        where, alt, shown = f"{path.name} [{index}]", cell.metadata.get("alt"), figures(cell)
        if shown:
            assert shown == 1, f"{where}: {shown} figures share one description; split the cell"
            assert isinstance(alt, str) and len(alt.split()) >= 8, (
                f"{where}: describe the figure in the cell's metadata `alt` (a sentence or two: what is drawn, "
                f"what it shows), got {alt!r}")
        else:
            assert alt is None, f"{where}: metadata `alt` describes a figure the cell does not show"
