r"""Wasserstein (Earth-Mover) distances in one dimension, sliced, and the Kantorovich dual.

In one dimension the optimal transport plan is monotone, so

.. math::

    W_p(\mu, \nu) = \Big(\int_0^1 |F_\mu^{-1}(t) - F_\nu^{-1}(t)|^p\,dt\Big)^{1/p},
    \qquad W_1(\mu, \nu) = \int_{\mathbb R} |F_\mu(x) - F_\nu(x)|\,dx,

with :math:`F^{-1}` the quantile functions.  For empirical distributions both
quantile functions are step functions; the integral is a finite sum over the
merged breakpoints of the two cumulative weight sequences.  With equal numbers
of unweighted samples it is simply the mean of :math:`|u_{(i)} - v_{(i)}|^p`
over the sorted samples.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .._backend.deprecation import renamed_keywords
from .._backend.array import (as_float_arrays, as_float_dict, as_output, check_finite, check_weights,
                     is_torch, two_sample_values, weighted_mean)
from .._backend.samples import finfo, power_of_two_scale
from .._backend.checks import (check_bool, check_callable, check_real, is_real, normalize_axis,
                      standard_normal, torch_rng)

__all__ = [
    "wasserstein_1d",
    "earth_movers_distance",
    "wasserstein_1d_histogram",
    "wasserstein_1d_quantile",
    "normal_wasserstein_1d",
    "optimal_critic_1d",
    "wasserstein_critic_objective",
    "gradient_penalty",
    "clip_weights",
    "sliced_wasserstein",
]


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------


def check_p(p):
    if not is_real(p):
        raise TypeError(f"p must be a real number >= 1, got {type(p).__name__}")
    if not (p >= 1 and math.isfinite(p)):
        raise ValueError(f"p must be a finite number >= 1, got {p}")
    return float(p)


def _check_weights(xp, name, w, values_shape):
    check_weights(xp, name, w)
    try:
        w = xp.broadcast_to(w, values_shape)
    except (ValueError, RuntimeError):
        raise ValueError(
            f"{name} of shape {tuple(w.shape)} does not match its values of shape "
            f"{tuple(values_shape)}") from None
    if xp.flag(~xp.any(w > 0, axis=-1)):
        raise ValueError(f"{name} must have a positive total (along the sample axis)")
    return w


def _prepare(u_values, v_values, u_weights, v_weights, axis,
             names=("x", "y", "x_weights", "y_weights")):
    """Convert, validate, move the sample axis last and broadcast the batch dimensions.

    ``names`` are the caller's argument names, used in every error message.
    """
    nu, nv, nwu, nwv = names
    for name, values in ((nu, u_values), (nv, v_values)):
        if values is None:
            raise TypeError(f"{name} must be an array of samples, got None")
    if nu == nv:   # one grid for both (histograms)
        xp, arrays = as_float_dict(**{nu: u_values, nwu: u_weights, nwv: v_weights})
        u = v = arrays[nu]
    else:
        xp, arrays = as_float_dict(**{nu: u_values, nv: v_values, nwu: u_weights,
                                      nwv: v_weights})
        u, v = arrays[nu], arrays[nv]
    for name, x in ((nu, u), (nv, v)):
        if x.ndim == 0:
            raise ValueError(f"{name} must have at least one dimension (the samples)")
        if axis is None and x.ndim >= 2 and x.shape[-1] == 1 and math.prod(x.shape[:-1]) > 1:
            shape = tuple(x.shape)
            raise ValueError(
                f"{name} has shape {shape}, a column: along the last axis that is "
                f"{math.prod(shape[:-1])} problems of one sample each. For one sample of "
                f"{math.prod(shape)} values pass {name}.ravel() (or axis=0); for one-point "
                f"problems pass axis=-1 explicitly")
    axis = -1 if axis is None else axis
    u = xp.moveaxis(u, normalize_axis(axis, u.ndim), -1)
    v = xp.moveaxis(v, normalize_axis(axis, v.ndim), -1)
    for name, x in ((nu, u), (nv, v)):
        if x.shape[-1] == 0:
            raise ValueError(f"{name} is empty")
        check_finite(xp, name, x)
    weights = {}
    for name, values, vname in ((nwu, u, nu), (nwv, v, nv)):
        if arrays[name] is not None:
            w = arrays[name]
            if w.ndim > 1:
                w = xp.moveaxis(w, normalize_axis(axis, w.ndim), -1)
            if w.ndim == 0 or w.shape[-1] != values.shape[-1]:
                raise ValueError(
                    f"{name} of shape {tuple(w.shape)} does not match {vname} of shape "
                    f"{tuple(values.shape)} along the sample axis")
            weights[name] = w
    try:
        batch = tuple(np.broadcast_shapes(
            tuple(u.shape[:-1]), tuple(v.shape[:-1]),
            *(tuple(w.shape[:-1]) for w in weights.values())))
    except ValueError:
        raise ValueError(
            f"the batch dimensions of {nu} {tuple(u.shape)} and {nv} "
            f"{tuple(v.shape)} (and their weights) do not broadcast") from None
    wu = wv = None
    if nwu in weights:
        wu = _check_weights(xp, nwu, weights[nwu], batch + tuple(u.shape[-1:]))
    if nwv in weights:
        wv = _check_weights(xp, nwv, weights[nwv], batch + tuple(v.shape[-1:]))
    u = xp.broadcast_to(u, batch + tuple(u.shape[-1:]))
    v = xp.broadcast_to(v, batch + tuple(v.shape[-1:]))
    return xp, u, v, wu, wv


# ---------------------------------------------------------------------------
# the 1-D core: W_p^p along the last axis
# ---------------------------------------------------------------------------


def _sorted_side(xp, x, w, presorted, need_cumulative):
    """Sorted samples and, if needed, their normalised cumulative weights."""
    if presorted:
        xs, ws = x, w
    elif w is None:
        xs, ws = xp.sort(x, stable=False), None   # the standard sorts stably by default
    else:
        xs, idx = xp.sort_with_indices(x)
        ws = xp.take_last(w, idx)
    if not need_cumulative:
        return xs, None
    if ws is None:
        return xs, xp.cumulative_sum(xp.full_like(xs, 1.0), axis=-1) / xs.shape[-1]
    # divide by the largest weight first (a constant for autograd; the normalised
    # cumulative weights do not depend on the scale): no overflow of the running sum
    # for weights near 1e308, no underflow to 0/0 for subnormal weights
    top = xp.amax_detached(ws, axis=-1)
    cum = xp.cumulative_sum(ws / xp.where(top > 0, top, 1.0), axis=-1)
    return xs, cum / cum[..., -1:]


def wasserstein_pow(xp, u, v, wu, wv, p, presorted=False):
    r""":math:`W_p^p` between the empirical distributions along the last axis."""
    n, m = u.shape[-1], v.shape[-1]
    simple = wu is None and wv is None and n == m
    (us, cu), (vs, cv) = xp.run_pair(
        lambda: _sorted_side(xp, u, wu, presorted, not simple),
        lambda: _sorted_side(xp, v, wv, presorted, not simple),
        math.prod(u.shape) + math.prod(v.shape))
    if simple:
        d = xp.abs(us - vs) if presorted else xp.abs_diff(us, vs)
        return xp.mean(d if p == 1 else d ** p, axis=-1)
    # Merged breakpoints of the two quantile functions: on (t_{k-1}, t_k] both are
    # constant.  A stable sort of [cu, cv] (two sorted runs, so close to linear)
    # puts u's entries first among ties; then, wherever t_{k-1} < t_k, the number
    # of u entries before position k is #{cu < t_k}, the index of u's quantile,
    # and likewise for v.  Positions with t_{k-1} = t_k have dt = 0.
    # (intermediates are released as soon as they are used, to bound peak memory)
    merged = xp.concatenate([cu, cv], axis=-1)
    del cu, cv
    t, order = xp.sort_with_indices(merged, stable=True)
    del merged
    from_u = order < n
    del order
    iu = xp.count_before(from_u)
    del from_u
    iv = xp.arange(t.shape[-1], device=xp.device(t)) - iu
    iu = xp.clip(iu, 0, n - 1)
    iv = xp.clip(iv, 0, m - 1)
    dt = xp.diff(t, axis=-1, prepend=xp.zeros_like(t[..., :1]))
    del t
    d = xp.abs_diff(xp.take_last(us, iu), xp.take_last(vs, iv))
    del iu, iv
    return xp.sum(dt * (d if p == 1 else d ** p), axis=-1)


def _scale_for_power(p, *arrays):
    """The rescaling W_p needs: 1.0 while |x|^p stays far from the dtype's range, else a power of 2.

    "Far" is a quarter of the dtype's exponent range (2^256 in float64, 2^32 in float32).
    """
    scale = power_of_two_scale(*arrays)
    a = arrays[0]
    top = float(finfo(a).max)
    return 1.0 if abs(math.frexp(scale)[1]) * p <= math.frexp(top)[1] / 4 else scale


def wasserstein_root(xp, wpp, p):
    """(W_p^p)^(1/p) with a zero gradient (not NaN) at W = 0."""
    if p == 1:
        return wpp
    pos = wpp > 0
    safe = xp.where(pos, wpp, 1.0)
    return xp.where(pos, safe ** (1.0 / p), 0.0)


@renamed_keywords(u_values="x", v_values="y", u_weights="x_weights", v_weights="y_weights")
def wasserstein_1d(x, y, x_weights=None, y_weights=None, *, p=1, axis=None):
    r"""Exact p-Wasserstein distance :math:`W_p` between two 1-D empirical distributions.

    .. math::

        W_p(\mu, \nu) = \Big(\int_0^1 |F_\mu^{-1}(t) - F_\nu^{-1}(t)|^p\,dt\Big)^{1/p}

    where :math:`\mu = \sum_i a_i \delta_{u_i}` and :math:`\nu = \sum_j b_j
    \delta_{v_j}` (weights normalised to sum to 1).  This is :math:`W_p`, not
    :math:`W_p^p`; for ``p=1`` it equals ``scipy.stats.wasserstein_distance``.

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array
        Samples along ``axis``; the two sizes may differ.  Other axes are
        independent problems and broadcast against each other.
    x_weights, y_weights : array_like, torch.Tensor or jax.Array, optional
        Non-negative weights of the samples (same shape as their values, or
        broadcastable to it), normalised internally; zero weights are allowed
        as long as each problem has a positive total.  Default: uniform.
    p : float, default 1
        Order, ``p >= 1``.
    axis : int, optional
        The sample axis.  Default: the last axis, except that a column of
        shape (n, 1) with n > 1 raises ``ValueError`` rather than being read
        as n one-point problems (pass ``x.ravel()``, ``axis=0``, or
        ``axis=-1`` explicitly to say which you mean).

    Returns
    -------
    numpy.ndarray, numpy.float64 or torch.Tensor or jax.Array
        :math:`W_p` per problem, on the inputs' device and dtype.
        Differentiable (torch) with respect to the values and the weights.

    Notes
    -----
    Cost: two sorts plus, unless the samples are unweighted and equally many,
    one sort of the merged cumulative weights and two binary searches.  The
    gradient at :math:`W_p = 0` is taken as 0 for ``p > 1``.

    Examples
    --------
    >>> from divergences import wasserstein_1d
    >>> float(wasserstein_1d([0.0, 1.0, 3.0], [5.0, 6.0, 8.0]))         # a shift by 5
    5.0
    >>> float(wasserstein_1d([0.0, 1.0], [0.0], [3.0, 1.0]))           # a quarter of the mass moves by 1
    0.25
    >>> round(float(wasserstein_1d([0.0, 1.0], [0.5, 2.5], p=2)), 6)  # sqrt((0.25 + 2.25) / 2)
    1.118034
    """
    p = check_p(p)
    xp, u, v, wu, wv = _prepare(x, y, x_weights, y_weights, axis)
    # W_p is homogeneous of degree 1: far from unit magnitude, work on data divided by a
    # power of two (exact) so that |u - v|^p neither overflows nor underflows
    scale = _scale_for_power(p, u, v)
    if scale != 1.0:
        u, v = u / scale, v / scale
    with xp.errstate():
        w = wasserstein_root(xp, wasserstein_pow(xp, u, v, wu, wv, p), p)
        return as_output(w if scale == 1.0 else w * scale)


@renamed_keywords(u_values="x", v_values="y", u_weights="x_weights", v_weights="y_weights")
def earth_movers_distance(x, y, x_weights=None, y_weights=None, *, axis=None):
    r"""The Earth-Mover distance: :func:`wasserstein_1d` with ``p=1``.

    .. math:: W_1(\mu, \nu) = \int_{\mathbb R} |F_\mu(x) - F_\nu(x)|\,dx

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array
        Samples along ``axis`` (see :func:`wasserstein_1d`).
    x_weights, y_weights : array_like, torch.Tensor or jax.Array, optional
        Non-negative sample weights; default uniform.
    axis : int, optional
        The sample axis, with :func:`wasserstein_1d`'s rule for columns.

    Returns
    -------
    numpy.ndarray, numpy.float64 or torch.Tensor or jax.Array
        :math:`W_1` per problem.

    Examples
    --------
    >>> from divergences import earth_movers_distance
    >>> float(earth_movers_distance([0.0, 2.0], [1.0, 1.0]))
    1.0
    """
    return wasserstein_1d(x, y, x_weights, y_weights, p=1, axis=axis)


@renamed_keywords(u_weights="x_weights", v_weights="y_weights")
def wasserstein_1d_histogram(grid, x_weights, y_weights, *, p=1, axis=-1):
    r""":math:`W_p` between two histograms on a common sorted grid of support points.

    For ``p = 1`` this is :math:`\sum_k |U_k - V_k|\,(x_{k+1} - x_k)` with the
    cumulative sums :math:`U, V` of the normalised masses; no sorting is done.

    Parameters
    ----------
    grid : array_like, torch.Tensor or jax.Array
        Support points, non-decreasing along ``axis`` (shared by both histograms,
        or one grid per problem).
    x_weights, y_weights : array_like, torch.Tensor or jax.Array
        Non-negative masses on the grid (normalised internally).
    p : float, default 1
    axis : int, default -1

    Returns
    -------
    numpy.ndarray, numpy.float64 or torch.Tensor or jax.Array
        :math:`W_p` per pair of histograms.

    Examples
    --------
    >>> from divergences import wasserstein_1d_histogram
    >>> float(wasserstein_1d_histogram([0.0, 1.0, 2.0], [1, 0, 0], [0, 0, 1]))
    2.0
    """
    p = check_p(p)
    xp, g, _, wu, wv = _prepare(grid, grid, x_weights, y_weights, axis,
                                names=("grid", "grid", "x_weights", "y_weights"))
    if xp.flag(g[..., 1:] < g[..., :-1]):
        raise ValueError("grid must be sorted in non-decreasing order along the axis")
    with xp.errstate():
        if p == 1:
            # the CDFs are ratios: scale each row by its largest weight first, so that
            # finite weights summing past the float maximum do not overflow the sums
            wu = wu / xp.detach(xp.max(wu, axis=-1, keepdims=True))
            wv = wv / xp.detach(xp.max(wv, axis=-1, keepdims=True))
            cu = xp.cumulative_sum(wu, axis=-1)
            cv = xp.cumulative_sum(wv, axis=-1)
            diff = xp.abs(cu / cu[..., -1:] - cv / cv[..., -1:])[..., :-1]
            return as_output(xp.sum(diff * (g[..., 1:] - g[..., :-1]), axis=-1))
        return as_output(wasserstein_root(xp, wasserstein_pow(xp, g, g, wu, wv, p, presorted=True), p))


@renamed_keywords(quantile_u="quantile_x", quantile_v="quantile_y")
def wasserstein_1d_quantile(quantile_x: Callable, quantile_y: Callable, *, p=1):
    r""":math:`W_p` from two quantile functions by adaptive quadrature.

    .. math:: W_p^p = \int_0^1 |F_u^{-1}(t) - F_v^{-1}(t)|^p\,dt

    Parameters
    ----------
    quantile_x, quantile_y : callable
        Quantile functions on (0, 1), e.g. ``scipy.stats.norm(0, 1).ppf``;
        they are called with floats.
    p : float, default 1

    Returns
    -------
    float

    Examples
    --------
    >>> from scipy.stats import norm
    >>> from divergences import wasserstein_1d_quantile
    >>> round(wasserstein_1d_quantile(norm(0, 1).ppf, norm(3, 1).ppf), 8)
    3.0
    """
    from scipy import integrate

    p = check_p(p)
    check_callable("quantile_x", quantile_x)
    check_callable("quantile_y", quantile_y)

    def value(name, fn, t):
        out = np.asarray(fn(t), dtype=float)
        if out.size != 1:
            raise ValueError(f"{name} must map one level t in (0, 1) to one number, "
                             f"got shape {out.shape}")
        return float(out.reshape(()))

    integrand = lambda t: abs(value("quantile_x", quantile_x, t)  # noqa: E731
                              - value("quantile_y", quantile_y, t)) ** p
    total = 0.0
    for lo, hi in ((0.0, 1e-6), (1e-6, 0.5), (0.5, 1 - 1e-6), (1 - 1e-6, 1.0)):
        val, _ = integrate.quad(integrand, lo, hi, limit=200, epsabs=1e-13, epsrel=1e-11)
        total += val
    if not math.isfinite(total):
        raise ValueError("the quantile integral is not finite (p-th moments must exist)")
    return total ** (1.0 / p)


def normal_wasserstein_1d(mean_p, std_p, mean_q, std_q, *, p=1):
    r"""Closed-form :math:`W_1` or :math:`W_2` between two 1-D normal distributions.

    With :math:`a = |\mu_0 - \mu_1|` and :math:`b = |\sigma_0 - \sigma_1|` the
    quantile difference is :math:`a + b Z`, :math:`Z \sim \mathcal N(0, 1)`, so

    .. math::

        W_1 = b\sqrt{2/\pi}\,e^{-a^2/(2b^2)} + a\,(1 - 2\Phi(-a/b)), \qquad
        W_2 = \sqrt{a^2 + b^2},

    and :math:`W_1 = a` when :math:`\sigma_0 = \sigma_1`.

    Parameters
    ----------
    mean_p, std_p : float, array_like, torch.Tensor or jax.Array
        Mean and standard deviation (> 0) of P.
    mean_q, std_q : float, array_like, torch.Tensor or jax.Array
        Mean and standard deviation (> 0) of Q.
    p : {1, 2}, default 1
        Order.

    Returns
    -------
    numpy.float64, numpy.ndarray or torch.Tensor or jax.Array
        :math:`W_p` (broadcast over the parameters).

    Examples
    --------
    >>> from divergences import normal_wasserstein_1d
    >>> float(normal_wasserstein_1d(0.0, 1.0, 2.0, 1.0))
    2.0
    >>> float(normal_wasserstein_1d(0.0, 1.0, 0.0, 3.0, p=2))
    2.0
    """
    if p not in (1, 2):
        raise ValueError(f"closed forms exist for p = 1 and p = 2, got p={p}")
    xp, (m0, s0, m1, s1) = as_float_arrays(mean_p=mean_p, std_p=std_p, mean_q=mean_q,
                                           std_q=std_q)
    for name, x in (("mean_p", m0), ("std_p", s0), ("mean_q", m1), ("std_q", s1)):
        check_finite(xp, name, x)
    if xp.flag(s0 < 0) or xp.flag(s1 < 0):
        raise ValueError("std_p and std_q must be non-negative")
    a = xp.abs(m0 - m1)
    b = xp.abs(s0 - s1)
    if p == 2:   # sqrt(a^2 + b^2) without squaring (a = 1e200 would overflow)
        big = xp.maximum(a, b)
        bs = xp.where(big > 0, big, 1.0)
        return as_output(xp.where(big > 0, bs * xp.sqrt((a / bs) ** 2 + (b / bs) ** 2), 0.0))
    pos = b > 0
    bs = xp.where(pos, b, 1.0)
    r = xp.where(pos, a / bs, 0.0)
    with xp.errstate():   # r^2 may overflow: exp(-inf) = 0 is the right limit
        w1 = bs * math.sqrt(2.0 / math.pi) * xp.exp(-0.5 * r * r) + a * (
            1.0 - 2.0 * xp.ndtr(-r))
    return as_output(xp.where(pos, w1, a))


# ---------------------------------------------------------------------------
# Kantorovich-Rubinstein dual
# ---------------------------------------------------------------------------


@renamed_keywords(u_values="x", v_values="y", u_weights="x_weights", v_weights="y_weights")
def optimal_critic_1d(x, y, x_weights=None, y_weights=None):
    r"""The optimal 1-Lipschitz critic of the Kantorovich-Rubinstein dual in 1-D.

    :math:`W_1(P, Q) = \sup_{\|f\|_L \le 1} \mathbb{E}_P f - \mathbb{E}_Q f`, and in
    one dimension the supremum is attained by the piecewise-linear
    :math:`f` with :math:`f' = \operatorname{sign}(F_Q - F_P)` (and
    :math:`f(\min) = 0`).  P is given by ``u`` and Q by ``v``.

    Parameters
    ----------
    x : array_like
        Samples of P.
    y : array_like
        Samples of Q.
    x_weights, y_weights : array_like, optional
        Non-negative sample weights; default uniform.

    Returns
    -------
    callable
        ``f(x)`` evaluating the critic at numpy points.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import optimal_critic_1d, wasserstein_1d, wasserstein_critic_objective
    >>> u, v = np.array([0.0, 1.0, 4.0]), np.array([2.0, 3.0])
    >>> f = optimal_critic_1d(u, v)
    >>> round(float(wasserstein_critic_objective(f(u), f(v))), 12) == round(float(wasserstein_1d(u, v)), 12)
    True
    """
    xp, u, v, wu, wv = _prepare(x, y, x_weights, y_weights, -1)
    if xp.name != "numpy" or u.ndim != 1:
        raise ValueError("optimal_critic_1d takes 1-D numpy samples")
    grid = np.unique(np.concatenate([u, v]))

    def cdf(x, w):
        order = np.argsort(x, kind="stable")
        xs = x[order]
        cum = np.cumsum(np.ones_like(xs) if w is None else w[order])
        idx = np.searchsorted(xs, grid[:-1], side="right")
        return np.where(idx > 0, cum[np.maximum(idx - 1, 0)], 0.0) / cum[-1]

    cdf_u, cdf_v = cdf(u, wu), cdf(v, wv)
    slopes = np.sign(cdf_v - cdf_u)
    knots = np.concatenate([[0.0], np.cumsum(slopes * np.diff(grid))])

    def critic(x):
        return np.interp(np.asarray(x, dtype=float), grid, knots)

    return critic


@renamed_keywords(weights_p="x_weights", weights_q="y_weights")
def wasserstein_critic_objective(critic_p, critic_q, x_weights=None, y_weights=None):
    r"""The Kantorovich-Rubinstein objective :math:`\mathbb{E}_P[f] - \mathbb{E}_Q[f]`.

    For a 1-Lipschitz critic :math:`f` this is a lower bound on :math:`W_1(P, Q)`,
    tight at the optimal critic; WGAN critics maximise it (with
    :func:`gradient_penalty` or :func:`clip_weights` enforcing the constraint).

    Parameters
    ----------
    critic_p, critic_q : array_like, torch.Tensor or jax.Array
        Critic values on samples of P and of Q (last axis = samples).
    x_weights, y_weights : array_like, torch.Tensor or jax.Array, optional
        Non-negative sample weights (normalised internally).

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> from divergences import wasserstein_critic_objective
    >>> float(wasserstein_critic_objective([1.0, 3.0], [0.0, 0.0, 3.0]))
    1.0
    """
    xp, cp, cq, wp, wq = two_sample_values(critic_p, critic_q, x_weights, y_weights,
                                           names=("critic_p", "critic_q"))
    return as_output(weighted_mean(xp, cp, wp) - weighted_mean(xp, cq, wq))


@renamed_keywords(x_p="x", x_q="y")
def gradient_penalty(critic, x, y, *, rng=None, target=1.0, one_sided=False):
    r"""WGAN-GP gradient penalty :math:`\mathbb{E}_{\hat x}[(\|\nabla f(\hat x)\|_2 - 1)^2]`.

    :math:`\hat x = \epsilon x + (1 - \epsilon) y` with one
    :math:`\epsilon \sim U(0, 1)` per pair of samples (Gulrajani et al. 2017).
    The graph is kept (``create_graph=True``) so the penalty can be
    back-propagated into the critic's parameters.

    Parameters
    ----------
    critic : callable
        Maps a batch tensor of shape ``(n, ...)`` to ``(n,)`` or ``(n, 1)``.
    x, y : torch.Tensor
        Batches of the same shape ``(n, ...)``.
    rng : None, int, numpy Generator or torch.Generator
        Source of the interpolation weights (on the samples' device).
    target : float, default 1
        The gradient norm aimed at.
    one_sided : bool, default False
        Penalise only norms above ``target``: :math:`\max(0, \|\nabla f\| - 1)^2`
        (Petzka et al. 2018).

    Returns
    -------
    torch.Tensor
        A 0-d tensor.

    Notes
    -----
    For one-dimensional data prefer ``one_sided=True``.  There the two-sided
    penalty's zero set :math:`|f'| = 1` has two disconnected branches, and a
    critic that must turn a slope from -1 to +1 is charged for passing through
    0: in ``docs/examples/gan_fgan_wgan.py`` a critic trained against a
    three-mode mixture stays monotone and reports 0.37 where :math:`W_1` is
    2.34, and the WGAN built on it diverges.

    Examples
    --------
    >>> import torch
    >>> from divergences import gradient_penalty
    >>> critic = lambda x: 3.0 * x.sum(dim=1)          # gradient norm 3 * sqrt(2)
    >>> x = torch.zeros(4, 2); y = torch.ones(4, 2)
    >>> round(float(gradient_penalty(critic, x, y, rng=0)), 4)   # (3 sqrt 2 - 1)^2
    10.5147
    """
    import torch

    check_callable("critic", critic)
    target = check_real("target", target, 0, closed="left")
    one_sided = check_bool("one_sided", one_sided)
    if not (is_torch(x) and is_torch(y)):
        raise TypeError("gradient_penalty needs torch tensors x and y")
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape, got {tuple(x.shape)} "
                         f"and {tuple(y.shape)}")
    if x.ndim == 0 or x.shape[0] == 0:
        raise ValueError("x and y must be non-empty batches")
    dtype = torch.promote_types(x.dtype, y.dtype)
    if dtype.is_complex:
        raise TypeError(f"x and y must be real, got dtype {dtype}")
    if not dtype.is_floating_point:         # integers (and bool): the default float dtype
        dtype = torch.get_default_dtype()
    gen = torch_rng(rng, x.device)
    eps = torch.rand((x.shape[0],) + (1,) * (x.ndim - 1), generator=gen,
                     device=x.device, dtype=dtype)
    x_hat = eps * x.to(dtype) + (1.0 - eps) * y.to(dtype)
    if not x_hat.requires_grad:
        x_hat.requires_grad_(True)
    out = critic(x_hat)
    if not is_torch(out):
        raise TypeError(f"critic must return a torch.Tensor, got {type(out).__name__}")
    if out.requires_grad:
        (grad,) = torch.autograd.grad(out.sum(), x_hat, create_graph=True, allow_unused=True)
    else:
        grad = None
    if grad is None:                         # a critic that ignores its input: gradient 0
        grad = torch.zeros_like(x_hat)
    sq = (grad.reshape(grad.shape[0], -1) ** 2).sum(dim=1)
    pos = sq > 0
    norm = torch.where(pos, torch.sqrt(torch.where(pos, sq, torch.ones_like(sq))),
                       torch.zeros_like(sq))
    gap = norm - target
    if one_sided:
        gap = torch.clamp(gap, min=0.0)
    return (gap ** 2).mean()


def clip_weights(module, clip_value=0.01):
    """Clamp every parameter of a ``torch.nn.Module`` to ``[-clip_value, clip_value]`` in place.

    The original WGAN's crude Lipschitz constraint (Arjovsky et al. 2017).

    Parameters
    ----------
    module : torch.nn.Module
        The critic; its parameters are changed in place.
    clip_value : float, default 0.01
        Positive bound c of the box :math:`[-c, c]`.

    Returns
    -------
    None

    Examples
    --------
    >>> import torch
    >>> from divergences import clip_weights
    >>> from divergences.critics import linear
    >>> layer = linear(3, 1, torch.Generator().manual_seed(0))
    >>> clip_weights(layer, 0.01)
    >>> bool(layer.weight.abs().max() <= 0.01)
    True
    """
    import torch

    if not (is_real(clip_value) and clip_value > 0):
        raise ValueError(f"clip_value must be a positive number, got {clip_value!r}")
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    with torch.no_grad():
        for param in module.parameters():
            param.clamp_(-clip_value, clip_value)


# ---------------------------------------------------------------------------
# sliced Wasserstein
# ---------------------------------------------------------------------------


def sliced_wasserstein(x, y, x_weights=None, y_weights=None, *, p=2, n_projections=128,
                       projections=None, rng=None):
    r"""Sliced Wasserstein distance between d-dimensional empirical distributions.

    .. math:: SW_p(\mu, \nu) = \Big(\mathbb{E}_{\theta \sim U(S^{d-1})}\,
              W_p^p(\theta_\#\mu, \theta_\#\nu)\Big)^{1/p}

    estimated by averaging the exact 1-D :math:`W_p^p` over projection
    directions, all solved in one batched call.

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array
        Samples of shape ``(..., n, d)`` and ``(..., m, d)`` (leading axes are
        independent problems).
    x_weights, y_weights : optional
        Sample weights of shape ``(..., n)`` and ``(..., m)``.
    p : float, default 2
    n_projections : int, default 128
        Number of random directions (ignored with ``projections``).
    projections : array_like, torch.Tensor or jax.Array, optional
        Directions of shape ``(L, d)``; normalised to unit length.
    rng : None, int, numpy Generator or torch.Generator
        Source of the random directions.

    Returns
    -------
    numpy.float64 or torch.Tensor or jax.Array
        :math:`\big(\frac1L\sum_l W_p^p(\theta_l^\top X, \theta_l^\top Y)\big)^{1/p}`
        over the L projections.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import sliced_wasserstein
    >>> x = np.zeros((5, 2)); y = np.tile([3.0, 4.0], (5, 1))
    >>> float(sliced_wasserstein(x, y, projections=[[1.0, 0.0], [0.0, 1.0]], p=1))
    3.5
    """
    p = check_p(p)
    for name, a in (("x", x), ("y", y)):
        if a is None:
            raise TypeError(f"{name} must be an array of samples, got None")
    xp, arrays = as_float_dict(x=x, y=y, projections=projections, x_weights=x_weights,
                               y_weights=y_weights)
    x, y = arrays["x"], arrays["y"]
    for name, a in (("x", x), ("y", y)):
        if a.ndim < 2:
            raise ValueError(f"{name} must have shape (..., n, d), got {tuple(a.shape)}")
        if a.shape[-2] == 0 or a.shape[-1] == 0:
            raise ValueError(f"{name} is empty")
        check_finite(xp, name, a)
    d = x.shape[-1]
    if y.shape[-1] != d:
        raise ValueError(f"x and y must have the same dimension, got {d} and {y.shape[-1]}")
    if projections is None:
        if isinstance(n_projections, bool) or not isinstance(n_projections, (int, np.integer)) \
                or n_projections < 1:
            raise ValueError(f"n_projections must be a positive integer, got {n_projections!r}")
        theta = standard_normal(xp, rng, (int(n_projections), d), x)
    else:
        theta = arrays["projections"]
        if theta.ndim != 2 or theta.shape[-1] != d or theta.shape[0] == 0:
            raise ValueError(f"projections must have shape (L, {d}), got {tuple(theta.shape)}")
        check_finite(xp, "projections", theta)     # directions: NaN or inf has none
    norms = xp.sqrt(xp.sum(theta * theta, axis=-1))
    if xp.flag(~(norms > 0)):
        raise ValueError("projections must be non-zero vectors")
    theta = theta / norms[..., None]
    # (..., n, d) @ (d, L) -> (..., L, n): one 1-D problem per direction
    px = xp.moveaxis(x @ xp.matrix_transpose(theta), -1, -2)
    py = xp.moveaxis(y @ xp.matrix_transpose(theta), -1, -2)
    wx, wy = (None if w is None else (w[..., None, :] if w.ndim else w)
              for w in (arrays["x_weights"], arrays["y_weights"]))
    for name, w, a, aname in (("x_weights", arrays["x_weights"], x, "x"),
                              ("y_weights", arrays["y_weights"], y, "y")):
        if w is not None and (w.ndim == 0 or w.shape[-1] != a.shape[-2]):
            raise ValueError(f"{name} of shape {tuple(w.shape)} does not match {aname} of shape "
                             f"{tuple(a.shape)}: one weight per sample (axis -2 of {aname})")
    xp2, u, v, wu, wv = _prepare(px, py, wx, wy, -1, names=("x", "y", "x_weights", "y_weights"))
    scale = _scale_for_power(p, u, v)
    if scale != 1.0:
        u, v = u / scale, v / scale
    with xp.errstate():
        wpp = wasserstein_pow(xp2, u, v, wu, wv, p)
        w = wasserstein_root(xp, xp.mean(wpp, axis=-1), p)
        return as_output(w if scale == 1.0 else w * scale)

