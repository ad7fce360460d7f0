r"""Closed-form divergences between (multivariate) Gaussians.

Notation: :math:`P = \mathcal N(\mu_0, \Sigma_0)`, :math:`Q = \mathcal N(\mu_1,
\Sigma_1)` in dimension d, :math:`\Delta = \mu_0 - \mu_1`.  Everything goes
through two quantities computed with Cholesky factors:

* :math:`\mathrm{KL}(P\|Q) = \tfrac12[\operatorname{tr}(\Sigma_1^{-1}\Sigma_0)
  + \Delta^\top\Sigma_1^{-1}\Delta - d + \ln(|\Sigma_1|/|\Sigma_0|)]`;
* the log-affinity :math:`\ell_\alpha = \ln\int p^\alpha q^{1-\alpha}
  = -\tfrac{\alpha(1-\alpha)}{2}\Delta^\top\Sigma_\alpha^{-1}\Delta
  - \tfrac12\ln\frac{|\Sigma_\alpha|}{|\Sigma_0|^{1-\alpha}|\Sigma_1|^{\alpha}}`
  with :math:`\Sigma_\alpha = \alpha\Sigma_1 + (1-\alpha)\Sigma_0`, and
  :math:`\ell_\alpha = +\infty` when :math:`\Sigma_\alpha` is not positive
  definite (possible only for :math:`\alpha \notin [0, 1]`).

From these: Rényi :math:`D_\alpha = \ell_\alpha/(\alpha - 1)`; the alpha-
divergence :math:`(e^{\ell_\alpha} - 1)/(\alpha(\alpha-1))`; Pearson
:math:`\chi^2(P\|Q) = e^{\ell_2} - 1`; Neyman :math:`\chi^2(Q\|P) = e^{\ell_{-1}} - 1`;
squared Hellinger :math:`2(1 - e^{\ell_{1/2}})`.
"""

from __future__ import annotations

import math

import numpy as np

from .._backend.deprecation import renamed_keywords
from .._backend.array import as_float_arrays, check_finite, is_torch
from .._backend.checks import is_real
from .ffunctions import get_f

__all__ = [
    "gaussian_f_divergence",
    "renyi_divergence_gaussian",
    "gaussian_mutual_information",
]


# ---------------------------------------------------------------------------
# parameter handling
# ---------------------------------------------------------------------------


def _from_distribution(dist, name):
    """(mean, cov) of a torch Normal / MultivariateNormal."""
    import torch.distributions as D

    if isinstance(dist, D.Normal):
        return dist.loc.unsqueeze(-1), (dist.scale ** 2).unsqueeze(-1).unsqueeze(-1)
    if isinstance(dist, D.MultivariateNormal):
        return dist.loc, dist.covariance_matrix
    raise TypeError(
        f"{name} must be a torch.distributions.Normal or MultivariateNormal, "
        f"got {type(dist).__name__}"
    )


def _is_distribution(x):
    if not is_torch(x) and type(x).__module__.startswith("torch.distributions"):
        return True
    try:
        import torch.distributions as D
    except ImportError:  # pragma: no cover
        return False
    return isinstance(x, D.Distribution)


def _prepare(mean_p, cov_p, mean_q, cov_q):
    """Convert and validate; returns xp, m0, S0, m1, S1 with shapes (..., d), (..., d, d)."""
    xp, (m0, s0, m1, s1) = as_float_arrays(
        mean_p=mean_p, cov_p=cov_p, mean_q=mean_q, cov_q=cov_q)
    out = []
    for mname, cname, m, s in (("mean_p", "cov_p", m0, s0), ("mean_q", "cov_q", m1, s1)):
        for name, a in ((mname, m), (cname, s)):
            if xp.finfo(a.dtype).bits < 32:
                raise TypeError(f"{name} has dtype {a.dtype}: the Gaussian closed forms need "
                                f"float32 or float64 (numpy and torch have no half-precision "
                                f"matrix factorisations); convert it first")
        check_finite(xp, mname, m)
        check_finite(xp, cname, s)
        if m.ndim == 0:
            m = m.reshape((1,))
        if s.ndim == m.ndim and tuple(s.shape) == tuple(m.shape) or s.ndim == 0:
            # a vector of variances: diagonal covariance
            if xp.flag(s <= 0):
                raise ValueError(f"{cname} (variances) must be positive")
            s = _diag_embed(xp, s if s.ndim else s.reshape((1,)))
        if s.ndim < 2 or s.shape[-1] != s.shape[-2]:
            raise ValueError(
                f"{cname} must have shape (..., d, d) or match {mname}'s shape "
                f"(variances), got {tuple(s.shape)}")
        if s.shape[-1] != m.shape[-1]:
            raise ValueError(
                f"{mname} has dimension {m.shape[-1]} but {cname} is "
                f"{s.shape[-2]}x{s.shape[-1]}")
        if m.shape[-1] == 0:
            raise ValueError(f"{mname} is empty (dimension 0)")
        asym = xp.max(xp.abs(s - xp.matrix_transpose(s)))
        scale = xp.max(xp.abs(s))
        if xp.flag(asym > 1e3 * xp.finfo(s.dtype).eps * scale):
            raise ValueError(f"{cname} must be symmetric")
        out.append((m, s))
    (m0, s0), (m1, s1) = out
    if m0.shape[-1] != m1.shape[-1]:
        raise ValueError(
            f"mean_p and mean_q have different dimensions {m0.shape[-1]} and {m1.shape[-1]}")
    try:
        np.broadcast_shapes(tuple(m0.shape[:-1]), tuple(s0.shape[:-2]),
                            tuple(m1.shape[:-1]), tuple(s1.shape[:-2]))
    except ValueError:
        raise ValueError("the batch shapes of the means and covariances do not broadcast") from None
    l0, ok0 = xp.cholesky(s0)
    l1, ok1 = xp.cholesky(s1)
    if xp.flag(~ok0):
        raise ValueError("cov_p must be positive definite")
    if xp.flag(~ok1):
        raise ValueError("cov_q must be positive definite")
    return xp, m0, s0, l0, m1, s1, l1


def _diag_embed(xp, v):
    eye = xp.eye(v.shape[-1], dtype=xp.bool, device=xp.device(v))
    return xp.where(eye, v[..., None], 0.0)


def _logdet(xp, lower):
    return 2.0 * xp.sum(xp.log(xp.linalg.diagonal(lower)), axis=-1)


def _mahalanobis(xp, lower, delta):
    z = xp.solve_triangular(lower, delta[..., None])[..., 0]
    return xp.sum(z * z, axis=-1)


def _kl(xp, m0, s0, l0, m1, s1, l1):
    d = m0.shape[-1]
    a = xp.solve_triangular(l1, l0)
    trace = xp.sum(xp.sum(a * a, axis=-1), axis=-1)
    maha = _mahalanobis(xp, l1, m0 - m1)
    return 0.5 * (trace + maha - d + _logdet(xp, l1) - _logdet(xp, l0))


def _log_affinity(xp, alpha, m0, s0, l0, m1, s1, l1):
    r"""ln \int p^alpha q^(1-alpha); +inf where Sigma_alpha is not PD."""
    s_a = alpha * s1 + (1.0 - alpha) * s0
    l_a, ok = xp.cholesky(s_a)
    # replace non-PD factors by the identity so that no NaN reaches gradients; the
    # factor is taken again of the patched matrix, as a NaN factor's backward is NaN
    eye = xp.eye_like(l_a)
    okm = ok[..., None, None] if ok.ndim else ok
    if xp.maybe(~ok):
        l_a, _ = xp.cholesky(xp.where(okm, s_a, eye))
    l_a = xp.where(okm, l_a, eye)
    maha = _mahalanobis(xp, l_a, m0 - m1)
    val = -0.5 * alpha * (1.0 - alpha) * maha - 0.5 * (
        _logdet(xp, l_a) - (1.0 - alpha) * _logdet(xp, l0) - alpha * _logdet(xp, l1))
    return xp.where(ok, val, math.inf)


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------

_CLOSED_FORMS = ("kl", "reverse_kl", "jeffreys", "squared_hellinger", "pearson",
                 "neyman", "alpha")


def _parse_pair(mean_p, cov_p, mean_q, cov_q, f, fname):
    if _is_distribution(mean_p):
        if not _is_distribution(cov_p):
            raise TypeError("with a distribution as first argument, the second must be one too")
        extra = mean_q if mean_q is not None else f
        if cov_q is not None:
            raise TypeError("too many arguments for a pair of distributions")
        (mp, cp), (mq, cq) = _from_distribution(mean_p, "P"), _from_distribution(cov_p, "Q")
        return mp, cp, mq, cq, extra
    if mean_q is None or cov_q is None:
        raise TypeError(f"{fname} needs mean_p, cov_p, mean_q and cov_q")
    return mean_p, cov_p, mean_q, cov_q, f


def gaussian_f_divergence(mean_p, cov_p, mean_q=None, cov_q=None, f="kl"):
    r"""Closed-form f-divergence :math:`D_f(P\|Q)` between two Gaussians.

    Parameters
    ----------
    mean_p, cov_p, mean_q, cov_q : array_like, torch.Tensor or jax.Array
        Means of shape ``(..., d)`` and covariances of shape ``(..., d, d)``
        (full, symmetric positive definite).  A covariance with the same shape
        as its mean is read as a vector of variances (diagonal covariance);
        scalars are univariate.  Leading dimensions broadcast (batched).
        Instead of the four arrays, a pair of ``torch.distributions.Normal`` or
        ``MultivariateNormal`` may be passed: ``gaussian_f_divergence(P, Q, f)``.
    f : str or FFunction, default ``"kl"``
        One of ``kl``, ``reverse_kl``, ``jeffreys``, ``squared_hellinger``,
        ``pearson``, ``neyman`` or ``alpha`` (any alpha).

    Returns
    -------
    numpy.ndarray or torch.Tensor or jax.Array
        The divergence per batch element; ``+inf`` where it is infinite
        (Pearson needs :math:`2\Sigma_1 - \Sigma_0` positive definite, Neyman
        :math:`2\Sigma_0 - \Sigma_1`, alpha outside [0, 1] likewise).

    Raises
    ------
    NotImplementedError
        For generators without a Gaussian closed form (the message names the pair).

    Notes
    -----
    See the module docstring for the formulas: KL via Cholesky factors, the
    others via the log-affinity :math:`\ell_\alpha = \ln\int p^\alpha q^{1-\alpha}`:
    Pearson :math:`e^{\ell_2} - 1`, Neyman :math:`e^{\ell_{-1}} - 1`, squared
    Hellinger :math:`2(1 - e^{\ell_{1/2}})`, alpha :math:`(e^{\ell_\alpha} - 1)/(\alpha(\alpha - 1))`.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import gaussian_f_divergence
    >>> float(gaussian_f_divergence(0.0, 1.0, 1.0, 1.0, "kl"))      # Delta^2 / 2
    0.5
    >>> float(gaussian_f_divergence(np.zeros(2), np.eye(2), np.ones(2), 2 * np.eye(2),
    ...                             "squared_hellinger"))
    0.4038587...
    >>> import torch
    >>> P = torch.distributions.Normal(torch.tensor(0.0), torch.tensor(1.0))
    >>> Q = torch.distributions.Normal(torch.tensor(1.0), torch.tensor(1.0))
    >>> gaussian_f_divergence(P, Q, "jeffreys")
    tensor(1.)
    """
    mean_p, cov_p, mean_q, cov_q, f = _parse_pair(
        mean_p, cov_p, mean_q, cov_q, f, "gaussian_f_divergence")
    f = get_f(f)
    if f.name not in _CLOSED_FORMS:
        raise NotImplementedError(
            f"no closed form for the {f.name!r} divergence between two Gaussians; "
            f"available: {', '.join(_CLOSED_FORMS)}")
    xp, m0, s0, l0, m1, s1, l1 = _prepare(mean_p, cov_p, mean_q, cov_q)
    p_args = (m0, s0, l0, m1, s1, l1)
    q_args = (m1, s1, l1, m0, s0, l0)
    name = f.name
    if name == "kl":
        return _kl(xp, *p_args)
    if name == "reverse_kl":
        return _kl(xp, *q_args)
    if name == "jeffreys":
        return _kl(xp, *p_args) + _kl(xp, *q_args)
    if name == "squared_hellinger":
        return -2.0 * xp.expm1(_log_affinity(xp, 0.5, *p_args))
    if name == "pearson":
        return xp.expm1(_log_affinity(xp, 2.0, *p_args))
    if name == "neyman":
        return xp.expm1(_log_affinity(xp, -1.0, *p_args))
    a = f.params["alpha"]
    return xp.expm1(_log_affinity(xp, a, *p_args)) / (a * (a - 1.0))


@renamed_keywords(alpha="order")
def renyi_divergence_gaussian(mean_p, cov_p, mean_q=None, cov_q=None, order=None):
    r"""Rényi divergence :math:`D_\alpha(P\|Q) = \frac{1}{\alpha-1}\ln\int p^\alpha q^{1-\alpha}` between Gaussians.

    .. math::

        D_\alpha = \frac{\alpha}{2}\Delta^\top\Sigma_\alpha^{-1}\Delta
        - \frac{1}{2(\alpha-1)}\ln\frac{|\Sigma_\alpha|}{|\Sigma_0|^{1-\alpha}|\Sigma_1|^\alpha},
        \qquad \Sigma_\alpha = \alpha\Sigma_1 + (1-\alpha)\Sigma_0,

    and :math:`+\infty` when :math:`\Sigma_\alpha` is not positive definite.
    ``order = 1`` gives KL(P||Q).

    Parameters
    ----------
    mean_p, cov_p, mean_q, cov_q : array_like, torch.Tensor or jax.Array
        As in :func:`gaussian_f_divergence` (or a pair of torch distributions,
        then ``order`` is the third argument).
    order : float
        Order, ``order > 0``.

    Returns
    -------
    numpy.float64, numpy.ndarray or torch.Tensor or jax.Array
        :math:`D_\alpha(P\|Q)` in nats (``inf`` when :math:`\Sigma_\alpha` is
        not positive definite).

    Examples
    --------
    >>> from divergences import renyi_divergence_gaussian
    >>> float(renyi_divergence_gaussian(0.0, 1.0, 2.0, 1.0, order=0.5))   # order Delta^2 / 2
    1.0
    """
    mean_p, cov_p, mean_q, cov_q, order = _parse_pair(
        mean_p, cov_p, mean_q, cov_q, order, "renyi_divergence_gaussian")
    if order is None:
        raise TypeError("renyi_divergence_gaussian needs order")
    if not is_real(order):
        raise TypeError(f"order must be a positive real number, got {type(order).__name__}")
    if not (order > 0 and math.isfinite(order)):
        raise ValueError(f"order must be positive and finite, got {order}")
    xp, m0, s0, l0, m1, s1, l1 = _prepare(mean_p, cov_p, mean_q, cov_q)
    if order == 1:
        return _kl(xp, m0, s0, l0, m1, s1, l1)
    return _log_affinity(xp, float(order), m0, s0, l0, m1, s1, l1) / (order - 1.0)


def gaussian_mutual_information(rho, d=1):
    r"""Mutual information of correlated Gaussians, :math:`I(X;Y) = -\frac d2 \ln(1-\rho^2)`.

    For :math:`X \sim \mathcal N(0, I_d)` and :math:`Y = \rho X + \sqrt{1-\rho^2}\,\varepsilon`
    with independent standard normal :math:`\varepsilon` (d independent pairs
    of correlation :math:`\rho`).

    Parameters
    ----------
    rho : float, array_like, torch.Tensor or jax.Array
        Correlation in (-1, 1) (+inf at +-1).
    d : int, default 1
        Number of coordinate pairs.

    Returns
    -------
    Same kind as ``rho``; nats.

    Examples
    --------
    >>> from divergences import gaussian_mutual_information
    >>> round(float(gaussian_mutual_information(0.5, d=20)), 6)
    2.876821
    """
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
        raise ValueError(f"d must be a positive integer, got {d!r}")
    xp, (r,) = as_float_arrays(rho=rho)
    if xp.flag(xp.isnan(r)) or xp.flag(xp.abs(r) > 1):
        raise ValueError("rho must lie in [-1, 1]")
    with xp.errstate(), np.errstate(divide="ignore"):  # rho = +-1 is +inf
        return -0.5 * d * xp.log1p(-r * r)
