"""Unit tests of the helpers saved from notebooks/05_matrix_calculus.ipynb."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # headless: no display on CI

import numpy as np
import pytest
import torch
from matplotlib.quiver import Quiver

import d2l_utils as d2l

F64 = torch.float64


# Every test starts and ends without open figures (fixture in tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fresh_figures")


def autograd_gradient(f, x):
    """Gradient from torch.autograd, computed independently of the helpers under test."""
    x = x.clone().requires_grad_(True)
    f(x).backward()
    return x.grad


def quadratic(x):
    return x[0] ** 2 + 2 * x[1] ** 2


torch.manual_seed(0)
A44 = torch.randn(4, 4, dtype=F64)
A32 = torch.randn(3, 2, dtype=F64)
X103 = torch.randn(10, 3, dtype=F64)
Y10 = torch.randn(10, dtype=F64)

FUNCTIONS = {
    "sum of squares": (lambda x: (x ** 2).sum(), (5,)),
    "sum of squares, 2-D": (lambda x: (x ** 2).sum(), (3, 4)),
    "sin": (lambda x: torch.sin(x).sum(), (6,)),
    "sin times cos, 2-D": (lambda x: (torch.sin(x) * torch.cos(2 * x)).sum(), (2, 3)),
    "quadratic form": (lambda x: x @ A44 @ x, (4,)),
    "trace(X^T A), 2-D": (lambda x: torch.trace(x.T @ A32), (3, 2)),
    "least squares": (lambda w: ((X103 @ w - Y10) ** 2).sum(), (3,)),
    "log-sum-exp, 2-D": (lambda x: torch.logsumexp(x, dim=(0, 1)), (2, 2)),
    "0-d input": (lambda x: torch.exp(x) * x, ()),
}


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_numerical_grad_matches_autograd(name):
    f, shape = FUNCTIONS[name]
    torch.manual_seed(1)
    x = torch.randn(shape, dtype=F64)
    estimate = d2l.numerical_grad(f, x)
    assert estimate.shape == x.shape and estimate.dtype == F64
    torch.testing.assert_close(estimate, autograd_gradient(f, x), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_check_grad_uses_autograd_when_grad_is_none(name):
    f, shape = FUNCTIONS[name]
    torch.manual_seed(2)
    assert d2l.check_grad(f, torch.randn(shape, dtype=F64)) is True


def test_check_grad_accepts_right_and_rejects_wrong_formulas():
    torch.manual_seed(3)
    x = torch.randn(4, dtype=F64)
    quad = FUNCTIONS["quadratic form"][0]
    assert d2l.check_grad(quad, x, (A44 + A44.T) @ x) is True
    assert d2l.check_grad(quad, x, 2 * A44 @ x) is False  # A44 is not symmetric
    assert d2l.check_grad(lambda v: v @ v, x, 2 * x) is True
    assert d2l.check_grad(lambda v: v @ v, x, x) is False
    assert d2l.check_grad(lambda v: v @ v, x, 2 * x + 1e-3) is False
    X = torch.randn(3, 2, dtype=F64)
    assert d2l.check_grad(lambda M: torch.trace(M.T @ A32), X, A32) is True
    assert d2l.check_grad(lambda M: torch.trace(M.T @ A32), X, A32.flip(0)) is False


def test_check_grad_detects_a_function_autograd_cannot_see():
    """A function that leaves autograd (float(...)) gets a zero autograd gradient, which check_grad rejects."""
    x = torch.tensor([1.0, -2.0], dtype=F64)
    assert d2l.check_grad(lambda v: float((v ** 2).sum().detach()), x) is False
    assert d2l.check_grad(lambda v: float((v ** 2).sum().detach()), x, 2 * x) is True


def test_constant_function_has_zero_gradient():
    x = torch.tensor([1.0, 2.0], dtype=F64)
    assert torch.equal(d2l.numerical_grad(lambda v: torch.tensor(3.0, dtype=F64), x), torch.zeros(2, dtype=F64))
    assert d2l.check_grad(lambda v: torch.tensor(3.0, dtype=F64), x) is True


def test_tolerances_and_eps_are_used():
    x = torch.tensor([1.0, -2.0], dtype=F64)
    square = lambda v: (v ** 2).sum()
    assert d2l.check_grad(square, x, 2 * x + 1e-3, atol=1e-2) is True
    assert d2l.check_grad(square, x, 2 * x * 1.001, rtol=1e-2) is True
    cube = lambda v: (v ** 3).sum()  # central-difference error is eps^2 per entry
    assert not torch.allclose(d2l.numerical_grad(cube, x, eps=0.1), 3 * x ** 2, atol=1e-3)
    torch.testing.assert_close(d2l.numerical_grad(cube, x, eps=0.1), 3 * x ** 2 + 0.01)


def test_numerical_grad_leaves_x_alone_and_accepts_leaf_tensors():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=F64, requires_grad=True)
    before = x.detach().clone()
    grad = d2l.numerical_grad(lambda v: (v ** 2).sum(), x)
    assert torch.equal(x.detach(), before) and x.grad is None
    assert not grad.requires_grad
    torch.testing.assert_close(grad, 2 * before)


def test_float32_is_accepted():
    x = torch.tensor([1.0, 2.0], dtype=torch.float32)
    grad = d2l.numerical_grad(lambda v: (v ** 2).sum(), x, eps=1e-2)
    assert grad.dtype == torch.float32
    torch.testing.assert_close(grad, 2 * x, rtol=1e-3, atol=1e-3)


# ---------------------------------------------------------------- bad input

X2 = torch.ones(2, dtype=F64)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: d2l.numerical_grad("f", X2), TypeError, "f must be a function"),
        (lambda: d2l.numerical_grad(torch.sum, [1.0, 2.0]), TypeError, "x must be a floating-point tensor"),
        (lambda: d2l.numerical_grad(torch.sum, torch.arange(3)), TypeError, "x must be a floating-point tensor"),
        (lambda: d2l.numerical_grad(torch.sum, torch.ones(2, dtype=torch.complex128)), TypeError, "x must be a floating"),
        (lambda: d2l.numerical_grad(torch.sum, X2, eps=0), ValueError, "eps must be a finite number > 0"),
        (lambda: d2l.numerical_grad(torch.sum, X2, eps=-1e-6), ValueError, "eps must be a finite number > 0"),
        (lambda: d2l.numerical_grad(torch.sum, X2, eps=float("nan")), ValueError, "eps must be a finite number > 0"),
        (lambda: d2l.numerical_grad(torch.sum, X2, eps="1e-6"), TypeError, "eps must be a finite number > 0"),
        (lambda: d2l.numerical_grad(lambda v: 2 * v, X2), ValueError, "f must be a function that returns a scalar"),
        (lambda: d2l.numerical_grad(lambda v: v.sum().reshape(1), X2), ValueError, r"f must be a function that returns a scalar.*\(1,\)"),
        (lambda: d2l.numerical_grad(lambda v: [1.0], X2), ValueError, "f must be a function that returns a scalar"),
        (lambda: d2l.check_grad(None, X2), TypeError, "f must be a function"),
        (lambda: d2l.check_grad(torch.sum, 1.0), TypeError, "x must be a floating-point tensor"),
        (lambda: d2l.check_grad(torch.sum, torch.arange(2)), TypeError, "x must be a floating-point tensor"),
        (lambda: d2l.check_grad(torch.sum, X2, eps=0.0), ValueError, "eps must be a finite number > 0"),
        (lambda: d2l.check_grad(lambda v: 2 * v, X2), ValueError, "f must be a function that returns a scalar"),
        (lambda: d2l.check_grad(lambda v: 2 * v, X2, torch.ones(2, dtype=F64)), ValueError, "f must be a function that returns a scalar"),
        (lambda: d2l.check_grad(torch.sum, X2, torch.ones(3, dtype=F64)), ValueError, r"grad must be shaped like x, \(2,\), got shape \(3,\)"),
        (lambda: d2l.check_grad(torch.sum, X2, torch.ones(2, 1, dtype=F64)), ValueError, "grad must be shaped like x"),
        (lambda: d2l.check_grad(torch.sum, X2, [1.0, 1.0]), TypeError, "grad must be a tensor"),
        (lambda: d2l.check_grad(torch.sum, X2, rtol=-1.0), ValueError, "rtol must be a finite number >= 0"),
        (lambda: d2l.check_grad(torch.sum, X2, atol=-1.0), ValueError, "atol must be a finite number >= 0"),
        (lambda: d2l.check_grad(torch.sum, X2, rtol=True), TypeError, "rtol must be a finite number >= 0"),
    ],
)
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ---------------------------------------------------------------- plot_contour


def quivers(axes):
    return [c for c in axes.collections if isinstance(c, Quiver)]


def test_plot_contour_draws_contours_arrows_and_labels_on_given_axes():
    fig, axes = d2l.plt.subplots()
    points = [[1.0, 1.0], [-1.5, 0.5], [0.5, -1.0]]
    result = d2l.plot_contour(quadratic, (-2, 2), (-1.5, 1.5), points=points, axes=axes,
                              xlabel="first", ylabel="second", arrow_scale=0.1)
    assert result is None
    assert len(axes.collections) >= 2  # contour set and quiver
    (quiver,) = quivers(axes)
    np.testing.assert_allclose(quiver.X, [1.0, -1.5, 0.5])
    np.testing.assert_allclose(quiver.Y, [1.0, 0.5, -1.0])
    np.testing.assert_allclose(quiver.U, [2.0, -3.0, 1.0])  # d/dx1 = 2 x1
    np.testing.assert_allclose(quiver.V, [4.0, 2.0, -4.0])  # d/dx2 = 4 x2
    assert quiver.scale == pytest.approx(10.0)  # an arrow is arrow_scale times the gradient
    assert axes.get_xlabel() == "first" and axes.get_ylabel() == "second"
    assert axes.get_xlim() == (-2.0, 2.0) and axes.get_ylim() == (-1.5, 1.5)
    assert axes.get_aspect() == 1.0


def test_plot_contour_lines_lie_on_level_sets():
    """Every vertex of a drawn contour line satisfies f(x) = level (up to grid interpolation)."""
    fig, axes = d2l.plt.subplots()
    levels = [0.5, 1.5, 3.0]
    d2l.plot_contour(quadratic, (-2.5, 2.5), (-2, 2), levels=levels, axes=axes)
    contour_sets = [c for c in axes.collections if hasattr(c, "allsegs")]
    assert len(contour_sets) == 1 and not quivers(axes)
    (contours,) = contour_sets
    np.testing.assert_allclose(contours.levels, levels)
    for level, segments in zip(levels, contours.allsegs):
        vertices = np.concatenate(segments)
        assert len(vertices) > 20
        values = vertices[:, 0] ** 2 + 2 * vertices[:, 1] ** 2
        np.testing.assert_allclose(values, level, atol=0.02)


def test_plot_contour_uses_current_axes_and_figsize_by_default():
    d2l.plot_contour(quadratic, (-1, 1), (-1, 1), points=torch.tensor([[0.5, 0.5]]), figsize=(3, 2))
    axes = d2l.plt.gca()
    assert len(quivers(axes)) == 1
    assert tuple(axes.figure.get_size_inches()) == (3.0, 2.0)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(f=3), TypeError, "f must be a function"),
        (dict(xlim=(1, -1)), ValueError, r"xlim must be two finite numbers \(low, high\) with low < high"),
        (dict(xlim=5), TypeError, "xlim must be two finite numbers"),
        (dict(ylim=(0, 1, 2)), TypeError, "ylim must be two finite numbers"),
        (dict(ylim=(0, 0)), ValueError, "ylim must be two finite numbers .* with low < high"),
        (dict(points=[[1.0, 2.0, 3.0]]), ValueError, r"points must be of shape \(k, 2\)"),
        (dict(points=[1.0, 2.0]), ValueError, r"points must be of shape \(k, 2\)"),
        (dict(points=[["a", "b"]]), TypeError, "points must be"),
        (dict(arrow_scale=0), ValueError, "arrow_scale must be a finite number > 0"),
        (dict(arrow_scale=float("nan")), ValueError, "arrow_scale must be a finite number > 0"),
        (dict(arrow_scale="big"), TypeError, "arrow_scale must be a finite number > 0"),
        (dict(resolution=1), ValueError, "resolution must be an int >= 2"),
        (dict(resolution=10.5), TypeError, "resolution must be an int > 0"),
        (dict(levels=[3, 1]), ValueError, "levels must be a positive int or an increasing list"),
        (dict(axes="ax"), TypeError, "axes must be a matplotlib Axes"),
        (dict(points=[[float("nan"), 0.0]]), ValueError, "points must be finite numbers"),
        (dict(xlabel=3), TypeError, "xlabel must be a string"),
        (dict(figsize=(3, 0)), ValueError, "figsize must be two finite numbers > 0"),
        (dict(f=lambda x: x * 2), ValueError, "f must be a function that returns a scalar"),
    ],
)
def test_plot_contour_bad_input_names_the_argument(kwargs, error, match):
    args = dict(f=quadratic, xlim=(-1, 1), ylim=(-1, 1), points=[[0.5, 0.5]])
    args.update(kwargs)
    with pytest.raises(error, match=match):
        d2l.plot_contour(**args)


# ---------------------------------------------------------------- @checked hints


def test_helpers_keep_their_names_and_signatures_under_checked():
    import inspect
    assert d2l.numerical_grad.__name__ == "numerical_grad"
    assert list(inspect.signature(d2l.check_grad).parameters) == ["f", "x", "grad", "eps", "rtol", "atol"]
    assert inspect.signature(d2l.plot_contour).parameters["resolution"].default == 61


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: d2l.numerical_grad(torch.sum, X2, eps=True), TypeError, "eps must be a finite number > 0, got True"),
        (lambda: d2l.numerical_grad(torch.sum, X2, eps=float("inf")), ValueError, "eps must be a finite number > 0"),
        (lambda: d2l.check_grad(torch.sum, X2, atol=float("inf")), ValueError, "atol must be a finite number >= 0"),
        (lambda: d2l.plot_contour(quadratic, (-1, float("inf")), (-1, 1)), ValueError, "xlim must be two finite"),
        (lambda: d2l.plot_contour(quadratic, (-1, 1), (-1, 1), resolution=True), TypeError, "resolution must be"),
    ],
)
def test_type_hints_reject_bools_and_infinities(call, error, match):
    with pytest.raises(error, match=match):
        call()
