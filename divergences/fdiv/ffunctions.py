r"""f-functions (generators of f-divergences) with their convex conjugates.

An f-divergence is :math:`D_f(P\|Q) = \mathbb{E}_Q[f(p/q)]` for a convex
generator :math:`f` on :math:`[0, \infty)`.  Every generator is extended to
the whole real line by :math:`f(u) = +\infty` for :math:`u < 0`; its convex
(Fenchel) conjugate is

.. math:: f^*(t) = \sup_{u \ge 0}\; u t - f(u),

which is :math:`+\infty` outside ``conjugate_domain``.  The conjugate gives the
variational bound :math:`D_f(P\|Q) \ge \mathbb{E}_P[T] - \mathbb{E}_Q[f^*(T)]`
with equality at :math:`T^* = f'(p/q)`.  The f-GAN *output activation*
:math:`g_f` maps a raw network output :math:`v \in \mathbb{R}` into the
domain of :math:`f^*`; :meth:`FFunction.conjugate_of_activation` computes
:math:`f^*(g_f(v))` in a numerically stable closed form.

All callables accept numpy arrays, Python numbers and torch tensors and return
the same kind (see :mod:`divergences._backend.array`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping

from .._backend.array import as_float_arrays, as_output
from .._backend.checks import is_real

__all__ = ["FFunction", "get_f", "f_names", "dual"]

_LOG2 = math.log(2.0)
_INF = math.inf


# ---------------------------------------------------------------------------
# stable scalar helpers written against the backend namespace
# ---------------------------------------------------------------------------


def _log1mexp(xp, a):
    """log(1 - exp(a)) for a <= 0, accurate on the whole half-line."""
    near = a > -_LOG2
    a_near = xp.where(near, a, -1.0)
    a_far = xp.where(near, -1.0, a)
    return xp.where(near, xp.log(-xp.expm1(a_near)), xp.log1p(-xp.exp(a_far)))


def _log_softplus(xp, x):
    """log(softplus(x)) without underflow for very negative x."""
    small = x < -20.0
    xs = xp.where(small, -20.0, x)
    xl = xp.where(small, x, -20.0)
    return xp.where(small, xl - 0.5 * xp.exp(xl), xp.log(xp.softplus(xs)))


def _on_positive(core, at_zero):
    """Evaluate ``core`` on u > 0, ``at_zero`` at 0, +inf for u < 0 (NaN stays NaN).

    The "double where" keeps gradients finite: ``core`` only ever sees u > 0.
    """

    def fn(xp, u):
        pos = u > 0
        us = xp.where(pos, u, 1.0)
        val = xp.where(pos, core(xp, us), at_zero)
        val = xp.where(u < 0, _INF, val)
        return xp.where(xp.isnan(u), math.nan, val)

    return fn


def _derivative_on_positive(core, at_zero):
    """Like :func:`_on_positive` but NaN for u < 0 (no derivative outside the domain)."""

    def fn(xp, u):
        pos = u > 0
        us = xp.where(pos, u, 1.0)
        val = xp.where(pos, core(xp, us), at_zero)
        return xp.where(u < 0, math.nan, val)

    return fn


def _below(bound, core, closed=False, outside=_INF):
    """Conjugate helper: ``core(t)`` for t < bound (or <=), +inf above.

    ``core`` is evaluated at a safe point outside the domain so that neither
    its value nor its gradient can be NaN there.
    """

    def fn(xp, t):
        inside = (t <= bound) if closed else (t < bound)
        ts = xp.where(inside, t, bound - 1.0)
        return xp.where(inside, core(xp, ts), outside)

    return fn


# ---------------------------------------------------------------------------
# the FFunction object
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FFunction:
    r"""A convex generator :math:`f` with its conjugate and f-GAN activation.

    Instances are made by :func:`get_f` (or :func:`dual`); all fields are
    read-only.  Every method accepts numpy arrays, Python numbers or torch
    tensors, is vectorised, returns the same kind as its input and is
    differentiable wherever the mathematics is.

    Attributes
    ----------
    name : str
        Table name, e.g. ``"kl"``.
    params : Mapping[str, float]
        Parameters (``{"alpha": 0.5}``, ``{"pi": 0.3}``), empty if none.
    conjugate_domain : tuple of float
        ``(low, high)``: the interval where :math:`f^*` is finite.  Whether
        ``high`` itself belongs to it is given by ``conjugate_domain_closed``.
    conjugate_domain_closed : bool
        True if :math:`f^*(\text{high}) < \infty`.
    f_at_zero : float
        :math:`f(0) = \lim_{u\to 0^+} f(u)` (possibly ``inf``).
    slope_at_infinity : float
        :math:`f'(\infty) = \lim_{u\to\infty} f(u)/u` (possibly ``inf``);
        the weight of mass of P where Q has none.
    derivative_at_zero : float
        :math:`f'(0^+)` (possibly ``-inf``).
    formula, conjugate_formula, activation_formula : str
        Plain-text formulas, used by ``divergences table``.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import get_f
    >>> f = get_f("kl")
    >>> float(f(2.0))                      # 2 log 2
    1.3862943611198906
    >>> float(f.conjugate(1.0))            # exp(t - 1)
    1.0
    >>> f.conjugate_domain
    (-inf, inf)
    """

    name: str
    params: Mapping[str, float]
    formula: str
    conjugate_formula: str
    activation_formula: str
    conjugate_domain: tuple
    conjugate_domain_closed: bool
    f_at_zero: float
    slope_at_infinity: float
    derivative_at_zero: float
    _f: Callable = field(repr=False)
    _derivative: Callable = field(repr=False)
    _conjugate: Callable = field(repr=False)
    _activation: Callable = field(repr=False)
    _conjugate_of_activation: Callable = field(repr=False)
    _core: Callable = field(repr=False)
    _dual_key: tuple = field(repr=False, default=None)
    _perspective: Callable = field(repr=False, default=None)  # (p, q) -> q f(p/q), p, q > 0

    # public callables ----------------------------------------------------
    def __call__(self, u):
        """The generator :math:`f(u)`; :math:`+\\infty` for :math:`u < 0`."""
        xp, (u,) = as_float_arrays(u=u)
        with xp.errstate():
            return as_output(self._f(xp, u))

    def derivative(self, u):
        """The derivative :math:`f'(u)` for :math:`u \\ge 0` (one-sided at 0, NaN for u < 0).

        Examples
        --------
        >>> from divergences import get_f
        >>> float(get_f("kl").derivative(1.0))
        1.0
        """
        xp, (u,) = as_float_arrays(u=u)
        with xp.errstate():
            return as_output(self._derivative(xp, u))

    def conjugate(self, t):
        """The convex conjugate :math:`f^*(t) = \\sup_{u\\ge 0} ut - f(u)`, +inf off its domain.

        Examples
        --------
        >>> from divergences import get_f
        >>> get_f("reverse_kl").conjugate([-1.0, 0.5]).tolist()
        [-1.0, inf]
        """
        xp, (t,) = as_float_arrays(t=t)
        with xp.errstate():
            return as_output(self._conjugate(xp, t))

    def activation(self, v):
        """The f-GAN output activation :math:`g_f: \\mathbb{R} \\to \\operatorname{dom} f^*`.

        Examples
        --------
        >>> from divergences import get_f
        >>> float(get_f("gan").activation(0.0))   # -softplus(0) = -log 2
        -0.6931471805599453
        """
        xp, (v,) = as_float_arrays(v=v)
        with xp.errstate():
            return as_output(self._activation(xp, v))

    def conjugate_of_activation(self, v):
        """:math:`f^*(g_f(v))` in a numerically stable closed form.

        Examples
        --------
        >>> from divergences import get_f
        >>> float(get_f("gan").conjugate_of_activation(0.0))   # softplus(0)
        0.6931471805599453
        """
        xp, (v,) = as_float_arrays(v=v)
        with xp.errstate():
            return as_output(self._conjugate_of_activation(xp, v))

    # derived constants ---------------------------------------------------
    @property
    def derivative_at_one(self) -> float:
        """:math:`f'(1)` (the subgradient 0 for total variation)."""
        return float(self.derivative(1.0))

    @property
    def value_at_one(self) -> float:
        """:math:`f(1)`: the divergence between identical distributions (0 except ``gan``)."""
        return float(self(1.0))

    @property
    def slope_intercept_at_infinity(self) -> float:
        r""":math:`\lim_{u\to\infty} f(u) - u f'(u) = -f^*(f'(\infty))`.

        The derivative of :math:`q f(p/q)` with respect to q at q = 0 < p.
        """
        s = self.slope_at_infinity
        if math.isinf(s):
            return -_INF
        return -float(self.conjugate(s))

    def __repr__(self) -> str:
        if self.params:
            args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
            return f"FFunction({self.name!r}, {args})"
        return f"FFunction({self.name!r})"

    def __eq__(self, other) -> bool:
        if not isinstance(other, FFunction):
            return NotImplemented
        return (self.name, dict(self.params)) == (other.name, dict(other.params))

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.params.items()))))


def _make(name, params, *, formula, conjugate_formula, activation_formula, core,
          derivative, f_at_zero, derivative_at_zero, conjugate, domain, closed,
          slope, activation, conjugate_of_activation, dual_key, perspective=None):
    return FFunction(
        name=name,
        params=dict(params),
        formula=formula,
        conjugate_formula=conjugate_formula,
        activation_formula=activation_formula,
        conjugate_domain=domain,
        conjugate_domain_closed=closed,
        f_at_zero=f_at_zero,
        slope_at_infinity=slope,
        derivative_at_zero=derivative_at_zero,
        _f=_on_positive(core, f_at_zero),
        _derivative=_derivative_on_positive(derivative, derivative_at_zero),
        _conjugate=conjugate,
        _activation=activation,
        _conjugate_of_activation=conjugate_of_activation,
        _core=core,
        _dual_key=dual_key,
        _perspective=perspective,
    )


# ---------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------


def _total_variation():
    return _make(
        "total_variation", {},
        formula="|u - 1| / 2",
        conjugate_formula="max(t, -1/2) for t <= 1/2",
        activation_formula="tanh(v) / 2",
        core=lambda xp, u: 0.5 * xp.abs(u - 1.0),
        derivative=lambda xp, u: 0.5 * xp.sign(u - 1.0),
        f_at_zero=0.5, derivative_at_zero=-0.5,
        conjugate=_below(0.5, lambda xp, t: xp.maximum(t, -0.5), closed=True),
        domain=(-_INF, 0.5), closed=True, slope=0.5,
        activation=lambda xp, v: 0.5 * xp.tanh(v),
        conjugate_of_activation=lambda xp, v: 0.5 * xp.tanh(v),
        dual_key=("total_variation", {}),
        perspective=lambda xp, p, q: 0.5 * xp.abs(p - q),
    )


def _kl():
    return _make(
        "kl", {},
        formula="u log u",
        conjugate_formula="exp(t - 1)",
        activation_formula="v",
        core=lambda xp, u: xp.xlogy(u, u),
        derivative=lambda xp, u: xp.log(u) + 1.0,
        f_at_zero=0.0, derivative_at_zero=-_INF,
        conjugate=lambda xp, t: xp.exp(t - 1.0),
        domain=(-_INF, _INF), closed=False, slope=_INF,
        activation=lambda xp, v: v + 0.0,
        conjugate_of_activation=lambda xp, v: xp.exp(v - 1.0),
        dual_key=("reverse_kl", {}),
        perspective=lambda xp, p, q: p * (xp.log(p) - xp.log(q)),
    )


def _reverse_kl():
    return _make(
        "reverse_kl", {},
        formula="-log u",
        conjugate_formula="-1 - log(-t)",
        activation_formula="-exp(-v)",
        core=lambda xp, u: -xp.log(u),
        derivative=lambda xp, u: -1.0 / u,
        f_at_zero=_INF, derivative_at_zero=-_INF,
        conjugate=_below(0.0, lambda xp, t: -1.0 - xp.log(-t)),
        domain=(-_INF, 0.0), closed=False, slope=0.0,
        activation=lambda xp, v: -xp.exp(-v),
        conjugate_of_activation=lambda xp, v: v - 1.0,
        dual_key=("kl", {}),
        perspective=lambda xp, p, q: q * (xp.log(q) - xp.log(p)),
    )


def _pearson_conjugate(xp, t):
    big = t >= -2.0
    ts = xp.where(big, t, -2.0)
    return xp.where(big, 0.25 * ts * ts + ts, -1.0)


def _pearson():
    return _make(
        "pearson", {},
        formula="(u - 1)^2",
        conjugate_formula="t^2/4 + t for t >= -2, -1 for t < -2",
        activation_formula="v",
        core=lambda xp, u: (u - 1.0) ** 2,
        derivative=lambda xp, u: 2.0 * (u - 1.0),
        f_at_zero=1.0, derivative_at_zero=-2.0,
        conjugate=_pearson_conjugate,
        domain=(-_INF, _INF), closed=False, slope=_INF,
        activation=lambda xp, v: v + 0.0,
        conjugate_of_activation=_pearson_conjugate,
        dual_key=("neyman", {}),
        perspective=lambda xp, p, q: ((p - q) / xp.sqrt(q)) ** 2,   # (p - q)^2 would underflow
    )


def _neyman():
    return _make(
        "neyman", {},
        formula="(1 - u)^2 / u",
        conjugate_formula="2 - 2 sqrt(1 - t)",
        activation_formula="1 - exp(-v)",
        core=lambda xp, u: (1.0 - u) * ((1.0 - u) / u),      # no overflow of u^2
        derivative=lambda xp, u: 1.0 - (1.0 / u) ** 2,       # u * u would underflow to 0
        f_at_zero=_INF, derivative_at_zero=-_INF,
        conjugate=_below(1.0, lambda xp, t: 2.0 - 2.0 * xp.sqrt(1.0 - t), closed=True),
        domain=(-_INF, 1.0), closed=True, slope=1.0,
        activation=lambda xp, v: -xp.expm1(-v),
        conjugate_of_activation=lambda xp, v: 2.0 - 2.0 * xp.exp(-0.5 * v),
        dual_key=("pearson", {}),
        perspective=lambda xp, p, q: ((p - q) / xp.sqrt(p)) ** 2,   # (p - q)^2 would underflow
    )


def _squared_hellinger():
    return _make(
        "squared_hellinger", {},
        formula="(sqrt(u) - 1)^2",
        conjugate_formula="t / (1 - t)",
        activation_formula="1 - exp(-v)",
        core=lambda xp, u: (xp.sqrt(u) - 1.0) ** 2,
        derivative=lambda xp, u: 1.0 - 1.0 / xp.sqrt(u),
        f_at_zero=1.0, derivative_at_zero=-_INF,
        conjugate=_below(1.0, lambda xp, t: t / (1.0 - t)),
        domain=(-_INF, 1.0), closed=False, slope=1.0,
        activation=lambda xp, v: -xp.expm1(-v),
        conjugate_of_activation=lambda xp, v: xp.expm1(v),
        dual_key=("squared_hellinger", {}),
        perspective=lambda xp, p, q: (xp.sqrt(p) - xp.sqrt(q)) ** 2,
    )


def _gan_perspective(xp, p, q):
    """p log(p / (p + q)) + q log(q / (p + q)), from log p and log q (exact at subnormals)."""
    s = xp.maximum(p, q)
    ls = xp.log(p / s + q / s) + xp.log(s)                # log(p + q) without overflow
    return p * (xp.log(p) - ls) + q * (xp.log(q) - ls)


def _le_cam_perspective(xp, p, q):
    """(p - q)^2 / (2 (p + q)) as a square of a ratio: neither (p - q)^2 underflows nor
    (p - q) / (p + q) times (p - q) overflows; p + q is formed at half scale."""
    return ((p - q) / xp.sqrt(2.0 * (0.5 * p + 0.5 * q))) ** 2 / 2.0


def _jeffreys_conjugate(xp, t):
    w = xp.wright_omega(1.0 - t)  # W(e^{1-t})
    # 1/w = e^{t - 1 + w} (from w e^w = e^{1-t}) for small w (large t): the backward
    # pass then never forms 1/w^2, which overflows at w ~ 1e-154 although the
    # derivative of f*, 1/w, is finite; 1/w directly for w >= 1
    small = w < 1.0
    inv = xp.where(small, xp.exp(xp.where(small, t - 1.0 + w, 0.0)),
                   1.0 / xp.where(small, 1.0, w))
    return w + inv + t - 2.0


def _jeffreys():
    return _make(
        "jeffreys", {},
        formula="(u - 1) log u",
        conjugate_formula="W(e^(1-t)) + 1/W(e^(1-t)) + t - 2  (W: Lambert W)",
        activation_formula="v",
        core=lambda xp, u: (u - 1.0) * xp.log(u),
        derivative=lambda xp, u: xp.log(u) + 1.0 - 1.0 / u,
        f_at_zero=_INF, derivative_at_zero=-_INF,
        conjugate=_jeffreys_conjugate,
        domain=(-_INF, _INF), closed=False, slope=_INF,
        activation=lambda xp, v: v + 0.0,
        conjugate_of_activation=_jeffreys_conjugate,
        dual_key=("jeffreys", {}),
        perspective=lambda xp, p, q: (p - q) * (xp.log(p) - xp.log(q)),
    )


def _weighted_js(pi, name="weighted_jensen_shannon"):
    """pi u log u - m log m with m = 1 - pi + pi u (pi = 1/2: Jensen-Shannon)."""
    bound = -pi * math.log(pi)          # sup of dom f* = f'(inf)
    c = 1.0 - pi
    log_c = math.log(c)

    def core(xp, u):
        m = c + pi * u
        # pi u log u - m log m = pi u log(u / m) - c log m: no inf - inf for u near 1e306
        return xp.xlogy(pi * u, u / m) - c * xp.log(m)

    def derivative(xp, u):
        # pi log(u / m): -pi log1p(c (1 - u) / u) for u > 1/2 (accurate near u = 1 and for
        # large u), pi (log u - log1p(pi (u - 1))) below (1/u overflows at subnormal u)
        big = u > 0.5
        ub, us = xp.where(big, u, 1.0), xp.where(big, 0.25, u)
        return xp.where(big, -pi * xp.log1p(c * ((1.0 - ub) / ub)),
                        pi * (xp.log(us) - xp.log1p(pi * (us - 1.0))))

    def conj_core(xp, t):
        return c * (log_c - _log1mexp(xp, t / pi + math.log(pi)))

    def perspective(xp, p, q):
        # pi KL(P||M) + (1 - pi) KL(Q||M) termwise, M = pi P + (1 - pi) Q
        # scaled by max(p, q) so that pi p + (1 - pi) q cannot underflow to 0
        # log(ps / m) as log p - log s - log m: a subnormal p (exact, but with few
        # digits) keeps its logarithm exact, where p / s / m would round it
        s = xp.maximum(p, q)
        ps, qs = p / s, q / s
        lm = xp.log(pi * ps + c * qs) + xp.log(s)        # m >= min(pi, 1 - pi) > 0
        return pi * p * (xp.log(p) - lm) + c * q * (xp.log(q) - lm)

    params = {} if name == "jensen_shannon" else {"pi": pi}
    if name == "jensen_shannon":
        formulas = dict(
            formula="(u log u - (u + 1) log((u + 1)/2)) / 2",
            conjugate_formula="-log(2 - exp(2t)) / 2",
            activation_formula="(log 2 - softplus(-v)) / 2",
        )
    else:
        formulas = dict(
            formula="pi u log u - (1 - pi + pi u) log(1 - pi + pi u)",
            conjugate_formula="(1 - pi) [log(1 - pi) - log(1 - pi exp(t/pi))]",
            activation_formula="-pi log pi - pi softplus(-v)",
        )
    dual_key = ("jensen_shannon", {}) if name == "jensen_shannon" else (
        "weighted_jensen_shannon", {"pi": 1.0 - pi})
    return _make(
        name, params, **formulas,
        core=core, derivative=derivative,
        f_at_zero=-c * log_c, derivative_at_zero=-_INF,
        conjugate=_below(bound, conj_core),
        domain=(-_INF, bound), closed=False, slope=bound,
        activation=lambda xp, v: bound - pi * xp.softplus(-v),
        conjugate_of_activation=lambda xp, v: c * (log_c + xp.softplus(v)),
        dual_key=dual_key,
        perspective=perspective,
    )


def _gan_core(xp, u):
    # u log u - (u + 1) log(u + 1) = -u log1p(1/u) - log1p(u) for u > 1 (no cancellation
    # of two huge terms: at u = 1e16 the direct form gives 0.0 instead of -37.8); each
    # branch sees only inputs where it is finite, so gradients stay finite
    big = u > 1.0
    ub = xp.where(big, u, 2.0)
    us = xp.where(big, 0.5, u)
    return xp.where(big, -ub * xp.log1p(1.0 / ub) - xp.log1p(ub),
                    xp.xlogy(us, us) - (us + 1.0) * xp.log1p(us))


def _gan_derivative(xp, u):
    # log(u / (u + 1)): -log1p(1/u) for u > 1 (the difference of logs cancels at 1e15),
    # log u - log1p(u) below (no cancellation there; 1/u overflows at subnormal u)
    big = u > 1.0
    return xp.where(big, -xp.log1p(1.0 / xp.where(big, u, 2.0)),
                    xp.log(xp.where(big, 0.5, u)) - xp.log1p(xp.where(big, 0.5, u)))


def _gan():
    return _make(
        "gan", {},
        formula="u log u - (u + 1) log(u + 1)",
        conjugate_formula="-log(1 - exp(t))",
        activation_formula="-softplus(-v)",
        core=_gan_core,
        derivative=_gan_derivative,
        f_at_zero=0.0, derivative_at_zero=-_INF,
        conjugate=_below(0.0, lambda xp, t: -_log1mexp(xp, t)),
        domain=(-_INF, 0.0), closed=False, slope=0.0,
        activation=lambda xp, v: -xp.softplus(-v),
        conjugate_of_activation=lambda xp, v: xp.softplus(v),
        dual_key=("gan", {}),
        perspective=lambda xp, p, q: _gan_perspective(xp, p, q),
    )


def _alpha(alpha):
    a = float(alpha)
    am1 = a - 1.0
    denom = a * am1
    expo = a / am1                       # exponent of the conjugate

    # alpha near 1: (u^a - 1 - a (u - 1)) / (a (a - 1)) = (u E - (u - 1)) / a with
    # E = expm1((a - 1) log u) / (a - 1), so no difference is divided by the small a - 1
    # (which cost 3 digits at alpha = 0.999: 5e-13 in float64, 1.5e-4 in float32).  |a - 1|
    # <= 1/4 keeps (a - 1) log u within exp's range for every float64 or float32 ratio
    near_one = abs(am1) <= 0.25

    def core(xp, u):
        if near_one:
            return (u * (xp.expm1(am1 * xp.log(u)) / am1) - (u - 1.0)) / a
        # for u > 2, [u (u^(a-1) - a) + (a - 1)] / denom: no inf - inf when u^a and a u
        # both overflow (u near 1e308); below, expm1 keeps the digits near u = 1
        big = u > 2.0
        ub = xp.where(big, u, 4.0)
        us = xp.where(big, 1.0, u)
        far = (ub * (xp.exp(am1 * xp.log(ub)) - a) + am1) / denom
        near = (xp.expm1(a * xp.log(us)) - a * (us - 1.0)) / denom
        return xp.where(big, far, near)

    def derivative(xp, u):
        return xp.expm1(am1 * xp.log(u)) / am1

    def perspective(xp, p, q):
        if near_one:             # q f(p/q) = (p E - (p - q)) / a, E as in core, L = log(p/q)
            return (p * (xp.expm1(am1 * (xp.log(p) - xp.log(q))) / am1) - (p - q)) / a
        # q f(p/q) = (p^a q^(1-a) - q - a (p - q)) / (a (a - 1)) without forming p/q;
        # expm1 keeps the digits near p = q, exp(r + log q) avoids overflow when q is tiny
        lq = xp.log(q)
        r = a * (xp.log(p) - lq)
        # past e^r > 1/eps^2, expm1(r) = exp(r) to rounding; switching there keeps q e^r from
        # overflowing in float32 (e^89) while exp(r + log q) is still representable
        moderate = r < -2.0 * math.log(xp.finfo(r.dtype).eps)
        near = q * xp.expm1(xp.where(moderate, r, 0.0))
        far = xp.exp(xp.where(moderate, 0.0, r + lq)) - q
        return (xp.where(moderate, near, far) - a * (p - q)) / denom

    if a > 1.0:
        def conjugate(xp, t):
            z = 1.0 + t * am1
            pos = z > 0
            zs = xp.where(pos, z, 1.0)
            return xp.where(pos, xp.expm1(expo * xp.log(zs)) / a, -1.0 / a)

        domain, closed, slope = (-_INF, _INF), False, _INF
        activation = lambda xp, v: v + 0.0  # noqa: E731
        conj_act = conjugate
        act_formula = "v"
        conj_formula = "(max(1 + (alpha-1) t, 0)^(alpha/(alpha-1)) - 1) / alpha"
        f0 = 1.0 / a
        d0 = -1.0 / am1
    else:
        high = 1.0 / (1.0 - a)
        closed = a < 0.0

        def conj_core(xp, t):
            z = 1.0 + t * am1
            pos = z > 0
            zs = xp.where(pos, z, 1.0)
            # z = 0 only at the closed endpoint (alpha < 0): the value is -1/alpha
            return xp.where(pos, xp.expm1(expo * xp.log(zs)) / a, -1.0 / a)

        conjugate = _below(high, conj_core, closed=closed)
        domain, slope = (-_INF, high), high
        activation = lambda xp, v: high - xp.softplus(-v)  # noqa: E731

        def conj_act(xp, v):
            return xp.expm1(expo * (math.log(1.0 - a) + _log_softplus(xp, -v))) / a

        act_formula = "1/(1 - alpha) - softplus(-v)"
        conj_formula = "((1 + (alpha-1) t)^(alpha/(alpha-1)) - 1) / alpha"
        f0 = 1.0 / a if a > 0 else _INF
        d0 = -_INF
    return _make(
        "alpha", {"alpha": a},
        formula="(u^alpha - 1 - alpha (u - 1)) / (alpha (alpha - 1))",
        conjugate_formula=conj_formula,
        activation_formula=act_formula,
        core=core, derivative=derivative,
        f_at_zero=f0, derivative_at_zero=d0,
        conjugate=conjugate, domain=domain, closed=closed, slope=slope,
        activation=activation, conjugate_of_activation=conj_act,
        dual_key=("alpha", {"alpha": 1.0 - a}),
        perspective=perspective,
    )


def _le_cam_conjugate(xp, t):
    low = t < -1.5
    ts = xp.where(low, -1.5, t)
    return xp.where(low, -0.5, 2.0 - ts - 2.0 * xp.sqrt(1.0 - 2.0 * ts))


def _le_cam():
    def conj_act(xp, v):
        sig = xp.exp(-xp.softplus(v))            # sigmoid(-v)
        return 1.5 + 2.0 * sig - 4.0 * xp.exp(-0.5 * xp.softplus(v))

    return _make(
        "le_cam", {},
        formula="(1 - u)^2 / (2 (u + 1))",
        conjugate_formula="2 - t - 2 sqrt(1 - 2t) for -3/2 <= t <= 1/2, -1/2 below",
        activation_formula="1/2 - 2 sigmoid(-v)",
        core=lambda xp, u: (1.0 - u) * ((1.0 - u) / (u + 1.0)) / 2.0,
        derivative=lambda xp, u: ((u - 1.0) / (u + 1.0)) * ((u + 3.0) / (u + 1.0)) / 2.0,
        f_at_zero=0.5, derivative_at_zero=-1.5,
        conjugate=_below(0.5, _le_cam_conjugate, closed=True),
        domain=(-_INF, 0.5), closed=True, slope=0.5,
        activation=lambda xp, v: 0.5 - 2.0 * xp.exp(-xp.softplus(v)),
        conjugate_of_activation=conj_act,
        dual_key=("le_cam", {}),
        perspective=lambda xp, p, q: _le_cam_perspective(xp, p, q),
    )


def _check_pi(pi):
    if not is_real(pi):
        raise TypeError(f"pi must be a float in (0, 1), got {type(pi).__name__}")
    if not 0.0 < float(pi) < 1.0:
        raise ValueError(f"pi must lie strictly between 0 and 1, got {pi}")
    return float(pi)


def _check_alpha(alpha):
    if not is_real(alpha):
        raise TypeError(f"alpha must be a real number, got {type(alpha).__name__}")
    alpha = float(alpha)
    if not math.isfinite(alpha):
        raise ValueError(f"alpha must be finite, got {alpha}")
    if alpha in (0.0, 1.0):
        raise ValueError(
            f"alpha={alpha} is a limit case: use get_f('reverse_kl') for alpha -> 0 "
            f"and get_f('kl') for alpha -> 1"
        )
    return alpha


_BUILDERS = {
    "total_variation": (lambda: _total_variation(), ()),
    "kl": (lambda: _kl(), ()),
    "reverse_kl": (lambda: _reverse_kl(), ()),
    "pearson": (lambda: _pearson(), ()),
    "neyman": (lambda: _neyman(), ()),
    "squared_hellinger": (lambda: _squared_hellinger(), ()),
    "jeffreys": (lambda: _jeffreys(), ()),
    "jensen_shannon": (lambda: _weighted_js(0.5, "jensen_shannon"), ()),
    "gan": (lambda: _gan(), ()),
    "weighted_jensen_shannon": (lambda pi: _weighted_js(_check_pi(pi)), ("pi",)),
    "alpha": (lambda alpha: _alpha(_check_alpha(alpha)), ("alpha",)),
    "le_cam": (lambda: _le_cam(), ()),
}


def f_names() -> tuple:
    """Names accepted by :func:`get_f`.

    Returns
    -------
    tuple of str
        The names of the f-function table, in the order of ``divergences table``.

    Examples
    --------
    >>> from divergences import f_names
    >>> "kl" in f_names() and "alpha" in f_names()
    True
    """
    return tuple(_BUILDERS)


class UnknownFunctionError(ValueError, KeyError):
    """An unknown f-function name: a ``ValueError`` (a bad argument value) and, for
    code written against earlier versions, a ``KeyError``; prints as plain text."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


def get_f(name, **params) -> FFunction:
    """Return the f-function called ``name``.

    Parameters
    ----------
    name : str or FFunction
        One of :func:`f_names`.  An :class:`FFunction` is returned unchanged
        (``params`` must then be empty).
    **params
        ``pi`` in (0, 1) for ``weighted_jensen_shannon``; ``alpha`` (any real
        number except 0 and 1) for ``alpha``.

    Returns
    -------
    FFunction

    Raises
    ------
    ValueError
        Unknown name (the message lists the known names); the exception is
        also a ``KeyError``, as in earlier versions.
    TypeError, ValueError
        Missing, unexpected or out-of-range parameters.

    Examples
    --------
    >>> from divergences import get_f
    >>> get_f("alpha", alpha=0.5)
    FFunction('alpha', alpha=0.5)
    >>> float(get_f("jensen_shannon").conjugate_domain[1])   # log(2) / 2
    0.34657359027997264
    """
    if isinstance(name, FFunction):
        if params:
            raise TypeError("params cannot be combined with an FFunction instance")
        return name
    if not isinstance(name, str):
        raise TypeError(f"f must be a name (str) or an FFunction, got {type(name).__name__}")
    try:
        builder, needed = _BUILDERS[name]
    except KeyError:
        raise UnknownFunctionError(
            f"f (an f-function name) = {name!r} is not known; known names: "
            f"{', '.join(_BUILDERS)}"
        ) from None
    missing = [p for p in needed if p not in params]
    extra = [p for p in params if p not in needed]
    if missing:
        raise TypeError(f"f-function {name!r} needs the parameter(s) {', '.join(missing)}")
    if extra:
        raise TypeError(
            f"f-function {name!r} takes no parameter(s) {', '.join(extra)}"
            + (f" (it takes {', '.join(needed)})" if needed else "")
        )
    return builder(**params)


def dual(f) -> FFunction:
    r"""The dual generator :math:`f^\diamond(u) = u f(1/u)`.

    It swaps the arguments of the divergence:
    :math:`D_{f^\diamond}(P\|Q) = D_f(Q\|P)`.  Every generator of the table has
    its dual in the table (``kl`` <-> ``reverse_kl``, ``pearson`` <->
    ``neyman``, ``alpha(a)`` <-> ``alpha(1 - a)``, ``weighted_jensen_shannon(pi)``
    <-> ``weighted_jensen_shannon(1 - pi)``; the others are self-dual), so the
    result has exact conjugates and activations too.

    Parameters
    ----------
    f : str or FFunction

    Returns
    -------
    FFunction

    Examples
    --------
    >>> from divergences import dual, get_f
    >>> dual("kl")
    FFunction('reverse_kl')
    >>> dual(get_f("alpha", alpha=0.25))
    FFunction('alpha', alpha=0.75)
    """
    f = get_f(f)
    name, params = f._dual_key
    g = get_f(name, **params)
    # remember the exact parameters of f, so that dual(dual(f)) == f (1 - (1 - a) != a)
    object.__setattr__(g, "_dual_key", (f.name, dict(f.params)))
    return g


def _format_domain(f):
    low, high = f.conjugate_domain
    left = "(-inf" if math.isinf(low) else f"[{low:.4g}"
    right = "inf)" if math.isinf(high) else f"{high:.4g}" + ("]" if f.conjugate_domain_closed else ")")
    return f"{left}, {right}"


def table_rows():
    """Rows of the f-function table as tuples of strings (the CLI's ``table``, the tour)."""
    defaults = {"weighted_jensen_shannon": {"pi": 0.3}, "alpha": {"alpha": 0.5}}
    rows = []
    for name in f_names():
        params = defaults.get(name, {})
        f = get_f(name, **params)
        label = name + ("(" + ", ".join(f"{k}={v:g}" for k, v in params.items()) + ")"
                        if params else "")
        rows.append((label, f.formula, f.conjugate_formula, _format_domain(f),
                     f.activation_formula, f"{f.derivative_at_one:.6g}"))
    return rows
