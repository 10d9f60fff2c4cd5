"""Unit tests of the plotting helpers saved from notebooks/04_calculus.ipynb."""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # headless: no display on CI

import numpy as np
import pytest
import torch

import d2l_utils as d2l


# Every test starts and ends without open figures (fixture in tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fresh_figures")


def lines_of(axes):
    return [(line.get_xdata(), line.get_ydata()) for line in axes.get_lines()]


def test_d2l_names_are_exported():
    for name in ("plt", "use_svg_display", "set_figsize", "set_axes", "plot"):
        assert hasattr(d2l, name), name
    assert d2l.plt is matplotlib.pyplot


@pytest.mark.parametrize(
    "x",
    [torch.arange(5.0), np.arange(5.0), [0.0, 1.0, 2.0, 3.0, 4.0]],
    ids=["tensor", "ndarray", "list"],
)
def test_one_series_of_each_input_kind(x):
    y = [v ** 2 for v in range(5)]
    d2l.plot(x, y)
    ((xd, yd),) = lines_of(d2l.plt.gca())
    np.testing.assert_array_equal(xd, np.arange(5.0))
    np.testing.assert_array_equal(yd, np.arange(5.0) ** 2)


def test_list_of_series_and_shared_x():
    x = torch.linspace(0, 1, 7)
    d2l.plot(x, [x, x ** 2, torch.sin(x)])
    lines = lines_of(d2l.plt.gca())
    assert len(lines) == 3
    for xd, _ in lines:
        np.testing.assert_allclose(xd, x.numpy())
    np.testing.assert_allclose(lines[2][1], torch.sin(x).numpy())


def test_one_x_per_y():
    d2l.plot([[0, 1], [0, 1, 2]], [[5, 6], [7, 8, 9]])
    lines = lines_of(d2l.plt.gca())
    np.testing.assert_array_equal(lines[1][0], [0, 1, 2])
    np.testing.assert_array_equal(lines[1][1], [7, 8, 9])


def test_y_none_plots_against_indices():
    d2l.plot(torch.tensor([3.0, 1.0, 2.0]))
    ((xd, yd),) = lines_of(d2l.plt.gca())
    np.testing.assert_array_equal(xd, [0, 1, 2])
    np.testing.assert_array_equal(yd, [3, 1, 2])


def test_y_none_with_several_series():
    d2l.plot([[1, 2, 3], [4, 5, 6]])
    assert [list(y) for _, y in lines_of(d2l.plt.gca())] == [[1, 2, 3], [4, 5, 6]]


def test_tensor_requiring_grad_is_plotted():
    x = torch.arange(3.0, requires_grad=True)
    d2l.plot(x, x * 2)
    np.testing.assert_array_equal(lines_of(d2l.plt.gca())[0][1], [0, 2, 4])


def test_formats_are_applied_and_cycle():
    x = np.arange(3)
    d2l.plot(x, [x + k for k in range(6)])
    styles = [(line.get_linestyle(), line.get_color()) for line in d2l.plt.gca().get_lines()]
    assert len(styles) == 6, "every series is drawn, even beyond len(fmts)"
    assert styles[1] == ("--", "m") and styles[2] == ("-.", "g") and styles[3] == (":", "r")
    assert styles[4][0] == styles[0][0] and styles[5] == styles[1], "formats start over after the fourth series"


def test_custom_fmts():
    d2l.plot([0, 1], [[0, 1], [1, 0]], fmts=("o", "k-"))
    first, second = d2l.plt.gca().get_lines()
    assert first.get_marker() == "o" and first.get_linestyle() == "None"
    assert second.get_color() == "k"


def test_given_axes_is_used_and_current_axes_otherwise():
    fig, (left, right) = d2l.plt.subplots(1, 2)
    d2l.plot([1, 2, 3], axes=right)
    assert len(right.get_lines()) == 1 and len(left.get_lines()) == 0
    d2l.plt.sca(left)
    d2l.plot([1, 2, 3])
    assert len(left.get_lines()) == 1


def test_plot_clears_the_axes_first():
    d2l.plot([1, 2, 3])
    d2l.plot([4, 5, 6])
    assert len(d2l.plt.gca().get_lines()) == 1


def test_labels_legend_scales_limits_grid():
    x = np.arange(1, 5)
    d2l.plot(x, [x, x ** 2], xlabel="x", ylabel="y", legend=["linear", "square"],
             xlim=(1, 4), ylim=(0.5, 20), xscale="log", yscale="log")
    ax = d2l.plt.gca()
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["linear", "square"]
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    assert ax.get_xlim() == (1, 4) and ax.get_ylim() == (0.5, 20)
    assert all(line.get_visible() for line in ax.get_xgridlines())


def test_no_legend_by_default():
    d2l.plot([1, 2])
    assert d2l.plt.gca().get_legend() is None


def test_set_axes_twice_keeps_the_grid_on():
    ax = d2l.plt.gca()
    for _ in range(2):
        d2l.set_axes(ax, "a", "b", None, None, "linear", "linear", None)
    assert all(line.get_visible() for line in ax.get_xgridlines())


def test_set_figsize_sets_new_figure_size():
    d2l.set_figsize((4, 3))
    assert tuple(d2l.plt.figure().get_size_inches()) == (4, 3)
    d2l.plot([1, 2], figsize=(2, 1))
    assert tuple(d2l.plt.rcParams["figure.figsize"]) == (2, 1)


def test_svg_is_deterministic():
    """Same figure, same bytes: no random ids, no date, no version (what strict nbval relies on)."""
    def render():
        d2l.plt.close("all")
        d2l.plot(np.arange(5), [np.arange(5), np.arange(5) ** 2], legend=["a", "b"])
        buf = io.BytesIO()
        d2l.plt.gcf().savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        return buf.getvalue()

    first, second = render(), render()
    assert first == second
    assert b"<dc:date>" not in first and matplotlib.__version__.encode() not in first


# --- malformed input: clear errors naming the argument, never an IndexError from matplotlib ---

@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(X=[]), ValueError, "X must not be empty"),
        (dict(X=np.array([])), ValueError, "X must not be empty"),
        (dict(X=[1, 2], Y=[]), ValueError, "Y must not be empty"),
        (dict(X=[1, 2, 3], Y=[1, 2]), ValueError, r"X and Y\[0\] must have the same length, got 3 and 2"),
        (dict(X=[[1, 2], [1, 2]], Y=[[1, 2], [1, 2], [1, 2]]), ValueError, "X has 2 series but Y has 3"),
        (dict(X=["a", "b"]), TypeError, "X must contain only numbers"),
        (dict(X=[1, 2], Y=[[1, 2], ["x", "y"]]), TypeError, r"Y\[1\] must contain only numbers"),
        (dict(X="abc"), TypeError, "X must be a series of numbers"),
        (dict(X=5), TypeError, "X must be a series of numbers"),
        (dict(X=None), TypeError, "X must be a series of numbers"),
        (dict(X=[[[1, 2]]]), ValueError, r"X\[0\] must be one-dimensional"),
        (dict(X=[1, 2], fmts=()), TypeError, "fmts must be a non-empty list or tuple"),
        (dict(X=[1, 2], fmts="r-"), TypeError, "fmts must be a non-empty list or tuple"),
        (dict(X=[1, 2], figsize=(0, 2)), ValueError, "figsize must be two finite positive numbers"),
        (dict(X=[1, 2], figsize="big"), TypeError, "figsize must be two numbers"),
    ],
)
def test_malformed_input_names_the_argument(kwargs, error, message):
    with pytest.raises(error, match=message):
        d2l.plot(**kwargs)
