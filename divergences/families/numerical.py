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

__all__ = ["numerical_f_divergence", "quadrature_f_divergence", "log_magnitude", "far_point",
           "scipy_law"]


# generators whose q f(p/q) is unbounded in p/q: integrated from log densities directly,
# as sum over (coefficient, exponent a) of coefficient * integral p^a q^(1-a), plus a constant
_CHERNOFF_FORMS = {"pearson": ((1.0, 2.0),), "neyman": ((1.0, -1.0),),
                   "alpha_2": ((0.5, 2.0),)}
_CHERNOFF_CONSTANT = {"pearson": -1.0, "neyman": -1.0, "alpha_2": -0.5}


def _log_integrand(key, lp, lq):
    """The integrand of the unbounded generators, from log p and log q (no ratio formed)."""
    if key == "kl":
        return 0.0 if lp == -math.inf else math.exp(lp) * (lp - lq)
    if key == "reverse_kl":
        return 0.0 if lq == -math.inf else math.exp(lq) * (lq - lp)
    if key == "jeffreys":
        if lp == lq:
            return 0.0
        return (math.exp(lp) - math.exp(lq)) * (lp - lq)
    return sum(c * math.exp(min(a * lp + (1.0 - a) * lq, 709.0))
               for c, a in _CHERNOFF_FORMS[key])


def quadrature_f_divergence(logpdf_p, logpdf_q, key, f, pieces, with_error=False):
    r""":math:`\int q f(p/q)\,dx` by adaptive quadrature over consecutive finite ``pieces``.

    Generators bounded by a multiple of p + q (TV, JS, GAN, Hellinger, Le Cam,
    alpha in (0, 1)) go through their perspective at :math:`(p e^{-m}, q e^{-m})`
    times :math:`e^m`, :math:`m = \max(\log p, \log q)` (degree-1 homogeneity: the
    smaller one underflows only where the zero convention is the limit).  KL,
    reverse KL, Jeffreys, Pearson, Neyman and alpha = 2 are integrated from the
    log densities (:math:`p(\log p - \log q)`, :math:`p^a q^{1-a}`), which neither
    overflow nor divide.  Raises ``RuntimeError`` when quadrature cannot certify
    about 1e-9 relative accuracy.
    """
    def bounded(x):
        lp, lq = float(logpdf_p(x)), float(logpdf_q(x))
        m = max(lp, lq)
        if m == -math.inf:
            return 0.0
        t = float(f_terms(namespace("numpy"), np.array(math.exp(lp - m)),
                          np.array(math.exp(lq - m)), f))
        return t * math.exp(m)

    if key in ("kl", "reverse_kl", "jeffreys") or key in _CHERNOFF_FORMS:
        def integrand(x):
            return _log_integrand(key, float(logpdf_p(x)), float(logpdf_q(x)))
        constant = _CHERNOFF_CONSTANT.get(key, 0.0)
    else:
        integrand, constant = bounded, 0.0
    total, error = 0.0, 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        for a, b in zip(pieces[:-1], pieces[1:]):
            val, err = integrate.quad(integrand, a, b, limit=500, epsabs=1e-13, epsrel=1e-11)
            total, error = total + val, error + err
    if with_error:
        return total + constant, error
    if error > 1e-9 * max(1.0, abs(total)) or not math.isfinite(total):
        raise RuntimeError(f"quadrature of {key} did not converge (value {total!r}, error "
                           f"estimate {error:.2g}); the divergence may be infinite")
    return total + constant


def log_magnitude(key, lp, lq):
    """An upper bound of log |integrand| at a point, for finding where the tails end."""
    if key in _CHERNOFF_FORMS:
        return max(a * lp + (1.0 - a) * lq for _, a in _CHERNOFF_FORMS[key])
    top = max(lp, lq)
    if key in ("kl", "reverse_kl", "jeffreys") and top > -math.inf:
        return top + math.log1p(abs(lp - lq)) if math.isfinite(lp - lq) else math.inf
    return top + math.log(2.0)       # bounded generators: |q f(p/q)| <= C (p + q)


def far_point(magnitude, start, step):
    """First point start + sum of doubling steps where log |integrand| < -745, or None."""
    x = start
    for _ in range(64):
        x = x + step
        if magnitude(x) < -745.0:
            return x
        step *= 2.0
    return None




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


def _key(f):
    if f.name == "alpha" and float(f.params["alpha"]) == 2.0:
        return "alpha_2"
    return f.name


def _numeric_form(d):
    """A member of a family with lighter tails and the same divergences (a bijection)."""
    if isinstance(d, InverseGamma):
        return Gamma(d.concentration, d.rate)
    if isinstance(d, LogNormal):
        return Normal(d.loc, d.scale)
    return d


def _quadrature(p, q, f):
    if type(p) is type(q):
        p, q = _numeric_form(p), _numeric_form(q)
    sp, sq = scipy_law(p), scipy_law(q)
    if isinstance(p, VonMises):
        lo, hi = _num(p.loc) - math.pi, _num(p.loc) + math.pi
        # the circle: evaluate q at the same angle, whatever its reference interval
        def lq_fn(x):
            return sq.logpdf((x - _num(q.loc) + math.pi) % (2 * math.pi) - math.pi
                             + _num(q.loc))
        lp_fn, marks = sp.logpdf, [float(_num(p.loc))]
    else:
        lo = min(sp.support()[0], sq.support()[0])
        hi = max(sp.support()[1], sq.support()[1])
        lp_fn, lq_fn = sp.logpdf, sq.logpdf
        marks = sorted({float(v) for law in (sp, sq) for v in law.ppf([1e-9, 0.01, 0.5, 0.99,
                                                                         1 - 1e-9])
                        if lo < v < hi} | {float(v) for v in (*sp.support(), *sq.support())
                                           if lo < v < hi})
    key = _key(f)

    def magnitude(x):
        return log_magnitude(key, float(lp_fn(x)), float(lq_fn(x)))

    if lo == -math.inf:
        lo = far_point(magnitude, marks[0], -1.0)
    if hi == math.inf:
        hi = far_point(magnitude, marks[-1], 1.0)
    if lo is None or hi is None:
        return math.inf, 0.0
    return quadrature_f_divergence(lambda x: float(lp_fn(x)), lambda x: float(lq_fn(x)), key,
                                   f, [float(lo)] + marks + [float(hi)], with_error=True)


def _discrete_sum(p, q, f):
    sp, sq = scipy_law(p), scipy_law(q)
    top = 16
    while max(sp.logsf(top), sq.logsf(top)) > math.log(1e-18) and top <= 10_000_000:
        top *= 2
    if top > 10_000_000:
        raise ValueError(f"the support to sum over is too long ({top} values)")
    k = np.arange(0, top + 1)
    pk, qk = sp.pmf(k), sq.pmf(k)
    value = float(np.sum(f_terms(namespace("numpy"), pk, qk, f)))
    tail = float(sp.sf(top) + sq.sf(top))
    slope = max(abs(float(f.f_at_zero)), abs(float(f.slope_at_infinity)), abs(float(f(1.0))))
    return value, (tail * slope if math.isfinite(slope) else math.inf), top


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
        value, err = _quadrature(p, q, f)
        method, details = "adaptive quadrature (scipy.integrate.quad)", {"error_bound": err}
    elif type(p) in _SCALAR_DISCRETE and type(q) in _SCALAR_DISCRETE:
        value, err, top = _discrete_sum(p, q, f)
        method = f"sum over the support 0..{top}"
        details = {"error_bound": err, "last_value": top}
    else:
        n = check_int("n_samples", n_samples, 2)
        value, err = _monte_carlo(p, q, f, n, numpy_rng(rng))
        method, details = f"Monte Carlo ({n} draws from q)", {"n_samples": n}
    return Estimate(value=value, stderr=err, ci=(value - z * err, value + z * err),
                    curve=None, critic=None, method=method, details=details,
                    confidence=confidence)
