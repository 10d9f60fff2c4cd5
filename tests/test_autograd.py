"""Tests of the scalar reverse-mode autodiff `Value` saved from notebooks/06_autograd.ipynb.

The property test builds each random expression from +, -, *, /, ** (number exponents), exp, relu, tanh
and negation twice, once from `Value`s and once from float64 tensors, and compares every input's gradient
with torch.autograd.
"""
from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import d2l_utils as d2l
from d2l_utils import Value, topological_order

F64 = torch.float64
INPUT = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)
STEP = st.tuples(
    st.sampled_from(["+", "*", "pow", "exp", "relu", "+c", "*c", "-", "/", "neg", "tanh", "c-", "c/"]),
    st.integers(0, 10**6), st.integers(0, 10**6),          # which earlier nodes to combine
    st.sampled_from([2, 3, 0.5, 1.5, -1]),                 # the exponent, if the step is a power
    st.floats(min_value=-3.0, max_value=3.0, allow_nan=False),  # the constant, for +c and *c
)


def decide(step, nodes: list[Value]) -> tuple:
    """The operation one step applies, chosen from the Value nodes only, so that both lists follow it.

    Powers and exp stay on safe inputs; relu is kept away from its kink; huge values stop growing.
    """
    op, i, j, k, const = step
    i, j = i % len(nodes), j % len(nodes)
    if op == "pow" and (k != int(k) or k < 0):             # needs a base >= 0.1: pick one
        safe = [n for n in range(len(nodes)) if nodes[n].data >= 0.1]
        i, k = (min(safe, key=lambda n: (n - i) % len(nodes)), k) if safe else (i, 2)
    value = nodes[i].data
    if op == "exp" and value > 3.0:
        op = "+"                                            # keep exp(x) small
    if op == "relu" and abs(value) < 1e-6:
        op = "*"
    if op in ("/", "c/") and abs(nodes[j if op == "/" else i].data) < 0.1:
        op = "-"                                            # keep divisors away from 0
    if abs(value) > 1e6:
        op = "+c"
    return op, i, j, k, const


def apply(decision: tuple, nodes: list) -> None:
    """Append the result of one operation on earlier nodes (Values or tensors)."""
    op, i, j, k, const = decision
    x, y = nodes[i], nodes[j]
    nodes.append({
        "+": lambda: x + y,
        "*": lambda: x * y,
        "pow": lambda: x ** k,
        "exp": lambda: x.exp(),
        "relu": lambda: x.relu(),
        "+c": lambda: x + const,
        "*c": lambda: x * const,
        "-": lambda: x - y,
        "/": lambda: x / y,
        "neg": lambda: -x,
        "tanh": lambda: x.tanh(),
        "c-": lambda: const - x,
        "c/": lambda: const / x,
    }[op]())


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(inputs=st.lists(INPUT, min_size=1, max_size=4), steps=st.lists(STEP, min_size=1, max_size=8))
def test_gradients_match_torch_autograd(inputs, steps):
    values = [Value(v) for v in inputs]
    tensors = [torch.tensor(v, dtype=F64, requires_grad=True) for v in inputs]
    value_nodes, tensor_nodes = list(values), list(tensors)
    for step in steps:
        decision = decide(step, value_nodes)
        apply(decision, value_nodes)
        apply(decision, tensor_nodes)
    out_value, out_tensor = value_nodes[-1], tensor_nodes[-1]
    assert math.isclose(out_value.data, out_tensor.item(), rel_tol=1e-9, abs_tol=1e-12)
    out_value.backward()
    out_tensor.backward()
    for v, t in zip(values, tensors):
        expected = 0.0 if t.grad is None else t.grad.item()
        assert math.isclose(v.grad, expected, rel_tol=1e-8, abs_tol=1e-9), (v.grad, expected)


def test_example_from_the_notebook():
    a, b = Value(2.0), Value(-3.0)
    out = (a * b + a.exp()) ** 2
    out.backward()
    ta, tb = (torch.tensor(v, dtype=F64, requires_grad=True) for v in (2.0, -3.0))
    ((ta * tb + ta.exp()) ** 2).backward()
    assert a.grad == pytest.approx(ta.grad.item(), rel=1e-12)
    assert b.grad == pytest.approx(tb.grad.item(), rel=1e-12)


def test_a_value_used_twice_gets_the_sum_of_both_uses():
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0
    b = Value(3.0)
    (b + b + b).backward()
    assert b.grad == 3.0


def test_a_second_backward_adds_to_the_leaves_where_torch_needs_retain_graph():
    a, b = Value(3.0), Value(-2.0)
    out = (a * b).exp() * 0.5 + a ** 2
    out.backward()
    first = (a.grad, b.grad)
    out.backward()
    assert (a.grad, b.grad) == pytest.approx((2 * first[0], 2 * first[1]))
    ta, tb = (torch.tensor(v, dtype=F64, requires_grad=True) for v in (3.0, -2.0))
    tout = (ta * tb).exp() * 0.5 + ta ** 2
    tout.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        tout.backward()                                     # PyTorch freed the saved tensors
    ta.grad = tb.grad = None
    tout = (ta * tb).exp() * 0.5 + ta ** 2
    tout.backward(retain_graph=True)
    tout.backward()
    assert a.grad == pytest.approx(ta.grad.item()) and b.grad == pytest.approx(tb.grad.item())


def test_intermediate_gradients_restart_on_each_pass():
    a = Value(2.0)
    h = a * 3.0
    out = h * h
    out.backward()
    out.backward()
    assert h.grad == 2 * h.data                             # d(h^2)/dh of one pass, not two
    assert a.grad == 2 * (2 * h.data * 3.0)


def test_backward_of_an_input_itself():
    a = Value(5.0)
    a.backward()
    assert a.grad == 1.0


def test_relu_picks_slope_zero_at_the_kink_like_torch():
    a = Value(0.0)
    a.relu().backward()
    t = torch.tensor(0.0, requires_grad=True)
    torch.relu(t).backward()
    assert a.grad == t.grad.item() == 0.0


def test_topological_order_puts_children_first_each_once():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    out = (c + a.exp()) * c
    order = topological_order(out)
    assert len(order) == len(set(map(id, order))) == 6      # a, b, c, exp, +, *
    position = {id(v): n for n, v in enumerate(order)}
    for v in order:
        for child in v._children:
            assert position[id(child)] < position[id(v)]
    assert order[-1] is out
    assert [v.op for v in order if not v._children] == ["", ""]


def test_repr_and_constants_on_either_side():
    a = Value(2.0)
    out = 2 * a + 1 + a * 0.5
    out.backward()
    assert out.data == 6.0 and a.grad == 2.5
    assert repr(a) == "Value(data=2, grad=2.5)"


@pytest.mark.parametrize("bad", ["1", None, True, [1.0], torch.tensor(1.0), object()])
@pytest.mark.parametrize("op", ["+", "*", "r+", "r*", "-", "/", "r-", "r/"])
def test_bad_operands_raise_a_clear_type_error(op, bad):
    a = Value(1.0)
    call = {"+": lambda: a + bad, "*": lambda: a * bad, "r+": lambda: bad + a, "r*": lambda: bad * a,
            "-": lambda: a - bad, "/": lambda: a / bad, "r-": lambda: bad - a, "r/": lambda: bad / a}[op]
    with pytest.raises(TypeError, match=r"^other must be a Value or a real number \(operand of [-+*/]\)"):
        call()


@pytest.mark.parametrize("bad", ["2", None, True, Value(2.0), torch.tensor(2.0)])
def test_bad_exponents_raise_a_clear_type_error(bad):
    with pytest.raises(TypeError, match="^k must be a finite number"):
        Value(2.0) ** bad


@pytest.mark.parametrize("bad", ["1.0", None, False, 1j, torch.tensor(1.0), [1.0]])
def test_bad_data_raises_a_type_error_naming_data(bad):
    with pytest.raises(TypeError, match="^data must be a finite number"):
        Value(bad)


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_non_finite_data_raises_a_value_error_naming_data(bad):
    with pytest.raises(ValueError, match="^data must be a finite number"):
        Value(bad)


@pytest.mark.parametrize("base,k,words", [
    (0.0, 0.5, r"^base must be nonzero for \*\* 0.5: the derivative"),
    (0.0, -1, r"^base must be nonzero for \*\* -1"),
    (-1.0, 0.5, r"^base must be >= 0 for the non-integer power \*\* 0.5"),
])
def test_powers_outside_the_real_numbers_name_the_operation(base, k, words):
    with pytest.raises(ValueError, match=words):
        Value(base) ** k


def test_integer_powers_of_negative_bases_and_zero_work_like_torch():
    for base, k in [(-2.0, 2), (-2.0, 3), (-2.0, -1), (0.0, 2), (0.0, 1)]:
        v = Value(base)
        out = v ** k
        out.backward()
        t = torch.tensor(base, dtype=F64, requires_grad=True)
        (t ** k).backward()
        assert out.data == pytest.approx((torch.tensor(base, dtype=F64) ** k).item())
        assert v.grad == pytest.approx(t.grad.item())


def test_exp_overflow_says_so():
    assert Value(709.0).exp().data == pytest.approx(math.exp(709.0))
    with pytest.raises(OverflowError, match="^exp overflows"):
        Value(710.0).exp()


def test_division_by_zero_names_the_divisor():
    for call in (lambda: Value(1.0) / 0, lambda: Value(1.0) / Value(0.0), lambda: 1 / Value(0.0)):
        with pytest.raises(ZeroDivisionError, match="^divisor must be nonzero"):
            call()


def test_backward_through_a_chain_of_ten_thousand_nodes():
    start = Value(0.5)
    chain = start
    for _ in range(10_000):
        chain = chain * 1.0001 + 0.0
    assert len(topological_order(chain)) == 40_001    # start; per step 2 constants and 2 results
    chain.backward()
    assert start.grad == pytest.approx(1.0001 ** 10_000, rel=1e-9)


def test_one_neuron_matches_torch():
    xs, ys = [-2.0, -1.0, 0.5, 2.0], [-0.9, -0.6, 0.3, 0.8]

    def mse(w, b):
        return sum(((w * x + b).tanh() - y) ** 2 for x, y in zip(xs, ys)) / len(xs)

    w, b = Value(0.7), Value(-0.2)
    mse(w, b).backward()
    tw, tb = (torch.tensor(v, dtype=F64, requires_grad=True) for v in (0.7, -0.2))
    mse(tw, tb).backward()
    assert w.grad == pytest.approx(tw.grad.item(), rel=1e-12)
    assert b.grad == pytest.approx(tb.grad.item(), rel=1e-12)


def test_topological_order_rejects_a_non_value():
    with pytest.raises(TypeError, match="value must be a Value"):
        topological_order(torch.tensor(1.0))


def test_value_is_exported():
    assert "Value" in d2l.__all__ and "topological_order" in d2l.__all__
