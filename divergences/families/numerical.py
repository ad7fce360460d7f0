r"""Numerical f-divergences between family members, labelled as such.

:func:`numerical_f_divergence` is the door for generators without a closed form
(total variation, Jensen-Shannon, GAN, Le Cam, ...) and a check of the closed forms.
It returns an :class:`~divergences.Estimate` whose ``method`` says how the value was
obtained and whose ``stderr`` bounds its error:

* scalar continuous laws: adaptive quadrature (``scipy.integrate.quad``) of
  :math:`q f(p/q)` over the supports, split at quantiles of both laws; ``stderr``
  is quad's error estimate, ``details["error_bound"]`` the same;
* scalar discrete laws: the sum over the support up to where both laws have less
  than 1e-18 mass left, ``stderr`` a bound on the neglected terms;
* other laws (vectors, matrices): Monte Carlo over ``n_samples`` draws from Q,
  ``stderr`` the standard error of the mean.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import integrate, stats

from .._backend.array import namespace
from .._backend.checks import check_int, check_real, numpy_rng
from ..fdiv.discrete import f_terms
from ..fdiv.ffunctions import FFunction, get_f
from ..results import Estimate
from .base import Distribution
from .continuous import (Beta, ChiSquared, Dirichlet, Exponential, Gamma, InverseGamma,
                         Laplace, LogNormal, MultivariateNormal, Normal, Uniform, VonMises,
                         Wishart)
from .discrete import Binomial, Categorical, Geometric, Multinomial, NegativeBinomial, Poisson
from .interop import as_family

__all__ = ["numerical_f_divergence", "quadrature_f_divergence", "pointwise_terms",
           "scipy_law"]


def _kind(f):
    """How to integrate ``q f(p/q)`` stably: from log densities for the KL family, as
    affinities for the generators that grow like a power, through the perspective for
    the bounded ones."""
    if f.name in ("kl", "reverse_kl", "jeffreys"):
        return "log", None
    if math.isfinite(float(f.f_at_zero)) and math.isfinite(float(f.slope_at_infinity)):
        return "bounded", None
    if f.name == "pearson":
        return "affinity", 2.0
    if f.name == "neyman":
        return "affinity", -1.0
    if f.name == "alpha":
        return "affinity", float(f.params["alpha"])
    raise ValueError(f"no numerical route for the generator {f.name!r}")


def pointwise_terms(f, lp, lq):
    r"""Integrand and constant: :math:`D_f = \int t(x)\,dx + c` from log densities.

    ``lp``, ``lq`` are numpy arrays (``-inf`` off a support).  KL-type generators:
    :math:`p(\log p - \log q)` and its mirror; power-type (Pearson, Neyman, α outside
    (0, 1)): :math:`p^a q^{1-a}/(a(a-1))` with :math:`c = -1/(a(a-1))` (Pearson and
    Neyman unscaled); bounded generators: the perspective at :math:`(pe^{-m}, qe^{-m})`
    times :math:`e^m`, :math:`m = \max(\log p, \log q)`, which neither overflows nor
    divides.  Off both supports the integrand is 0; where only one law has mass it
    follows the zero conventions of :func:`divergences.f_divergence`.
    """
    t, c = _raw_terms(f, np.asarray(lp, dtype=np.float64), np.asarray(lq, dtype=np.float64))
    # NaN arises only from inf - inf or 0 * inf: a density value of +inf at a point, or
    # both log densities overflowing to -inf: single points, of measure zero
    return np.where(np.isnan(t), 0.0, t), c


def _raw_terms(f, lp, lq):
    kind, a = _kind(f)
    with np.errstate(all="ignore"):
        if kind == "log":
            fwd = np.where(lp > -np.inf, np.exp(lp) * (lp - lq), 0.0)
            bwd = np.where(lq > -np.inf, np.exp(lq) * (lq - lp), 0.0)
            return {"kl": fwd, "reverse_kl": bwd, "jeffreys": fwd + bwd}[f.name], 0.0
        if kind == "affinity":
            e = a * lp + (1.0 - a) * lq
            none_p, none_q = lp == -np.inf, lq == -np.inf
            e = np.where(none_p & none_q, -np.inf, e)
            e = np.where(none_p & ~none_q, -np.inf if a > 0 else np.inf, e)
            e = np.where(none_q & ~none_p, -np.inf if a < 1 else np.inf, e)
            scale = 1.0 if f.name in ("pearson", "neyman") else 1.0 / (a * (a - 1.0))
            return scale * np.exp(e), -scale
        m = np.maximum(lp, lq)
        finite = m > -np.inf
        ms = np.where(finite, m, 0.0)
        t = f_terms(namespace("numpy"), np.exp(lp - ms), np.exp(lq - ms), f)
        return np.where(finite, t * np.exp(ms), 0.0), 0.0


def quadrature_f_divergence(logpdf_p, logpdf_q, f, pieces, tail_check=False):
    r""":math:`\int q f(p/q)` by ``scipy.integrate.quad`` over consecutive ``pieces``.

    ``logpdf_p``, ``logpdf_q`` map a float to a float; the end pieces may be infinite.
    Returns ``(value, error_estimate, converged)``: ``converged`` is False when quad's
    error estimate exceeds 1e-8 of the value (a divergent or badly resolved
    integral); an infinite integrand gives ``inf``.  With ``tail_check`` the first and
    last pieces are the regions beyond extreme quantiles of both laws: contributing
    more than 1 % of the value there marks an integral that diverges at its ends.
    """
    def h(x):
        with np.errstate(all="ignore"):   # inf - inf at the ends: handled as NaN below
            t, _ = pointwise_terms(f, np.array([logpdf_p(x)]), np.array([logpdf_q(x)]))
        return float(t[0])
    _, constant = pointwise_terms(f, np.array([0.0]), np.array([0.0]))
    total, error, outer = constant, 0.0, 0.0
    with warnings.catch_warnings():
        # quad's warnings (roundoff at integrable end singularities, slow convergence)
        # are summarised by its error estimate, which the caller reports
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        for i, (a, b) in enumerate(zip(pieces[:-1], pieces[1:])):
            if not a < b:
                continue
            val, err = integrate.quad(h, a, b, limit=200, epsabs=1e-15, epsrel=1e-12)
            if not math.isfinite(val):
                return math.inf, 0.0, True
            total, error = total + val, error + err
            if i in (0, len(pieces) - 2):
                outer += abs(val)
    converged = error <= 1e-8 * max(1.0, abs(total))
    if tail_check and outer > 1e-2 * max(1.0, abs(total)):
        converged = False
    return total, error, converged


def _num(a):
    return np.asarray(a.detach().cpu() if hasattr(a, "detach") else a, dtype=np.float64)


def scipy_law(d):
    """The frozen ``scipy.stats`` law of an unbatched member (numpy parameters)."""
    d = as_family(d)
    if d.batch_shape != ():
        raise ValueError(f"numerical divergences take one member, not a batch of shape "
                         f"{d.batch_shape}")
    g = {k: _num(v) for k, v in d.parameters().items()}
    table = {
        Normal: lambda: stats.norm(g["loc"], g["scale"]),
        LogNormal: lambda: stats.lognorm(g["scale"], scale=np.exp(g["loc"])),
        Exponential: lambda: stats.expon(scale=1.0 / g["rate"]),
        Gamma: lambda: stats.gamma(g["concentration"], scale=1.0 / g["rate"]),
        InverseGamma: lambda: stats.invgamma(g["concentration"], scale=g["rate"]),
        ChiSquared: lambda: stats.chi2(g["df"]),
        Beta: lambda: stats.beta(g["concentration1"], g["concentration0"]),
        Laplace: lambda: stats.laplace(g["loc"], g["scale"]),
        Uniform: lambda: stats.uniform(g["low"], g["high"] - g["low"]),
        VonMises: lambda: stats.vonmises(g["concentration"], loc=g["loc"]),
        Poisson: lambda: stats.poisson(g["rate"]),
        Binomial: lambda: stats.binom(g["total_count"], g["probs"]),
        Geometric: lambda: stats.geom(g["probs"], loc=-1),
        NegativeBinomial: lambda: stats.nbinom(g["total_count"], 1.0 - g["probs"]),
        MultivariateNormal: lambda: stats.multivariate_normal(g["loc"],
                                                              g["covariance_matrix"]),
        Dirichlet: lambda: stats.dirichlet(g["concentration"]),
        Multinomial: lambda: stats.multinomial(int(g["total_count"]), g["probs"]),
        Categorical: lambda: stats.multinomial(1, g["probs"]),
        Wishart: lambda: stats.wishart(float(g["df"]), g["covariance_matrix"]),
    }
    if type(d) not in table:
        raise TypeError(f"no scipy.stats law for {type(d).__name__}")
    return table[type(d)]()


_SCALAR_CONTINUOUS = (Normal, LogNormal, Exponential, Gamma, InverseGamma, ChiSquared, Beta,
                      Laplace, Uniform, VonMises)
_SCALAR_DISCRETE = (Poisson, Binomial, Geometric, NegativeBinomial)


_LEVELS = np.array([1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.98,
                    1 - 1e-3, 1 - 1e-6, 1 - 1e-9, 1 - 1e-12])


def _numeric_form(d):
    """A member of a family with lighter tails and the same divergences (a bijection)."""
    if isinstance(d, InverseGamma):
        return Gamma(d.concentration, d.rate)
    if isinstance(d, LogNormal):
        return Normal(d.loc, d.scale)
    return d


def _numpy_member(d):
    return type(d)(**{k: (v if k in d._fixed else _num(v)) for k, v in d.parameters().items()})


def _log_density(d):
    """x -> log density of an unbatched member, as a float (the family's own formula:
    scipy's logpdf is log(pdf) for some laws, -inf where the density underflows)."""
    d = _numpy_member(d)
    return lambda x: float(d.log_prob(np.float64(x)))


def _quadrature(p, q, f):
    if type(p) is type(q):
        p, q = _numeric_form(p), _numeric_form(q)
    sp, sq = scipy_law(p), scipy_law(q)
    lp_fn, lq_fn = _log_density(p), _log_density(q)
    if isinstance(p, VonMises) or isinstance(q, VonMises):
        if not (isinstance(p, VonMises) and isinstance(q, VonMises)):
            raise TypeError("a von Mises law is compared with another von Mises law only")
        mp_, mq_ = float(_num(p.loc)), float(_num(q.loc))
        pieces = sorted({mp_ - math.pi, mp_ + math.pi, mp_,
                         (mq_ - mp_ + math.pi) % (2 * math.pi) - math.pi + mp_,
                         (mq_ - mp_) % (2 * math.pi) - math.pi + mp_})
        pieces = [v for v in pieces if mp_ - math.pi <= v <= mp_ + math.pi]
        return quadrature_f_divergence(lp_fn, lq_fn, f, pieces)
    lo = min(sp.support()[0], sq.support()[0])
    hi = max(sp.support()[1], sq.support()[1])
    marks = {float(v) for law in (sp, sq) for v in law.ppf(_LEVELS)}
    marks |= {float(v) for law in (sp, sq) for v in law.support()}
    if isinstance(p, Laplace) or isinstance(q, Laplace):          # the kinks
        marks |= {float(_num(d.loc)) for d in (p, q) if isinstance(d, Laplace)}
    marks = sorted(v for v in marks if lo < v < hi)
    marks = sorted(set(marks) | set(_crossings(lp_fn, lq_fn, marks)))
    # laws on (0, inf) and (0, 1) are integrated in u = log x and u = logit x: the
    # f-divergence of the image laws is the same, and power-law behaviour at the ends
    # becomes exponential decay (or growth) that quad resolves on infinite intervals
    if (lo, hi) == (0.0, math.inf):
        def exp(u):
            return math.exp(u) if u < 709.0 else math.inf
        return quadrature_f_divergence(
            lambda u: lp_fn(exp(u)) + u, lambda u: lq_fn(exp(u)) + u, f,
            [-math.inf] + [math.log(v) for v in marks] + [math.inf], tail_check=True)
    if (lo, hi) == (0.0, 1.0):
        def image(fn):
            def lu(u):
                x = 1.0 / (1.0 + math.exp(-u)) if u > -700 else math.exp(u)
                jac = -math.log1p(math.exp(-u)) - math.log1p(math.exp(u)) \
                    if abs(u) < 700 else -abs(u)
                return fn(x) + jac
            return lu
        return quadrature_f_divergence(image(lp_fn), image(lq_fn), f,
                                       [-math.inf] + [math.log(v / (1 - v)) for v in marks]
                                       + [math.inf], tail_check=True)
    return quadrature_f_divergence(lp_fn, lq_fn, f, [lo] + marks + [hi], tail_check=True)


def _crossings(lp_fn, lq_fn, marks, per_piece=64):
    """Points where p = q between the marks (root-finding on a grid): the integrand of
    total variation has a kink there, which quad's error estimate does not see."""
    from scipy import optimize

    def gap(x):
        return lp_fn(x) - lq_fn(x)
    grid = np.unique(np.concatenate([np.linspace(a, b, per_piece + 1)
                                     for a, b in zip(marks[:-1], marks[1:])]))
    out = []
    with np.errstate(all="ignore"):
        d = np.array([gap(x) for x in grid])
        for i in np.nonzero(np.isfinite(d[:-1]) & np.isfinite(d[1:])
                            & (np.sign(d[:-1]) * np.sign(d[1:]) < 0))[0]:
            out.append(float(optimize.brentq(gap, grid[i], grid[i + 1], xtol=1e-15,
                                             rtol=4 * np.finfo(float).eps)))
    return out


def _discrete_sum(p, q, f):
    """Sum over 0..K, K growing until the last half of the terms is negligible."""
    sp, sq = scipy_law(p), scipy_law(q)
    pn, qn = _numpy_member(p), _numpy_member(q)
    finite_top = max(sp.support()[1], sq.support()[1])
    top = int(finite_top) if math.isfinite(finite_top) else 64
    while True:
        k = np.arange(0, top + 1, dtype=np.float64)
        terms, constant = pointwise_terms(f, np.asarray(pn.log_prob(k)),
                                          np.asarray(qn.log_prob(k)))
        total = float(np.sum(terms)) + constant
        if not math.isfinite(total) or math.isfinite(finite_top):
            return total, 0.0, True, top
        tail = float(np.sum(np.abs(terms[top // 2:])))
        if tail <= 1e-16 * max(abs(total), 1e-300) and abs(terms[-1]) <= abs(terms[-2]):
            return total, tail, True, top
        if top >= 2 ** 24:
            growing = abs(terms[-1]) > abs(terms[-2])
            return (math.inf, 0.0, True, top) if growing else (total, tail, False, top)
        top *= 4


def _monte_carlo(p, q, f, n, gen):
    sp, sq = scipy_law(p), scipy_law(q)
    draws = sq.rvs(size=n, random_state=gen)
    if isinstance(q, Wishart):                      # scipy wants the draws last
        draws = np.moveaxis(np.asarray(draws), 0, -1)
    log_ratio = np.asarray(sp.logpdf(draws) if hasattr(sp, "logpdf") else sp.logpmf(draws)) \
        - np.asarray(sq.logpdf(draws) if hasattr(sq, "logpdf") else sq.logpmf(draws))
    with np.errstate(over="ignore"):
        values = np.asarray(f(np.exp(log_ratio)), dtype=np.float64)
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(n))


def numerical_f_divergence(p, q, f="total_variation", *, n_samples=200_000, rng=None,
                           confidence=0.95):
    r"""A numerical f-divergence :math:`D_f(P\|Q) = \int q f(p/q)`, labelled as such.

    Scalar continuous laws: adaptive quadrature; scalar discrete laws: a sum over
    the support; other laws: Monte Carlo over ``n_samples`` draws from Q (see the
    module docs).  For the generators with a closed form prefer
    :func:`divergences.families.f_divergence`.

    Parameters
    ----------
    p, q : Distribution, torch.distributions.Distribution or scipy.stats frozen law
        One member each (no batch).
    f : str or FFunction, default ``"total_variation"``
    n_samples : int, default 200000
        Draws from Q for Monte Carlo.
    rng : None, int or numpy.random.Generator
        Seed of the Monte-Carlo draws.
    confidence : float, default 0.95
        Level of the interval ``value +- z * stderr``.

    Returns
    -------
    Estimate
        ``value``, ``stderr`` (error estimate or bound of quadrature and sums, standard
        error of Monte Carlo), ``ci``, ``method`` (what was computed) and ``details``.

    Examples
    --------
    >>> from divergences import families as fam
    >>> est = fam.numerical_f_divergence(fam.Normal(0.0, 1.0), fam.Normal(1.0, 1.0),
    ...                                  "total_variation")
    >>> round(est.value, 8), est.method       # 2 Phi(1/2) - 1
    (0.38292492, 'adaptive quadrature (scipy.integrate.quad)')
    """
    f = f if isinstance(f, FFunction) else get_f(f)
    p, q = as_family(p, "p"), as_family(q, "q")
    z = float(stats.norm.ppf(0.5 + check_real("confidence", confidence, 0, 1) / 2))
    if type(p) in _SCALAR_CONTINUOUS and type(q) in _SCALAR_CONTINUOUS:
        value, err, converged = _quadrature(p, q, f)
        method = "adaptive quadrature (scipy.integrate.quad)"
        details = {"error_bound": err, "converged": converged}
    elif type(p) in _SCALAR_DISCRETE and type(q) in _SCALAR_DISCRETE:
        value, err, converged, top = _discrete_sum(p, q, f)
        method = f"sum over the support 0..{top}"
        details = {"error_bound": err, "last_value": top, "converged": converged}
    else:
        n = check_int("n_samples", n_samples, 2)
        value, err = _monte_carlo(p, q, f, n, numpy_rng(rng))
        method, details = f"Monte Carlo ({n} draws from q)", {"n_samples": n,
                                                               "converged": None}
    return Estimate(value=value, stderr=err, ci=(value - z * err, value + z * err),
                    curve=None, critic=None, method=method, details=details,
                    confidence=confidence)
