"""MMDAgg and MMD-FUSE (issue 13): the engine against brute force, the aggregation
rule, calibration on three nulls (with ties), scale equivariance, backends, power
where the median heuristic has none."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.spatial.distance import cdist

import divergences as dv
import divergences.two_sample.aggregated as agg
from divergences.two_sample._permutation import TIE_RTOL


def _kernel(d_l1, d_l2, name, bw, style):
    """The two papers' kernels, written from their definitions."""
    if style == "agg":          # Schrab et al.: exp(-|x-y|_2^2 / bw^2), exp(-|x-y|_1 / bw)
        return np.exp(-(d_l2 / bw) ** 2) if name == "gaussian" else np.exp(-d_l1 / bw)
    # Biggs et al.: exp(-|x-y|_2^2 / (2 bw^2)), exp(-sqrt(2) |x-y|_1 / bw)
    return np.exp(-0.5 * (d_l2 / bw) ** 2) if name == "gaussian" else \
        np.exp(-math.sqrt(2.0) * d_l1 / bw)


def _mmd2_unbiased(a, b, name, bw, style):
    def k(u, v):
        return _kernel(cdist(u, v, "cityblock"), cdist(u, v), name, bw, style)
    kaa, kbb, kab = k(a, a), k(b, b), k(a, b)
    na, nb = len(a), len(b)
    return ((kaa.sum() - np.trace(kaa)) / (na * (na - 1))
            + (kbb.sum() - np.trace(kbb)) / (nb * (nb - 1)) - 2.0 * kab.mean())


def _mmd2_wild(x, y, name, bw, style):
    """The n = m U-statistic sum_{i != j} h(z_i, z_j) / (n(n-1))."""
    def k(u, v):
        return _kernel(cdist(u, v, "cityblock"), cdist(u, v), name, bw, style)
    h = k(x, x) + k(y, y) - k(x, y) - k(y, x)
    np.fill_diagonal(h, 0.0)
    return h.sum() / (len(x) * (len(x) - 1))


@pytest.mark.parametrize("n, m, mode", [(23, 23, "wild"), (23, 23, "perm"), (19, 31, "perm")])
@pytest.mark.parametrize("style", ["agg", "fuse"])
def test_quadratic_forms_equal_brute_force_mmd_of_each_relabelling(monkeypatch, n, m, mode,
                                                                   style):
    monkeypatch.setattr(agg, "_BLOCK_ELEMENTS", 5 * (n + m))     # several blocks of rows
    gen = np.random.default_rng(0)
    x, y = gen.normal(size=(n, 3)), gen.normal(size=(m, 3)) + 0.3
    # the wide bandwidths make K nearly constant (1 - 1e-4): float32 products of K itself
    # would lose the statistic's digits
    specs = [("gaussian", 0.7), ("laplace", 1.3), ("gaussian", 2.5), ("gaussian", 300.0),
             ("laplace", 3e4)]
    xt, yt = torch.tensor(x), torch.tensor(y)
    vec = agg._relabellings(xt, yt, 30, mode, torch.Generator().manual_seed(1))
    got, sq = agg._quadratic_forms(xt, yt, specs, style, vec, mode, False, "test",
                                   normaliser=True)
    assert agg._quadratic_forms(xt, yt, specs, style, vec, mode, False, "test")[1] is None
    z = np.concatenate([x, y])
    for i, (name, bw) in enumerate(specs):
        kz = _kernel(cdist(z, z, "cityblock"), cdist(z, z), name, bw, style)
        np.fill_diagonal(kz, 0.0)
        assert float(sq[i]) == pytest.approx((kz ** 2).sum(), rel=1e-12)
        refs = []
        for b in range(vec.shape[1]):
            v = vec[:, b].numpy()
            if mode == "wild":
                keep = v[:, None] > 0
                refs.append(_mmd2_wild(np.where(keep, x, y), np.where(keep, y, x), name, bw,
                                       style))
            else:
                refs.append(_mmd2_unbiased(z[v > 0.5], z[v < 0.5], name, bw, style))
        refs = np.array(refs)
        # observed labelling: float64 throughout; relabellings: float32 products, errors
        # a small fraction of the null's spread (the tie tolerance of the p-values)
        assert float(got[i, 0]) == pytest.approx(refs[0], abs=1e-12 * max(1, abs(refs[0])))
        spread = np.abs(refs[1:]).max()
        np.testing.assert_allclose(got[i, 1:].numpy(), refs[1:], rtol=0,
                                   atol=0.1 * TIE_RTOL * spread, err_msg=name)
    # the first column is the observed labelling (for n = m, the U-statistic of
    # h(z_i, z_j) over i != j, which leaves out the k(x_i, y_i) terms of MMD²_u)
    observed = (_mmd2_wild if mode == "wild" else _mmd2_unbiased)(x, y, "gaussian", 0.7, style)
    assert float(got[0, 0]) == pytest.approx(observed, abs=1e-12)


def test_relabellings_are_valid_sign_vectors_and_splits():
    xt, yt = torch.zeros(6, 1), torch.zeros(9, 1)
    perm = agg._relabellings(xt, yt, 50, "perm", torch.Generator().manual_seed(0))
    assert perm.shape == (15, 51)
    np.testing.assert_array_equal(perm.sum(0).numpy(), np.full(51, 6.0))
    wild = agg._relabellings(xt[:6], yt[:6], 50, "wild", torch.Generator().manual_seed(0))
    assert set(np.unique(wild.numpy())) == {-1.0, 1.0} and bool((wild[:, 0] == 1).all())


def test_mmd_fuse_statistic_is_the_soft_maximum_of_normalised_estimates():
    gen = np.random.default_rng(3)
    x, y = gen.normal(size=(25, 2)), gen.normal(size=(25, 2)) * 1.3
    res = dv.mmd_fuse_test(x, y, n_bandwidths=3, n_permutations=19, rng=0)
    z, n = np.concatenate([x, y]), 25
    terms = []
    for name, bw in res.details["kernels"]:
        kz = _kernel(cdist(z, z, "cityblock"), cdist(z, z), name, bw, "fuse")
        np.fill_diagonal(kz, 0.0)
        norm = math.sqrt((kz ** 2).sum()) / (n * (n - 1))
        terms.append(math.sqrt(n * (n - 1)) * _mmd2_unbiased(x, y, name, bw, "fuse") / norm)
    assert res.statistic == pytest.approx(
        float(np.log(np.mean(np.exp(np.array(terms))))), rel=1e-9)


def test_mmd_agg_bandwidths_follow_the_reference_grid():
    gen = np.random.default_rng(4)
    x, y = gen.normal(size=(40, 2)), gen.normal(size=(35, 2))
    res = dv.mmd_agg_test(x, y, n_bandwidths=5, n_permutations_single=9, n_permutations=9, rng=0)
    for name, metric in (("laplace", "cityblock"), ("gaussian", "euclidean")):
        d = cdist(x, y, metric).ravel()
        want = np.geomspace(np.quantile(d, 0.05) / 2, 2 * d.max(), 5)
        got = [bw for k, bw in res.details["kernels"] if k == name]
        np.testing.assert_allclose(got, want, rtol=1e-9)


def test_mmd_fuse_bandwidths_follow_the_reference_grid():
    """MMD-FUSE's grid (Biggs et al.): equally spaced from half the 5 % quantile to twice
    the 95 % quantile of the pooled sample's inter-point distances (i < j), per kernel, in
    the papers' parametrisations exp(-t^2 / (2 s^2)) and exp(-sqrt(2) t_1 / s)."""
    gen = np.random.default_rng(5)
    x, y = gen.normal(size=(40, 2)), gen.normal(size=(35, 2)) * 1.3
    res = dv.mmd_fuse_test(x, y, n_bandwidths=6, n_permutations=9, rng=0)
    z = np.concatenate([x, y])
    iu = np.triu_indices(len(z), 1)
    for name, metric in (("laplace", "cityblock"), ("gaussian", "euclidean")):
        d = cdist(z, z, metric)[iu]
        want = np.linspace(np.quantile(d, 0.05) / 2, 2 * np.quantile(d, 0.95), 6)
        got = [bw for k, bw in res.details["kernels"] if k == name]
        np.testing.assert_allclose(got, want, rtol=1e-9)
    # and the statistic uses exactly these kernels: recomputed from its definition
    n = min(len(x), len(y))
    terms = []
    for name, bw in res.details["kernels"]:
        if name == "gaussian":
            k = np.exp(-cdist(z, z, "sqeuclidean") / (2 * bw * bw))
        else:
            k = np.exp(-np.sqrt(2.0) * cdist(z, z, "cityblock") / bw)
        np.fill_diagonal(k, 0.0)
        kxx, kyy, kxy = k[:40, :40], k[40:, 40:], k[:40, 40:]
        mmd = kxx.sum() / (40 * 39) + kyy.sum() / (35 * 34) - 2 * kxy.sum() / (40 * 35)
        norm = np.sqrt((k ** 2).sum()) / (n * (n - 1))
        terms.append(np.sqrt(n * (n - 1.0)) * mmd / norm)
    want_fuse = np.log(np.mean(np.exp(np.array(terms))))
    assert float(res.statistic) == pytest.approx(want_fuse, rel=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_mmd_agg_pvalue_is_the_level_corrected_rule(seed):
    # pvalue <= alpha exactly when some single test has p_lambda <= u * w_lambda,
    # u being the level correction at alpha (the paper's definition of the test)
    gen = np.random.default_rng(seed)
    x, y = gen.normal(size=(30, 2)), gen.normal(size=(30, 2)) * (1.0 + 0.15 * seed)
    for weights in ("uniform", "decreasing", "centred"):
        for alpha in (0.05, 0.2):
            res = dv.mmd_agg_test(x, y, kernel_weights=weights, level=alpha,
                                  n_permutations_single=99, n_permutations=99,
                                  rng=seed)
            d = res.details
            rule = bool(np.any(d["pvalues"] <= d["level_correction"] * d["kernel_weights"]))
            assert rule == d["reject"] == (res.pvalue <= alpha)
            assert d["kernel_weights"].sum() == pytest.approx(1.0)


def _null_pvalues(test, sampler, reps, **kw):
    out = []
    for r in range(reps):
        gen = np.random.default_rng(1000 + r)
        x, y = sampler(gen)
        out.append(test(x, y, rng=r, **kw).pvalue)
    return np.array(out)


NULLS = {
    "gaussian": lambda g: (g.normal(size=(30, 2)), g.normal(size=(30, 2))),
    "student_t3": lambda g: (g.standard_t(3, size=(30, 2)), g.standard_t(3, size=(30, 2))),
    # many exact ties between and within samples, and unequal sizes (permutations)
    "discrete": lambda g: (g.integers(0, 3, size=(24, 2)).astype(float),
                           g.integers(0, 3, size=(36, 2)).astype(float)),
}


@pytest.mark.parametrize("null", list(NULLS))
@pytest.mark.parametrize("test, kw", [(dv.mmd_agg_test, dict(n_permutations_single=99, n_permutations=99)),
                                      (dv.mmd_fuse_test, dict(n_permutations=99))],
                         ids=["agg", "fuse"])
def test_type_one_error_inside_the_binomial_band(null, test, kw):
    reps = 200
    p = _null_pvalues(test, NULLS[null], reps, **kw)
    for alpha in (0.05, 0.2):
        lo, hi = stats.binom.ppf([0.005, 0.995], reps, alpha)
        assert int(np.sum(p <= alpha)) <= hi, (alpha, np.sum(p <= alpha))
        if null != "discrete":          # ties make the tests conservative, never liberal
            assert int(np.sum(p <= alpha)) >= lo, (alpha, np.sum(p <= alpha))


@pytest.mark.parametrize("null", ["wild", "permutation"])
def test_identical_samples_give_pvalue_one(null):
    # every relabelling gives the observed statistic: all ties, p = 1 (a p-value that
    # counted only strictly larger null values would reject here)
    x = np.random.default_rng(0).normal(size=(20, 2))
    a = dv.mmd_agg_test(x, x.copy(), null=null, n_permutations_single=49, n_permutations=49, rng=0)
    f = dv.mmd_fuse_test(x, x.copy(), null=null, n_permutations=49, rng=0)
    assert a.pvalue == 1.0 and f.pvalue == 1.0
    assert not a.details["reject"]
    # and so is every single test's (the aggregated p-value alone would not show a
    # single-test count of strictly larger values: observed and null columns tie anyway)
    np.testing.assert_array_equal(a.details["pvalues"], 1.0)


def test_wild_bootstrap_and_permutation_nulls_both_detect_a_scale_change():
    gen = np.random.default_rng(5)
    x, y = gen.normal(size=(60, 1)), gen.normal(size=(60, 1)) * 3.0
    for null in ("wild", "permutation"):
        # MMDAgg's p-value has a floor (see the Blob test below): 7/501 here
        assert dv.mmd_agg_test(x, y, null=null, rng=0).pvalue < 0.02
        assert dv.mmd_fuse_test(x, y, null=null, rng=0).pvalue < 0.002


@pytest.mark.parametrize("scale", [2.0 ** -30, 1e7])
def test_scale_equivariance(scale):
    gen = np.random.default_rng(6)
    x, y = gen.normal(size=(40, 2)), gen.normal(size=(40, 2)) * 1.2
    for test, kw in ((dv.mmd_agg_test, dict(n_permutations_single=99, n_permutations=99)),
                     (dv.mmd_fuse_test, dict(n_permutations=99))):
        a = test(x, y, rng=0, **kw)
        b = test(scale * x, scale * y, rng=0, **kw)
        assert abs(a.pvalue - b.pvalue) <= 2.0 / 100
        assert float(b.statistic) == pytest.approx(float(a.statistic), rel=1e-6)
        np.testing.assert_allclose([bw for _, bw in b.details["kernels"]],
                                   [scale * bw for _, bw in a.details["kernels"]], rtol=1e-9)


@pytest.mark.parametrize("test", [dv.mmd_agg_test, dv.mmd_fuse_test])
def test_torch_and_numpy_inputs_give_the_same_test(test):
    gen = np.random.default_rng(7)
    x, y = gen.normal(size=(30, 2)), gen.normal(size=(25, 2)) + 0.5
    a = test(x, y, rng=3)
    b = test(torch.tensor(x), torch.tensor(y, dtype=torch.float32), rng=3)
    assert isinstance(a.statistic, float) and isinstance(b.statistic, torch.Tensor)
    assert a.pvalue == b.pvalue
    assert float(b.statistic) == pytest.approx(a.statistic, rel=1e-5)


def test_one_dimensional_input_and_seeded_reproducibility():
    gen = np.random.default_rng(8)
    x, y = gen.normal(size=50), gen.normal(size=50) + 0.8
    a, b = dv.mmd_agg_test(x, y, rng=11), dv.mmd_agg_test(x[:, None], y[:, None], rng=11)
    assert a.pvalue == b.pvalue < 0.05
    assert dv.mmd_fuse_test(x, y, rng=np.random.default_rng(2)).pvalue == \
        dv.mmd_fuse_test(x, y, rng=np.random.default_rng(2)).pvalue


def _blob(gen, per_blob, null=False):
    """Liu et al.'s Blob: 3 x 3 grid of centres, P blobs N(0, 0.03 I), Q blobs correlated."""
    n = 9 * per_blob
    centres = np.array([(r, c) for r in range(3) for c in range(3)], dtype=float)
    x = gen.normal(size=(n, 2)) * math.sqrt(0.03) + centres[gen.integers(0, 9, n)]
    if null:
        return x, gen.normal(size=(n, 2)) * math.sqrt(0.03) + centres[gen.integers(0, 9, n)]
    which = gen.integers(0, 9, n)
    y = np.empty((n, 2))
    for i in range(9):
        r = -0.02 - 0.002 * i if i < 4 else (0.0 if i == 4 else 0.02 + 0.002 * (i - 5))
        rows = which == i
        y[rows] = gen.normal(size=(rows.sum(), 2)) @ np.linalg.cholesky(
            np.array([[0.03, r], [r, 0.03]])) + centres[i]
    return x, y


def test_power_on_blob_where_the_median_heuristic_has_none():
    # N = 720 per sample: MMDAgg's published power is 1.00, mmd_test's about 0.03.
    # With B1 = 500 a single test's p-value is at least 1/501, and null columns reaching
    # that minimum tie with the observed one: the aggregated p-value here is 7/501
    x, y = _blob(np.random.default_rng(9), 80)
    res = dv.mmd_agg_test(x, y, rng=0)
    assert res.pvalue < 0.05 and res.details["reject"]
    assert res.details["pvalues"].min() == pytest.approx(1 / 501)
    assert dv.mmd_fuse_test(x, y, rng=0).pvalue < 0.01
    assert dv.mmd_test(x, y, rng=0).pvalue > 0.05


def test_two_sample_test_dispatches_to_each_method():
    gen = np.random.default_rng(10)
    x, y = gen.normal(size=(30, 2)), gen.normal(size=(30, 2)) + 0.7
    assert set(dv.TWO_SAMPLE_METHODS) >= {"mmd", "energy", "mmd_agg", "mmd_fuse", "c2st"}
    for method, fn, kw in (("mmd", dv.mmd_test, dict(n_permutations=99)),
                           ("energy", dv.energy_test, dict(n_permutations=99)),
                           ("mmd_agg", dv.mmd_agg_test, dict(n_permutations_single=49, n_permutations=49)),
                           ("mmd_fuse", dv.mmd_fuse_test, dict(n_permutations=99))):
        a = dv.two_sample_test(x, y, method, rng=4, **kw)
        b = fn(x, y, rng=4, **kw)
        assert isinstance(a, dv.TwoSampleResult)
        assert (a.pvalue, a.method) == (b.pvalue, b.method)
    assert dv.two_sample_test(x[:, 0], y[:, 0], "wasserstein", rng=0).pvalue < 0.05
    with pytest.raises(TypeError, match="bogus"):
        dv.two_sample_test(x, y, "mmd", bogus=1)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(4, 15), m=st.integers(4, 15),
       d=st.integers(1, 3), shift=st.floats(0.0, 2.0))
def test_properties_of_the_statistics(seed, n, m, d, shift):
    # permutation null: the observed statistics do not depend on the order of the rows
    # and are symmetric in the two samples; p-values lie in [1/(B+1), 1]
    gen = np.random.default_rng(seed)
    x, y = gen.normal(size=(n, d)), gen.normal(size=(m, d)) + shift
    px, py = gen.permutation(n), gen.permutation(m)
    for test, kw, b in ((dv.mmd_fuse_test, dict(n_permutations=19), 19),
                        (dv.mmd_agg_test, dict(n_permutations_single=19, n_permutations=19,
                                               null="permutation"), 19)):
        a = test(x, y, rng=0, **kw)
        assert 1.0 / (b + 1) - 1e-15 <= a.pvalue <= 1.0
        c = test(x[px], y[py], rng=0, **kw)
        np.testing.assert_allclose(c.details["mmd"], a.details["mmd"], rtol=1e-9, atol=1e-15)
        s = test(y, x, rng=0, **kw)
        np.testing.assert_allclose(s.details["mmd"], a.details["mmd"], rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("n_bandwidths", [4, 5])
def test_mmd_agg_kernel_weights_follow_the_papers_definitions(n_bandwidths):
    """Schrab et al. (2023), Section 5.1: with N bandwidths, per kernel, uniform 1/N,
    decreasing proportional to 1/i, increasing to 1/(N + 1 - i), centred to
    1/(|(N + 1)/2 - i| + 1) for odd N (+ 1/2 for even N); the two kernels share the mass."""
    gen = np.random.default_rng(8)
    x, y = gen.normal(size=(20, 2)), gen.normal(size=(20, 2))
    big_n = n_bandwidths
    raw = {"uniform": [1.0] * big_n,
           "decreasing": [1.0 / i for i in range(1, big_n + 1)],
           "increasing": [1.0 / (big_n + 1 - i) for i in range(1, big_n + 1)],
           "centred": [1.0 / (abs((big_n + 1) / 2 - i) + (1.0 if big_n % 2 else 0.5))
                       for i in range(1, big_n + 1)]}
    for kind, w in raw.items():
        res = dv.mmd_agg_test(x, y, n_bandwidths=big_n, kernel_weights=kind,
                              n_permutations=9, n_permutations_single=9, rng=0)
        want = np.array(w) / sum(w) / 2.0
        np.testing.assert_allclose(res.details["kernel_weights"], np.tile(want, 2), rtol=1e-15)
