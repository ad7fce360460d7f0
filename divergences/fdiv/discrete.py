r"""Exact f-divergences between discrete distributions (probability mass functions).

.. math:: D_f(P\|Q) = \sum_i q_i\, f(p_i / q_i)

with the limits that make every term well defined (applied everywhere in the
library):

* :math:`p_i = q_i = 0`: the term is 0;
* :math:`p_i = 0 < q_i`: the term is :math:`q_i f(0)` (``+inf`` where
  :math:`f(0) = \infty`, e.g. reverse KL);
* :math:`q_i = 0 < p_i`: the term is :math:`p_i f'(\infty)` with
  :math:`f'(\infty) = \lim_{u\to\infty} f(u)/u` (``+inf`` for KL, Pearson,
  Jeffreys, alpha > 1; finite for total variation, Jensen-Shannon,
  squared Hellinger, Le Cam, alpha < 1).

The result is never NaN for valid input.  Gradients (torch) are exact and
finite wherever the value is finite and the one-sided derivative exists; at
a zero of ``p`` the derivative with respect to that entry is :math:`f'(0)`,
which is ``-inf`` for generators with an infinite slope at 0 (KL, Jensen-
Shannon, ...).  With respect to ``q`` at an entry with :math:`q_i = 0 < p_i` it
is :math:`\lim_{u\to\infty} f(u) - u f'(u)`, again possibly ``-inf``.
"""

from __future__ import annotations

import math

import numpy as np

from .._backend.array import as_float_arrays
from .._backend.checks import normalize_axis
from .ffunctions import FFunction, get_f

__all__ = [
    "f_divergence",
    "kl_divergence",
    "jensen_shannon",
    "total_variation",
    "squared_hellinger",
]


def _check_pmf(xp, name, x, axis):
    """Non-negative, no NaN/inf, sums to 1 along ``axis`` within a dtype-aware tolerance.

    Returns the smallest entry (1 for an empty batch, which has none).
    """
    if math.prod(x.shape) == 0:            # an empty batch: nothing to check, nothing to sum
        return xp.asarray(1.0, dtype=x.dtype, device=xp.device(x))
    lo = xp.min(xp.detach(x))
    if xp.flag(~(lo >= 0)):
        if xp.flag(xp.isnan(x)):
            raise ValueError(f"{name} contains NaN")
        raise ValueError(f"{name} has negative entries (min {float(lo):.3g})")
    total = xp.sum(x, axis=axis)
    eps = xp.finfo(x.dtype).eps
    tol = max(math.sqrt(eps), x.shape[axis] * eps)
    err = xp.abs(total - 1.0)
    if xp.flag(~(err <= tol)):
        worst = float(xp.max(err))
        if math.isnan(worst) or math.isinf(worst):
            raise ValueError(f"{name} contains infinite values")
        raise ValueError(
            f"{name} must sum to 1 along axis {axis} (tolerance {tol:.1e}); "
            f"largest deviation {worst:.3g}. Normalise it first, e.g. p / p.sum(axis)"
        )
    return lo


def _prepare_pmfs(p, q, axis):
    xp, (p, q) = as_float_arrays(p=p, q=q)
    if p.ndim == 0 or q.ndim == 0:
        raise ValueError("p and q must have at least one dimension (the support)")
    try:
        shape = np.broadcast_shapes(tuple(p.shape), tuple(q.shape))
    except ValueError:
        raise ValueError(
            f"p and q have incompatible shapes {tuple(p.shape)} and {tuple(q.shape)}"
        ) from None
    ax = normalize_axis(axis, len(shape))
    axp, axq = ax - (len(shape) - p.ndim), ax - (len(shape) - q.ndim)
    if axp < 0 or axq < 0 or p.shape[axp] != q.shape[axq]:
        raise ValueError(
            f"p and q must have the same length along axis {axis}, "
            f"got shapes {tuple(p.shape)} and {tuple(q.shape)}"
        )
    if p.shape[axp] == 0:
        raise ValueError(f"p and q are empty along axis {axis}")
    p_min = _check_pmf(xp, "p", p, axp)
    _check_pmf(xp, "q", q, axq)
    return xp, p, q, ax - len(shape), p_min


def f_terms(xp, p, q, f: FFunction):
    """Elementwise q f(p/q) with the zero conventions and safe gradients."""
    pos = xp.logical_and(p > 0, q > 0)
    ps = xp.where(pos, p, 1.0)
    qs = xp.where(pos, q, 1.0)
    # q f(p/q) through the generator's perspective form: no ratio is formed, so
    # subnormal entries next to normal ones neither overflow nor lose the value.
    # The perspective is homogeneous of degree 1: pairs whose larger entry is below
    # s = tiny / eps (2^-970 in float64) are evaluated at (p/s, q/s), which are normal
    # numbers, and scaled back by s (powers of two: exact), so that the gradients at
    # subnormal entries are finite (1/q of a subnormal q overflows)
    # (the gradient of a degree-1 homogeneous function is homogeneous of degree 0: it is
    # taken at the rescaled pair directly, since s * grad / s would underflow through s)
    s = xp.finfo(ps.dtype).smallest_normal / xp.finfo(ps.dtype).eps
    small = xp.logical_and(ps < s, qs < s)
    scale = xp.where(small, xp.full_like(ps, s), 1.0)
    inner = f._perspective(xp, ps / scale, qs / scale)
    if xp.maybe(small):
        # the arguments carry gradient 1 (not 1/s) into the perspective
        pr = xp.value_with_gradient_of(ps / scale, ps)
        qr = xp.value_with_gradient_of(qs / scale, qs)
        inner_r = f._perspective(xp, pr, qr)
        inner = xp.where(small, xp.value_with_gradient_of(scale * inner_r, inner_r), inner)

    p_zero = xp.logical_and(p == 0, q > 0)
    if math.isinf(f.f_at_zero):
        at_p_zero = xp.full_like(q, math.inf)
    else:
        at_p_zero = q * f.f_at_zero + xp.zero_with_slope(p, f.derivative_at_zero)

    q_zero = xp.logical_and(q == 0, p > 0)
    if math.isinf(f.slope_at_infinity):
        at_q_zero = xp.full_like(p, math.inf)
    else:
        at_q_zero = p * f.slope_at_infinity + xp.zero_with_slope(
            q, f.slope_intercept_at_infinity)

    other = xp.where(q_zero, at_q_zero, 0.0)
    other = xp.where(p_zero, at_p_zero, other)
    return xp.where(pos, inner, other)


def _kl_numpy_fast(p, q, axis, p_has_zeros):
    """Fast KL for numpy: one division, one log and one dot product.

    Returns None when the sum is not finite for a reason other than q = 0 < p
    (ratio overflow or underflow with subnormals), in which case the careful
    path (perspective forms) takes over.
    """
    with np.errstate(all="ignore"):
        if p_has_zeros:
            # zeros of p contribute exactly 0: keep r = 0 there (masked loops are
            # slower, so they are used only when p has zeros)
            positive = p > 0
            r = np.zeros(np.broadcast_shapes(p.shape, q.shape), dtype=np.result_type(p, q))
            np.divide(p, q, out=r, where=positive)
            np.log(r, out=r, where=positive)
        else:
            r = np.divide(p, q)
            np.log(r, out=r)
        if p.ndim == 1 and q.ndim == 1:
            val = np.dot(p, r)
        else:
            r *= p  # r has the broadcast shape
            val = np.sum(r, axis=axis)
    if np.all(np.isfinite(val)):
        return val
    if not np.any(np.isnan(val)) and np.all(val > 0):
        # +inf is genuine only if some q_i = 0 < p_i in every infinite problem
        genuine = np.any(np.logical_and(q == 0, p > 0), axis=axis)
        if np.all(np.broadcast_to(genuine, val.shape)[np.isinf(val)]):
            return val
    return None


def f_divergence(p, q, f="kl", *, axis=-1):
    r"""Exact f-divergence :math:`D_f(P\|Q) = \sum_i q_i f(p_i/q_i)` between PMFs.

    Parameters
    ----------
    p, q : array_like, torch.Tensor or jax.Array
        Probability mass functions along ``axis``; other axes are independent
        problems and broadcast against each other.  Entries must be
        non-negative and sum to 1 within :math:`\sqrt{\epsilon}` of the dtype
        (``1.5e-8`` in float64, ``3.5e-4`` in float32); anything else raises
        ``ValueError`` rather than being silently renormalised.
    f : str or FFunction, default ``"kl"``
        The generator, see :func:`divergences.get_f`.
    axis : int, default -1
        The axis that holds the support.

    Returns
    -------
    numpy.ndarray or numpy.float64 or torch.Tensor or jax.Array
        Divergences with the support axis removed, same kind/device as the
        inputs; ``+inf`` where the divergence is infinite (never NaN).

    Notes
    -----
    Zero conventions (see the module docs): :math:`0 f(0/0) = 0`,
    :math:`q f(0/q) = q f(0)` and :math:`0 f(p/0) = p f'(\infty)`.  For
    ``gan`` the value at P = Q is :math:`f(1) = -\log 4`, not 0.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import f_divergence
    >>> p = np.array([0.5, 0.5, 0.0])
    >>> q = np.array([0.25, 0.25, 0.5])
    >>> float(f_divergence(p, q, "kl"))          # log 2
    0.6931471805599453
    >>> float(f_divergence(q, p, "kl"))          # q has mass where p has none
    inf
    >>> float(f_divergence(p, q, "total_variation"))
    0.5
    >>> f_divergence(np.stack([p, q]), q, "squared_hellinger").round(6).tolist()
    [0.585786, 0.0]
    """
    f = get_f(f)
    xp, p, q, ax, p_min = _prepare_pmfs(p, q, axis)
    if f.name == "kl" and xp.name == "numpy":
        val = _kl_numpy_fast(p, q, ax, p_has_zeros=not p_min > 0)
        if val is not None:
            return val
    with xp.errstate():
        return xp.sum(f_terms(xp, p, q, f), axis=ax)


def kl_divergence(p, q, *, axis=-1):
    r"""Kullback-Leibler divergence :math:`\mathrm{KL}(P\|Q) = \sum_i p_i \log(p_i/q_i)`.

    Natural logarithm (nats).  Same conventions as :func:`f_divergence` with
    ``f="kl"``; matches ``scipy.stats.entropy(p, q)``.

    Parameters
    ----------
    p, q : array_like, torch.Tensor or jax.Array
        Probability vectors along ``axis`` (non-negative, summing to 1); leading
        axes are independent pairs and broadcast.
    axis : int, default -1
        The axis of the outcomes.

    Returns
    -------
    numpy.ndarray, numpy.float64 or torch.Tensor or jax.Array
        One value per pair, in nats where a logarithm is involved; torch in,
        torch out (same device, differentiable).

    Examples
    --------
    >>> from divergences import kl_divergence
    >>> round(float(kl_divergence([0.9, 0.1], [0.5, 0.5])), 6)
    0.368064
    """
    return f_divergence(p, q, "kl", axis=axis)


def jensen_shannon(p, q, *, axis=-1):
    r"""Jensen-Shannon divergence :math:`\tfrac12\mathrm{KL}(P\|M) + \tfrac12\mathrm{KL}(Q\|M)`, M = (P+Q)/2.

    In nats, between 0 and :math:`\log 2`; equal to
    ``scipy.spatial.distance.jensenshannon(p, q) ** 2``.

    Parameters
    ----------
    p, q : array_like, torch.Tensor or jax.Array
        Probability vectors along ``axis`` (non-negative, summing to 1); leading
        axes are independent pairs and broadcast.
    axis : int, default -1
        The axis of the outcomes.

    Returns
    -------
    numpy.ndarray, numpy.float64 or torch.Tensor or jax.Array
        One value per pair, in nats where a logarithm is involved; torch in,
        torch out (same device, differentiable).

    Examples
    --------
    >>> from divergences import jensen_shannon
    >>> float(jensen_shannon([1.0, 0.0], [0.0, 1.0]))   # disjoint supports: log 2
    0.6931471805599453
    """
    return f_divergence(p, q, "jensen_shannon", axis=axis)


def total_variation(p, q, *, axis=-1):
    r"""Total variation distance :math:`\tfrac12 \sum_i |p_i - q_i|` in [0, 1].

    Parameters
    ----------
    p, q : array_like, torch.Tensor or jax.Array
        Probability vectors along ``axis`` (non-negative, summing to 1); leading
        axes are independent pairs and broadcast.
    axis : int, default -1
        The axis of the outcomes.

    Returns
    -------
    numpy.ndarray, numpy.float64 or torch.Tensor or jax.Array
        One value per pair, in nats where a logarithm is involved; torch in,
        torch out (same device, differentiable).

    Examples
    --------
    >>> from divergences import total_variation
    >>> round(float(total_variation([0.5, 0.5], [0.8, 0.2])), 12)
    0.3
    """
    return f_divergence(p, q, "total_variation", axis=axis)


def squared_hellinger(p, q, *, axis=-1):
    r"""Squared Hellinger distance :math:`\sum_i (\sqrt{p_i} - \sqrt{q_i})^2 = 2(1 - \mathrm{BC})` in [0, 2].

    No factor 1/2: this is the f-divergence of :math:`(\sqrt u - 1)^2`.

    Parameters
    ----------
    p, q : array_like, torch.Tensor or jax.Array
        Probability vectors along ``axis`` (non-negative, summing to 1); leading
        axes are independent pairs and broadcast.
    axis : int, default -1
        The axis of the outcomes.

    Returns
    -------
    numpy.ndarray, numpy.float64 or torch.Tensor or jax.Array
        One value per pair, in nats where a logarithm is involved; torch in,
        torch out (same device, differentiable).

    Examples
    --------
    >>> from divergences import squared_hellinger
    >>> float(squared_hellinger([1.0, 0.0], [0.0, 1.0]))
    2.0
    """
    return f_divergence(p, q, "squared_hellinger", axis=axis)
