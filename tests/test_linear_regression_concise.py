"""Unit tests of the helper saved from notebooks/09_linear_regression_concise.ipynb."""
from __future__ import annotations

import pytest
import torch
from torch.utils import data

import d2l_utils as d2l


def test_d2l_names_are_exported():
    assert callable(d2l.load_array)
    assert d2l.data is data  # torch.utils.data, as d2l.data in the book


def numbered(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Features whose first column is the row number, and labels equal to the row number."""
    features = torch.arange(n, dtype=torch.float32).reshape(n, 1) * torch.ones(n, 2)
    return features, torch.arange(n).reshape(n, 1)


def test_returns_a_dataloader_of_the_right_shapes_and_dtypes():
    features, labels = numbered(12)
    loader = d2l.load_array((features, labels), 5)
    assert isinstance(loader, data.DataLoader) and isinstance(loader.dataset, data.TensorDataset)
    X, y = next(iter(loader))
    assert X.shape == (5, 2) and y.shape == (5, 1)
    assert X.dtype == torch.float32 and y.dtype == torch.int64


@pytest.mark.parametrize("n, batch_size", [(100, 10), (103, 10), (5, 8)])
@pytest.mark.parametrize("is_train", [True, False])
def test_every_example_once_per_epoch_last_batch_smaller(n, batch_size, is_train):
    features, labels = numbered(n)
    torch.manual_seed(0)
    loader = d2l.load_array((features, labels), batch_size, is_train)
    for _ in range(2):  # two epochs
        batches = list(loader)
        seen = torch.cat([y[:, 0] for _, y in batches])
        assert sorted(seen.tolist()) == list(range(n))
        for X, y in batches:  # rows stay paired
            assert torch.equal(X[:, 0].long(), y[:, 0])
        sizes = [len(y) for _, y in batches]
        assert sizes[:-1] == [batch_size] * (len(sizes) - 1)
        assert sizes[-1] == (n % batch_size or batch_size)
    assert len(loader) == -(-n // batch_size)


def test_is_train_false_keeps_the_original_order():
    features, labels = numbered(23)
    loader = d2l.load_array((features, labels), 4, is_train=False)
    assert torch.equal(torch.cat([X for X, _ in loader]), features)
    assert torch.equal(torch.cat([y for _, y in loader]), labels)


def test_is_train_shuffles_differently_each_epoch_and_reproducibly_under_a_seed():
    features, labels = numbered(50)
    loader = d2l.load_array((features, labels), 50)
    torch.manual_seed(0)
    first, second = (next(iter(loader))[1][:, 0] for _ in range(2))
    assert not torch.equal(first, labels[:, 0]) and not torch.equal(first, second)
    torch.manual_seed(0)
    again = next(iter(loader))[1][:, 0]
    assert torch.equal(first, again)


def test_matches_a_hand_built_dataloader():
    features, labels = numbered(30)
    torch.manual_seed(4)
    ours = [y for _, y in d2l.load_array((features, labels), 7)]
    torch.manual_seed(4)
    theirs = [y for _, y in data.DataLoader(data.TensorDataset(features, labels), 7, shuffle=True)]
    assert len(ours) == len(theirs) and all(torch.equal(a, b) for a, b in zip(ours, theirs))


def test_works_with_one_or_three_tensors():
    features, labels = numbered(6)
    (only,) = next(iter(d2l.load_array((features,), 6, is_train=False)))
    assert torch.equal(only, features)
    X, y, z = next(iter(d2l.load_array((features, labels, labels * 2), 6, is_train=False)))
    assert torch.equal(z, 2 * y)


def test_rejects_tensors_of_different_lengths():
    with pytest.raises(ValueError, match="data_arrays must be one or more tensors of the same length, got lengths \\[5, 4\\]"):
        d2l.load_array((torch.zeros(5, 2), torch.zeros(4, 1)), 2)


def test_rejects_a_single_tensor_a_non_tensor_and_a_0d_tensor():
    with pytest.raises(TypeError, match=r"^data_arrays must be a tuple \(or list\) of tensors"):
        d2l.load_array(torch.zeros(5, 2), 2)
    with pytest.raises(TypeError, match=r"^data_arrays\[1\] must be a tensor, got list"):
        d2l.load_array((torch.zeros(2, 2), [1, 2]), 2)
    with pytest.raises(ValueError, match=r"^data_arrays\[0\] must be a tensor with at least 1 axis"):
        d2l.load_array((torch.tensor(1.0),), 1)


@pytest.mark.parametrize("is_train", [1, "yes", None])
def test_rejects_is_train_that_is_not_a_bool(is_train):
    with pytest.raises(TypeError, match="^is_train must be True or False"):
        d2l.load_array((torch.zeros(5, 2),), 2, is_train)


def test_rejects_no_tensors():
    with pytest.raises(ValueError, match="data_arrays"):
        d2l.load_array((), 2)


@pytest.mark.parametrize("batch_size, error", [(0, ValueError), (-3, ValueError), (2.0, TypeError), (None, TypeError)])
def test_rejects_bad_batch_size(batch_size, error):
    with pytest.raises(error, match="batch_size"):
        d2l.load_array((torch.zeros(5, 2), torch.zeros(5, 1)), batch_size)
    if error is ValueError:
        with pytest.raises(error, match="^batch_size must be an int > 0"):
            d2l.load_array((torch.zeros(5, 2), torch.zeros(5, 1)), batch_size)


def test_concise_training_recovers_the_true_parameters():
    torch.manual_seed(0)
    true_w, true_b = torch.tensor([2.0, -3.4]), 4.2
    features, labels = d2l.synthetic_data(true_w, true_b, 1000)
    net = torch.nn.Linear(2, 1)
    net.weight.data.normal_(0, 0.01)
    net.bias.data.fill_(0)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.03)
    loss = torch.nn.MSELoss()
    for _ in range(3):
        for X, y in d2l.load_array((features, labels), 10):
            optimizer.zero_grad()
            loss(net(X), y).backward()
            optimizer.step()
    torch.testing.assert_close(net.weight.data[0], true_w, atol=5e-3, rtol=0)
    assert abs(net.bias.item() - true_b) < 5e-3
    with torch.no_grad():
        assert loss(net(features), labels).item() <= 1.2 * 0.01 ** 2
