"""Closed forms between Gaussians: torch.distributions, quadrature, Monte-Carlo, edge cases."""

import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats

import divergences as dv

CLOSED = [("kl", {}), ("reverse_kl", {}), ("jeffreys", {}), ("squared_hellinger", {}),
          ("pearson", {}), ("neyman", {}), ("alpha", {"alpha": 0.5}),
          ("alpha", {"alpha": 2.5}), ("alpha", {"alpha": -0.7})]
IDS = [n + "".join(f"{v}" for v in p.values()) for n, p in CLOSED]


def random_spd(rng, d, scale=1.0):
    a = rng.normal(size=(d, d))
    return scale * (a @ a.T / d + 0.5 * np.eye(d))


def _log_space_integrand(name, params, lp, lq):
    """q f(p/q) from log-densities by hand formulas (no ratio that can overflow)."""
    e = math.exp
    if name == "kl":
        return e(lp) * (lp - lq)
    if name == "reverse_kl":
        return e(lq) * (lq - lp)
    if name == "jeffreys":
        return (e(lp) - e(lq)) * (lp - lq)
    if name == "squared_hellinger":
        return (e(lp / 2) - e(lq / 2)) ** 2
    if name == "pearson":
        return e(2 * lp - lq) - 2 * e(lp) + e(lq)
    if name == "neyman":
        return e(2 * lq - lp) - 2 * e(lq) + e(lp)
    a = params["alpha"]
    return (e(a * lp + (1 - a) * lq) - e(lq) - a * (e(lp) - e(lq))) / (a * (a - 1))


def quad_divergence(name, params, m0, s0, m1, s1):
    """E_Q[f(p/q)] by adaptive quadrature in 1-D (s = standard deviations)."""
    p = stats.norm(m0, s0)
    q = stats.norm(m1, s1)
    smax = max(s0, s1)
    total = 0.0
    edges = np.linspace(min(m0, m1) - 80 * smax, max(m0, m1) + 80 * smax, 41)
    for lo, hi in zip(edges[:-1], edges[1:]):
        val, _ = integrate.quad(
            lambda x: _log_space_integrand(name, params, p.logpdf(x), q.logpdf(x)),
            lo, hi, limit=200, epsabs=1e-14, epsrel=1e-12)
        total += val
    return total


@pytest.mark.parametrize("spec", CLOSED, ids=IDS)
@pytest.mark.parametrize("params", [(0.0, 1.0, 1.0, 1.0), (0.3, 0.8, -0.5, 1.1),
                                    (1.0, 1.2, 0.0, 0.9), (-2.0, 0.5, 0.5, 1.5)])
def test_univariate_against_quadrature(spec, params):
    f = dv.get_f(spec[0], **spec[1])
    m0, s0, m1, s1 = params
    got = float(dv.gaussian_f_divergence(m0, s0 ** 2, m1, s1 ** 2, f))
    finite_integral = True
    a = spec[1].get("alpha")
    # the integral diverges where Sigma_alpha is not PD: check those give inf
    for order in ([2.0] if spec[0] == "pearson" else [-1.0] if spec[0] == "neyman"
                  else [a] if a is not None else []):
        if order * s1 ** 2 + (1 - order) * s0 ** 2 <= 0:
            finite_integral = False
    if not finite_integral:
        assert got == math.inf
        return
    assert got == pytest.approx(quad_divergence(*spec, m0, s0, m1, s1), rel=1e-8, abs=1e-11)


def test_infinite_cases():
    # Pearson chi^2(P||Q) is infinite when 2 s1^2 <= s0^2
    assert float(dv.gaussian_f_divergence(0.0, 4.0, 0.0, 1.0, "pearson")) == math.inf
    assert float(dv.gaussian_f_divergence(0.0, 1.0, 0.0, 4.0, "neyman")) == math.inf
    assert math.isfinite(float(dv.gaussian_f_divergence(0.0, 1.0, 0.0, 4.0, "pearson")))
    assert float(dv.renyi_divergence_gaussian(0.0, 4.0, 0.0, 1.0, order=3.0)) == math.inf


def test_kl_against_torch_distributions_batched():
    rng = np.random.default_rng(0)
    d, b = 4, 6
    m0, m1 = rng.normal(size=(b, d)), rng.normal(size=(b, d))
    s0 = np.stack([random_spd(rng, d) for _ in range(b)])
    s1 = np.stack([random_spd(rng, d) for _ in range(b)])
    P = torch.distributions.MultivariateNormal(torch.tensor(m0), torch.tensor(s0))
    Q = torch.distributions.MultivariateNormal(torch.tensor(m1), torch.tensor(s1))
    ref = torch.distributions.kl_divergence(P, Q).numpy()
    got = dv.gaussian_f_divergence(m0, s0, m1, s1, "kl")
    assert got.shape == (b,)
    np.testing.assert_allclose(got, ref, rtol=1e-10)
    np.testing.assert_allclose(dv.gaussian_f_divergence(m0, s0, m1, s1, "reverse_kl"),
                               torch.distributions.kl_divergence(Q, P).numpy(), rtol=1e-10)
    # distribution objects are accepted directly, torch out
    out = dv.gaussian_f_divergence(P, Q, "kl")
    assert isinstance(out, torch.Tensor)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-10)
    # broadcasting one Q against many P
    one = dv.gaussian_f_divergence(m0, s0, m1[0], s1[0], "jeffreys")
    assert one.shape == (b,)
    assert one[3] == pytest.approx(float(dv.gaussian_f_divergence(m0[3], s0[3], m1[0], s1[0],
                                                                  "jeffreys")), rel=1e-12)


@pytest.mark.parametrize("spec", CLOSED, ids=IDS)
def test_multivariate_against_monte_carlo(spec):
    f = dv.get_f(spec[0], **spec[1])
    rng = np.random.default_rng(1)
    d, n = 3, 400_000
    m0, m1 = 0.3 * rng.normal(size=d), 0.3 * rng.normal(size=d)
    s1 = random_spd(rng, d)
    s0 = 0.8 * s1 + 0.1 * np.eye(d)          # close enough for finite MC variance
    P = stats.multivariate_normal(m0, s0)
    Q = stats.multivariate_normal(m1, s1)
    x = Q.rvs(size=n, random_state=rng)
    u = np.exp(P.logpdf(x) - Q.logpdf(x))
    vals = f(u)
    mc, se = vals.mean(), vals.std(ddof=1) / math.sqrt(n)
    got = float(dv.gaussian_f_divergence(m0, s0, m1, s1, f))
    assert abs(got - mc) < 5 * se + 1e-12, (got, mc, se)


def test_renyi():
    m0, s0, m1, s1 = 0.4, 0.7, -0.2, 1.3
    p, q = stats.norm(m0, s0), stats.norm(m1, s1)
    for a in (0.3, 0.5, 2.0, 3.0):
        integral, _ = integrate.quad(lambda x: p.pdf(x) ** a * q.pdf(x) ** (1 - a), -30, 30,
                                     epsabs=1e-14, epsrel=1e-12, limit=200)
        ref = math.log(integral) / (a - 1)
        got = float(dv.renyi_divergence_gaussian(m0, s0 ** 2, m1, s1 ** 2, order=a))
        assert got == pytest.approx(ref, rel=1e-8)
    # alpha = 1 is KL; the Bhattacharyya distance is D_{1/2} / 2
    kl = float(dv.gaussian_f_divergence(m0, s0 ** 2, m1, s1 ** 2, "kl"))
    assert float(dv.renyi_divergence_gaussian(m0, s0 ** 2, m1, s1 ** 2, order=1)) == kl
    sbar = (s0 ** 2 + s1 ** 2) / 2
    db = (m0 - m1) ** 2 / (8 * sbar) + 0.5 * math.log(sbar / (s0 * s1))
    assert float(dv.renyi_divergence_gaussian(m0, s0 ** 2, m1, s1 ** 2, order=0.5)) == \
        pytest.approx(2 * db, rel=1e-12)
    # squared Hellinger = 2 (1 - BC)
    assert float(dv.gaussian_f_divergence(m0, s0 ** 2, m1, s1 ** 2, "squared_hellinger")) == \
        pytest.approx(2 * (1 - math.exp(-db)), rel=1e-12)


def test_chi2_matches_renyi_2():
    rng = np.random.default_rng(2)
    m0, m1 = rng.normal(size=2), rng.normal(size=2)
    s1 = random_spd(rng, 2)
    s0 = 0.7 * s1
    d2 = float(dv.renyi_divergence_gaussian(m0, s0, m1, s1, order=2.0))
    assert float(dv.gaussian_f_divergence(m0, s0, m1, s1, "pearson")) == \
        pytest.approx(math.expm1(d2), rel=1e-12)


def test_diagonal_covariances_and_scalars():
    m0, v0, m1, v1 = np.array([0.1, -0.3]), np.array([0.5, 2.0]), np.zeros(2), np.ones(2)
    full = dv.gaussian_f_divergence(m0, np.diag(v0), m1, np.diag(v1), "kl")
    diag = dv.gaussian_f_divergence(m0, v0, m1, v1, "kl")
    assert diag == pytest.approx(full, rel=1e-14)
    per_coord = [dv.gaussian_f_divergence(m0[i], v0[i], m1[i], v1[i], "kl") for i in range(2)]
    assert diag == pytest.approx(sum(per_coord), rel=1e-12)


def test_torch_normal_pair_batch_and_gradcheck():
    loc = torch.tensor([0.0, 0.5, -1.0], dtype=torch.float64, requires_grad=True)
    scale = torch.tensor([1.0, 1.1, 1.2], dtype=torch.float64, requires_grad=True)
    P = torch.distributions.Normal(loc, scale)
    Q = torch.distributions.Normal(torch.zeros(3, dtype=torch.float64),
                                   torch.ones(3, dtype=torch.float64))
    out = dv.gaussian_f_divergence(P, Q, "kl")
    ref = torch.distributions.kl_divergence(P, Q)
    torch.testing.assert_close(out, ref)
    for name in ("kl", "squared_hellinger", "pearson", "neyman", "jeffreys"):
        assert torch.autograd.gradcheck(
            lambda m, s: dv.gaussian_f_divergence(
                m, s ** 2, torch.full_like(m, 0.2), torch.full_like(s, 1.3), name),
            (loc, scale))
    # full covariance gradients
    a = torch.randn(3, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    cov = (a @ a.T + torch.eye(3, dtype=torch.float64)).requires_grad_(True)
    mu = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    for name in ("kl", "squared_hellinger"):
        assert torch.autograd.gradcheck(
            lambda m, c: dv.gaussian_f_divergence(
                m, (c + c.T) / 2, torch.ones(3, dtype=torch.float64),
                2 * torch.eye(3, dtype=torch.float64), name),
            (mu, cov))


def test_float32():
    out = dv.gaussian_f_divergence(np.float32(0.0), np.float32(1.0), 1.0, 2.0, "kl")
    assert out.dtype == np.float32
    t = dv.gaussian_f_divergence(torch.zeros(2), torch.eye(2), torch.ones(2), 2 * torch.eye(2))
    assert t.dtype == torch.float32
    ref = 0.5 * (2 * 0.5 + 2 * 0.5 - 2 + 2 * math.log(2))
    assert t.item() == pytest.approx(ref, rel=1e-6)


def test_not_implemented_names_the_pair():
    with pytest.raises(NotImplementedError, match="'jensen_shannon' divergence between two Gaussians"):
        dv.gaussian_f_divergence(0.0, 1.0, 1.0, 1.0, "jensen_shannon")


def test_mutual_information():
    rho, d = 0.6, 4
    # independent check: I = 1/2 log(|Sx||Sy| / |S|) of the joint covariance
    joint = np.block([[np.eye(d), rho * np.eye(d)], [rho * np.eye(d), np.eye(d)]])
    ref = 0.5 * (0 - np.linalg.slogdet(joint)[1])
    assert float(dv.gaussian_mutual_information(rho, d)) == pytest.approx(ref, rel=1e-12)
    r = torch.tensor([0.1, 0.9], requires_grad=True)
    out = dv.gaussian_mutual_information(r, 20)
    assert out.shape == (2,)
    assert float(dv.gaussian_mutual_information(1.0)) == math.inf
    # the MI staircase of Poole et al.: rho = sqrt(1 - exp(-2 I / d))
    for mi in (2, 4, 6, 8, 10):
        rho = math.sqrt(1 - math.exp(-2 * mi / 20))
        assert float(dv.gaussian_mutual_information(rho, 20)) == pytest.approx(mi, rel=1e-12)


@pytest.mark.parametrize("args, exc, match", [
    ((0.0, -1.0, 0.0, 1.0), ValueError, "cov_p"),
    ((np.zeros(2), np.eye(2), np.zeros(2), np.array([[1.0, 2.0], [2.0, 1.0]])), ValueError,
     "cov_q must be positive definite"),
    ((np.zeros(2), np.eye(3), np.zeros(2), np.eye(2)), ValueError, "mean_p has dimension 2"),
    ((np.zeros(2), np.eye(2), np.zeros(3), np.eye(3)), ValueError, "different dimensions"),
    ((np.nan, 1.0, 0.0, 1.0), ValueError, "mean_p contains NaN"),
    ((0.0, np.array([[1.0, 0.5], [0.0, 1.0]]), np.zeros(2), np.eye(2)), ValueError, "cov_p"),
    ((np.zeros(2), np.array([[1.0, 0.5], [0.0, 1.0]]), np.zeros(2), np.eye(2)), ValueError,
     "cov_p must be symmetric"),
    ((np.zeros(0), np.zeros((0, 0)), np.zeros(0), np.zeros((0, 0))), ValueError, "empty"),
])
def test_bad_input(args, exc, match):
    with pytest.raises(exc, match=match):
        dv.gaussian_f_divergence(*args, "kl")


def test_bad_parameters():
    with pytest.raises(ValueError, match="order must be positive"):
        dv.renyi_divergence_gaussian(0.0, 1.0, 0.0, 1.0, order=-1.0)
    with pytest.raises(TypeError, match="needs order"):
        dv.renyi_divergence_gaussian(0.0, 1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="rho"):
        dv.gaussian_mutual_information(1.5)
    with pytest.raises(ValueError, match="d must be"):
        dv.gaussian_mutual_information(0.5, 0)
    with pytest.raises(TypeError, match="needs mean_p, cov_p, mean_q and cov_q"):
        dv.gaussian_f_divergence(0.0, 1.0)


@pytest.mark.parametrize("lib", ["numpy", "torch"])
def test_half_precision_is_refused_by_name(lib):
    """Issue 26: float16 Gaussian parameters failed inside numpy's linalg or torch's
    Cholesky with a message naming no argument."""
    if lib == "numpy":
        m, c = np.zeros(2, np.float16), np.eye(2, dtype=np.float16)
    else:
        m, c = torch.zeros(2, dtype=torch.float16), torch.eye(2, dtype=torch.float16)
    for call in (lambda: dv.gaussian_f_divergence(m, c, m + 1, c, "kl"),
                 lambda: dv.renyi_divergence_gaussian(m, c, m + 1, c, order=2.0)):
        with pytest.raises(TypeError, match="mean_p has dtype .*float16.* float32 or float64"):
            call()
