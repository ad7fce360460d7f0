"""Classical baselines: KSG, k-NN KL and Rényi, the Gaussian (CCA and copula) MI estimates,
the histogram plug-in MI."""

import math
import warnings

import numpy as np
import pytest
import torch
from scipy import special

import divergences as dv

RNG = np.random.default_rng(0)


def _brute_ksg(x, y, k, variant, norm):
    """KSG from the definitions, with explicit loops over points."""
    n = len(x)
    dist = {"chebyshev": lambda a, b: np.abs(a - b).max(axis=-1),
            "euclidean": lambda a, b: np.sqrt(((a - b) ** 2).sum(axis=-1))}[norm]
    total = 0.0
    for i in range(n):
        dx, dy = dist(x, x[i]), dist(y, y[i])
        dz = np.maximum(dx, dy)
        order = np.argsort(dz, kind="stable")
        others = order[order != i][:k]
        if variant == 1:
            eps = dz[others].max()
            nx, ny = (dx < eps).sum() - 1, (dy < eps).sum() - 1
            total += special.digamma(nx + 1) + special.digamma(ny + 1)
        else:
            ex, ey = dx[others].max(), dy[others].max()
            nx, ny = (dx <= ex).sum() - 1, (dy <= ey).sum() - 1
            total += special.digamma(nx) + special.digamma(ny)
    offset = special.digamma(k) + special.digamma(n) - (1.0 / k if variant == 2 else 0.0)
    return offset - total / n


@pytest.mark.parametrize("metric", ["chebyshev", "euclidean"])
@pytest.mark.parametrize("variant", [1, 2])
@pytest.mark.parametrize("k", [1, 3])
def test_ksg_equals_the_definition(metric, variant, k):
    x = RNG.normal(size=(60, 2))
    y = x[:, :1] + RNG.normal(size=(60, 1))
    est = dv.ksg_mutual_information(x, y, k=k, variant=variant, metric=metric,
                                    standardize=False)
    assert est.value == pytest.approx(_brute_ksg(x, y, k, variant, metric), abs=1e-12)


def test_ksg_norms_coincide_in_one_dimension_and_torch_matches_numpy():
    x = RNG.normal(size=300)
    y = x + RNG.normal(size=300)
    a = dv.ksg_mutual_information(x, y, metric="chebyshev").value
    b = dv.ksg_mutual_information(x, y, metric="euclidean").value
    c = dv.ksg_mutual_information(torch.tensor(x), torch.tensor(y)).value
    assert a == pytest.approx(b, abs=1e-12) and a == pytest.approx(c, abs=1e-12)


@pytest.mark.parametrize("variant", [1, 2])
def test_ksg_is_consistent_on_correlated_gaussians(variant):
    rho, n = 0.8, 4000
    x = RNG.normal(size=(n, 2))
    y = rho * x + math.sqrt(1 - rho ** 2) * RNG.normal(size=(n, 2))
    truth = -math.log(1 - rho ** 2)                      # d = 2: -d/2 log(1 - rho^2)
    est = dv.ksg_mutual_information(x, y, variant=variant)
    # KSG's bias at this size and dimension is a few hundredths of a nat
    assert abs(est.value - truth) < 4 * est.stderr + 0.05
    # the normal interval of the stated level around the estimate
    assert est.stderr > 0 and est.ci == pytest.approx(
        (est.value - 1.959964 * est.stderr, est.value + 1.959964 * est.stderr), rel=1e-6)


def test_ksg_near_zero_for_independent_data_and_not_clipped():
    x, y = RNG.normal(size=(2, 500, 1))
    est = dv.ksg_mutual_information(x, y)
    assert abs(est.value) < 4 * est.stderr + 0.02
    values = [dv.ksg_mutual_information(*np.random.default_rng(s).normal(size=(2, 100, 1))).value
              for s in range(10)]
    assert min(values) < 0          # small samples of independent data: negative, reported


def test_ksg_warns_on_ties():
    x = np.repeat(np.arange(10.0), 5)
    with pytest.warns(RuntimeWarning, match="ties"):
        dv.ksg_mutual_information(x, x)


def _brute_knn_kl(xp, xq, k):
    n, d = xp.shape
    m = len(xq)
    total = 0.0
    for i in range(n):
        rho = np.sort(np.sqrt(((np.delete(xp, i, 0) - xp[i]) ** 2).sum(1)))[k - 1]
        nu = np.sort(np.sqrt(((xq - xp[i]) ** 2).sum(1)))[k - 1]
        total += math.log(nu / rho)
    return d * total / n + math.log(m / (n - 1))


@pytest.mark.parametrize("k", [1, 4])
def test_knn_kl_equals_the_definition(k):
    xp, xq = RNG.normal(size=(40, 3)), RNG.normal(0.5, 1.2, size=(55, 3))
    assert dv.knn_kl_divergence(xp, xq, k=k).value == pytest.approx(_brute_knn_kl(xp, xq, k),
                                                                    abs=1e-12)


def test_knn_kl_is_consistent():
    # KL(N(0, I) || N(m, s^2 I)) in d = 2
    d, m, s = 2, 0.7, 1.5
    xp, xq = RNG.normal(size=(6000, d)), RNG.normal(m, s, size=(6000, d))
    truth = float(dv.gaussian_f_divergence(np.zeros(d), np.eye(d), np.full(d, m),
                                           s * s * np.eye(d), "kl"))
    assert truth == pytest.approx(d * math.log(s) + d * (1 + m ** 2) / (2 * s ** 2) - d / 2)
    est = dv.knn_kl_divergence(xp, xq, k=5)
    assert abs(est.value - truth) < 4 * est.stderr + 0.05


def test_gaussian_mi_estimate_equals_canonical_correlations():
    x = RNG.normal(size=(500, 3))
    y = x[:, :2] @ np.array([[0.5, 0.1], [0.2, -0.4]]) + RNG.normal(size=(500, 2))
    # canonical correlations: singular values of the whitened cross-covariance
    c = np.cov(np.hstack([x, y]), rowvar=False)
    cxx, cyy, cxy = c[:3, :3], c[3:, 3:], c[:3, 3:]

    def inv_sqrt(a):
        w, v = np.linalg.eigh(a)
        return v @ np.diag(w ** -0.5) @ v.T

    rho = np.linalg.svd(inv_sqrt(cxx) @ cxy @ inv_sqrt(cyy), compute_uv=False)
    est = dv.gaussian_mi_estimate(x, y, rng=0)
    assert est.value == pytest.approx(-0.5 * np.log1p(-rho ** 2).sum(), rel=1e-10)
    assert 0 < est.stderr < 0.1


def test_gaussian_mi_estimate_is_consistent_and_seeded():
    x = RNG.normal(size=(20000, 2))
    y = 0.6 * x + 0.8 * RNG.normal(size=(20000, 2))
    est = dv.gaussian_mi_estimate(x, y, rng=1)
    assert abs(est.value + 2 * math.log(0.8)) < 4 * est.stderr
    assert est.stderr == dv.gaussian_mi_estimate(x, y, rng=1).stderr


def test_baselines_run_in_bias_variance():
    from divergences.benchmark.harness import bias_variance
    from divergences.benchmark.problems import CorrelatedGaussians

    res = bias_variance({"ksg": (lambda s, rng: dv.ksg_mutual_information(*s).value, "mi"),
                         "cca": (lambda s, rng: dv.gaussian_mi_estimate(*s, rng=rng).value,
                                 "mi")},
                        CorrelatedGaussians(d=1, mi=0.5), sample_sizes=[500], n_trials=4, rng=0)
    assert len(res.rows) == 2 and all(abs(r["bias"]) < 0.1 for r in res.rows)


@pytest.mark.parametrize("dof, m, n, rho", [(1.0, 1, 1, 0.0), (3.0, 1, 1, 0.6), (5.0, 2, 3, 0.4)])
def test_student_t_mi_against_monte_carlo_of_the_log_density_ratio(dof, m, n, rho):
    # E[log p(x, y) - log p(x) - log p(y)] under the sampler, with scipy's densities:
    # checks the closed form and the sampler together
    from scipy import stats

    from divergences.benchmark.problems import CorrelatedStudentT

    prob = CorrelatedStudentT(dof=dof, dim_x=m, dim_y=n, rho=rho)
    x, y = prob.sample(200_000, rng=0)
    shape = np.eye(m + n)
    for i in range(min(m, n)):
        shape[i, m + i] = shape[m + i, i] = rho
    joint = stats.multivariate_t(np.zeros(m + n), shape, df=dof).logpdf(np.hstack([x, y]))
    px = stats.multivariate_t(np.zeros(m), np.eye(m), df=dof).logpdf(x)
    py = stats.multivariate_t(np.zeros(n), np.eye(n), df=dof).logpdf(y)
    terms = joint - px.reshape(-1) - py.reshape(-1)
    se = terms.std() / math.sqrt(terms.size)
    assert abs(terms.mean() - prob.truth["mi"]) < 5 * se


def test_student_t_mi_matches_published_values_and_the_gaussian_limit():
    from divergences.benchmark.problems import student_t_mutual_information as mi

    # Czyz et al. (2023), tasks student-identity-1-1-1 and student-identity-3-3-2
    assert mi(1, 1, 1) == pytest.approx(0.2242, abs=1e-4)
    assert mi(2, 3, 3) == pytest.approx(0.291, abs=1e-3)
    assert mi(1e4, 2, 2, 0.5) == pytest.approx(-math.log(1 - 0.25), abs=1e-6)


def test_suite_problems_and_their_monotone_transforms():
    from divergences.benchmark.problems import _TRANSFORMS, suite

    grid = np.linspace(-30, 30, 20001)
    for name, fn in _TRANSFORMS.items():
        if name == "spiral":
            continue       # a rotation of a plane, not a per-coordinate map: tested elsewhere
        if name == "normal_cdf":
            # in float64 ndtr's steps fall below the spacing near 1 (it rounds to 1 past
            # about 8.3): strictly increasing where the data are
            grid_ = np.linspace(-8, 5, 1301)
        else:
            grid_ = grid if name != "exp" else np.linspace(-30, 30, 2001)
        assert np.all(np.diff(fn(grid_)) > 0), name      # strictly increasing: MI unchanged
    problems = suite("mi-beyond-normal")
    assert len(problems) == 14 and all(p.truth["mi"] > 0 for p in problems)
    for p in problems:
        x, y = p.sample(50, rng=1)
        assert x.shape[0] == y.shape[0] == 50 and np.isfinite(x).all() and np.isfinite(y).all()
    with pytest.raises(ValueError, match="name must be one of"):
        suite("nope")


@pytest.mark.parametrize("scale", [1e-300, 2.0 ** -1040, 1e300])
def test_baselines_are_exact_at_extreme_magnitudes(scale):
    # every baseline is unchanged by a common scale; squares of such data used to
    # overflow/underflow (KSG's standardisation, k-NN distances, the CCA covariance)
    gen = np.random.default_rng(0)
    x, y = gen.normal(size=(2, 300, 2))
    y = x + y
    s = scale
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn in (lambda a, b: dv.ksg_mutual_information(a, b),
                   lambda a, b: dv.ksg_mutual_information(a, b, standardize=False),
                   lambda a, b: dv.knn_kl_divergence(a, b + 1 * np.max(np.abs(b))),
                   lambda a, b: dv.gaussian_mi_estimate(a, b, rng=0),
                   lambda a, b: dv.gaussian_mi_estimate(a, b, transform="normal_scores", rng=0),
                   lambda a, b: dv.histogram_mutual_information(a, b, binning="uniform"),
                   lambda a, b: dv.knn_renyi_divergence(a, b + 1 * np.max(np.abs(b)),
                                                        order=0.5)):
            assert fn(x * s, y * s).value == pytest.approx(fn(x, y).value, rel=1e-9)


def test_baselines_stay_finite_on_cauchy_samples():
    gen = np.random.default_rng(1)
    t = gen.standard_t(1, size=(2000, 1))
    u = t + gen.standard_t(1, size=(2000, 1))
    for est in (dv.ksg_mutual_information(t, u), dv.gaussian_mi_estimate(t, u, rng=0),
                dv.knn_kl_divergence(t, u), dv.knn_renyi_divergence(t, u, order=0.5),
                dv.histogram_mutual_information(t, u),
                dv.gaussian_mi_estimate(t, u, transform="normal_scores", rng=0)):
        assert math.isfinite(est.value) and math.isfinite(est.stderr)


# --- k-NN Renyi ------------------------------------------------------------------

def _brute_knn_renyi(xp, xq, k, alpha):
    n, d = xp.shape
    m = xq.shape[0]
    total = 0.0
    for i in range(n):
        rho = np.sort(np.sqrt(((np.delete(xp, i, 0) - xp[i]) ** 2).sum(1)))[k - 1]
        nu = np.sort(np.sqrt(((xq - xp[i]) ** 2).sum(1)))[k - 1]
        total += ((n - 1) * rho ** d / (m * nu ** d)) ** (1 - alpha)
    b = math.gamma(k) ** 2 / (math.gamma(k - alpha + 1) * math.gamma(k + alpha - 1))
    return math.log(b * total / n) / (alpha - 1)


@pytest.mark.parametrize("alpha, k", [(0.5, 1), (2.0, 3), (-0.5, 2)])
def test_knn_renyi_equals_the_definition(alpha, k):
    xp, xq = RNG.normal(size=(40, 2)), RNG.normal(0.5, 1.2, size=(55, 2))
    est = dv.knn_renyi_divergence(xp, xq, order=alpha, k=k)
    assert est.value == pytest.approx(_brute_knn_renyi(xp, xq, k, alpha), rel=1e-12)


@pytest.mark.parametrize("alpha", [0.5, 0.8, 1.5])
def test_knn_renyi_is_consistent(alpha):
    # Renyi between N(0, I) and N(m, s^2 I): the Gaussian closed form
    gen = np.random.default_rng(4)
    d, m, s = 2, 0.5, 1.2
    xp, xq = gen.normal(size=(8000, d)), gen.normal(m, s, size=(8000, d))
    truth = float(dv.renyi_divergence_gaussian(np.zeros(d), np.eye(d), np.full(d, m),
                                               s * s * np.eye(d), order=alpha))
    est = dv.knn_renyi_divergence(xp, xq, order=alpha, k=5)
    # k-NN bias at n = 8000 is a few hundredths here; 4 standard errors on top of it
    assert abs(est.value - truth) < 4 * est.stderr + 0.04


def test_knn_renyi_tends_to_knn_kl_as_alpha_tends_to_one():
    xp, xq = RNG.normal(size=(300, 2)), RNG.normal(0.5, 1.0, size=(300, 2))
    kl = dv.knn_kl_divergence(xp, xq, k=3).value
    for a in (1 - 1e-6, 1 + 1e-6):
        # B(k, alpha) = 1 + O((alpha - 1)^2): the limit is the k-NN KL estimate exactly
        assert dv.knn_renyi_divergence(xp, xq, order=a, k=3).value == pytest.approx(kl, abs=1e-4)


# --- Gaussian copula ----------------------------------------------------------------

def test_gaussian_copula_estimate_is_blind_to_monotone_maps():
    gen = np.random.default_rng(5)
    x = gen.normal(size=(3000, 3))
    y = 0.5 * x[:, :2] + gen.normal(size=(3000, 2))
    a = dv.gaussian_mi_estimate(x, y, transform="normal_scores", rng=0)
    b = dv.gaussian_mi_estimate(np.exp(x), np.c_[y[:, 0] ** 3, np.arcsinh(5 * y[:, 1])],
                                transform="normal_scores", rng=0)
    assert a.value == pytest.approx(b.value, rel=1e-12)
    assert "copula" in a.method and a.details["transform"] == "normal_scores"
    # the CCA estimate is not: the cube breaks linear dependence
    cca = dv.gaussian_mi_estimate(x, y[:, :1] ** 3, rng=0).value
    truth = -0.5 * math.log(1 - 0.25 / 1.25)
    copula = dv.gaussian_mi_estimate(x, y[:, :1] ** 3, transform="normal_scores", rng=0)
    assert abs(copula.value - truth) < 4 * copula.stderr + 0.01 and cca < truth - 0.02


def test_normal_scores_by_hand():
    from divergences.estimators.classical import _normal_scores

    a = np.array([[3.0], [1.0], [2.0], [2.0]])
    # ranks 4, 1, 2.5, 2.5 over n + 1 = 5
    np.testing.assert_allclose(_normal_scores(a).ravel(),
                               special.ndtri(np.array([0.8, 0.2, 0.5, 0.5])), rtol=1e-14)


# --- histogram plug-in --------------------------------------------------------------

def test_histogram_mi_by_hand():
    # 8 points, 2 quantile bins per coordinate: cells (0,0) x3, (1,1) x3, (0,1), (1,0)
    x = np.array([1, 2, 3, 4, 5, 6, 7, 8.0])
    y = np.array([1, 2, 3, 7, 4, 6, 7.5, 8.0])
    xb = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    yb = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    assert np.array_equal((np.argsort(np.argsort(y)) * 2) // 8, yb)
    p = np.array([[3, 1], [1, 3]]) / 8
    plug_in = sum(p[i, j] * math.log(p[i, j] / 0.25) for i in range(2) for j in range(2))
    est = dv.histogram_mutual_information(x, y, bins=2, correction=None)
    assert est.value == pytest.approx(plug_in, rel=1e-12)
    mm = dv.histogram_mutual_information(x, y, bins=2)
    # Miller-Madow: (m_x + m_y - m_xy - 1) / 2N = (2 + 2 - 4 - 1) / 16
    assert mm.value == pytest.approx(plug_in - 1 / 16, rel=1e-12)
    assert mm.details["occupied_cells"] == 4 and xb.sum() == 4


def test_histogram_mi_uniform_bins_by_hand():
    x = np.array([0.0, 0.1, 0.2, 10.0])            # uniform bins on [0, 10]: 3 in the first
    y = np.array([0.0, 1.0, 0.0, 1.0])
    est = dv.histogram_mutual_information(x, y, bins=2, binning="uniform", correction=None)
    # cells: (0,0) x2, (0,1) x1, (1,1) x1; p_x = (3/4, 1/4), p_y = (1/2, 1/2)
    terms = [2 / 4 * math.log((2 / 4) / (3 / 4 * 1 / 2)), 1 / 4 * math.log((1 / 4) / (3 / 8)),
             1 / 4 * math.log((1 / 4) / (1 / 8))]
    assert est.value == pytest.approx(sum(terms), rel=1e-12)


def test_histogram_mi_quantile_bins_are_blind_to_monotone_maps_and_consistent():
    gen = np.random.default_rng(6)
    x = gen.normal(size=40000)
    y = 0.8 * x + 0.6 * gen.normal(size=40000)
    a = dv.histogram_mutual_information(x, y, bins=25)
    b = dv.histogram_mutual_information(np.exp(x), y ** 3, bins=25)
    assert a.value == b.value
    # discretisation bias at 25 bins: a few hundredths below -log 0.6
    assert abs(a.value + math.log(0.6)) < 4 * a.stderr + 0.05
    indep = dv.histogram_mutual_information(x, gen.normal(size=40000))
    assert abs(indep.value) < 4 * indep.stderr + 0.002


def test_histogram_mi_rejects_high_dimensions():
    with pytest.raises(ValueError, match="low dimensions"):
        dv.histogram_mutual_information(RNG.normal(size=(100, 10)), RNG.normal(size=(100, 10)),
                                        bins=10)


# --- in the benchmark harness --------------------------------------------------------

def test_classical_estimators_in_bias_variance():
    from divergences.benchmark.harness import ClassicalEstimator, bias_variance
    from divergences.benchmark.problems import GammaPair, JointGaussian

    mi = {n: ClassicalEstimator(n) for n in ("ksg", "cca", "gaussian_copula", "histogram")}
    res = bias_variance(mi, JointGaussian.sparse(1, 2, 1, 0.8), sample_sizes=[2000],
                        n_trials=3, rng=0)
    assert [r["target"] for r in res.rows] == ["mi"] * 4
    bias = {r["estimator"]: r["bias"] for r in res.rows}
    for name in ("ksg", "cca", "gaussian_copula"):
        assert abs(bias[name]) < 0.06, name          # 3 trials of sd ~0.02 around the truth
    # 4 bins per coordinate in 3 dimensions (the default at n = 2000) smooth the
    # dependence away: the plug-in estimate is biased low, as documented
    assert -0.25 < bias["histogram"] < -0.05
    kl = bias_variance({"knn": ClassicalEstimator("knn_kl", options={"k": 5})},
                       GammaPair(2.0, 1.0, 3.0, 1.5), sample_sizes=[3000], n_trials=3, rng=0)
    assert kl.rows[0]["target"] == "kl" and abs(kl.rows[0]["bias"]) < 0.03


def _plug_in_mi(a, b):
    """The plug-in MI (nats) of two discrete 1-D samples, from their joint counts."""
    pairs, counts = np.unique(np.stack([a, b], 1), axis=0, return_counts=True)
    p = counts / counts.sum()
    pa = {v: c / a.size for v, c in zip(*np.unique(a, return_counts=True))}
    pb = {v: c / b.size for v, c in zip(*np.unique(b, return_counts=True))}
    return float(sum(pi * math.log(pi / (pa[u] * pb[v])) for (u, v), pi in zip(pairs, p)))


@pytest.mark.parametrize("seed", range(3))
def test_histogram_mi_quantile_bins_never_merge_distinct_values(seed):
    """Issue 26: two variables with 4 values about n/4 times each, bins=4.  The bins were
    assigned from the first rank of each tied value, so a value whose first rank fell just
    below a bin edge joined the bin before it (3 of 4 bins used, 0.431 instead of the
    plug-in 0.600 of sklearn's mutual_info_score on the issue's data)."""
    rng = np.random.default_rng(seed)
    n = 20_000
    a = rng.integers(0, 4, size=n).astype(float)
    b = np.where(rng.random(n) < 0.7, a, rng.integers(0, 4, size=n)).astype(float)
    est = dv.histogram_mutual_information(a, b, bins=4, correction=None)
    assert est.value == pytest.approx(_plug_in_mi(a, b), rel=1e-10)
    assert est.details["occupied_x"] == est.details["occupied_y"] == 4
    # a strictly increasing map of the values leaves the estimate unchanged
    est2 = dv.histogram_mutual_information(np.exp(a), b ** 3, bins=4, correction=None)
    assert est2.value == pytest.approx(est.value, rel=1e-12)


def test_histogram_mi_quantile_bins_on_continuous_data_hold_equal_counts():
    rng = np.random.default_rng(3)
    x = rng.standard_normal(1000)
    y = rng.standard_normal(1000)
    from divergences.estimators.classical import _bin_indices

    idx = _bin_indices(np.stack([x, y], 1), 8, "quantile")
    for j in range(2):
        np.testing.assert_array_equal(np.bincount(idx[:, j], minlength=8), np.full(8, 125))


@pytest.mark.parametrize("seed", range(3))
def test_histogram_mi_quantile_bins_keep_skewed_discrete_values_apart(seed):
    """Three values with probabilities 0.9, 0.05, 0.05 and bins=4: equal-count bins would
    put the two rare values in one bin; with at most ``bins`` distinct values each is its
    own bin, so the estimate is the exact plug-in one."""
    rng = np.random.default_rng(seed)
    n = 5000
    a = rng.choice(3, size=n, p=[0.9, 0.05, 0.05]).astype(float)
    b = np.where(rng.random(n) < 0.8, a, rng.choice(3, size=n)).astype(float)
    est = dv.histogram_mutual_information(a, b, bins=4, correction=None)
    assert est.value == pytest.approx(_plug_in_mi(a, b), rel=1e-10)


@pytest.mark.parametrize("seed", range(3))
def test_histogram_mi_quantile_bins_place_tied_values_by_mid_rank(seed):
    """Eight equally likely values and bins=4: each bin holds two whole values.  Placed by
    its first rank, a value whose first rank fell just below n/4, n/2 or 3n/4 (half the
    time) joined the bin before it."""
    from divergences.estimators.classical import _bin_indices

    rng = np.random.default_rng(seed)
    a = rng.integers(0, 8, size=20_000).astype(float)
    idx = _bin_indices(a[:, None], 4, "quantile")[:, 0]
    np.testing.assert_array_equal(idx, (a // 2).astype(np.int64))


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("data", ["ties", "continuous", "tiny"])
def test_one_dimensional_counts_equal_the_kd_tree_s(strict, data):
    """The sorted-search counts of the 1-D fast path equal the KD-tree's (same |a_j - a_i|
    comparison), also with many exact ties and radii equal to distances."""
    from scipy.spatial import cKDTree

    from divergences.estimators.classical import _count_within

    gen = np.random.default_rng(5)
    v = {"ties": gen.integers(0, 7, 3000) * 0.1, "continuous": gen.normal(size=3000),
         "tiny": 1e-300 * gen.normal(size=3000)}[data]
    a = v[:, None]
    # radii equal to actual distances (the boundary cases) and random ones
    r = np.abs(v - v[gen.permutation(3000)])
    r[::2] = gen.uniform(0, 0.5, 1500) * np.abs(v).max()
    got = _count_within(a, r, strict)
    rr = np.nextafter(r, 0) if strict else r
    want = cKDTree(a).query_ball_point(a, rr, p=np.inf, return_length=True) - 1
    np.testing.assert_array_equal(got, want)
