"""d2l_utils.checks: the one place where helpers' arguments are checked (generated from chapter 01).

Each rule is fed values it must accept and values it must reject; a rejection must be the right error
type and start with the argument's name, as every helper's message does.
"""
from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable

import numpy as np
import pytest
import torch

from d2l_utils.checks import (FigSize, FloatTensor, Limits, NonNegativeFloat, PositiveFloat, PositiveInt,
                              Strings, checked, fail)


@checked
def helper(t: torch.Tensor, w: FloatTensor, n: int, k: PositiveInt, x: float, lr: PositiveFloat,
           tol: NonNegativeFloat, flag: bool, label: str, f: Callable, xlim: Limits | None,
           figsize: FigSize, legend: Strings | None, anything=None) -> str:
    """A helper with one parameter per rule."""
    return "ran"


GOOD = dict(t=torch.arange(3), w=torch.ones(2), n=-4, k=3, x=-0.5, lr=0.1, tol=0.0, flag=False,
            label="a", f=len, xlim=(0, 1.5), figsize=(3.5, 2.5), legend=["a", "b"], anything=object())

BAD = [  # (parameter, value, error type, what the message says after the name)
    ("t", [1.0, 2.0], TypeError, "must be a tensor, got list [1.0, 2.0]: use torch.tensor([1.0, 2.0])"),
    ("t", 3, TypeError, "must be a tensor"),
    ("w", torch.tensor([1, 2]), TypeError, "must be a floating-point tensor, got dtype torch.int64"),
    ("w", (2.0, -3.4), TypeError, "use torch.tensor((2.0, -3.4))"),
    ("n", True, TypeError, "must be an int, got True"),
    ("n", 2.0, TypeError, "must be an int"),
    ("k", 0, ValueError, "must be an int > 0, got 0"),
    ("k", -1, ValueError, "must be an int > 0"),
    ("x", math.nan, ValueError, "must be a finite number, got nan"),
    ("x", "0.1", TypeError, "must be a finite number, got '0.1'"),
    ("x", False, TypeError, "must be a finite number"),
    ("x", np.bool_(True), TypeError, "must be a finite number, got np.True_"),
    ("lr", torch.tensor(0.1), TypeError, "must be a finite number > 0, got tensor(0.1000): use .item()"),
    ("lr", __import__("fractions").Fraction(1, 10), TypeError, "must be a finite number > 0, got Fraction(1, 10)"),
    ("k", np.bool_(True), TypeError, "must be an int > 0, got np.True_"),
    ("k", np.timedelta64(3), TypeError, "must be an int > 0, got np.timedelta64(3)"),  # NumPy: an np.integer
    ("lr", np.timedelta64(3), TypeError, "must be a finite number > 0, got np.timedelta64(3)"),
    ("lr", torch.tensor(True), TypeError, "must be a finite number > 0, got tensor(True)"),  # .item() gives True
    ("lr", 0.0, ValueError, "must be a finite number > 0, got 0.0"),
    ("lr", math.inf, ValueError, "must be a finite number > 0"),
    ("tol", -1e-9, ValueError, "must be a finite number >= 0"),
    ("flag", 1, TypeError, "must be True or False, got 1"),
    ("label", 3, TypeError, "must be a string"),
    ("f", 3, TypeError, "must be a function"),
    ("xlim", (1, 0), ValueError, "must be two finite numbers (low, high) with low < high, got (1, 0)"),
    ("xlim", (0, math.inf), ValueError, "low < high"),
    ("xlim", (1, 1), ValueError, "low < high"),
    ("xlim", (0, 1, 2), TypeError, "must be two finite numbers"),
    ("xlim", "ab", TypeError, "must be two finite numbers"),
    ("xlim", (0, True), TypeError, "must be two finite numbers"),
    ("xlim", __import__("torch").tensor(1.0), TypeError, "must be two finite numbers"),
    ("figsize", __import__("numpy").array([3.5, 2.5]), TypeError, "must be two finite numbers > 0"),
    ("figsize", (0, 2), ValueError, "must be two finite numbers > 0"),
    ("legend", "ab", TypeError, "must be a list of strings"),
    ("legend", ["a", 1], TypeError, "must be a list of strings"),
]


def test_good_arguments_pass_and_the_result_comes_back():
    assert helper(**GOOD) == "ran"
    assert helper(**{**GOOD, "xlim": None, "legend": None, "x": 3, "lr": 2}) == "ran"


@pytest.mark.parametrize("param,value,error,message", BAD, ids=[f"{p}={v!r}" for p, v, *_ in BAD])
def test_bad_arguments_fail_naming_them(param, value, error, message):
    with pytest.raises(error) as caught:
        helper(**{**GOOD, param: value})
    assert str(caught.value).startswith(f"{param} {message}") or (
        str(caught.value).startswith(f"{param} must") and message in str(caught.value)), str(caught.value)


def test_numpy_numbers_pass_as_numbers():
    """NumPy's scalars work where Python's do: np.float32(0.1) is a learning rate, np.int64(8) a batch size."""
    assert helper(**{**GOOD, "n": np.int32(-4), "k": np.int64(3), "x": np.int64(-3), "lr": np.float32(0.1),
                     "tol": np.float64(0.0), "xlim": (np.float32(0), 1.5)}) == "ran"
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0, got np\.float32\(-0\.1\)$"):
        helper(**{**GOOD, "lr": np.float32(-0.1)})
    with pytest.raises(ValueError, match=r"^k must be an int > 0, got 0$"):
        helper(**{**GOOD, "k": np.int64(0)})


def test_a_wrong_call_gets_pythons_own_message_alone():
    """A call that does not fit the signature raises Python's TypeError, which says what is wrong with the call,
    with no other error chained to it."""
    @checked
    def sgd(params: list, lr: PositiveFloat, batch_size: PositiveInt) -> None:
        """A stand-in with sgd's parameters."""
    for args, kwargs, said in [(([], 0.1, 8, 10), {}, "sgd() takes 3 positional arguments but 4 were given"),
                               (([], 0.1), {}, "sgd() missing 1 required positional argument: 'batch_size'"),
                               (([],), {"lr": 0.1, "batchsize": 8}, "sgd() got an unexpected keyword argument 'batchsize'")]:
        with pytest.raises(TypeError) as caught:
            sgd(*args, **kwargs)
        assert str(caught.value).endswith(said), str(caught.value)  # it starts with the qualified name: test_...<locals>.sgd()
        assert caught.value.__context__ is None and caught.value.__cause__ is None


def test_a_wrong_call_through_another_decorator_never_runs_the_body():
    """Stacked on a decorator whose wrapper takes more (here `verbose`), a call that does not fit the inner
    signature is refused before anything runs: the wrapper would accept it and skip the checks."""
    ran = []

    def with_verbose(func):
        @functools.wraps(func)
        def wrapper(*args, verbose=False, **kwargs):
            return func(*args, **kwargs)
        return wrapper

    @checked
    @with_verbose
    def step(n: PositiveInt) -> None:
        ran.append(n)
    with pytest.raises(TypeError) as caught:
        step(-3, verbose=True)
    assert str(caught.value) == "step(): got an unexpected keyword argument 'verbose'" and ran == []
    assert caught.value.__context__ is None


def test_positional_and_default_arguments_are_checked_too():
    args = [GOOD[name] for name in list(GOOD)[:-1]]
    args[3] = 0  # k, passed positionally
    with pytest.raises(ValueError, match=r"^k must be an int > 0"):
        helper(*args)

    @checked
    def with_default(n: PositiveInt = 1) -> int:
        return n
    assert with_default() == 1  # a default is not re-checked: only what the caller passed


def test_the_wrapper_keeps_name_docstring_and_signature():
    assert helper.__name__ == "helper" and helper.__doc__ == "A helper with one parameter per rule."
    assert list(inspect.signature(helper).parameters) == list(GOOD)


def test_fail_writes_the_course_message():
    with pytest.raises(ValueError, match=r"^w must be 1-D, got shape \(2, 2\)$"):
        fail("w", "1-D", "shape (2, 2)")
    with pytest.raises(TypeError, match=r"^X must be a tensor, got 3$"):
        fail("X", "a tensor", 3, TypeError)
