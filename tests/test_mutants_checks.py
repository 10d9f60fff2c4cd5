"""d2l_utils.checks in detail: the full message of each rule, and the rules as a fresh import builds them.

The rules table (_RULES) and every @checked helper are built once, when the package is imported. Mutation
testing (`make mutants`) swaps a function's code only after that, so the import-time code (_simple,
_annotated, checked) is exercised here on a fresh copy of the module, loaded as a kernel would load it.
Annotations are evaluated eagerly in this file (no `from __future__ import annotations`), so the helpers
below carry the fresh module's hints.
"""
import importlib.util
import math
import types
from collections.abc import Callable

import pytest
import torch

from d2l_utils import checks


@pytest.fixture
def fresh() -> types.ModuleType:
    """A new copy of d2l_utils.checks, imported from its file (sys.modules is left alone); one per test, so
    mutation testing links every test, not only the first, to the import-time code it runs."""
    spec = importlib.util.spec_from_file_location("d2l_utils.checks", checks.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def helper(fresh) -> Callable:
    @fresh.checked
    def helper(t: fresh.FloatTensor, k: fresh.PositiveInt, lr: fresh.PositiveFloat, tol: fresh.NonNegativeFloat,
               flag: bool, label: str, xlim: fresh.Limits, figsize: fresh.FigSize, legend: fresh.Strings,
               f: Callable[[float], float]) -> str:
        return "ran"
    return helper


GOOD = dict(t=torch.ones(2), k=1, lr=1e-3, tol=0.0, flag=True, label="", xlim=(-1, 1), figsize=(0.5, 0.25),
            legend=[], f=math.sin)
BAD = [  # (parameter, value, the whole message)
    ("t", torch.arange(2), TypeError, "t must be a floating-point tensor, got dtype torch.int64: use .double() "
                                      "(float64) or .float() (float32)"),
    ("t", 3, TypeError, "t must be a floating-point tensor, got int 3"),
    ("k", 0, ValueError, "k must be an int > 0, got 0"),
    ("k", 1.0, TypeError, "k must be an int > 0, got 1.0"),
    ("lr", 0, ValueError, "lr must be a finite number > 0, got 0"),
    ("lr", "0.1", TypeError, "lr must be a finite number > 0, got '0.1'"),
    ("lr", torch.tensor(0.1), TypeError, "lr must be a finite number > 0, got tensor(0.1000): use .item()"),
    ("lr", torch.ones(2), TypeError, "lr must be a finite number > 0, got tensor([1., 1.])"),  # .item() would fail
    ("tol", -0.5, ValueError, "tol must be a finite number >= 0, got -0.5"),
    ("flag", 1, TypeError, "flag must be True or False, got 1"),
    ("flag", None, TypeError, "flag must be True or False, got None"),
    ("label", True, TypeError, "label must be a string, got True"),
    ("label", b"a", TypeError, "label must be a string, got b'a'"),
    ("xlim", (0, 1, 2), TypeError, "xlim must be two finite numbers (low, high) with low < high, got (0, 1, 2)"),
    ("xlim", (1, -1), ValueError, "xlim must be two finite numbers (low, high) with low < high, got (1, -1)"),
    ("figsize", (0.5, 0), ValueError, "figsize must be two finite numbers > 0 (width, height) in inches, got (0.5, 0)"),
    ("legend", "ab", TypeError, "legend must be a list of strings, got 'ab'"),
    ("legend", ["a", 1], TypeError, "legend must be a list of strings, got ['a', 1]"),
    ("f", 3, TypeError, "f must be a function, got 3"),
]


def test_good_arguments_pass(helper):
    assert helper(**GOOD) == "ran"
    assert helper(**{**GOOD, "flag": False, "label": "x", "figsize": (2, 0.5), "legend": ("a", "b")}) == "ran"


@pytest.mark.parametrize("param,value,error,message", BAD, ids=[f"{p}={v!r}" for p, v, *_ in BAD])
def test_each_rule_gives_its_whole_message(helper, param, value, error, message):
    with pytest.raises(error) as caught:
        helper(**{**GOOD, param: value})
    assert str(caught.value) == message


def test_the_package_rules_give_the_same_messages():
    """The helpers of the package, decorated at import, say the same (a tensor rule without a fix to suggest)."""
    with pytest.raises(TypeError) as caught:
        checks.check_value(3, torch.Tensor, "t")
    assert str(caught.value) == "t must be a tensor, got int 3"
    with pytest.raises(TypeError) as caught:
        checks.check_value([1, 2], torch.Tensor, "t")
    assert str(caught.value) == "t must be a tensor, got list [1, 2]: use torch.tensor([1, 2])"
    with pytest.raises(TypeError) as caught:
        checks.check_value(0, Callable[[int], int], "f")
    assert str(caught.value) == "f must be a function, got 0"
    checks.check_value((0.5, 1e-3), checks.FigSize, "figsize")  # sizes below one inch are fine
