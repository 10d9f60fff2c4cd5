"""Chapter 01's broadcasting picture box by box, checked against torch.broadcast_shapes, and the JavaScript
compaction of the quiz library. Written for mutation testing (`make mutants`): each test catches changes the
SVG-text tests of tests/test_tensors.py let pass."""
from __future__ import annotations

from unittest import mock

import matplotlib
import nbformat
import pytest
import torch
from matplotlib import pyplot as plt
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle

from d2l_utils import tensors
from tools import svg_compare
from tools.paths import ROOT

matplotlib.use("Agg")


def drawn_figure(monkeypatch, shape_a, shape_b):
    """The matplotlib figure show_broadcast draws (before it becomes SVG)."""
    figures = []
    monkeypatch.setattr(tensors, "_show_svg", figures.append)
    tensors.show_broadcast(shape_a, shape_b)
    (fig,) = figures
    plt.close(fig)  # still readable; no figure left open
    return fig


def boxes(fig) -> dict[tuple[int, int], Rectangle]:
    """Each box by the (axis, row) of its centre: rows 2 (a), 1 (b) and 0 (result)."""
    found = {}
    for patch in fig.axes[0].patches:
        x, y = patch.get_xy()
        centre = (x + patch.get_width() / 2, y + patch.get_height() / 2)
        key = (round(centre[0]), round(centre[1]))
        assert centre == pytest.approx(key), "every box is centred on its axis and row"
        found[key] = patch
    return found


@pytest.mark.parametrize("shape_a,shape_b", [((2, 1), (3,)), ((4, 3), (4, 3)), ((1,), (2, 5))])
def test_each_box_shows_whether_its_axis_is_kept_or_stretched(monkeypatch, shape_a, shape_b):
    fig = drawn_figure(monkeypatch, shape_a, shape_b)
    result = torch.broadcast_shapes(shape_a, shape_b)
    n = len(result)
    drawn = boxes(fig)
    assert len(drawn) == 3 * n
    for row, shape in ((2, shape_a), (1, shape_b)):
        padded = (1,) * (n - len(shape)) + tuple(shape)
        for k in range(n):
            box = drawn[(k, row)]
            stretched = padded[k] != result[k]
            assert to_hex(box.get_facecolor()) == (tensors._STRETCHED if stretched else tensors._KEPT)
            assert box.get_linestyle() == ("--" if k < n - len(shape) else "-"), "added axes are dashed"
    for k in range(n):
        assert to_hex(drawn[(k, 0)].get_facecolor()) == "#ffffff"
    for box in drawn.values():
        assert (box.get_width(), box.get_height()) == (0.8, 0.6)
        assert to_hex(box.get_edgecolor()) == "#000000" and box.get_linewidth() == 1


def test_a_clash_is_red_in_all_three_rows(monkeypatch):
    drawn = boxes(drawn_figure(monkeypatch, (2, 3), (4, 3)))
    assert [to_hex(drawn[(0, row)].get_facecolor()) for row in (2, 1, 0)] == [tensors._CLASH] * 3
    assert [to_hex(drawn[(1, row)].get_facecolor()) for row in (2, 1)] == [tensors._KEPT] * 2


def test_compact_drops_indentation_blank_lines_and_comment_lines():
    code = "// the library\nfunction f(a) {\n    // why\n    return a; // kept: not a whole line\n\n  }\n"
    assert tensors._compact(code) == "function f(a) {\nreturn a; // kept: not a whole line\n}"


def test_the_picture_is_the_one_chapter_01_commits():
    """The SVG shown (fonts, ids, crop, the markup _show_svg trims) is the committed output of the chapter's cell."""
    call = "show_broadcast((2, 3), (2,))"
    nb = nbformat.read(ROOT / "notebooks" / "01_tensors.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and c.source.strip() == call]
    (committed,) = [o.data["image/svg+xml"] for o in cell.outputs if "image/svg+xml" in o.get("data", {})]
    shown = []
    # matplotlib's defaults, as in a kernel that has run nothing else (other helpers set the SVG settings globally)
    with plt.style.context("default"), mock.patch("IPython.display.display", shown.append):
        tensors.show_broadcast((2, 3), (2,))
    (svg,) = shown
    assert svg_compare.difference(committed, svg.data) is None


def test_six_axes_are_drawn_and_seven_refused(monkeypatch):
    drawn = boxes(drawn_figure(monkeypatch, (1,) * 6, (2,)))
    assert len(drawn) == 3 * 6
    with pytest.raises(ValueError) as caught:
        tensors.show_broadcast((1,) * 7, (2,))
    assert str(caught.value) == "shape_a has 7 axes; show_broadcast draws at most 6"
