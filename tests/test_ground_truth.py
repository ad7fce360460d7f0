"""Ground truths of divergences.benchmark.problems beyond Gaussians (issue 16), each against an
independent computation: scipy's densities on a fine grid, scipy's own quadrature of
entropies, Monte Carlo with a tolerance from its standard error, or the Gaussian
closed forms where a problem reduces to them."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from scipy import integrate, special, stats

from divergences import gaussian_f_divergence
from divergences.benchmark.problems import (AdditiveUniformNoise, BetaPair, CorrelatedGaussians,
                                  DirichletPair, GammaPair, GaussianMixturePair, JointGaussian,
                                  LaplacePair, _bimodal, _spiral, suite)

CLOSED_FORM_KEYS = ("kl", "reverse_kl", "jeffreys", "squared_hellinger", "alpha_0.5",
                    "alpha_2", "pearson", "neyman")


# --- mutual information problems ---------------------------------------------------

@pytest.mark.parametrize("eps", [0.05, 0.1, 0.3, 0.5, 0.8, 2.0])
def test_additive_noise_mi_is_the_entropy_difference(eps):
    # h(Y) by scipy quadrature of the convolution density, h(N) = log(2 eps)
    def density(y):
        return max(0.0, min(y + eps, 1.0) - max(y - eps, 0.0)) / (2 * eps)

    def integrand(y):
        f = density(y)
        return -f * math.log(f) if f > 0 else 0.0

    knots = sorted({-eps, eps, 1 - eps, 1 + eps})
    h_y = sum(integrate.quad(integrand, a, b, epsabs=1e-13)[0] for a, b in zip(knots, knots[1:]))
    assert AdditiveUniformNoise(eps).truth["mi"] == pytest.approx(h_y - math.log(2 * eps),
                                                                  rel=1e-10)


def test_additive_noise_samples_follow_the_model():
    x, y = AdditiveUniformNoise(0.1).sample(20000, rng=0)
    noise = (y - x).ravel()
    assert x.min() >= 0 and x.max() <= 1 and np.abs(noise).max() <= 0.1
    assert stats.kstest(noise, stats.uniform(-0.1, 0.2).cdf).pvalue > 1e-3


def test_joint_gaussian_mi_from_canonical_correlations():
    gen = np.random.default_rng(3)
    a = gen.normal(size=(7, 7))
    cov = a @ a.T + 0.5 * np.eye(7)
    dx = 3
    sxx, syy, sxy = cov[:dx, :dx], cov[dx:, dx:], cov[:dx, dx:]

    def inv_sqrt(m):
        w, v = np.linalg.eigh(m)
        return v @ np.diag(w ** -0.5) @ v.T

    rho = np.linalg.svd(inv_sqrt(sxx) @ sxy @ inv_sqrt(syy), compute_uv=False)
    assert JointGaussian(cov, dx).truth["mi"] == pytest.approx(-0.5 * np.log1p(-rho ** 2).sum(),
                                                               rel=1e-10)


def test_dense_and_sparse_structures():
    # equicorrelated c: eigenvalues 1 + (d - 1) c and 1 - c
    c, dx, dy = 0.5, 5, 5

    def logdet(d):
        return math.log(1 + (d - 1) * c) + (d - 1) * math.log(1 - c)

    dense = JointGaussian.dense(dx, dy, c)
    assert dense.truth["mi"] == pytest.approx(0.5 * (logdet(dx) + logdet(dy) - logdet(dx + dy)),
                                              rel=1e-12)
    sparse = JointGaussian.sparse(4, 3, n_pairs=2, correlation=0.8)
    assert sparse.truth["mi"] == pytest.approx(-math.log(1 - 0.64), rel=1e-12)
    x, y = sparse.sample(50000, rng=1)
    r = np.corrcoef(np.hstack([x, y]), rowvar=False)
    assert abs(r[0, 4] - 0.8) < 0.01 and abs(r[2, 6]) < 0.02 and abs(r[0, 1]) < 0.02


def test_bimodal_transform_is_the_quantile_map_of_the_mixture():
    y = np.linspace(-8.0, 8.0, 2001)
    out = _bimodal(y)
    assert np.all(np.diff(out) > 0)                      # strictly increasing: MI unchanged
    mixture_cdf = 0.5 * (special.ndtr(2 * (out + 1)) + special.ndtr(2 * (out - 1)))
    np.testing.assert_allclose(mixture_cdf, special.ndtr(y), rtol=1e-8, atol=0)
    np.testing.assert_allclose(out, -out[::-1], atol=1e-12)     # symmetric mixture
    marg = _bimodal(np.random.default_rng(0).standard_normal(4000))
    hist, _ = np.histogram(marg, bins=[-2, -1.2, -0.8, -0.2, 0.2, 0.8, 1.2, 2])
    assert hist[3] < hist[1] / 3 and hist[3] < hist[5] / 3    # two modes, a valley at 0


def test_spiral_is_an_invertible_rotation():
    y = np.random.default_rng(0).normal(size=(500, 3))
    s = _spiral(y, speed=0.5)
    np.testing.assert_allclose(np.linalg.norm(s, axis=1), np.linalg.norm(y, axis=1), rtol=1e-13)
    np.testing.assert_array_equal(s[:, 2], y[:, 2])
    theta = 0.5 * (y ** 2).sum(1)                       # invert: rotate back by the same angle
    back0 = np.cos(theta) * s[:, 0] + np.sin(theta) * s[:, 1]
    back1 = -np.sin(theta) * s[:, 0] + np.cos(theta) * s[:, 1]
    np.testing.assert_allclose(np.c_[back0, back1], y[:, :2], atol=1e-12)
    with pytest.raises(ValueError, match="d >= 2"):
        CorrelatedGaussians(d=1, mi=0.5, transform="spiral")


# --- f-divergence pairs ------------------------------------------------------------

EXP_FAMILY = [GammaPair(2.0, 1.0, 3.0, 1.5), GammaPair(0.5, 1.0, 0.7, 2.0),
              GammaPair(4.0, 2.0, 1.5, 0.5), BetaPair(2.0, 5.0, 3.0, 3.0),
              BetaPair(0.5, 0.7, 2.0, 0.8), BetaPair(3.0, 3.0, 2.5, 4.0)]


@pytest.mark.parametrize("prob", EXP_FAMILY, ids=lambda p: p.name)
def test_exponential_family_closed_forms_match_quadrature(prob):
    # closed forms from the log-partition function against adaptive quadrature of
    # q f(p/q); an infinite closed form (the integral diverges) must be infinite
    for key in CLOSED_FORM_KEYS:
        closed = prob.truth[key]
        if math.isinf(closed):
            assert closed > 0
            continue
        assert prob._quadrature(key) == pytest.approx(closed, rel=1e-8, abs=1e-12), key


@pytest.mark.parametrize("prob", EXP_FAMILY + [LaplacePair(0.0, 1.0, 1.0, 1.5)],
                         ids=lambda p: p.name)
def test_densities_agree_with_scipy(prob):
    if isinstance(prob, GammaPair):
        ref = (stats.gamma(prob.shape_p, scale=1 / prob.rate_p),
               stats.gamma(prob.shape_q, scale=1 / prob.rate_q))
        xs = np.linspace(0.01, 20, 50)
    elif isinstance(prob, BetaPair):
        ref = stats.beta(prob.a_p, prob.b_p), stats.beta(prob.a_q, prob.b_q)
        xs = np.linspace(0.001, 0.999, 50)
    else:
        ref = (stats.laplace(prob.loc_p, prob.scale_p), stats.laplace(prob.loc_q, prob.scale_q))
        xs = np.linspace(-30, 30, 50)
    for x in xs:
        assert prob._logpdf_p(x) == pytest.approx(ref[0].logpdf(x), rel=1e-12, abs=1e-12)
        assert prob._logpdf_q(x) == pytest.approx(ref[1].logpdf(x), rel=1e-12, abs=1e-12)


def _grid_values(pdf_p, pdf_q, lo, hi, keys):
    """Every table generator by a fine trapezoid grid on scipy's densities."""
    from divergences._backend.array import namespace
    from divergences.fdiv.discrete import f_terms
    from divergences.benchmark.problems import _table_generators

    x = np.linspace(lo, hi, 2_000_001)
    p, q = pdf_p(x), pdf_q(x)
    gens = _table_generators()
    return {k: float(integrate.trapezoid(f_terms(namespace("numpy"), p, q, gens[k]), x)) for k in keys}


BOUNDED = ("total_variation", "squared_hellinger", "jensen_shannon", "gan",
           "weighted_jensen_shannon_0.3", "alpha_0.5", "le_cam")


def test_laplace_pair_against_a_fine_grid():
    prob = LaplacePair(0.0, 1.0, 1.0, 1.5)
    keys = BOUNDED + ("kl", "reverse_kl", "pearson", "neyman")
    ref = _grid_values(stats.laplace(0, 1).pdf, stats.laplace(1, 1.5).pdf, -80, 80, keys)
    for k in keys:
        assert prob.truth[k] == pytest.approx(ref[k], rel=1e-6), k
    assert prob.truth["kl"] == pytest.approx(prob._quadrature("kl"), rel=1e-10)


def test_mixture_pair_against_a_fine_grid():
    prob = GaussianMixturePair((0.2, 0.5, 0.3), (-2.0, 0.0, 2.5), (0.5, 0.7, 0.4),
                               (0.6, 0.4), (-0.5, 1.0), (1.2, 1.5))

    def pdf(w, m, s):
        return lambda x: sum(wi * stats.norm(mi, si).pdf(x) for wi, mi, si in zip(w, m, s))

    keys = BOUNDED + ("kl", "reverse_kl", "pearson")
    ref = _grid_values(pdf(prob.weights_p, prob.means_p, prob.sds_p),
                       pdf(prob.weights_q, prob.means_q, prob.sds_q), -15, 15, keys)
    for k in keys:
        assert prob.truth[k] == pytest.approx(ref[k], rel=1e-6), k


@pytest.mark.parametrize("mp, sp, mq, sq", [(0.0, 1.0, 1.0, 2.0), (0.5, 1.5, -1.0, 1.0),
                                            (0.0, 1.0, 0.0, 1.0)])
def test_one_component_mixtures_are_the_gaussian_closed_forms(mp, sp, mq, sq):
    prob = GaussianMixturePair((1.0,), (mp,), (sp,), (1.0,), (mq,), (sq,))
    for key in ("kl", "reverse_kl", "jeffreys", "squared_hellinger", "pearson", "neyman"):
        ref = float(gaussian_f_divergence(mp, sp ** 2, mq, sq ** 2, key))
        if math.isinf(ref):
            assert prob.truth[key] == math.inf, key
        else:
            assert prob.truth[key] == pytest.approx(ref, rel=1e-8, abs=1e-13), key


def test_dirichlet_closed_forms():
    # two parts: the Beta pair of the first coordinate
    d2, b = DirichletPair((2.0, 5.0), (3.0, 3.0)), BetaPair(2.0, 5.0, 3.0, 3.0)
    for key in CLOSED_FORM_KEYS:
        assert d2.truth[key] == pytest.approx(b.truth[key], rel=1e-12), key
    # three parts: KL by Monte Carlo with scipy's log density, 4 standard errors
    prob = DirichletPair((2.0, 3.0, 4.0), (3.0, 3.0, 3.0))
    x = np.random.default_rng(0).dirichlet(prob.alpha_p, 200_000)
    lr = stats.dirichlet(prob.alpha_p).logpdf(x.T) - stats.dirichlet(prob.alpha_q).logpdf(x.T)
    assert abs(prob.truth["kl"] - lr.mean()) < 4 * lr.std() / math.sqrt(lr.size)
    assert "jensen_shannon" not in prob.truth            # no quadrature in 2 dimensions
    assert prob.sample(5, rng=0)[0].shape == (5, 2)


def test_infinite_divergences_are_reported_as_such():
    # Gamma(0.5, 1) vs Gamma(0.7, 2): p^2/q ~ x^-0.7 at infinity, so Pearson is +inf
    assert GammaPair(0.5, 1.0, 0.7, 2.0).truth["pearson"] == math.inf
    # a Gaussian Q wider than every mode of P: q^2/p grows like exp(c x^2)
    prob = GaussianMixturePair((0.5, 0.5), (-1.0, 1.0), (0.5, 0.5), (1.0,), (0.0,), (1.5,))
    assert prob.truth["neyman"] == math.inf
    assert math.isfinite(prob.truth["reverse_kl"])


def test_truth_is_lazy_and_picklable():
    prob = LaplacePair(0.0, 1.0, 1.0, 1.5)
    assert "jensen_shannon" in prob.truth and len(prob.truth) == len(list(prob.truth))
    assert "<by quadrature" in repr(prob.truth)
    js = prob.truth["jensen_shannon"]
    clone = pickle.loads(pickle.dumps(prob))             # ProcessPoolExecutor ships problems
    assert clone.truth["jensen_shannon"] == js and clone.truth["total_variation"] > 0
    with pytest.raises(KeyError):
        prob.truth["no_such_key"]


@pytest.mark.parametrize("prob", [GammaPair(2.0, 1.0, 3.0, 1.5), BetaPair(2.0, 5.0, 3.0, 3.0),
                                  LaplacePair(0.0, 1.0, 1.0, 1.5),
                                  GaussianMixturePair((0.5, 0.5), (-1.0, 1.0), (0.5, 0.5),
                                                      (1.0,), (0.0,), (1.5,))],
                         ids=lambda p: p.name)
def test_samples_follow_the_densities(prob):
    # Monte Carlo KL from the samples and the problem's densities, 4 standard errors
    x_p, x_q = prob.sample(100_000, rng=0)
    assert x_p.shape == x_q.shape == (100_000, 1)
    lr = np.array([prob._logpdf_p(v) - prob._logpdf_q(v) for v in x_p[:20000, 0]])
    assert abs(prob.truth["kl"] - lr.mean()) < 4 * lr.std() / math.sqrt(lr.size)
    lr_q = np.array([prob._logpdf_q(v) - prob._logpdf_p(v) for v in x_q[:20000, 0]])
    assert abs(prob.truth["reverse_kl"] - lr_q.mean()) < 4 * lr_q.std() / math.sqrt(lr_q.size)


# --- suites ------------------------------------------------------------------------

def test_f_divergence_suite():
    probs = suite("f-divergence")
    assert len(probs) == 6
    for p in probs:
        for key in ("kl", "reverse_kl", "jeffreys", "squared_hellinger", "pearson", "neyman",
                    "alpha_0.5"):
            assert key in p.truth, (p.name, key)
        assert 0 < p.truth["kl"] < 2
        x_p, x_q = p.sample(30, rng=1)
        assert x_p.shape == x_q.shape and x_p.ndim == 2 and np.isfinite(x_p).all()
