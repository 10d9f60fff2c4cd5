"""The tolerant SVG comparison, on every figure the course commits, and its hook into nbval."""
from __future__ import annotations

import base64

import nbformat
import pytest

from tests import svg_tamper
from tools import svg_compare
from tools.nbval_plugin import tolerate_figures

from tools.paths import chapters
SVG = "image/svg+xml"


def committed_figures() -> list[tuple[str, str]]:
    figures = []
    for path in chapters():
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        for number, cell in enumerate(code):
            for out in cell.outputs:
                if SVG in out.get("data", {}):
                    figures.append((f"{path.stem}::Cell {number}", out.data[SVG]))
    return figures


FIGURES = committed_figures()
IDS = [name for name, _ in FIGURES]


def test_the_course_has_figures_to_check():
    assert len(FIGURES) >= 10, IDS


@pytest.mark.parametrize("name,svg", FIGURES, ids=IDS)
def test_invisible_jitter_passes_and_visible_changes_fail(name, svg):
    assert svg_compare.difference(svg, svg) is None
    jittered = svg_tamper.jitter(svg, 0.001)
    assert jittered != svg
    assert svg_compare.difference(svg, jittered) is None, "a 0.001 px jitter must pass"
    # The same jitter is caught when no tolerance is allowed: the jitter really changes coordinates.
    assert svg_compare.difference(svg, jittered, tolerance=0) is not None
    assert "attribute" in svg_compare.difference(svg, svg_tamper.recolour(svg))
    assert "text" in svg_compare.difference(svg, svg_tamper.relabel(svg))


@pytest.mark.parametrize("name,svg", [f for f in FIGURES if 'id="line2d_' in f[1]
                                      and svg_tamper.has_plotted_line(f[1])], ids=lambda v: v[:40])
def test_a_one_pixel_move_of_a_line_fails(name, svg):
    problem = svg_compare.difference(svg, svg_tamper.move_line(svg, 1.0))
    assert problem and "differs by 1" in problem, problem


LINE_FIGURE = next(svg for _, svg in FIGURES if svg_tamper.has_plotted_line(svg))


def test_a_jitter_just_over_the_tolerance_fails():
    svg = LINE_FIGURE
    assert svg_compare.difference(svg, svg_tamper.move_line(svg, 0.011)) is not None
    assert svg_compare.difference(svg, svg_tamper.move_line(svg, 0.009)) is None


def test_structure_must_match():
    svg = FIGURES[0][1]
    fewer = svg.replace("<g id=\"patch_1\">", "<g id=\"patch_1\" opacity=\"0.5\">", 1)
    assert "attributes" in svg_compare.difference(svg, fewer)
    assert svg_compare.difference(svg, svg.replace("<metadata>", "<metadata><extra/>", 1)) is not None
    two = '<svg xmlns="http://www.w3.org/2000/svg"><g><path d="M 0 0"/><path d="M 1 1"/></g></svg>'
    assert "child elements" in svg_compare.difference(two, two.replace('<path d="M 1 1"/>', ""))
    assert "element" in svg_compare.difference(two, two.replace("<path", "<rect", 1))
    assert "not comparable" in svg_compare.difference(svg, svg[: len(svg) // 2])


def test_numbers_outside_geometry_compare_exactly():
    ref = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M 0 0" style="stroke-width: 1.5"/></svg>'
    new = ref.replace("1.5", "1.501")
    assert "style" in svg_compare.difference(ref, new)
    assert svg_compare.difference(ref, ref.replace("M 0 0", "M 0.004 -0.003")) is None
    assert "different text" in svg_compare.difference(ref, ref.replace("M 0 0", "L 0 0"))
    assert "number" in svg_compare.difference(ref, ref.replace("M 0 0", "M 0 0 0")) or \
        "different text" in svg_compare.difference(ref, ref.replace("M 0 0", "M 0 0 0"))


@pytest.mark.parametrize("tolerance", [-0.01, float("nan"), "0.01", None])
def test_bad_tolerance_is_rejected(tolerance):
    with pytest.raises(ValueError, match="tolerance"):
        svg_compare.difference("<svg/>", "<svg/>", tolerance)


def test_tolerate_figures_substitutes_only_matching_figures():
    svg = LINE_FIGURE
    committed = [{"output_type": "display_data", "data": {SVG: svg, "text/plain": "<Figure>"}},
                 {"output_type": "stream", "name": "stdout", "text": "1.0\n"}]
    produced = [{"output_type": "display_data", "data": {SVG: svg_tamper.jitter(svg), "text/plain": "<Figure>"}},
                {"output_type": "stream", "name": "stdout", "text": "1.1\n"}]
    result, problems, tolerated = tolerate_figures(produced, committed, 0.01)
    assert result[0]["data"][SVG] == svg and problems == [] and tolerated == 1
    assert result[1] == produced[1], "text is left for nbval to compare exactly"
    assert produced[0]["data"][SVG] != svg, "the produced outputs are not modified in place"
    moved = [{"output_type": "display_data", "data": {SVG: svg_tamper.move_line(svg), "text/plain": "<Figure>"}}]
    result, problems, tolerated = tolerate_figures(moved, committed[:1], 0.01)
    assert result[0]["data"][SVG] != svg and len(problems) == 1 and tolerated == 0 and "figure 1" in problems[0]


def answer_box(svg: str, printed: str = "1.0\n") -> dict:
    """A worked answer's output (d2l_utils/answers.py): printed text and a figure inside a closed box."""
    figure = base64.b64encode(svg.encode()).decode()
    html = f'<details><summary>Worked code</summary>\n<pre>{printed}</pre>\n<img src="data:image/svg+xml;base64,{figure}">\n</details>'
    return {"output_type": "display_data", "data": {"text/html": html, "text/plain": printed}}


def test_a_figure_inside_an_answer_box_gets_the_same_tolerance():
    committed = [answer_box(LINE_FIGURE)]
    result, problems, tolerated = tolerate_figures([answer_box(svg_tamper.jitter(LINE_FIGURE))], committed, 0.01)
    assert result == committed and problems == [] and tolerated == 1
    result, problems, tolerated = tolerate_figures([answer_box(svg_tamper.move_line(LINE_FIGURE))], committed, 0.01)
    assert result != committed and tolerated == 0 and len(problems) == 1 and "inside an HTML output" in problems[0]
    changed_text = [answer_box(svg_tamper.jitter(LINE_FIGURE), printed="1.1\n")]
    result, problems, tolerated = tolerate_figures(changed_text, committed, 0.01)
    assert result[0]["data"]["text/html"] != committed[0]["data"]["text/html"], "the rest is compared exactly"
