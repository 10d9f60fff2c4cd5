"""Chapter 05's helpers in detail: whole error messages, the bounds of levels and resolution, float32 results,
and how the gradient arrows are drawn. Written for mutation testing (`make mutants`): each test catches
changes the chapter's tests let pass."""
from __future__ import annotations

import math

import matplotlib
import pytest
import torch
from matplotlib import pyplot as plt
from matplotlib.colors import to_hex
from matplotlib.quiver import Quiver

from d2l_utils import matrix_calculus as mc

matplotlib.use("Agg")


def message(error: type, call, *args) -> str:
    with pytest.raises(error) as caught:
        call(*args)
    return str(caught.value)


def test_scalar_value_messages_name_f_and_what_it_returned():
    x = torch.ones(2)
    assert message(TypeError, mc._scalar_value, lambda v: "1", x) == "f must be a function that returns a scalar tensor, got a str"
    assert message(ValueError, mc._scalar_value, lambda v: v, x) == (
        "f must be a function that returns a scalar (a 0-d tensor), got shape (2,)")


def test_a_python_number_becomes_a_tensor_of_x_dtype():
    for dtype in (torch.float32, torch.float64):
        y = mc._scalar_value(lambda v: 2, torch.ones(2, dtype=dtype))
        assert y.dtype == dtype and y.item() == 2.0


def test_a_gradient_that_ignores_x_is_zero():
    x = torch.tensor([1.0, 2.0])
    assert torch.equal(mc._autograd_grad(lambda v: v.detach().sum(), x), torch.zeros(2))  # no graph at all
    other = torch.tensor(3.0, requires_grad=True)
    assert torch.equal(mc._autograd_grad(lambda v: other * 2, x), torch.zeros(2))  # a graph without x


def test_points_messages_and_dtype():
    assert mc._as_points([[1, 2]]).dtype == torch.float64
    assert message(TypeError, mc._as_points, [[1, "a"]]) == (
        "points must be a (k, 2) tensor or nested list of numbers, got [[1, 'a']]")
    assert message(ValueError, mc._as_points, [[1, 2, 3]]) == "points must be of shape (k, 2) with k >= 1, got shape (1, 3)"
    assert message(ValueError, mc._as_points, [[1, math.inf]]) == "points must be finite numbers, got [[1.0, inf]]"


@pytest.mark.parametrize("levels,ok", [(1, True), (0, False), ([0.5], True), ([1, 2.5], True), ([True, 2], False),
                                       ([2, 1], False), ([], False)])
def test_levels_bounds(levels, ok):
    if ok:
        mc._check_levels(levels)
    else:
        assert message(ValueError, mc._check_levels, levels) == (
            f"levels must be a positive int or an increasing list of numbers, got {levels!r}")


def test_resolution_and_axes_bounds():
    assert mc._check_contour_args(None, 3, 2, None) is None  # two grid points per axis are enough
    assert message(ValueError, mc._check_contour_args, None, 3, 1, None) == (
        "resolution must be an int >= 2 (grid points per axis), got 1")
    assert message(TypeError, mc._check_contour_args, None, 3, 2, "ax") == "axes must be a matplotlib Axes or None, got str"


def test_gradient_arrows_are_red_and_in_data_units():
    fig, axes = plt.subplots()
    points = torch.tensor([[1.0, 0.5], [-1.0, 2.0]], dtype=torch.float64)
    f = lambda v: v[0] ** 2 + 3 * v[1]  # noqa: E731
    mc._draw_gradients(axes, f, points, 0.5)
    (marks,) = axes.lines
    assert marks.get_xydata().tolist() == points.tolist()
    assert marks.get_marker() == "o" and marks.get_linestyle() == "None" and marks.get_markersize() == 3
    assert to_hex(marks.get_color()) == to_hex("tab:red")
    (quiver,) = [c for c in axes.collections if isinstance(c, Quiver)]
    expected = torch.stack([torch.func.grad(f)(p) for p in points])
    assert quiver.U.tolist() == expected[:, 0].tolist() and quiver.V.tolist() == expected[:, 1].tolist()
    assert (quiver.angles, quiver.scale_units, quiver.scale, quiver.width) == ("xy", "xy", 2.0, 0.006)
    assert to_hex(quiver.get_facecolor()[0]) == to_hex("tab:red")
    plt.close(fig)
