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
        (dict(X=[1, 2, 3], Y=[1, 2]), ValueError, r"`X` and `Y\[0\]` must have the same length, got 3 and 2"),
        (dict(X=[[1, 2], [1, 2]], Y=[[1, 2], [1, 2], [1, 2]]), ValueError, "X has 2 series but Y has 3"),
        (dict(X=["a", "b"]), TypeError, "X must contain only numbers"),
        (dict(X=[1, 2], Y=[[1, 2], ["x", "y"]]), TypeError, r"Y\[1\] must contain only numbers"),
        (dict(X="abc"), TypeError, "X must be a series of numbers"),
        (dict(X=5), TypeError, "X must be a series of numbers"),
        (dict(X=None), TypeError, "X must be a series of numbers"),
        (dict(X=[[[1, 2]]]), ValueError, r"X\[0\] must be one-dimensional"),
        (dict(X=[1, 2], fmts=()), TypeError, "fmts must be a non-empty list of format strings"),
        (dict(X=[1, 2], fmts="r-"), TypeError, "fmts must be a list of strings"),
        (dict(X=[1, 2], figsize=(0, 2)), ValueError, r"figsize must be two finite numbers > 0"),
        (dict(X=[1, 2], figsize="big"), TypeError, r"figsize must be two finite numbers > 0"),
        (dict(X=[1, 2], xlim=(2, 1)), ValueError, r"xlim must be two finite numbers \(low, high\) with low < high"),
        (dict(X=[1, 2], ylim=(0, float("inf"))), ValueError, "ylim must be two finite numbers"),
        (dict(X=[1, 2], legend="ab"), TypeError, "legend must be a list of strings"),
        (dict(X=[1, 2], xscale="loga"), ValueError, "xscale must be one of"),
        (dict(X=[1, 2], xlabel=3), TypeError, "xlabel must be a string"),
        (dict(X=[1, 2], axes="left"), TypeError, "axes must be a matplotlib Axes"),
    ],
)
def test_malformed_input_names_the_argument(kwargs, error, message):
    with pytest.raises(error, match=message):
        d2l.plot(**kwargs)


def test_legend_needs_one_label_per_series():
    x = np.arange(3)
    with pytest.raises(ValueError, match=r"legend must have one label per series \(3\), got 2 labels"):
        d2l.plot(x, [x, x + 1, x + 2], legend=["a", "b"])
    assert not d2l.plt.gca().get_lines(), "nothing is drawn before the error"
    d2l.plot(x, [x, x + 1, x + 2], legend=["a", "b", "c"])
    assert [t.get_text() for t in d2l.plt.gca().get_legend().get_texts()] == ["a", "b", "c"]


def test_set_axes_checks_its_arguments():
    ax = d2l.plt.gca()
    with pytest.raises(TypeError, match="axes must be a matplotlib Axes"):
        d2l.set_axes(None, "x", "y", None, None, "linear", "linear", None)
    with pytest.raises(ValueError, match="yscale must be one of"):
        d2l.set_axes(ax, "x", "y", None, None, "linear", "exp", None)
    with pytest.raises(ValueError, match="ylim must be two finite numbers"):
        d2l.set_axes(ax, "x", "y", None, (1, 1), "linear", "linear", None)


# --- numerical_grad (04's helper; chapter 05 imports it) ---

from d2l_utils.calculus import numerical_grad  # noqa: E402

F64 = torch.float64


def test_numerical_grad_matches_known_gradients():
    torch.manual_seed(0)
    A = torch.randn(3, 3, dtype=F64)
    x = torch.randn(3, dtype=F64)
    torch.testing.assert_close(numerical_grad(lambda v: v @ A @ v, x), (A + A.T) @ x)
    torch.testing.assert_close(numerical_grad(lambda v: (v ** 2).sum(), x), 2 * x)


def test_numerical_grad_is_shaped_like_x_and_accepts_any_layout():
    X = torch.arange(6, dtype=F64).reshape(2, 3)
    for point in (X, X.T, X[:, ::2]):  # contiguous, transposed, strided
        grad = numerical_grad(lambda v: (v ** 3).sum(), point)
        assert grad.shape == point.shape
        torch.testing.assert_close(grad, 3 * point ** 2)


def test_numerical_grad_uses_central_differences_with_eps():
    x = torch.tensor([1.0, 2.0], dtype=F64)
    cube = lambda v: (v ** 3).sum()  # noqa: E731 - central-difference error is eps^2 per entry
    torch.testing.assert_close(numerical_grad(cube, x, eps=0.1), 3 * x ** 2 + 0.01)


def test_numerical_grad_leaves_x_alone_and_returns_plain_numbers():
    x = torch.tensor([1.0, -2.0], dtype=F64, requires_grad=True)
    grad = numerical_grad(lambda v: (v ** 2).sum(), x)
    assert not grad.requires_grad and x.grad is None
    torch.testing.assert_close(grad, torch.tensor([2.0, -4.0], dtype=F64))
    assert x.tolist() == [1.0, -2.0]


def test_numerical_grad_accepts_a_python_number():
    x = torch.tensor([1.0, 2.0], dtype=F64)
    torch.testing.assert_close(numerical_grad(lambda v: float((v ** 2).sum()), x), 2 * x)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: numerical_grad("f", torch.ones(2)), TypeError, "f must be a function"),
        (lambda: numerical_grad(torch.sum, [1.0, 2.0]), TypeError, "x must be a floating-point tensor"),
        (lambda: numerical_grad(torch.sum, torch.arange(3)), TypeError, "x must be a floating-point tensor"),
        (lambda: numerical_grad(torch.sum, torch.ones(2), eps=0), ValueError, "eps must be a finite number > 0"),
        (lambda: numerical_grad(torch.sum, torch.ones(2), eps=float("nan")), ValueError, "eps must be"),
        (lambda: numerical_grad(torch.sum, torch.ones(2), eps="1e-6"), TypeError, "eps must be"),
        (lambda: numerical_grad(lambda v: 2 * v, torch.ones(2)), ValueError,
         r"f must be a function that returns a scalar, got shape \(2,\)"),
        (lambda: numerical_grad(lambda v: v.sum().reshape(1), torch.ones(2)), ValueError, r"got shape \(1,\)"),
    ],
)
def test_numerical_grad_rejects_bad_input_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
