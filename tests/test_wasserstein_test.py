"""The Wasserstein permutation test: p-value definition, calibration, reproducibility, errors."""

import numpy as np
import pytest
import torch
from scipy import stats

import divergences as dv


def test_pvalue_is_the_plus_one_formula_over_the_reported_null():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=30), rng.normal(0.3, 1, size=25)
    res = dv.wasserstein_test(x, y, n_permutations=499, rng=1)
    assert isinstance(res, dv.TwoSampleResult)
    assert res.statistic == pytest.approx(float(dv.wasserstein_1d(x, y)), rel=1e-14)
    assert res.null_distribution.shape == (499,)
    expected = (1 + np.sum(res.null_distribution >= res.statistic)) / 500
    assert res.pvalue == pytest.approx(expected)
    assert (res.n_x, res.n_y) == (30, 25)
    # each null value is W1 of a relabelling of the pooled sample: its values lie in the
    # range W1 can take over splits of this pooled sample
    pooled = np.concatenate([x, y])
    assert res.null_distribution.min() >= 0
    assert res.null_distribution.max() <= pooled.max() - pooled.min()


def test_reproducible_and_batch_size_independent():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=40), rng.normal(size=35)
    a = dv.wasserstein_test(x, y, n_permutations=300, rng=5)
    b = dv.wasserstein_test(x, y, n_permutations=300, rng=5)
    np.testing.assert_array_equal(a.null_distribution, b.null_distribution)
    c = dv.wasserstein_test(x, y, n_permutations=300, rng=5, batch_size=7)
    # batches draw fresh permutations (a repeated batch would give few distinct values)
    assert len(np.unique(np.round(c.null_distribution, 12))) > 250
    # and estimate the same p-value within Monte-Carlo error
    se = np.sqrt(a.pvalue * (1 - a.pvalue) / 300) + 1 / 300
    assert abs(a.pvalue - c.pvalue) < 4 * np.sqrt(2) * se


def test_type_one_error_is_calibrated():
    """200 tests under H0 at alpha = 0.05: the rejection count lies in the binomial 99% interval."""
    rng = np.random.default_rng(2)
    reps, alpha = 200, 0.05
    pvals = np.array([dv.wasserstein_test(rng.normal(size=40), rng.normal(size=30),
                                          n_permutations=199, rng=rng).pvalue
                      for _ in range(reps)])
    lo, hi = stats.binom.ppf([0.005, 0.995], reps, alpha)
    assert lo <= np.sum(pvals <= alpha) <= hi
    # and the p-values are close to uniform (discrete with step 1/200)
    assert stats.kstest(pvals, "uniform").pvalue > 0.001


def test_power_on_a_shift():
    rng = np.random.default_rng(3)
    rejections = sum(dv.wasserstein_test(rng.normal(size=100), rng.normal(0.6, 1, size=100),
                                         n_permutations=199, rng=rng).reject(0.05)
                     for _ in range(20))
    assert rejections >= 18


def test_torch_input():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(50, generator=gen, dtype=torch.float64)
    y = torch.randn(40, generator=gen, dtype=torch.float64) + 2
    res = dv.wasserstein_test(x, y, n_permutations=99, rng=0)
    assert res.statistic == pytest.approx(float(dv.wasserstein_1d(x.numpy(), y.numpy())))
    assert res.pvalue == pytest.approx(0.01)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(x=[], y=[1.0, 2.0]), ValueError, "x is empty"),
    (dict(x=[1.0], y=[np.nan, 1.0]), ValueError, "y contains NaN"),
    (dict(x=np.ones((3, 2)), y=[1.0]), ValueError, "x must be a 1-D sample"),
    (dict(x=[1.0], y=[2.0]), ValueError, "at least 3 observations"),
    (dict(x=[1.0, 2.0], y=[2.0], n_permutations=0), ValueError, "n_permutations"),
    (dict(x=[1.0, 2.0], y=[2.0], p=0), ValueError, "p must be"),
    (dict(x=[1.0, 2.0], y=[2.0], rng="seed"), TypeError, "rng must be"),
])
def test_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        dv.wasserstein_test(**kwargs)


def test_result_reject_validates_the_level():
    res = dv.TwoSampleResult(statistic=1.0, pvalue=0.04, method="m", n_x=1, n_y=1)
    assert res.reject(0.05) and not res.reject(0.01)
    with pytest.raises(ValueError, match="level"):
        res.reject(1.5)
    with pytest.warns(DeprecationWarning, match="alpha= is renamed level="):
        assert res.reject(alpha=0.05) and not res.reject(level=0.01)
