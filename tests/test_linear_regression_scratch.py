"""Unit tests of the helpers saved from notebooks/08_linear_regression_scratch.ipynb."""
from __future__ import annotations

import random

import pytest
import torch

import d2l_utils as d2l

TRUE_W = torch.tensor([2.0, -3.4])
TRUE_B = 4.2


def test_d2l_names_are_exported():
    for name in ("synthetic_data", "data_iter", "linreg", "squared_loss", "sgd"):
        assert callable(getattr(d2l, name)), name


# ---------------------------------------------------------------- synthetic_data

def test_synthetic_data_shapes_and_dtypes():
    X, y = d2l.synthetic_data(TRUE_W, TRUE_B, 7)
    assert X.shape == (7, 2) and y.shape == (7, 1)
    assert X.dtype == y.dtype == torch.float32
    X64, y64 = d2l.synthetic_data(TRUE_W.double(), TRUE_B, 3)
    assert X64.dtype == y64.dtype == torch.float64


def test_synthetic_data_is_reproducible_under_a_seed():
    torch.manual_seed(3)
    first = d2l.synthetic_data(TRUE_W, TRUE_B, 50)
    torch.manual_seed(3)
    second = d2l.synthetic_data(TRUE_W, TRUE_B, 50)
    assert torch.equal(first[0], second[0]) and torch.equal(first[1], second[1])


def test_synthetic_data_draws_like_the_book():
    """Same random stream as d2l: X = normal(0, 1), then noise = normal(0, 0.01) of y's shape."""
    torch.manual_seed(0)
    X, y = d2l.synthetic_data(TRUE_W, TRUE_B, 20)
    torch.manual_seed(0)
    X_ref = torch.normal(0, 1, (20, 2))
    noise = torch.normal(0, 0.01, (20,))
    assert torch.equal(X, X_ref)
    torch.testing.assert_close(y, (torch.matmul(X_ref, TRUE_W) + TRUE_B + noise).reshape(-1, 1))


def test_synthetic_data_labels_are_linear_plus_small_normal_noise():
    torch.manual_seed(1)
    X, y = d2l.synthetic_data(TRUE_W, TRUE_B, 10000)
    residual = y[:, 0].double() - (X.double() @ TRUE_W.double() + TRUE_B)
    assert abs(residual.std().item() - 0.01) < 0.0005  # the std of 10000 draws is within ~1% of 0.01
    assert abs(residual.mean().item()) < 0.0005  # centred at 0, not 0.5 as uniform noise on [0, 1] would be
    assert (residual < 0).float().mean().item() == pytest.approx(0.5, abs=0.03)
    assert abs(X.mean().item()) < 0.03 and abs(X.std().item() - 1) < 0.03


@pytest.mark.parametrize("w", [torch.ones(2, 1), torch.tensor(1.0)], ids=["2-D", "0-D"])
def test_synthetic_data_rejects_w_that_is_not_1d(w):
    with pytest.raises(ValueError, match="w must be a 1-D tensor"):
        d2l.synthetic_data(w, 0.0, 5)


@pytest.mark.parametrize("w", [[2.0, -3.4], torch.tensor([2, 3])], ids=["list", "int-tensor"])
def test_synthetic_data_rejects_w_that_is_not_a_float_tensor(w):
    with pytest.raises(TypeError, match="w must be a floating-point tensor"):
        d2l.synthetic_data(w, 0.0, 5)


@pytest.mark.parametrize("n", [0, -3])
def test_synthetic_data_rejects_non_positive_num_examples(n):
    with pytest.raises(ValueError, match="num_examples"):
        d2l.synthetic_data(TRUE_W, TRUE_B, n)


@pytest.mark.parametrize("n", [2.5, "10", True])
def test_synthetic_data_rejects_non_int_num_examples(n):
    with pytest.raises(TypeError, match="num_examples"):
        d2l.synthetic_data(TRUE_W, TRUE_B, n)


# ---------------------------------------------------------------- data_iter

@pytest.mark.parametrize("n, batch_size", [(100, 10), (103, 10), (5, 8)])
def test_data_iter_covers_every_example_once(n, batch_size):
    features = torch.arange(n, dtype=torch.float32).reshape(n, 1) * torch.ones(n, 3)
    labels = torch.arange(n).reshape(n, 1)
    random.seed(0)
    batches = list(d2l.data_iter(batch_size, features, labels))
    seen = torch.cat([y[:, 0] for _, y in batches])
    assert sorted(seen.tolist()) == list(range(n))
    for X, y in batches:  # features and labels stay paired
        assert torch.equal(X[:, 0].long(), y[:, 0]) and X.shape[1] == 3
    sizes = [len(y) for _, y in batches]
    assert sizes[:-1] == [batch_size] * (len(sizes) - 1)
    assert sizes[-1] == (n % batch_size or batch_size)
    assert len(batches) == -(-n // batch_size)


def test_data_iter_shuffles_with_python_random():
    features, labels = torch.arange(50.0).reshape(50, 1), torch.arange(50)
    random.seed(7)
    first = torch.cat([y for _, y in d2l.data_iter(50, features, labels)])
    random.seed(7)
    second = torch.cat([y for _, y in d2l.data_iter(50, features, labels)])
    assert torch.equal(first, second)
    assert not torch.equal(first, labels)  # shuffled
    random.seed(7)
    expected = list(range(50))
    random.shuffle(expected)
    assert first.tolist() == expected  # the order random.shuffle gives, as in the book


def test_data_iter_rejects_mismatched_lengths_at_the_first_minibatch():
    batches = d2l.data_iter(2, torch.zeros(5, 2), torch.zeros(4, 1))  # a generator: runs at next()
    with pytest.raises(ValueError, match=r"^`features` and `labels` must be tensors with one row per example, "
                                         r"got shapes \(5, 2\) and \(4, 1\)$"):
        next(batches)


def test_data_iter_rejects_a_0d_tensor_naming_both():
    with pytest.raises(ValueError, match=r"^`features` and `labels` must be tensors with one row per example"):
        next(d2l.data_iter(2, torch.zeros(5, 2), torch.tensor(0.0)))


def test_data_iter_is_a_generator_that_checks_its_types_at_the_call():
    import inspect
    assert inspect.isgenerator(d2l.data_iter(2, torch.zeros(4, 2), torch.zeros(4, 1)))
    with pytest.raises(TypeError, match=r"features must be a tensor, got list .*use torch.tensor"):
        d2l.data_iter(2, [[0.0, 1.0]], torch.zeros(1, 1))  # @checked runs before the generator


@pytest.mark.parametrize("batch_size, error", [(0, ValueError), (-1, ValueError), (2.0, TypeError)])
def test_data_iter_rejects_bad_batch_size(batch_size, error):
    with pytest.raises(error, match="batch_size"):
        d2l.data_iter(batch_size, torch.zeros(5, 2), torch.zeros(5, 1))


# ---------------------------------------------------------------- linreg and squared_loss

def test_linreg_matches_torch_linear():
    torch.manual_seed(0)
    X, w, b = torch.randn(6, 3), torch.randn(3, 1), torch.randn(1)
    out = d2l.linreg(X, w, b)
    assert out.shape == (6, 1)
    torch.testing.assert_close(out, torch.nn.functional.linear(X, w.T, b))


def test_squared_loss_reshapes_the_target():
    torch.manual_seed(0)
    y_hat, y = torch.randn(5, 1), torch.randn(5)
    loss = d2l.squared_loss(y_hat, y)
    assert loss.shape == (5, 1)  # not (5, 5), which broadcasting would give
    torch.testing.assert_close(loss, 0.5 * (y_hat - y.reshape(5, 1)) ** 2)
    torch.testing.assert_close(loss.mean(), torch.nn.functional.mse_loss(y_hat[:, 0], y) / 2)


def test_squared_loss_gradient_is_the_residual():
    y_hat = torch.tensor([[1.0], [4.0]], requires_grad=True)
    y = torch.tensor([3.0, 1.0])
    d2l.squared_loss(y_hat, y).sum().backward()
    torch.testing.assert_close(y_hat.grad, y_hat.detach() - y.reshape(2, 1))


def test_squared_loss_rejects_a_target_of_another_size():
    with pytest.raises(ValueError, match=r"^`y_hat` and `y` must be of the same size, got sizes 4 and 3"):
        d2l.squared_loss(torch.zeros(4, 1), torch.zeros(3))


# ---------------------------------------------------------------- sgd

def minibatch():
    torch.manual_seed(0)
    return torch.randn(8, 3), torch.randn(8, 1)


def params_with_grads():
    """w, b after backward() of the summed squared loss on a minibatch of 8 examples."""
    torch.manual_seed(1)
    w = torch.randn(3, 1, requires_grad=True)
    b = torch.randn(1, requires_grad=True)
    X, y = minibatch()
    d2l.squared_loss(d2l.linreg(X, w, b), y).sum().backward()
    return w, b


def test_sgd_steps_by_lr_times_grad_over_batch_size_and_zeroes_grads():
    w, b = params_with_grads()
    expected = [p.detach().clone() - 0.1 * p.grad.clone() / 8 for p in (w, b)]
    d2l.sgd([w, b], 0.1, 8)
    for param, want in zip((w, b), expected):
        torch.testing.assert_close(param.detach(), want)
        assert torch.count_nonzero(param.grad) == 0
        assert param.requires_grad and param.is_leaf  # updated in place, still a trainable leaf


def test_sgd_matches_torch_optim_sgd_on_the_mean_loss():
    w, b = params_with_grads()
    w2, b2 = (p.detach().clone().requires_grad_() for p in (w, b))
    d2l.sgd([w, b], 0.05, 8)
    X, y = minibatch()
    optimizer = torch.optim.SGD([w2, b2], lr=0.05)
    d2l.squared_loss(d2l.linreg(X, w2, b2), y).mean().backward()
    optimizer.step()
    torch.testing.assert_close(w.detach(), w2.detach())
    torch.testing.assert_close(b.detach(), b2.detach())


def test_sgd_accepts_a_generator_of_parameters():
    w, b = params_with_grads()
    expected = w.detach().clone() - 0.1 * w.grad.clone() / 8
    d2l.sgd((p for p in (w, b)), 0.1, 8)
    torch.testing.assert_close(w.detach(), expected)


@pytest.mark.parametrize("lr", [0, -0.1])
def test_sgd_rejects_non_positive_lr(lr):
    w, b = params_with_grads()
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        d2l.sgd([w, b], lr, 8)


@pytest.mark.parametrize("batch_size, error", [(0, ValueError), (-4, ValueError), (8.0, TypeError)])
def test_sgd_rejects_bad_batch_size(batch_size, error):
    w, b = params_with_grads()
    with pytest.raises(error, match="batch_size"):
        d2l.sgd([w, b], 0.1, batch_size)


@pytest.mark.parametrize("params", [torch.ones(2, requires_grad=True), 3.0, "wb", {"w": torch.ones(2)}],
                         ids=["tensor", "float", "str", "dict"])
def test_sgd_wants_a_list_of_parameters(params):
    with pytest.raises(TypeError, match=r"^params must be a list of tensors such as \[w, b\]"):
        d2l.sgd(params, 0.1, 8)


def test_sgd_names_a_parameter_that_is_not_a_tensor():
    w, _ = params_with_grads()
    with pytest.raises(TypeError, match=r"^params\[1\] must be a floating-point tensor, got list \[1\.0\]: "
                                         r"use torch\.tensor\(\[1\.0\]\)$"):
        d2l.sgd([w, [1.0]], 0.1, 8)


def test_sgd_rejects_parameters_without_gradients_and_changes_nothing():
    w, b = params_with_grads()
    fresh = torch.zeros(2, requires_grad=True)  # no backward yet: .grad is None
    before = w.detach().clone()
    with pytest.raises(ValueError, match=r"params\[2\] must be a tensor with a gradient"):
        d2l.sgd([w, b, fresh], 0.1, 8)
    assert torch.equal(w.detach(), before) and w.grad is not None


# ---------------------------------------------------------------- end to end

def test_training_recovers_the_true_parameters():
    torch.manual_seed(0)
    features, labels = d2l.synthetic_data(TRUE_W, TRUE_B, 1000)
    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    random.seed(0)
    for _ in range(3):
        for X, y in d2l.data_iter(10, features, labels):
            d2l.squared_loss(d2l.linreg(X, w, b), y).sum().backward()
            d2l.sgd([w, b], 0.03, 10)
    torch.testing.assert_close(w.detach()[:, 0], TRUE_W, atol=5e-3, rtol=0)
    assert abs(b.item() - TRUE_B) < 5e-3
    with torch.no_grad():
        loss = d2l.squared_loss(d2l.linreg(features, w, b), labels).mean().item()
    assert loss <= 1.2 * 0.01 ** 2 / 2


# ---------------------------------------------------------------- the learning-rate limit (chapter 08, exercise 1)

@pytest.mark.parametrize("factor, converges", [(0.95, True), (1.05, False)])
def test_full_batch_sgd_converges_below_two_over_lambda_max_only(factor, converges):
    """Full-batch steps of sgd on squared_loss converge iff lr < 2 / lambda_max of X1^T X1 / n."""
    torch.manual_seed(0)
    X, y = d2l.synthetic_data(TRUE_W.double(), TRUE_B, 200)
    X1 = torch.cat([X, torch.ones(len(X), 1, dtype=X.dtype)], dim=1)
    lr = factor * 2 / torch.linalg.eigvalsh(X1.T @ X1 / len(X)).max().item()
    w = torch.zeros(2, 1, dtype=X.dtype, requires_grad=True)
    b = torch.zeros(1, dtype=X.dtype, requires_grad=True)
    for _ in range(300):
        d2l.squared_loss(d2l.linreg(X, w, b), y).sum().backward()
        d2l.sgd([w, b], lr, len(X))
    with torch.no_grad():
        loss = d2l.squared_loss(d2l.linreg(X, w, b), y).mean().item()
    assert (loss < 1e-3) == converges, loss


# ---------------------------------------------------------------- linreg's errors name the arguments

@pytest.mark.parametrize("X, w, b", [
    (torch.tensor(0.0), torch.ones(2, 1), torch.zeros(1)),  # 0-d X
    (torch.ones(4, 2), torch.ones(3, 1), torch.zeros(1)),  # 3 weights for 2 features
    (torch.ones(4, 2), torch.ones(2, 1), torch.zeros(2, 1)),  # a bias that does not broadcast to (4, 1)
    (torch.ones(4, 2), torch.ones(2, 1), torch.zeros(4)),  # one bias per example: (4, 1) + (4,) is (4, 4)
], ids=["0-d X", "w too long", "b of 2 rows", "b makes a matrix"])
def test_linreg_names_arguments_whose_shapes_clash(X, w, b):
    with pytest.raises(ValueError, match=r"^`X`, `w` and `b` must be of shapes that fit X @ w \+ b"):
        d2l.linreg(X, w, b)


def test_linreg_names_x_w_and_b_of_different_dtypes():
    with pytest.raises(TypeError, match=r"^`X`, `w` and `b` must be of one floating-point dtype, got torch\.float32, torch\.int64 and "
                                        r"torch\.float32: make them all float32 with \.float\(\)$"):
        d2l.linreg(torch.ones(4, 2), torch.tensor([[1], [2]]), torch.zeros(1))
    with pytest.raises(TypeError, match=r"^`X`, `w` and `b` must be of one floating-point dtype"):  # b would promote
        d2l.linreg(torch.ones(4, 2), torch.ones(2, 1), torch.zeros(1, dtype=torch.float64))


def test_linreg_keeps_the_graph_for_autograd():
    w = torch.ones(2, 1, requires_grad=True)
    d2l.linreg(torch.ones(3, 2), w, torch.zeros(1)).sum().backward()
    torch.testing.assert_close(w.grad, torch.full((2, 1), 3.0))
