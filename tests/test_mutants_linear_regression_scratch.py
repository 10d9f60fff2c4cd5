"""Chapter 08's argument checks: their whole messages. Written for mutation testing (`make mutants`): the
chapter's tests match the start of each message, these the whole of it."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from d2l_utils import linear_regression_scratch as lrs


def message(error: type, call, *args) -> str:
    with pytest.raises(error) as caught:
        call(*args)
    return str(caught.value)


def test_params_messages():
    listed = "params must be a list of tensors such as [w, b], got "
    assert message(TypeError, lrs._check_params, torch.ones(2)) == listed + "Tensor"
    assert message(TypeError, lrs._check_params, 3) == listed + "int"
    # iterable by its type, but a 0-d array cannot be iterated: the same message, not NumPy's
    assert message(TypeError, lrs._check_params, np.array(1.0)) == listed + "ndarray"
    # iterable, but over letters or keys
    assert message(TypeError, lrs._check_params, "wb") == listed + "str"
    assert message(TypeError, lrs._check_params, {"w": torch.ones(1)}) == listed + "dict"
    trained = torch.ones(1, requires_grad=True)
    trained.sum().backward()
    assert message(TypeError, lrs._check_params, (trained, torch.tensor([1, 2]))) == (
        "params[1] must be a floating-point tensor, got dtype torch.int64: use .double() (float64) or .float() (float32)")
    assert message(ValueError, lrs._check_params, [torch.ones(2, requires_grad=True)]) == (
        "params[0] must be a tensor with a gradient: set requires_grad=True and call backward() first, got .grad None")


def test_a_generators_own_error_is_not_hidden():
    def params():
        yield torch.ones(1)
        raise TypeError("bug inside my generator")
    with pytest.raises(TypeError, match="^bug inside my generator$"):
        lrs._check_params(params())


def test_errors_come_alone_without_a_chained_one():
    """Raised outside `except`: no 'During handling of the above exception' above the learner's error."""
    for call, args in ((lrs._check_params, (3,)), (lrs._check_linreg, (torch.ones(4, 2), torch.ones(3), torch.zeros(1)))):
        with pytest.raises((TypeError, ValueError)) as caught:
            call(*args)
        assert caught.value.__context__ is None, caught.value.__context__


def test_linreg_messages():
    X, w, b = torch.ones(4, 2), torch.ones(2, dtype=torch.float64), torch.zeros(1)
    dtypes = ("`X`, `w` and `b` must be of one floating-point dtype, got {}, {} and {}: "
              "make them all float32 with .float()")
    assert message(TypeError, lrs._check_linreg, X, w, b) == dtypes.format("torch.float32", "torch.float64", "torch.float32")
    assert message(TypeError, lrs._check_linreg, X, w.float(), b.double()) == dtypes.format(
        "torch.float32", "torch.float32", "torch.float64")
    ones = torch.ones(1, dtype=torch.bool)  # one dtype, but not a floating-point one
    assert message(TypeError, lrs._check_linreg, ones, ones, ones) == dtypes.format("torch.bool", "torch.bool", "torch.bool")
    shapes = "`X`, `w` and `b` must be of shapes that fit X @ w + b, got (4, 2), {} and {}"
    assert message(ValueError, lrs._check_linreg, X, torch.ones(3), b) == shapes.format("(3,)", "(1,)")
    # a bias per example with a column w: X @ w + b would be a (4, 4) matrix, the trap chapter 08 warns about
    assert message(ValueError, lrs._check_linreg, X, torch.ones(2, 1), torch.zeros(4)) == shapes.format("(2, 1)", "(4,)") + (
        ": X @ w has shape (4, 1), but X @ w + b would have (4, 4); use one bias per output, b of shape (1,)")
    # three outputs per example: one bias each
    assert message(ValueError, lrs._check_linreg, torch.ones(1, 2), torch.ones(2, 3), torch.zeros(5, 3)) == (
        "`X`, `w` and `b` must be of shapes that fit X @ w + b, got (1, 2), (2, 3) and (5, 3): X @ w has shape (1, 3), "
        "but X @ w + b would have (5, 3); use one bias per output, b of shape (3,)")
    # the same number of values in another shape: (4,) becomes (1, 4)
    assert message(ValueError, lrs._check_linreg, X, torch.ones(2), torch.zeros(1, 1)) == shapes.format("(2,)", "(1, 1)") + (
        ": X @ w has shape (4,), but X @ w + b would have (1, 4); use one bias per output, b of shape (1,)")
    # one example as a vector: X @ w is 0-d, so only a b of one value fits
    assert message(ValueError, lrs._check_linreg, torch.ones(2), torch.ones(2), torch.zeros(3)) == (
        "`X`, `w` and `b` must be of shapes that fit X @ w + b, got (2,), (2,) and (3,): X @ w has shape (), "
        "but X @ w + b would have (3,); use one bias per output, b of shape (1,)")
    # an empty batch
    assert message(ValueError, lrs._check_linreg, torch.ones(0, 2), torch.ones(2), torch.zeros(4, 1)).startswith(
        "`X`, `w` and `b` must be of shapes that fit X @ w + b, got (0, 2), (2,) and (4, 1): X @ w has shape (0,)")


@pytest.mark.parametrize("X, w, b, shape", [
    (torch.ones(2), torch.ones(2), torch.zeros(1), (1,)),  # one example as a vector: X @ w is 0-d, b makes it (1,)
    (torch.ones(4, 2), torch.ones(2), torch.tensor(0.5), (4,)),  # a 0-d bias
    (torch.ones(4, 2), torch.ones(2, 3), torch.zeros(1), (4, 3)),  # three outputs per example
], ids=["one example", "0-d b", "three outputs"])
def test_linreg_takes_what_computes_one_value_per_output(X, w, b, shape):
    assert lrs.linreg(X, w, b).shape == shape


def test_a_one_dimensional_w_as_chapter_08_uses_it():
    """The shape check runs X @ w + b on the meta device; a 1-D w takes torch's matrix-vector path there."""
    torch.manual_seed(0)
    X, w, b = torch.randn(4, 2), torch.tensor([2.0, -3.4]), torch.tensor(4.2)
    torch.testing.assert_close(lrs.linreg(X, w, b), torch.addmv(b.expand(4), X, w))
