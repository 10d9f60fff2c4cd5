"""Chapter 09's argument check: its whole messages. Written for mutation testing (`make mutants`): the
chapter's tests match the start of each message, these the whole of it."""
from __future__ import annotations

import pytest
import torch

from d2l_utils import linear_regression_concise as lrc


def test_data_arrays_messages():
    with pytest.raises(TypeError) as caught:
        lrc._check_arrays(torch.ones(3))
    assert str(caught.value) == "data_arrays must be a tuple (or list) of tensors, got Tensor"
    with pytest.raises(ValueError) as caught:
        lrc._check_arrays((torch.ones(3), torch.tensor(1.0)))
    assert str(caught.value) == "data_arrays[1] must be a tensor with at least 1 axis, got a 0-d tensor"
