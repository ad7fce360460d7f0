"""The keep-the-best-parameters helper shared by every trained test and estimator."""

import math

import pytest
import torch

from divergences._backend.training import BestParameters


def test_keeps_the_parameters_at_the_best_value_and_restores_them():
    w = torch.nn.Parameter(torch.tensor([0.0, 0.0]))
    keep = BestParameters([w], mode="max")
    for step, value in enumerate([1.0, 3.0, 2.0, math.nan, 2.5]):
        with torch.no_grad():
            w.fill_(float(step))
        keep.update(value)
    assert keep.value == 3.0
    keep.restore()
    assert w.tolist() == [1.0, 1.0]                     # the parameters seen with 3.0


def test_min_mode_and_min_delta():
    w = torch.nn.Parameter(torch.zeros(1))
    keep = BestParameters([w], mode="min", min_delta=0.1)
    assert keep.update(1.0) and not keep.update(0.95) and keep.update(0.8)
    assert keep.value == 0.8


def test_nothing_to_restore_without_an_improvement_unless_snapshot_now():
    w = torch.nn.Parameter(torch.ones(1))
    keep = BestParameters([w])
    keep.update(math.nan)
    with torch.no_grad():
        w.fill_(5.0)
    keep.restore()
    assert w.item() == 5.0
    keep = BestParameters([w], snapshot_now=True)
    with torch.no_grad():
        w.fill_(7.0)
    keep.restore()
    assert w.item() == 5.0


def test_per_trial_rows_are_kept_separately():
    w = torch.nn.Parameter(torch.zeros(3, 2))
    keep = BestParameters([w], trials=3)
    for step, values in enumerate(([1.0, 5.0, 0.0], [2.0, 4.0, math.nan], [0.5, 6.0, -1.0])):
        with torch.no_grad():
            w.fill_(float(step))
        keep.update(torch.tensor(values))
    keep.restore()
    # trial 0 best at step 1, trial 1 at step 2, trial 2 at step 0 (its first finite value)
    assert w[:, 0].tolist() == [1.0, 2.0, 0.0]
    assert keep.value.tolist() == [2.0, 6.0, 0.0]


def test_bad_mode():
    with pytest.raises(ValueError, match="mode"):
        BestParameters([], mode="best")
