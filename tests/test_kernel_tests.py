"""MMD and energy permutation tests: statistics against direct formulas, null, calibration."""

import math

import numpy as np
import pytest
import torch
from scipy import stats
from scipy.spatial.distance import cdist

import divergences as dv
from divergences.two_sample import distance as ts
from divergences.two_sample import _permutation as engine
from divergences._backend.array import namespace


def mmd2_direct(x, y, bw):
    k = lambda a, b: np.exp(-cdist(a, b, "sqeuclidean") / (2 * bw * bw))  # noqa: E731
    n, m = len(x), len(y)
    kxx, kyy, kxy = k(x, x), k(y, y), k(x, y)
    return ((kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
            - 2 * kxy.mean())


def energy_direct(x, y):
    return 2 * cdist(x, y).mean() - cdist(x, x).mean() - cdist(y, y).mean()


def test_statistics_match_direct_formulas():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(30, 3)), rng.normal(0.3, 1.2, size=(25, 3))
    res = dv.mmd_test(x, y, bandwidth=1.3, n_permutations=10, rng=0)
    assert res.statistic == pytest.approx(mmd2_direct(x, y, 1.3), rel=1e-12)
    e = dv.energy_test(x, y, n_permutations=10, rng=0)
    assert e.statistic == pytest.approx(energy_direct(x, y), rel=1e-12)
    assert e.details["scaled_statistic"] == pytest.approx(e.statistic * 30 * 25 / 55)
    # the median heuristic is the median pairwise distance of the pooled sample
    z = np.concatenate([x, y])
    med = np.median(cdist(z, z)[np.triu_indices(len(z), 1)])
    assert dv.mmd_test(x, y, n_permutations=5, rng=0).details["bandwidth"] == pytest.approx(med)


def _close_to_float32_rounding(got, want):
    """Null statistics from float32 products: within a tenth of the p-values' tie
    tolerance of the float64 values (measured errors are ~1e-6 of the null's spread)."""
    np.testing.assert_allclose(got, want, rtol=0,
                               atol=0.1 * engine.TIE_RTOL * np.max(np.abs(want)))


@pytest.mark.parametrize("bandwidth", [1.0, 300.0])
def test_null_statistics_are_statistics_of_relabellings(bandwidth):
    # a bandwidth of 300 makes K nearly constant (1 - 1e-5): float32 products of K itself
    # would lose the statistic; the centred products keep it
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(12, 2)), rng.normal(size=(9, 2))
    z = np.concatenate([x, y])
    labels = np.zeros((21, 30))
    perms = [np.arange(21)] + [rng.permutation(21) for _ in range(29)]
    for b, perm in enumerate(perms):
        labels[perm[:12], b] = 1
    kfun = lambda a, c: np.exp(-cdist(a, c, "sqeuclidean") / (2 * bandwidth ** 2))  # noqa: E731
    for matrix, stat, direct in (
            (lambda s, e: kfun(z[s:e], z[s:]), ts._mmd2_unbiased,
             lambda a, c: mmd2_direct(a, c, bandwidth)),
            (lambda s, e: cdist(z[s:e], z[s:]) / bandwidth, ts._energy_v,
             lambda a, c: energy_direct(a, c) / bandwidth)):
        want = np.array([direct(z[perm[:12]], z[perm[12:]]) for perm in perms])
        for exact_first in (True, False):
            got = stat(12, 9, *ts._block_sums(namespace("numpy"), matrix, labels, 12, 4,
                                               exact_first))
            if exact_first:     # the observed labelling in float64 throughout
                assert got[0] == pytest.approx(want[0], rel=1e-12)
            _close_to_float32_rounding(got, want)


def test_chunking_and_batching_do_not_change_results(monkeypatch):
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(40, 2)), rng.normal(size=(30, 2))
    ref = dv.mmd_test(x, y, n_permutations=200, rng=3)
    monkeypatch.setattr(ts, "_CHUNK_ELEMENTS", 100)
    small = dv.mmd_test(x, y, n_permutations=200, rng=3)
    _close_to_float32_rounding(small.null_distribution, ref.null_distribution)
    assert small.pvalue == ref.pvalue
    e1 = dv.energy_test(x, y, n_permutations=100, rng=4)
    e2 = dv.energy_test(x, y, n_permutations=100, rng=4, batch_size=7)
    assert abs(e1.pvalue - e2.pvalue) < 0.2  # different batches draw different permutations
    assert len(np.unique(np.round(e2.null_distribution, 12))) > 90


@pytest.mark.slow
@pytest.mark.parametrize("test", ["mmd", "energy"])
def test_type_one_error_and_uniform_pvalues(test):
    rng = np.random.default_rng(10 if test == "mmd" else 11)
    fn = dv.mmd_test if test == "mmd" else dv.energy_test
    reps, alpha = 200, 0.05
    pvals = np.array([fn(rng.normal(size=(30, 5)), rng.normal(size=(30, 5)), n_permutations=199,
                         rng=rng).pvalue for _ in range(reps)])
    lo, hi = stats.binom.ppf([0.005, 0.995], reps, alpha)
    assert lo <= np.sum(pvals <= alpha) <= hi
    assert stats.kstest(pvals, "uniform").pvalue > 0.001


@pytest.mark.parametrize("fn", [dv.mmd_test, dv.energy_test])
def test_power_on_a_shift(fn):
    rng = np.random.default_rng(5)
    hits = sum(fn(rng.normal(size=(60, 3)), rng.normal(size=(60, 3)) + [0.8, 0, 0],
                  n_permutations=199, rng=rng).reject() for _ in range(10))
    assert hits >= 9


def test_kernels_and_torch():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(25, 2)), rng.normal(size=(20, 2))
    lap = dv.mmd_test(x, y, kernel="laplacian", bandwidth=2.0, n_permutations=10, rng=0)
    k = lambda a, b: np.exp(-cdist(a, b) / 2.0)  # noqa: E731
    custom = dv.mmd_test(x, y, kernel=k, n_permutations=10, rng=0)
    assert lap.statistic == pytest.approx(custom.statistic, rel=1e-12)
    t = dv.mmd_test(torch.tensor(x), torch.tensor(y), bandwidth=2.0, n_permutations=50, rng=0)
    assert isinstance(t.statistic, torch.Tensor) and t.statistic.ndim == 0
    assert t.statistic.item() == pytest.approx(
        dv.mmd_test(x, y, bandwidth=2.0, n_permutations=10, rng=0).statistic, rel=1e-10)
    e = dv.energy_test(torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32),
                       n_permutations=50, rng=0)
    assert e.statistic.dtype == torch.float32
    assert e.statistic.item() == pytest.approx(energy_direct(x, y), rel=5e-5)
    # 1-D samples are accepted as (n,)
    assert dv.energy_test(x[:, 0], y[:, 0], n_permutations=5, rng=0).statistic == pytest.approx(
        energy_direct(x[:, :1], y[:, :1]), rel=1e-12)


@pytest.mark.parametrize("fn", [dv.mmd_test, dv.energy_test])
@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(x=np.ones((5, 2)), y=np.ones((5, 3))), ValueError, "same dimension"),
    (dict(x=np.zeros((0, 2)), y=np.ones((5, 2))), ValueError, "x is empty"),
    (dict(x=np.ones((5, 2)), y=np.full((5, 2), np.nan)), ValueError, "y contains NaN"),
    (dict(x=np.ones((1, 2)), y=np.ones((5, 2))), ValueError, "at least 2"),
    (dict(x=np.ones((5, 2)), y=np.ones((5, 2)), n_permutations=0), ValueError, "n_permutations"),
    (dict(x=np.ones((5, 2, 2)), y=np.ones((5, 2))), ValueError, "shape"),
])
def test_bad_input(fn, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fn(**kwargs)


def test_mmd_specific_errors():
    x = np.random.default_rng(0).normal(size=(5, 2))
    with pytest.raises(ValueError, match="bandwidth"):
        dv.mmd_test(x, x + 1, bandwidth=-1.0)
    with pytest.raises(ValueError, match="kernel"):
        dv.mmd_test(x, x + 1, kernel="cosine")
    with pytest.raises(ValueError, match="median pairwise distance is 0"):
        dv.mmd_test(np.ones((5, 2)), np.ones((5, 2)))


@pytest.mark.parametrize("test", ["mmd", "energy", "wasserstein"])
def test_ties_in_binary_data_match_the_exact_permutation_pvalue(test):
    # Binary samples: a permutation's statistic depends only on how many ones land in x
    # (hypergeometric), so most permutations tie with each other and with the observed
    # value.  The exact p-value P(T_perm >= T_obs) counts the ties; the Monte-Carlo
    # p-value must agree within its binomial error.  Counting only T_perm > T_obs would
    # drop P(T_perm = T_obs), about 0.1-0.2 here.
    from scipy import stats

    n, m, b = 30, 30, 4000
    x = np.r_[np.ones(12), np.zeros(n - 12)]
    y = np.r_[np.ones(7), np.zeros(m - 7)]
    total = int(x.sum() + y.sum())

    def statistic(xs, ys):
        if test == "mmd":
            return float(dv.mmd_test(xs[:, None], ys[:, None], bandwidth=1.0,
                                     n_permutations=1, rng=0).statistic)
        if test == "energy":
            return float(dv.energy_test(xs[:, None], ys[:, None], n_permutations=1,
                                        rng=0).statistic)
        return float(dv.wasserstein_test(xs, ys, n_permutations=1, rng=0).statistic)

    observed = statistic(x, y)
    exact = 0.0
    for k in range(max(0, total - m), min(n, total) + 1):
        xs = np.r_[np.ones(k), np.zeros(n - k)]
        ys = np.r_[np.ones(total - k), np.zeros(m - total + k)]
        if statistic(xs, ys) >= observed - 1e-9 * max(1.0, abs(observed)):
            exact += stats.hypergeom.pmf(k, n + m, total, n)
    if test == "mmd":
        res = dv.mmd_test(x[:, None], y[:, None], bandwidth=1.0, n_permutations=b, rng=1)
    elif test == "energy":
        res = dv.energy_test(x[:, None], y[:, None], n_permutations=b, rng=1)
    else:
        res = dv.wasserstein_test(x, y, n_permutations=b, rng=1)
    se = math.sqrt(exact * (1 - exact) / b)
    assert 0.05 < exact < 0.5                     # a tie-heavy, non-trivial case
    assert abs(res.pvalue - exact) < 4 * se + 1 / (b + 1), (res.pvalue, exact)


@pytest.mark.parametrize("test", ["mmd", "energy", "wasserstein"])
def test_identical_samples_give_pvalue_one_for_distance_statistics(test):
    # x and y hold the same values: the energy and W1 statistics are 0, the smallest
    # possible value, so every permutation ties or beats it
    x = np.arange(20.0)
    if test == "energy":
        res = dv.energy_test(x[:, None], x[:, None].copy(), n_permutations=200, rng=0)
    elif test == "wasserstein":
        res = dv.wasserstein_test(x, x.copy(), n_permutations=200, rng=0)
    else:
        # unbiased MMD^2 of two copies is negative but still the minimum over the
        # permutations that keep the multiset split evenly; use the constant sample
        res = dv.mmd_test(np.zeros((20, 1)), np.zeros((20, 1)), bandwidth=1.0,
                          n_permutations=200, rng=0)
    assert res.pvalue == 1.0


@pytest.mark.parametrize("test", ["mmd", "energy", "wasserstein"])
@pytest.mark.parametrize("batch_size, error", [(0, ValueError), (-1, ValueError),
                                               (2.5, TypeError), (True, TypeError)])
def test_bad_batch_size_is_an_error_not_a_hang(test, batch_size, error):
    x, y = np.arange(5.0), np.arange(5.0) + 1
    fn = {"mmd": dv.mmd_test, "energy": dv.energy_test, "wasserstein": dv.wasserstein_test}[test]
    with pytest.raises(error, match="batch_size"):
        fn(x, y, n_permutations=9, rng=0, batch_size=batch_size)


@pytest.mark.parametrize("scale", [1e-300, 1e-200, 1e-160, 1e154, 1e300])
def test_permutation_tests_are_exact_at_extreme_magnitudes(scale):
    # energy distance and W_p are homogeneous of degree 1 and the median-heuristic MMD is
    # scale-invariant: at any magnitude the statistic is `scale` times the unit one, the
    # null is the same and so is the p-value (squared distances of the raw data would
    # overflow to inf / NaN or underflow to 0 at these scales)
    x, y = np.random.default_rng(0).normal(size=(2, 10, 2))
    y = y + 0.3
    for fn, scaled in ((lambda a, b: dv.energy_test(a, b, n_permutations=50, rng=0), True),
                       (lambda a, b: dv.mmd_test(a, b, n_permutations=50, rng=0), False),
                       (lambda a, b: dv.wasserstein_test(a[:, 0], b[:, 0], p=2,
                                                         n_permutations=50, rng=0), True)):
        unit, big = fn(x, y), fn(x * scale, y * scale)
        factor = scale if scaled else 1.0
        assert math.isfinite(big.statistic) and big.statistic > 0
        assert big.statistic == pytest.approx(unit.statistic * factor, rel=1e-12)
        _close_to_float32_rounding(big.null_distribution, unit.null_distribution * factor)
        assert big.pvalue == unit.pvalue
    bw = dv.mmd_test(x * scale, y * scale, bandwidth=2.0 * scale, n_permutations=20, rng=0)
    ref = dv.mmd_test(x, y, bandwidth=2.0, n_permutations=20, rng=0)
    assert bw.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert bw.details["bandwidth"] == pytest.approx(2.0 * scale, rel=1e-15)
