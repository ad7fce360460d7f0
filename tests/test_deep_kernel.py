"""mmd_deep_test (MMD-D, issue 13): the power criterion, exactness of the held-out
permutation test, power, reproducibility and backends."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import stats

import divergences as dv
from divergences.two_sample import deep_kernel


def _kernel(seed=0, d=2, n=12):
    gen = np.random.default_rng(seed)
    z = torch.tensor(gen.normal(size=(2 * n, d)))
    return deep_kernel._DeepKernel(d, (5,), 4, z, gen, torch.device("cpu")), z


def test_power_criterion_against_a_direct_computation():
    kern, z = _kernel()
    x, y = z[:12], z[12:]
    with torch.no_grad():
        crit, mmd2 = deep_kernel._power_criterion(kern, x, y, reg=0.0)
    with torch.no_grad():
        k = kern.gram(z).numpy()
    n = 12
    h = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            h[i, j] = k[i, j] + k[n + i, n + j] - k[i, n + j] - k[j, n + i]
    off = ~np.eye(n, dtype=bool)
    want_mmd2 = h[off].mean()
    row = np.array([h[i, off[i]].sum() / (n - 1) for i in range(n)])
    want_var = 4 * (np.mean(row ** 2) - want_mmd2 ** 2)
    assert float(mmd2) == pytest.approx(want_mmd2, rel=1e-12)
    assert float(crit) == pytest.approx(want_mmd2 / np.sqrt(want_var), rel=1e-10)


def test_gram_is_a_valid_kernel_matrix():
    kern, z = _kernel(1)
    with torch.no_grad():
        k = kern.gram(z).numpy()
    np.testing.assert_allclose(k, k.T, atol=1e-14)
    np.testing.assert_allclose(np.diag(k), 1.0, atol=1e-14)      # k(a, a) = 1
    assert np.linalg.eigvalsh(k).min() > -1e-10                  # positive semi-definite


def test_power_criterion_gradcheck():
    kern, z = _kernel(2, n=6)
    x, y = z[:6], z[6:]

    def f(log_q, log_f, logit_eps):
        kern.log_sq_sigma_q, kern.log_sq_sigma_f, kern.logit_eps = log_q, log_f, logit_eps
        return deep_kernel._power_criterion(kern, x, y)[0]

    args = tuple(p.detach().clone().requires_grad_(True)
                 for p in (kern.log_sq_sigma_q, kern.log_sq_sigma_f, kern.logit_eps))
    assert torch.autograd.gradcheck(f, args)


def test_type_one_error_inside_the_binomial_band():
    # the kernel never sees the held-out points: the permutation test is exact for any
    # training, so a short training suffices to check it (Student-t(3) null, ties-free)
    reps, alpha = 150, 0.05
    p = []
    for r in range(reps):
        gen = np.random.default_rng(500 + r)
        x, y = gen.standard_t(3, size=(30, 2)), gen.standard_t(3, size=(30, 2))
        p.append(dv.mmd_deep_test(x, y, epochs=5, n_permutations=99, rng=r).pvalue)
    p = np.array(p)
    lo, hi = stats.binom.ppf([0.005, 0.995], reps, alpha)
    assert lo <= np.sum(p <= alpha) <= hi
    assert stats.kstest(p, "uniform").pvalue > 0.001


def test_identical_samples_give_a_large_pvalue_and_a_scale_change_is_found():
    gen = np.random.default_rng(3)
    x = gen.normal(size=(120, 2))
    y = gen.normal(size=(120, 2)) * np.array([1.0, 2.0])
    assert dv.mmd_deep_test(x, y, epochs=100, rng=0).pvalue < 0.01
    # the same points on both sides in the same order: the held-out statistic is below
    # most relabellings' (the two halves coincide), never significant
    assert dv.mmd_deep_test(x, x.copy(), epochs=20, rng=0).pvalue > 0.5


def test_reproducible_and_torch_input():
    gen = np.random.default_rng(4)
    x, y = gen.normal(size=(40, 3)), gen.normal(size=(50, 3)) + 0.5
    a = dv.mmd_deep_test(x, y, epochs=30, rng=7)
    b = dv.mmd_deep_test(x, y, epochs=30, rng=7)
    c = dv.mmd_deep_test(torch.tensor(x), torch.tensor(y), epochs=30, rng=7)
    assert a.pvalue == b.pvalue == c.pvalue and a.statistic == b.statistic
    assert c.statistic == pytest.approx(a.statistic, rel=1e-9)
    assert a.details["n_test"] == (20, 30) and a.details["n_train"] == 20
    assert dv.two_sample_test(x, y, "mmd_deep", epochs=30, rng=7).pvalue == a.pvalue
