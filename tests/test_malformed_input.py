"""Every public function of d2l_utils, fed malformed input by Hypothesis, fails clearly or works.

For each function and each of its parameters, a call that works is taken and that one argument is
replaced by something malformed: None, strings, booleans, NaN and infinities, 0-d and empty tensors,
integer tensors, nested lists, arbitrary objects. The call must either work or raise TypeError or
ValueError whose message names the parameter; never an IndexError, AttributeError or RuntimeError
from deep inside torch or matplotlib. "Names" is strict: the message starts with the parameter's name
(as `d2l_utils.checks.fail` writes it: "w must be ..."), or quotes it as a word ('w', `w`). A
one-letter name occurring somewhere in an English sentence does not count.
"""
from __future__ import annotations

import inspect
import math
import re

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import d2l_utils as d2l

MALFORMED = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=4),
    st.lists(st.integers(-2, 2), max_size=3),
    st.sampled_from([
        math.nan, math.inf, -math.inf, "0.1", (), {}, [[1, 2], [3]], object(),
        np.array([]), np.array(1.0),
    ]),
    # Tensors are built inside the test from these recipes (Hypothesis prints the recipe).
    st.sampled_from(["tensor 0-d", "tensor empty", "tensor int", "tensor nan", "tensor 2x1", "tensor 0x2"]),
)
TENSORS = {
    "tensor 0-d": lambda: torch.tensor(0.0),
    "tensor empty": lambda: torch.tensor([]),
    "tensor int": lambda: torch.tensor([1, 2]),
    "tensor nan": lambda: torch.tensor([math.nan, 1.0]),
    "tensor 2x1": lambda: torch.ones(2, 1),
    "tensor 0x2": lambda: torch.zeros(0, 2),
}


# Stands for a fresh Axes in working_calls(): made only for the call that uses it (a figure costs ~8 ms, and
# making one for every example of every case took half of this file's time).
NEW_AXES = object()


def with_axes(kwargs: dict) -> dict:
    """kwargs with NEW_AXES replaced by the current Axes."""
    return {key: d2l.plt.gca() if value is NEW_AXES else value for key, value in kwargs.items()}


def working_calls() -> dict[str, dict]:
    """A call of every public function that works (built fresh for every example)."""
    torch.manual_seed(0)
    X, y = torch.randn(4, 2), torch.randn(4, 1)
    param = torch.zeros(2, requires_grad=True)
    param.grad = torch.ones(2)
    square = lambda v: (v ** 2).sum()  # noqa: E731
    return {
        "show_broadcast": dict(shape_a=(2, 1), shape_b=(3,)),
        "show_strides": dict(t=torch.arange(6).reshape(2, 3)),
        "quiz": dict(question="Which?", choices={1: "One is the first.", 2: "Two is the second."}, answer=2),
        "use_svg_display": {},
        "set_figsize": dict(figsize=(3.5, 2.5)),
        "set_axes": dict(axes=NEW_AXES, xlabel="x", ylabel="y", xlim=(0, 1), ylim=(0, 1),
                         xscale="linear", yscale="linear", legend=["a"]),
        "plot": dict(X=[0.0, 1.0, 2.0], Y=[[1.0, 2.0, 3.0]], xlabel="x", ylabel="y", legend=["a"], xlim=(0, 2),
                     ylim=(0, 3), xscale="linear", yscale="linear", fmts=("-",), figsize=(3.5, 2.5), axes=None),
        "numerical_grad": dict(f=square, x=torch.tensor([1.0, 2.0], dtype=torch.float64), eps=1e-6),
        "check_grad": dict(f=square, x=torch.tensor([1.0, 2.0], dtype=torch.float64), grad=None, eps=1e-6,
                           rtol=1e-5, atol=1e-8),
        "plot_contour": dict(f=square, xlim=(-1, 1), ylim=(-1, 1), points=[[0.5, 0.5]], levels=5, xlabel="a",
                             ylabel="b", arrow_scale=0.1, resolution=5, figsize=(3.5, 2.5), axes=None),
        "Value": dict(data=2.0),
        "topological_order": dict(value=d2l.Value(2.0) * 3.0),
        "Timer": {},
        "synthetic_data": dict(w=torch.tensor([2.0, -3.4]), b=4.2, num_examples=5),
        "data_iter": dict(batch_size=2, features=X, labels=y),
        "linreg": dict(X=X, w=torch.zeros(2, 1), b=torch.zeros(1)),
        "squared_loss": dict(y_hat=y, y=y.clone()),
        "sgd": dict(params=[param], lr=0.1, batch_size=2),
        "load_array": dict(data_arrays=(X, y), batch_size=2, is_train=True),
    }


def names(message: str, param: str) -> bool:
    """True if the message starts with the parameter's name, or quotes it as a word."""
    starts = re.match(rf"{re.escape(param)}(\[\d+\])?\b", message) is not None
    quoted = re.search(rf"[`'\"]{re.escape(param)}(\[\d+\])?[`'\"]", message) is not None
    return starts or quoted


def test_naming_is_strict():
    """The rule above must reject a message that only happens to contain the name's letter."""
    assert names("w must be a floating-point tensor, got list", "w")
    assert names("params[0] must be a tensor, got int", "params")
    assert names("argument 'b' must be a number", "b")
    assert names("`X` and `Y[0]` must have the same length", "Y")
    assert not names("the value must be a number, got 'x'", "b")  # 'b' in 'be' and 'number'
    assert not names("input must be positive", "t")


def test_a_helper_that_does_not_name_its_argument_fails_the_check():
    """A deliberately bad helper: its message names no argument, and the check catches it."""
    def bad_helper(b: float) -> None:
        if not isinstance(b, float):
            raise TypeError("the value must be a floating-point number")
    with pytest.raises(TypeError) as caught:
        bad_helper("0.1")
    assert not names(str(caught.value), "b")


def public_functions() -> set[str]:
    """Functions and classes that d2l_utils defines itself (not re-exported torch, np, plt)."""
    return {name for name in d2l.__all__
            if (inspect.isfunction(getattr(d2l, name)) or inspect.isclass(getattr(d2l, name)))
            and getattr(d2l, name).__module__.startswith("d2l_utils")}


def test_every_public_function_is_covered():
    assert set(working_calls()) == public_functions()


def test_the_working_calls_work():
    for name, kwargs in working_calls().items():
        result = getattr(d2l, name)(**with_axes(kwargs))
        if name in ("data_iter", "load_array"):
            list(result)
        d2l.plt.close("all")


CASES = [(name, param) for name, kwargs in working_calls().items() for param in kwargs]
d2l.plt.close("all")


@pytest.mark.parametrize("name,param", CASES, ids=[f"{n}-{p}" for n, p in CASES])
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(value=MALFORMED)
def test_malformed_argument_fails_naming_it(name, param, value):
    kwargs = working_calls()
    call = kwargs[name]
    call[param] = TENSORS[value]() if isinstance(value, str) and value in TENSORS else value
    try:
        result = getattr(d2l, name)(**with_axes(call))
        if name in ("data_iter", "load_array"):
            list(result)  # both are lazy: the first batch is where a bad input would surface
    except (TypeError, ValueError) as err:
        assert names(str(err), param), (
            f"{name}({param}={call[param]!r:.60}) raised {type(err).__name__} without naming {param!r}: {err}")
    finally:
        d2l.plt.close("all")


@pytest.mark.parametrize("call,error,message", [
    (lambda: d2l.plot(torch.tensor(0.0)), ValueError, "X must be a series"),
    (lambda: d2l.plot([1.0, 2.0], fmts=3), TypeError, "fmts must be"),
    (lambda: d2l.plot_contour(lambda v: (v ** 2).sum(), (-math.inf, 1), (-1, 1)), ValueError, "xlim must be"),
    (lambda: d2l.sgd([torch.zeros(1, requires_grad=True)], "0.1", 10), TypeError, "lr must be a finite number"),
    (lambda: d2l.load_array(([1, 2], [3, 4]), 2), TypeError, r"data_arrays\[0\] must be a tensor"),
])
def test_the_reported_cases(call, error, message):
    """The five calls the engineering review reproduced, each now failing with a clear message."""
    with pytest.raises(error, match=message):
        call()
    d2l.plt.close("all")
