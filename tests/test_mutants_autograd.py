"""Chapter 06's Value in detail: the operation each node records, accumulation in leaves, relu's slope between
0 and 1, whole error messages. Written for mutation testing (`make mutants`): each test catches changes the
chapter's tests let pass."""
from __future__ import annotations

import pytest
import torch

from d2l_utils import Value


def test_each_node_records_its_operation():
    a, b = Value(0.5), Value(2.0)
    assert [(a + b).op, (a * b).op, (a ** 3).op, (a ** 0.5).op, a.exp().op, a.relu().op, (a / b).op, a.tanh().op] == [
        "+", "*", "**3", "**0.5", "exp", "relu", "/", "tanh"]
    assert (-a).op == "*" and (-a)._children[0] is a, "-v is v * -1"
    assert a.op == ""


def test_a_leaf_accumulates_over_backward_calls_like_torch():
    v = Value(2.0)
    x = torch.tensor(2.0, requires_grad=True)
    for _ in range(2):
        v.backward()
        x.backward(torch.tensor(1.0))
    assert v.grad == x.grad.item() == 2.0


@pytest.mark.parametrize("x", [0.5, 0.999, 1.5, -0.5])
def test_relu_slope_matches_torch(x):
    v = Value(x)
    v.relu().backward()
    t = torch.tensor(x, requires_grad=True)
    torch.relu(t).backward()
    assert v.grad == t.grad.item()


def test_whole_messages():
    with pytest.raises(TypeError) as caught:
        Value(1.0) + "2"
    assert str(caught.value) == "other must be a Value or a real number (operand of +), got str"
    with pytest.raises(ZeroDivisionError) as caught:
        Value(1.0) / 0
    assert str(caught.value) == "divisor must be nonzero, got 0.0"
