r"""Continuous families.

Parameter names follow ``torch.distributions`` (``loc``, ``scale``, ``rate``,
``concentration``, ``df``, ...).  Canonical forms (see :mod:`.base`): Exponential,
chi-squared and inverse Gamma map to :class:`Gamma`, Beta to :class:`Dirichlet`,
log-normal and :class:`Normal` to :class:`MultivariateNormal`.
"""

from __future__ import annotations

import math

from .base import INF, Distribution, ExponentialFamily

__all__ = ["Normal", "MultivariateNormal", "LogNormal", "Exponential", "Gamma",
           "InverseGamma", "ChiSquared", "Beta", "Dirichlet", "VonMises", "Wishart",
           "Laplace", "Uniform"]

_LOG_2PI = math.log(2.0 * math.pi)


def _inf_like(xp, a):
    return xp.full_like(a, INF)


class MultivariateNormal(Distribution):
    r""":math:`\mathcal N(\mu, \Sigma)` in dimension d; ``loc`` (..., d),
    ``covariance_matrix`` (..., d, d) positive definite.  Divergences between two of
    them are :func:`divergences.gaussian_f_divergence` and
    :func:`divergences.renyi_divergence_gaussian` (one copy of the Gaussian algebra).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import families as fam
    >>> p = fam.MultivariateNormal(np.zeros(2), np.eye(2))
    >>> q = fam.MultivariateNormal(np.ones(2), 2 * np.eye(2))
    >>> round(float(fam.kl_divergence(p, q)), 6)   # (2/2 + 2/2 - 2 + 2 ln 2) / 2
    0.693147
    """

    _params = {"loc": 1, "covariance_matrix": 2}
    event_ndim = 1

    def _validate(self):
        xp, s = self.xp, self.covariance_matrix
        if s.shape[-1] != s.shape[-2] or s.shape[-1] != self.loc.shape[-1]:
            raise ValueError(f"covariance_matrix must be (..., d, d) with d = "
                             f"{self.loc.shape[-1]}, got {tuple(s.shape)}")
        if xp.flag(~xp.cholesky(s)[1]):
            raise ValueError("covariance_matrix must be positive definite")

    def log_ratio_sup(self, other):
        r""":math:`D_\infty = \tfrac12\ln\frac{|\Sigma_q|}{|\Sigma_p|} + \tfrac12\Delta^\top
        (\Sigma_q - \Sigma_p)^{-1}\Delta` where :math:`\Sigma_q - \Sigma_p` is positive
        definite; :math:`\tfrac12\ln(|\Sigma_q|/|\Sigma_p|)` where it is zero and
        :math:`\Delta = 0`; :math:`+\infty` otherwise."""
        xp = self.xp
        gap = other.covariance_matrix - self.covariance_matrix
        lp, _ = xp.cholesky(self.covariance_matrix)
        lq, _ = xp.cholesky(other.covariance_matrix)
        logdet = 2.0 * (xp.sum(xp.log(xp.linalg.diagonal(lq)), axis=-1)
                        - xp.sum(xp.log(xp.linalg.diagonal(lp)), axis=-1))
        lg, ok = xp.cholesky(gap)
        eye = xp.eye_like(lq)
        okm = ok[..., None, None]
        if xp.maybe(~ok):
            lg, _ = xp.cholesky(xp.where(okm, gap, eye))
        lg = xp.where(okm, lg, eye)
        delta = self.loc - other.loc
        z = xp.solve_triangular(lg, delta[..., None])[..., 0]
        finite = 0.5 * logdet + 0.5 * xp.sum(z * z, axis=-1)
        same = xp.all(xp.abs(gap) == 0, axis=(-2, -1)) & xp.all(delta == 0, axis=-1)
        return xp.where(ok, finite, xp.where(same, 0.5 * logdet, INF))

    def entropy(self):
        d = self.loc.shape[-1]
        lower, _ = self.xp.cholesky(self.covariance_matrix)
        return 0.5 * d * (1.0 + _LOG_2PI) + self.xp.sum(
            self.xp.log(self.xp.linalg.diagonal(lower)), axis=-1)


class Normal(Distribution):
    r""":math:`\mathcal N(\mu, \sigma^2)`; ``loc``, ``scale`` > 0.

    Examples
    --------
    >>> from divergences import families as fam
    >>> float(fam.renyi_divergence(fam.Normal(0.0, 1.0), fam.Normal(2.0, 1.0), 0.5))
    1.0
    """

    _params = {"loc": 0, "scale": 0}
    _positive = ("scale",)

    def canonical(self):
        return MultivariateNormal(self.loc[..., None], (self.scale ** 2)[..., None, None])

    def support(self):
        return -INF, INF

    def log_prob(self, x):
        xp = self.xp
        return -0.5 * ((x - self.loc) / self.scale) ** 2 - xp.log(self.scale) - 0.5 * _LOG_2PI

    def entropy(self):
        return 0.5 * (1.0 + _LOG_2PI) + self.xp.log(self.scale)

    def expect(self, stat):
        xp, m, s = self.xp, self.loc, self.scale
        if stat == "x":
            return m
        if stat == "x2":
            return m * m + s * s
        if isinstance(stat, tuple) and stat[0] == "abs_dev":      # E|X - c|
            d = m - stat[1]
            return (s * math.sqrt(2.0 / math.pi) * xp.exp(-0.5 * (d / s) ** 2)
                    + d * (1.0 - 2.0 * xp.ndtr(-d / s)))
        return super().expect(stat)

    def log_density_terms(self):
        v = self.scale ** 2
        const = -0.5 * _LOG_2PI - self.xp.log(self.scale) - 0.5 * self.loc ** 2 / v
        return const, [(self.loc / v, "x"), (-0.5 / v, "x2")]


class LogNormal(Distribution):
    r"""Law of :math:`e^Y`, :math:`Y \sim \mathcal N(\mu, \sigma^2)`; ``loc``, ``scale``.

    Examples
    --------
    >>> from divergences import families as fam
    >>> float(fam.kl_divergence(fam.LogNormal(0.0, 1.0), fam.LogNormal(1.0, 1.0)))  # as Normal
    0.5
    """

    _params = {"loc": 0, "scale": 0}
    _positive = ("scale",)
    canonical_map = "log"

    def canonical(self):
        return Normal(self.loc, self.scale).canonical()

    def support(self):
        return 0.0, INF

    def log_prob(self, x):
        xp = self.xp
        pos = x > 0
        lx = xp.log(xp.where(pos, x, 1.0))
        val = (-0.5 * ((lx - self.loc) / self.scale) ** 2 - lx - xp.log(self.scale)
               - 0.5 * _LOG_2PI)
        return xp.where(pos, val, -INF)

    def entropy(self):
        return self.loc + 0.5 * (1.0 + _LOG_2PI) + self.xp.log(self.scale)

    def expect(self, stat):
        xp, m, s = self.xp, self.loc, self.scale
        table = {"x": lambda: xp.exp(m + 0.5 * s * s),
                 "x2": lambda: xp.exp(2.0 * m + 2.0 * s * s),
                 "log_x": lambda: m, "log_x2": lambda: m * m + s * s,
                 "inv_x": lambda: xp.exp(-m + 0.5 * s * s)}
        return table[stat]() if stat in table else super().expect(stat)

    def log_density_terms(self):
        v = self.scale ** 2
        const = -0.5 * _LOG_2PI - self.xp.log(self.scale) - 0.5 * self.loc ** 2 / v
        return const, [(self.loc / v - 1.0, "log_x"), (-0.5 / v, "log_x2")]


class Gamma(ExponentialFamily):
    r"""Gamma(``concentration`` k, ``rate`` r): density :math:`r^k x^{k-1} e^{-rx}/\Gamma(k)`.

    Natural parameters :math:`(k - 1, -r)`, statistics :math:`(\log x, x)`,
    :math:`A = \ln\Gamma(k) - k\ln r`.

    Examples
    --------
    >>> from divergences import families as fam
    >>> round(float(fam.kl_divergence(fam.Gamma(2.0, 1.0), fam.Gamma(3.0, 1.5))), 6)
    0.053968
    """

    _params = {"concentration": 0, "rate": 0}
    _positive = ("concentration", "rate")
    _natural_ndims = (0, 0)

    def natural(self):
        return self.concentration - 1.0, -self.rate

    def log_partition(self, theta):
        xp = self.xp
        k, r = theta[0] + 1.0, -theta[1]
        return xp.gammaln(k) - k * xp.log(r)

    def in_domain(self, theta):
        xp = self.xp
        return (theta[0] > -1.0) & (theta[1] < 0.0)

    def mean_statistic(self):
        k, r = self.concentration, self.rate
        return self.xp.digamma(k) - self.xp.log(r), k / r

    def log_affinity(self, other, a):
        r""":math:`\ell_a` in the (shape, rate) parametrisation: the mixed natural parameter
        is :math:`(k_a - 1, -r_a)` with :math:`k_a = a k_p + (1-a) k_q`,
        :math:`r_a = a r_p + (1-a) r_q`; working with :math:`k_a` itself keeps tiny shapes
        exact (:math:`(k - 1) + 1` rounds to 0 for :math:`k < 10^{-16}`)."""
        xp = self.xp
        kp, rp, kq, rq = self.concentration, self.rate, other.concentration, other.rate
        ka, ra = a * kp + (1.0 - a) * kq, a * rp + (1.0 - a) * rq

        def part(k, r):
            return xp.gammaln(k) - k * xp.log(r)
        if 0.0 <= a <= 1.0:
            return part(ka, ra) - a * part(kp, rp) - (1.0 - a) * part(kq, rq)
        ok = (ka > 0) & (ra > 0)
        val = part(xp.where(ok, ka, kp), xp.where(ok, ra, rp)) - a * part(kp, rp) - \
            (1.0 - a) * part(kq, rq)
        return xp.where(ok, val, INF)

    def kl(self, other):
        r"""The Bregman divergence of A written out (four transcendental calls):
        :math:`(k_p - k_q)\psi(k_p) - \ln\Gamma(k_p) + \ln\Gamma(k_q)
        + k_q\ln(r_p/r_q) + k_p(r_q - r_p)/r_p`."""
        xp = self.xp
        kp, rp, kq, rq = self.concentration, self.rate, other.concentration, other.rate
        return ((kp - kq) * xp.digamma(kp) - xp.gammaln(kp) + xp.gammaln(kq)
                + kq * (xp.log(rp) - xp.log(rq)) + kp * (rq / rp - 1.0))

    def log_ratio_sup(self, other):
        r"""Sup of :math:`(k_p - k_q)\ln x - (r_p - r_q)x + c`, finite when
        :math:`k_p > k_q, r_p > r_q` or :math:`k_p = k_q, r_p \ge r_q`."""
        xp = self.xp
        dk, dr = self.concentration - other.concentration, self.rate - other.rate
        c = (self.concentration * xp.log(self.rate) - xp.gammaln(self.concentration)
             - other.concentration * xp.log(other.rate) + xp.gammaln(other.concentration))
        inner_pt = (dk > 0) & (dr > 0)
        safe_k, safe_r = xp.where(inner_pt, dk, 1.0), xp.where(inner_pt, dr, 1.0)
        at_max = safe_k * (xp.log(safe_k / safe_r) - 1.0) + c
        at_zero = (dk == 0) & (dr >= 0)
        return xp.where(inner_pt, at_max, xp.where(at_zero, c, INF))

    def support(self):
        return 0.0, INF

    def log_prob(self, x):
        xp, k, r = self.xp, self.concentration, self.rate
        pos = x > 0
        xs = xp.where(pos, x, 1.0)
        val = k * xp.log(r) + (k - 1.0) * xp.log(xs) - r * xs - xp.gammaln(k)
        return xp.where(pos, val, -INF)

    def entropy(self):
        xp, k, r = self.xp, self.concentration, self.rate
        return k - xp.log(r) + xp.gammaln(k) + (1.0 - k) * xp.digamma(k)

    def expect(self, stat):
        xp, k, r = self.xp, self.concentration, self.rate
        if stat == "x":
            return k / r
        if stat == "x2":
            return k * (k + 1.0) / (r * r)
        if stat == "log_x":
            return xp.digamma(k) - xp.log(r)
        if stat == "log_x2":
            return xp.trigamma(k) + (xp.digamma(k) - xp.log(r)) ** 2
        if stat == "inv_x":
            big = k > 1.0
            return xp.where(big, r / xp.where(big, k - 1.0, 1.0), INF)
        return super().expect(stat)

    def log_density_terms(self):
        k, r = self.concentration, self.rate
        return k * self.xp.log(r) - self.xp.gammaln(k), [(k - 1.0, "log_x"), (-r, "x")]


class Exponential(Distribution):
    r"""Exponential(``rate``) = Gamma(1, rate).

    Examples
    --------
    >>> from divergences import families as fam
    >>> round(float(fam.kl_divergence(fam.Exponential(1.0), fam.Exponential(2.0))), 6)  # 1 - ln 2
    0.306853
    """

    _params = {"rate": 0}
    _positive = ("rate",)

    def canonical(self):
        return Gamma(self.xp.ones_like(self.rate), self.rate)

    def support(self):
        return 0.0, INF

    def log_prob(self, x):
        return self.canonical().log_prob(x)

    def entropy(self):
        return 1.0 - self.xp.log(self.rate)

    def expect(self, stat):
        if isinstance(stat, tuple) and stat[0] == "abs_dev":       # E|X - c|
            xp, r, c = self.xp, self.rate, stat[1]
            pos = c > 0
            cs = xp.where(pos, c, 0.0)
            return xp.where(pos, c - 1.0 / r + 2.0 * xp.exp(-r * cs) / r, 1.0 / r - c)
        return self.canonical().expect(stat)

    def log_density_terms(self):
        return self.xp.log(self.rate), [(-self.rate, "x")]


class ChiSquared(Distribution):
    r"""Chi-squared with ``df`` degrees of freedom = Gamma(df / 2, 1 / 2).

    Examples
    --------
    >>> from divergences import families as fam
    >>> float(fam.kl_divergence(fam.ChiSquared(3.0), fam.Gamma(1.5, 0.5)))   # the same law
    0.0
    """

    _params = {"df": 0}
    _positive = ("df",)

    def canonical(self):
        return Gamma(0.5 * self.df, 0.5 * self.xp.ones_like(self.df))

    def support(self):
        return 0.0, INF

    def log_prob(self, x):
        return self.canonical().log_prob(x)

    def entropy(self):
        return self.canonical().entropy()

    def expect(self, stat):
        return self.canonical().expect(stat)

    def log_density_terms(self):
        return self.canonical().log_density_terms()


class InverseGamma(Distribution):
    r"""Law of :math:`1/Y`, :math:`Y \sim` Gamma(``concentration`` a, ``rate`` b): density
    :math:`b^a x^{-a-1} e^{-b/x}/\Gamma(a)` (``rate`` is the scale of the inverse).

    Examples
    --------
    >>> from divergences import families as fam
    >>> round(float(fam.kl_divergence(fam.InverseGamma(2.0, 1.0), fam.InverseGamma(3.0, 1.5))), 6)
    0.053968
    """

    _params = {"concentration": 0, "rate": 0}
    _positive = ("concentration", "rate")
    canonical_map = "reciprocal"

    def canonical(self):
        return Gamma(self.concentration, self.rate)

    def support(self):
        return 0.0, INF

    def log_prob(self, x):
        xp, a, b = self.xp, self.concentration, self.rate
        pos = x > 0
        xs = xp.where(pos, x, 1.0)
        val = a * xp.log(b) - (a + 1.0) * xp.log(xs) - b / xs - xp.gammaln(a)
        return xp.where(pos, val, -INF)

    def entropy(self):
        xp, a, b = self.xp, self.concentration, self.rate
        return a + xp.log(b) + xp.gammaln(a) - (1.0 + a) * xp.digamma(a)

    def expect(self, stat):
        xp, a, b = self.xp, self.concentration, self.rate
        g = Gamma(a, b)
        if stat == "x":
            return g.expect("inv_x")
        if stat == "x2":
            big = a > 2.0
            sa = xp.where(big, a, 3.0)
            return xp.where(big, b * b / ((sa - 1.0) * (sa - 2.0)), INF)
        if stat == "log_x":
            return -g.expect("log_x")
        if stat == "log_x2":
            return g.expect("log_x2")
        if stat == "inv_x":
            return a / b
        return super().expect(stat)

    def log_density_terms(self):
        a, b = self.concentration, self.rate
        return a * self.xp.log(b) - self.xp.gammaln(a), [(-a - 1.0, "log_x"), (-b, "inv_x")]


class Dirichlet(ExponentialFamily):
    r"""Dirichlet(``concentration`` (..., K)) on the simplex, K >= 2.

    Natural parameters :math:`\alpha - 1`, statistics :math:`\log x_i`,
    :math:`A = \sum\ln\Gamma(\alpha_i) - \ln\Gamma(\sum\alpha_i)`.

    Examples
    --------
    >>> from divergences import families as fam
    >>> p, q = fam.Dirichlet([2.0, 3.0, 4.0]), fam.Dirichlet([3.0, 3.0, 3.0])
    >>> round(float(fam.f_divergence(p, q, "squared_hellinger")), 6)
    0.196414
    """

    _params = {"concentration": 1}
    _positive = ("concentration",)
    _natural_ndims = (1,)
    event_ndim = 1

    def _validate(self):
        if self.concentration.shape[-1] < 2:
            raise ValueError("concentration needs at least 2 entries on its last axis")

    def natural(self):
        return (self.concentration - 1.0,)

    def log_partition(self, theta):
        xp = self.xp
        a = theta[0] + 1.0
        return xp.sum(xp.gammaln(a), axis=-1) - xp.gammaln(xp.sum(a, axis=-1))

    def in_domain(self, theta):
        xp = self.xp
        return xp.all(theta[0] > -1.0, axis=-1)

    def mean_statistic(self):
        a = self.concentration
        return (self.xp.digamma(a) - self.xp.digamma(self.xp.sum(a, axis=-1))[..., None],)

    def kl(self, other):
        r""":math:`\ln\Gamma(A) - \sum\ln\Gamma(a_i) - \ln\Gamma(B) + \sum\ln\Gamma(b_i)
        + \sum(a_i - b_i)(\psi(a_i) - \psi(A))`, :math:`A = \sum a_i`, :math:`B = \sum b_i`:
        the Bregman form without the natural parameters' :math:`a - 1`."""
        xp = self.xp
        a, b = self.concentration, other.concentration
        sa, sb = xp.sum(a, axis=-1), xp.sum(b, axis=-1)
        return (xp.gammaln(sa) - xp.sum(xp.gammaln(a), axis=-1) - xp.gammaln(sb)
                + xp.sum(xp.gammaln(b), axis=-1)
                + xp.sum((a - b) * (xp.digamma(a) - xp.digamma(sa)[..., None]), axis=-1))

    def log_affinity(self, other, a):
        """:math:`\\ell_a` with the mixed concentrations themselves (as :meth:`Gamma.log_affinity`)."""
        xp = self.xp
        cp, cq = self.concentration, other.concentration
        ca = a * cp + (1.0 - a) * cq

        def part(c):
            return xp.sum(xp.gammaln(c), axis=-1) - xp.gammaln(xp.sum(c, axis=-1))
        if 0.0 <= a <= 1.0:
            return part(ca) - a * part(cp) - (1.0 - a) * part(cq)
        ok = xp.all(ca > 0, axis=-1)
        val = part(xp.where(ok[..., None], ca, cp)) - a * part(cp) - (1.0 - a) * part(cq)
        return xp.where(ok, val, INF)

    def log_ratio_sup(self, other):
        r"""Sup over the simplex of :math:`\sum d_i\ln x_i + c`, :math:`d = \alpha_p -
        \alpha_q`: finite iff every :math:`d_i \ge 0`, then :math:`\sum d_i\ln(d_i/\sum d)
        + c`."""
        xp = self.xp
        d = self.concentration - other.concentration
        ok = xp.all(d >= 0, axis=-1)
        ds = xp.where(ok[..., None], d, 1.0)
        total = xp.sum(ds, axis=-1)
        safe_total = xp.where(total > 0, total, 1.0)
        peak = xp.sum(xp.xlogy(ds, ds / safe_total[..., None]), axis=-1)
        c = (self.log_partition(other.natural()) - self.log_partition(self.natural()))
        return xp.where(ok, peak + c, INF)


class Beta(Distribution):
    r"""Beta(``concentration1`` a, ``concentration0`` b) on (0, 1); its canonical form is
    the Dirichlet of :math:`(x, 1 - x)` with concentrations (a, b).

    Examples
    --------
    >>> from divergences import families as fam
    >>> round(float(fam.kl_divergence(fam.Beta(1.0, 1.0), fam.Beta(2.0, 2.0))), 6)  # 2 - ln 6
    0.208241
    """

    _params = {"concentration1": 0, "concentration0": 0}
    _positive = ("concentration1", "concentration0")

    def canonical(self):
        a, b = self.xp.broadcast_arrays(self.concentration1, self.concentration0)
        return Dirichlet(self.xp.stack([a, b], axis=-1))

    def support(self):
        return 0.0, 1.0

    def log_prob(self, x):
        xp, a, b = self.xp, self.concentration1, self.concentration0
        inside = (x > 0) & (x < 1)
        xs = xp.where(inside, x, 0.5)
        val = ((a - 1.0) * xp.log(xs) + (b - 1.0) * xp.log1p(-xs) - xp.gammaln(a)
               - xp.gammaln(b) + xp.gammaln(a + b))
        return xp.where(inside, val, -INF)

    def entropy(self):
        xp, a, b = self.xp, self.concentration1, self.concentration0
        lbeta = xp.gammaln(a) + xp.gammaln(b) - xp.gammaln(a + b)
        return (lbeta - (a - 1.0) * xp.digamma(a) - (b - 1.0) * xp.digamma(b)
                + (a + b - 2.0) * xp.digamma(a + b))

    def expect(self, stat):
        xp, a, b = self.xp, self.concentration1, self.concentration0
        ab = a + b
        table = {
            "x": lambda: a / ab, "x2": lambda: a * (a + 1.0) / (ab * (ab + 1.0)),
            "log_x": lambda: xp.digamma(a) - xp.digamma(ab),
            "log1m_x": lambda: xp.digamma(b) - xp.digamma(ab),
            "log_x2": lambda: (xp.trigamma(a) - xp.trigamma(ab)
                               + (xp.digamma(a) - xp.digamma(ab)) ** 2),
            "inv_x": lambda: xp.where(a > 1.0, (ab - 1.0) / xp.where(a > 1.0, a - 1.0, 1.0),
                                      INF),
        }
        return table[stat]() if stat in table else super().expect(stat)

    def log_density_terms(self):
        xp, a, b = self.xp, self.concentration1, self.concentration0
        lbeta = xp.gammaln(a) + xp.gammaln(b) - xp.gammaln(a + b)
        return -lbeta, [(a - 1.0, "log_x"), (b - 1.0, "log1m_x")]


class VonMises(ExponentialFamily):
    r"""von Mises(``loc`` :math:`\mu`, ``concentration`` :math:`\kappa`) on the circle.

    Natural parameters :math:`\kappa(\cos\mu, \sin\mu)`, statistics
    :math:`(\cos x, \sin x)`, :math:`A(\theta) = \ln(2\pi I_0(\|\theta\|))`; the natural
    parameter space is the whole plane, so every order of the log-affinity is finite.

    Examples
    --------
    >>> from divergences import families as fam
    >>> round(float(fam.renyi_divergence(fam.VonMises(0.0, 1.0), fam.VonMises(1.0, 2.5), 2.0)), 6)
    1.686822
    """

    _params = {"loc": 0, "concentration": 0}
    _positive = ("concentration",)
    _natural_ndims = (0, 0)

    def natural(self):
        k = self.concentration
        return k * self.xp.cos(self.loc), k * self.xp.sin(self.loc)

    def log_partition(self, theta):
        xp = self.xp
        # |theta| without squaring (no overflow for huge concentrations); its gradient is
        # patched at theta = 0, where A is smooth but the norm is not differentiable
        sq = theta[0] ** 2 + theta[1] ** 2
        pos = sq > 0
        safe0, safe1 = xp.where(pos, theta[0], 1.0), xp.where(pos, theta[1], 0.0)
        r = xp.where(pos, xp.hypot(safe0, safe1), 0.0)
        return _LOG_2PI + xp.log(xp.i0e(r)) + r

    def in_domain(self, theta):
        xp = self.xp
        return xp.isfinite(theta[0])

    def mean_statistic(self):
        ratio = self.xp.i1e(self.concentration) / self.xp.i0e(self.concentration)
        return ratio * self.xp.cos(self.loc), ratio * self.xp.sin(self.loc)

    def log_prob(self, x):
        """Log density at angle ``x`` (any real number: the density is periodic)."""
        xp, k = self.xp, self.concentration
        return k * xp.cos(x - self.loc) - _LOG_2PI - xp.log(xp.i0e(k)) - k

    def log_ratio_sup(self, other):
        r""":math:`\|\theta_p - \theta_q\| + A(\theta_q) - A(\theta_p)`."""
        xp = self.xp
        tp, tq = self.natural(), other.natural()
        sq = (tp[0] - tq[0]) ** 2 + (tp[1] - tq[1]) ** 2
        pos = sq > 0
        dist = xp.where(pos, xp.sqrt(xp.where(pos, sq, 1.0)), 0.0)
        return dist + self.log_partition(tq) - self.log_partition(tp)


class Wishart(ExponentialFamily):
    r"""Wishart(``df`` n > p - 1, ``covariance_matrix`` V (..., p, p)) on p x p positive
    definite matrices.

    Natural parameters :math:`(-\tfrac12 V^{-1}, (n - p - 1)/2)`, statistics
    :math:`(X, \ln|X|)`, :math:`A = \tfrac n2\ln|V| + \tfrac{np}2\ln 2 + \ln\Gamma_p(n/2)`.

    Examples
    --------
    >>> from divergences import families as fam
    >>> w = fam.kl_divergence(fam.Wishart(5.0, [[1.5]]), fam.Wishart(3.0, [[0.8]]))
    >>> g = fam.kl_divergence(fam.Gamma(2.5, 1 / 3.0), fam.Gamma(1.5, 1 / 1.6))  # p = 1
    >>> round(float(w), 10) == round(float(g), 10)
    True
    """

    _params = {"df": 0, "covariance_matrix": 2}
    _positive = ("df",)
    _natural_ndims = (2, 0)
    event_ndim = 2

    def _validate(self):
        xp, v = self.xp, self.covariance_matrix
        p = v.shape[-1]
        if v.shape[-2] != p:
            raise ValueError(f"covariance_matrix must be square, got {tuple(v.shape)}")
        if xp.flag(~xp.cholesky(v)[1]):
            raise ValueError("covariance_matrix must be positive definite")
        if xp.flag(self.df <= p - 1):
            raise ValueError(f"df must exceed p - 1 = {p - 1}")

    def natural(self):
        xp, v = self.xp, self.covariance_matrix
        p = v.shape[-1]
        return -0.5 * xp.linalg.inv(v), 0.5 * (self.df - p - 1.0)

    @staticmethod
    def _dim(theta):
        return theta[0].shape[-1]

    def log_partition(self, theta):
        xp = self.xp
        p = theta[0].shape[-1]
        lower, _ = xp.cholesky(-2.0 * theta[0])            # V^{-1}
        logdet_vinv = 2.0 * xp.sum(xp.log(xp.linalg.diagonal(lower)), axis=-1)
        half_n = theta[1] + 0.5 * (p + 1.0)
        mvlgamma = 0.25 * p * (p - 1) * math.log(math.pi) + sum(
            xp.gammaln(half_n - 0.5 * j) for j in range(p))
        return -half_n * logdet_vinv + half_n * p * math.log(2.0) + mvlgamma

    def in_domain(self, theta):
        xp = self.xp
        p = theta[0].shape[-1]
        return xp.cholesky(-theta[0])[1] & (theta[1] > -1.0 + 0.0 * p)

    def mean_statistic(self):
        xp, v, n = self.xp, self.covariance_matrix, self.df
        p = v.shape[-1]
        lower, _ = xp.cholesky(v)
        logdet = 2.0 * xp.sum(xp.log(xp.linalg.diagonal(lower)), axis=-1)
        elog = sum(xp.digamma(0.5 * (n - j)) for j in range(p)) + p * math.log(2.0) + logdet
        return n[..., None, None] * v, elog


class Laplace(Distribution):
    r"""Laplace(``loc`` :math:`\mu`, ``scale`` b): density :math:`e^{-|x-\mu|/b}/(2b)`.

    Not an exponential family when the locations differ: the log-affinity is the
    integral of the exponential of a piecewise-linear function, in closed form.

    Examples
    --------
    >>> from divergences import families as fam
    >>> round(float(fam.kl_divergence(fam.Laplace(0.0, 1.0), fam.Laplace(1.0, 1.5))), 6)
    0.317385
    """

    _params = {"loc": 0, "scale": 0}
    _positive = ("scale",)

    def support(self):
        return -INF, INF

    def log_prob(self, x):
        return -self.xp.abs(x - self.loc) / self.scale - self.xp.log(2.0 * self.scale)

    def entropy(self):
        return 1.0 + self.xp.log(2.0 * self.scale)

    def expect(self, stat):
        xp, m, b = self.xp, self.loc, self.scale
        if stat == "x":
            return m
        if stat == "x2":
            return m * m + 2.0 * b * b
        if isinstance(stat, tuple) and stat[0] == "abs_dev":
            d = xp.abs(m - stat[1])
            return d + b * xp.exp(-d / b)
        return super().expect(stat)

    def log_density_terms(self):
        return -self.xp.log(2.0 * self.scale), [(-1.0 / self.scale, ("abs_dev", self.loc))]

    def log_affinity(self, other, a):
        r""":math:`\ln\int p^a q^{1-a}`: three exponential pieces between the locations."""
        xp = self.xp
        mp, bp, mq, bq = self.loc, self.scale, other.loc, other.scale
        lo, hi = xp.minimum(mp, mq), xp.maximum(mp, mq)
        width = hi - lo
        const = -a * xp.log(2.0 * bp) - (1.0 - a) * xp.log(2.0 * bq)

        def g(x):
            return const - a * xp.abs(x - mp) / bp - (1.0 - a) * xp.abs(x - mq) / bq

        tails = a / bp + (1.0 - a) / bq                   # decay rate of both tails
        ok = tails > 0
        log_tails = -xp.log(xp.where(ok, tails, 1.0))
        slope = xp.where(mp <= mq, -a / bp + (1.0 - a) / bq, a / bp - (1.0 - a) / bq)
        t = slope * width
        small = xp.abs(t) < 1e-8
        tp_ = xp.where(small | (t < 0), 1.0, t)
        tn_ = xp.where(small | (t > 0), -1.0, t)
        # log of (e^t - 1)/t, stable for both signs
        log_rel = xp.where(small, 0.5 * t,
                           xp.where(t > 0, tp_ + xp.log(-xp.expm1(-tp_)) - xp.log(tp_),
                                    xp.log(xp.expm1(tn_) / tn_)))
        has_mid = width > 0
        log_mid = xp.where(has_mid, g(lo) + xp.log(xp.where(has_mid, width, 1.0)) + log_rel,
                           -INF)
        stacked = xp.stack(xp.broadcast_arrays(g(lo) + log_tails, g(hi) + log_tails, log_mid),
                           axis=-1)
        return xp.where(ok, xp.logsumexp(stacked, axis=-1), INF)

    def kl(self, other):
        r""":math:`\ln(b_q/b_p) + \Delta/b_q + (b_p/b_q)e^{-\Delta/b_p} - 1`."""
        xp = self.xp
        d = xp.abs(self.loc - other.loc)
        log_r = xp.log(self.scale) - xp.log(other.scale)      # no underflow of the ratio
        return -log_r + d / other.scale + xp.exp(log_r - d / self.scale) - 1.0

    def log_ratio_sup(self, other):
        r""":math:`\ln(b_q/b_p) + \Delta/b_q` if :math:`b_p \le b_q`, else :math:`+\infty`."""
        xp = self.xp
        d = xp.abs(self.loc - other.loc)
        val = xp.log(other.scale / self.scale) + d / other.scale
        return xp.where(self.scale <= other.scale, val, INF)


class Uniform(Distribution):
    r"""Uniform(``low``, ``high``) on an interval, ``low < high``.

    Examples
    --------
    >>> from divergences import families as fam
    >>> p, q = fam.Uniform(0.0, 1.0), fam.Uniform(0.0, 2.0)
    >>> round(float(fam.kl_divergence(p, q)), 6), float(fam.kl_divergence(q, p))
    (0.693147, inf)
    """

    _params = {"low": 0, "high": 0}

    def _validate(self):
        if self.xp.flag(self.high <= self.low):
            raise ValueError("high must exceed low")

    def support(self):
        return self.low, self.high

    def log_prob(self, x):
        xp = self.xp
        inside = (x >= self.low) & (x <= self.high)
        return xp.where(inside, -xp.log(self.high - self.low), -INF)

    def entropy(self):
        return self.xp.log(self.high - self.low)

    def expect(self, stat):
        xp, a, b = self.xp, self.low, self.high
        width = b - a
        if stat == "x":
            return 0.5 * (a + b)
        if stat == "x2":
            return (a * a + a * b + b * b) / 3.0
        if isinstance(stat, tuple) and stat[0] == "abs_dev":
            c = xp.minimum(xp.maximum(stat[1], a), b)
            outside = xp.abs(0.5 * (a + b) - stat[1])
            inside = ((c - a) ** 2 + (b - c) ** 2) / (2.0 * width)
            return xp.where((stat[1] >= a) & (stat[1] <= b), inside, outside)
        if stat in ("log_x", "log1m_x", "log_x2", "inv_x"):
            return self._log_moment(stat)
        return super().expect(stat)

    def _log_moment(self, stat):
        xp, a, b = self.xp, self.low, self.high
        if stat == "log1m_x":
            return Uniform(1.0 - b, 1.0 - a)._log_moment("log_x")
        ok = a >= 0 if stat != "inv_x" else a > 0
        sa, sb = xp.where(ok, a, 1.0), xp.where(ok, b, 2.0)

        def anti(x):                                   # antiderivatives, 0 log 0 = 0
            lx = xp.log(xp.where(x > 0, x, 1.0))
            if stat == "log_x":
                return xp.xlogy(x, x) - x
            if stat == "log_x2":
                return x * lx * lx - 2.0 * (xp.xlogy(x, x) - x)
            return lx
        val = (anti(sb) - anti(sa)) / (sb - sa)
        return xp.where(ok, val, 0.0 if stat != "inv_x" else INF)   # 0: support checked

    def log_density_terms(self):
        return -self.xp.log(self.high - self.low), []

    def log_affinity(self, other, a):
        r"""Orders in [0, 1]: :math:`\ln|I| - a\ln L_p - (1-a)\ln L_q` (I the overlap);
        above 1 (below 0) finite only where the support of P (Q) lies in the other's."""
        xp = self.xp
        lp, lq = self.high - self.low, other.high - other.low
        overlap = xp.maximum(xp.minimum(self.high, other.high) - xp.maximum(self.low,
                                                                           other.low), 0.0)
        log_i = xp.log(xp.where(overlap > 0, overlap, 1.0))
        inside = xp.where(overlap > 0, log_i - a * xp.log(lp) - (1.0 - a) * xp.log(lq), -INF)
        if 0.0 <= a <= 1.0:
            return inside
        if a > 1.0:
            contained = (other.low <= self.low) & (self.high <= other.high)
        else:
            contained = (self.low <= other.low) & (other.high <= self.high)
        return xp.where(contained, inside, INF)

    def kl(self, other):
        xp = self.xp
        contained = (other.low <= self.low) & (self.high <= other.high)
        return xp.where(contained, xp.log((other.high - other.low) / (self.high - self.low)),
                        INF)

    def log_ratio_sup(self, other):
        return self.kl(other)

