r"""Discrete families.

Canonical forms: Binomial and Categorical map to :class:`Multinomial` (the law of
the vector of counts), Geometric to :class:`NegativeBinomial` with one failure.
Parameter names and conventions follow ``torch.distributions``: ``NegativeBinomial``
counts successes (probability ``probs``) before ``total_count`` failures, and
``Geometric`` counts failures before the first success.
"""

from __future__ import annotations

import math

import numpy as np

from .base import INF, Distribution, ExponentialFamily, check_count

__all__ = ["Poisson", "Binomial", "Multinomial", "Categorical", "Geometric",
           "NegativeBinomial"]


class Poisson(ExponentialFamily):
    r"""Poisson(``rate`` :math:`\lambda`): natural parameter :math:`\ln\lambda`,
    statistic x, :math:`A = e^\theta`.

    Examples
    --------
    >>> from divergences import families as fam
    >>> round(float(fam.kl_divergence(fam.Poisson(2.0), fam.Poisson(3.0))), 6)
    0.18907
    """

    _params = {"rate": 0}
    _positive = ("rate",)
    _natural_ndims = (0,)

    def natural(self):
        return (self.xp.log(self.rate),)

    def log_partition(self, theta):
        xp = self.xp
        return xp.exp(theta[0])

    def in_domain(self, theta):
        xp = self.xp
        return xp.isfinite(theta[0])

    def mean_statistic(self):
        return (self.rate,)

    def log_prob(self, x):
        xp = self.xp
        ok = (x >= 0) & (x == xp.floor(x))
        xs = xp.where(ok, x, 0.0)
        return xp.where(ok, xp.xlogy(xs, self.rate) - self.rate - xp.gammaln(xs + 1.0), -INF)

    def log_ratio_sup(self, other):
        r""":math:`\lambda_q - \lambda_p` (at x = 0) if :math:`\lambda_p \le \lambda_q`."""
        return self.xp.where(self.rate <= other.rate, other.rate - self.rate, INF)

    def discrete(self):
        return True

    def support(self):
        return 0.0, INF

    def expect(self, stat):
        if stat == "x":
            return self.rate
        return super().expect(stat)

    def log_density_terms(self):
        return -self.rate, [(self.xp.log(self.rate), "x"), (-1.0, "log_factorial")]


class NegativeBinomial(ExponentialFamily):
    r"""Successes before ``total_count`` r failures, success probability ``probs`` p:
    :math:`\binom{k+r-1}{k}p^k(1-p)^r`; natural parameter :math:`\ln p`,
    :math:`A = -r\ln(1 - e^\theta)`, domain :math:`\theta < 0`.

    Examples
    --------
    >>> from divergences import families as fam
    >>> p, q = fam.NegativeBinomial(3.0, 0.4), fam.NegativeBinomial(3.0, 0.5)
    >>> round(float(fam.kl_divergence(p, q)), 6)
    0.100678
    """

    _fixed = ("total_count",)
    _params = {"probs": 0}
    _natural_ndims = (0,)

    def _check_fixed(self, name, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 \
                or not math.isfinite(value):
            raise ValueError(f"total_count must be a positive number, got {value!r}")
        return float(value)

    def _validate(self):
        if self.xp.flag((self.probs <= 0) | (self.probs >= 1)):
            raise ValueError("probs must lie in (0, 1)")

    def natural(self):
        return (self.xp.log(self.probs),)

    def log_partition(self, theta):
        xp = self.xp
        return -self.total_count * xp.log(-xp.expm1(theta[0]))

    def in_domain(self, theta):
        xp = self.xp
        return theta[0] < 0

    def mean_statistic(self):
        return (self.total_count * self.probs / (1.0 - self.probs),)

    def log_prob(self, x):
        xp, r, p = self.xp, self.total_count, self.probs
        ok = (x >= 0) & (x == xp.floor(x))
        xs = xp.where(ok, x, 0.0)
        val = (xp.gammaln(xs + r) - xp.gammaln(xs + 1.0) - math.lgamma(r)
               + xp.xlogy(xs, p) + r * xp.log1p(-p))
        return xp.where(ok, val, -INF)

    def log_ratio_sup(self, other):
        xp = self.xp
        val = self.total_count * (xp.log1p(-self.probs) - xp.log1p(-other.probs))
        return xp.where(self.probs <= other.probs, val, INF)

    def discrete(self):
        return True


class Geometric(Distribution):
    r"""Failures before the first success, success probability ``probs`` p:
    :math:`(1-p)^k p` = NegativeBinomial(1, 1 - p).

    Examples
    --------
    >>> import math
    >>> from divergences import families as fam
    >>> d = fam.renyi_divergence(fam.Geometric(0.5), fam.Geometric(0.4), math.inf)
    >>> round(float(d), 12) == round(math.log(1.25), 12)        # at k = 0
    True
    """

    _params = {"probs": 0}

    def _validate(self):
        if self.xp.flag((self.probs <= 0) | (self.probs >= 1)):
            raise ValueError("probs must lie in (0, 1)")

    def canonical(self):
        return NegativeBinomial(1, 1.0 - self.probs)

    def log_prob(self, x):
        xp = self.xp
        ok = (x >= 0) & (x == xp.floor(x))
        xs = xp.where(ok, x, 0.0)
        return xp.where(ok, xs * xp.log1p(-self.probs) + xp.log(self.probs), -INF)

    def discrete(self):
        return True

    def support(self):
        return 0.0, INF

    def log_density_terms(self):
        return self.xp.log(self.probs), [(self.xp.log1p(-self.probs), "x")]


class Multinomial(ExponentialFamily):
    r"""Counts of ``total_count`` n draws over K categories with ``probs`` (..., K).

    The log-affinity is :math:`n\ln\sum_i p_i^a q_i^{1-a}` (multinomial theorem), with
    the conventions of :func:`divergences.f_divergence` for zero probabilities: a
    category that P gives mass and Q none makes the orders a >= 1 infinite.

    Examples
    --------
    >>> from divergences import families as fam
    >>> p, q = fam.Multinomial(4, [0.2, 0.3, 0.5]), fam.Multinomial(4, [0.4, 0.4, 0.2])
    >>> round(float(fam.kl_divergence(p, q)), 6)          # 4 times the categorical KL
    0.932845
    """

    _fixed = ("total_count",)
    _params = {"probs": 1}
    _natural_ndims = (1,)
    event_ndim = 1

    def _check_fixed(self, name, value):
        return check_count(name, value, 1)

    def _validate(self):
        xp, p = self.xp, self.probs
        if p.shape[-1] < 1:
            raise ValueError("probs needs at least one category")
        if xp.flag(p < 0):
            raise ValueError("probs must be non-negative")
        tol = math.sqrt(xp.finfo(p.dtype).eps)
        if xp.flag(xp.abs(xp.sum(p, axis=-1) - 1.0) > tol):
            raise ValueError(f"probs must sum to 1 along the last axis (tolerance {tol:.2g})")

    def log_affinity(self, other, a):
        xp, p, q = self.xp, self.probs, other.probs
        both = (p > 0) & (q > 0)
        lp = xp.log(xp.where(both, p, 1.0))
        lq = xp.log(xp.where(both, q, 1.0))
        terms = xp.where(both, a * lp + (1.0 - a) * lq, -INF)
        if a == 0.0:
            terms = xp.where(q > 0, xp.where(both, terms, 0.0 * lq), terms)
            terms = xp.where((q > 0) & (p == 0), -INF, terms)
        value = self.total_count * xp.logsumexp(terms, axis=-1)
        if a > 1.0:
            blow = xp.any((p > 0) & (q == 0), axis=-1)
        elif a < 0.0:
            blow = xp.any((q > 0) & (p == 0), axis=-1)
        else:
            return value
        return xp.where(blow, INF, value)

    def kl(self, other):
        xp, p, q = self.xp, self.probs, other.probs
        blow = xp.any((p > 0) & (q == 0), axis=-1)
        qs = xp.where((p > 0) & (q == 0), 1.0, q)
        return xp.where(blow, INF, self.total_count * xp.sum(xp.xlogy(p, p) - xp.xlogy(p, qs),
                                                            axis=-1))

    def log_ratio_sup(self, other):
        xp, p, q = self.xp, self.probs, other.probs
        blow = xp.any((p > 0) & (q == 0), axis=-1)
        both = (p > 0) & (q > 0)
        ratio = xp.where(both, xp.log(xp.where(both, p, 1.0)) - xp.log(xp.where(both, q, 1.0)),
                         -INF)
        return xp.where(blow, INF, self.total_count * xp.max(ratio, axis=-1))

    def discrete(self):
        return True


class Categorical(Distribution):
    """One draw over K categories with ``probs`` (..., K) = Multinomial(1, probs).

    Examples
    --------
    >>> import divergences as dv
    >>> from divergences import families as fam
    >>> p, q = [0.2, 0.3, 0.5], [0.4, 0.4, 0.2]
    >>> round(float(fam.kl_divergence(fam.Categorical(p), fam.Categorical(q))), 6)
    0.233211
    >>> round(float(dv.kl_divergence(p, q)), 6)
    0.233211
    """

    _params = {"probs": 1}
    event_ndim = 0

    def _validate(self):
        Multinomial(1, self.probs)

    def canonical(self):
        return Multinomial(1, self.probs)

    def discrete(self):
        return True


class Binomial(Distribution):
    r"""Successes in ``total_count`` n trials with ``probs`` p: the Multinomial of the
    counts (n - k, k).  Exact expectations by summing over the n + 1 values.

    Examples
    --------
    >>> from divergences import families as fam
    >>> # n times the KL of one trial: 10 (0.3 ln 0.6 + 0.7 ln 1.4)
    >>> round(float(fam.kl_divergence(fam.Binomial(10, 0.3), fam.Binomial(10, 0.5))), 6)
    0.822829
    """

    _fixed = ("total_count",)
    _params = {"probs": 0}

    def _validate(self):
        if self.xp.flag((self.probs < 0) | (self.probs > 1)):
            raise ValueError("probs must lie in [0, 1]")

    def canonical(self):
        p = self.probs
        return Multinomial(self.total_count, self.xp.stack([1.0 - p, p], axis=-1))

    def discrete(self):
        return True

    def support(self):
        return 0.0, float(self.total_count)

    def _pmf_table(self):
        xp, n, p = self.xp, self.total_count, self.probs
        k = np.arange(n + 1, dtype=np.float64)
        log_choose = np.array([math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1)
                               for j in range(n + 1)])
        kk = xp.asarray(k, dtype=p.dtype, device=xp.device(p))
        lc = xp.asarray(log_choose, dtype=p.dtype, device=xp.device(p))
        pmf = xp.exp(lc + xp.xlogy(kk, p[..., None]) + xp.xlogy(n - kk, 1.0 - p[..., None]))
        return kk, pmf

    def log_prob(self, x):
        xp, n, p = self.xp, self.total_count, self.probs
        ok = (x >= 0) & (x <= n) & (x == xp.floor(x))
        xs = xp.where(ok, x, 0.0)
        val = (math.lgamma(n + 1) - xp.gammaln(xs + 1.0) - xp.gammaln(n - xs + 1.0)
               + xp.xlogy(xs, p) + xp.xlogy(n - xs, 1.0 - p))
        return xp.where(ok, val, -INF)

    def expect(self, stat):
        xp = self.xp
        k, pmf = self._pmf_table()
        table = {"x": lambda v: v, "log_factorial": lambda v: xp.gammaln(v + 1.0)}
        if stat in table:
            return xp.sum(pmf * table[stat](k), axis=-1)
        if isinstance(stat, tuple) and stat[0] == "log_choose_plus":      # ln C(k+r-1, k)
            r = stat[1]
            return xp.sum(pmf * (xp.gammaln(k + r) - xp.gammaln(k + 1.0) - math.lgamma(r)),
                          axis=-1)
        return super().expect(stat)

    def entropy(self):
        k, pmf = self._pmf_table()
        return -self.xp.sum(self.xp.xlogy(pmf, pmf), axis=-1)


def _negative_binomial_terms(self):
    r, p = self.total_count, self.probs
    return r * self.xp.log1p(-p), [(self.xp.log(p), "x"), (1.0, ("log_choose_plus", r))]


NegativeBinomial.log_density_terms = _negative_binomial_terms
NegativeBinomial.support = lambda self: (0.0, INF)
