r"""Exact divergences between members of families: one function per question.

Everything goes through two quantities of a pair (P, Q):

* the log-affinity :math:`\ell_\alpha = \ln\int p^\alpha q^{1-\alpha}` (any real
  :math:`\alpha`, :math:`+\infty` where the integral diverges), from which
  Rényi :math:`D_\alpha = \ell_\alpha/(\alpha - 1)`, the α-divergence
  :math:`\operatorname{expm1}(\ell_\alpha)/(\alpha(\alpha-1))`, squared Hellinger
  :math:`-2\operatorname{expm1}(\ell_{1/2})`, Pearson :math:`\operatorname{expm1}(\ell_2)`
  and Neyman :math:`\operatorname{expm1}(\ell_{-1})`;
* KL(P‖Q), the limit at :math:`\alpha = 1` (Bregman divergence of the log-partition
  within an exponential family; :math:`-H(P) - E_P[\ln q]` across families).

Lookup order for a pair: a pair registered with :func:`register_kl` (or
:func:`register_log_affinity`), then the canonical forms when both members map to
one family with the same fixed parameters, then (KL only) the cross-family route.
A pair with no closed form raises :class:`UnsupportedPairError` naming the pair and
pointing to :func:`divergences.families.numerical_f_divergence`.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .._backend.array import as_float_arrays, as_output
from ..fdiv.ffunctions import FFunction, get_f
from ..fdiv.gaussian import gaussian_f_divergence, renyi_divergence_gaussian
from .base import INF, Distribution, ExponentialFamily, UnsupportedPairError, expand_to, inner
from .continuous import MultivariateNormal
from .interop import as_family

__all__ = ["kl_divergence", "renyi_divergence", "log_affinity", "f_divergence",
           "register_kl", "register_log_affinity", "CLOSED_FORM_GENERATORS"]

_KL_REGISTRY: dict = {}
_AFFINITY_REGISTRY: dict = {}

#: generators of the library's table with a closed form between family members
CLOSED_FORM_GENERATORS = ("kl", "reverse_kl", "jeffreys", "squared_hellinger", "pearson",
                          "neyman", "alpha")


def register_kl(type_p, type_q):
    """Decorator registering ``fn(p, q) -> KL(p || q)`` for a pair of family classes.

    Like ``torch.distributions.kl.register_kl``: the most specific registered pair (by
    the classes' method resolution order) wins over the built-in routes.

    Examples
    --------
    >>> from divergences import families as fam
    >>> class Point(fam.Uniform):                 # a user's family
    ...     pass
    >>> @fam.register_kl(Point, Point)
    ... def _kl_point(p, q):
    ...     return p.xp.zeros_like(p.low)
    >>> float(fam.kl_divergence(Point(0.0, 1.0), Point(0.0, 2.0)))
    0.0
    """
    return _register(_KL_REGISTRY, type_p, type_q)


def register_log_affinity(type_p, type_q):
    r"""Decorator registering ``fn(p, q, order) -> ln \int p^order q^(1-order)``.

    Every order of the pair then follows: Rényi, α, Hellinger, Pearson and Neyman.

    Examples
    --------
    >>> from divergences import families as fam
    >>> class Coin(fam.Uniform):                  # a user's family on the same formula
    ...     pass
    >>> @fam.register_log_affinity(Coin, Coin)
    ... def _affinity(p, q, order):
    ...     return p.xp.zeros_like(p.low)            # the same law: ln 1 = 0
    >>> float(fam.renyi_divergence(Coin(0.0, 1.0), Coin(0.0, 1.0), 2.0))
    0.0
    """
    return _register(_AFFINITY_REGISTRY, type_p, type_q)


def _register(table, type_p, type_q):
    for t in (type_p, type_q):
        if not (isinstance(t, type) and issubclass(t, Distribution)):
            raise TypeError(f"register a pair of divergences.families classes, got {t!r}")

    def decorator(fn):
        table[type_p, type_q] = fn
        return fn
    return decorator


def _lookup(table, p, q):
    best = None
    for (tp, tq), fn in table.items():
        if isinstance(p, tp) and isinstance(q, tq):
            rank = (type(p).__mro__.index(tp), type(q).__mro__.index(tq))
            if best is None or rank < best[0]:
                best = (rank, fn)
    return None if best is None else best[1]


def _unify(p, q):
    """Both members on one backend (torch wins over numpy, as in the rest of the library)."""
    p, q = as_family(p, "p"), as_family(q, "q")
    try:
        np.broadcast_shapes(tuple(p.batch_shape), tuple(q.batch_shape))
    except ValueError:
        raise ValueError(f"the batch shapes of p {tuple(p.batch_shape)} and q "
                         f"{tuple(q.batch_shape)} do not broadcast") from None
    if p.backend == q.backend:
        return p, q
    names_p = [k for k in p._params]
    names_q = [k for k in q._params]
    _, arrays = as_float_arrays(**{f"p.{k}": getattr(p, k) for k in names_p},
                                **{f"q.{k}": getattr(q, k) for k in names_q})
    return (p.with_parameters(**dict(zip(names_p, arrays[:len(names_p)]))),
            q.with_parameters(**dict(zip(names_q, arrays[len(names_p):]))))


def _same_family(p, q):
    """Canonical forms of one family through one bijection (checked), else False."""
    if p.canonical_map != q.canonical_map:
        return None
    pc, qc = p.canonical(), q.canonical()
    if type(pc) is not type(qc):
        return None
    if isinstance(pc, ExponentialFamily) and pc.fixed_parameters() != qc.fixed_parameters():
        raise ValueError(f"{type(pc).__name__} members with different fixed parameters "
                         f"{pc.fixed_parameters()} and {qc.fixed_parameters()}: their "
                         f"supports or base measures differ, no closed form here")
    return pc, qc


def _name(p):
    return type(p).__name__


def _unsupported(what, p, q):
    return UnsupportedPairError(
        f"no closed form of {what} between {_name(p)} and {_name(q)}; "
        f"divergences.families.numerical_f_divergence gives a labelled numerical value")


# ---------------------------------------------------------------------------
# KL
# ---------------------------------------------------------------------------


def _bregman(pc, qc):
    xp = pc.xp
    tp, tq = pc.natural(), qc.natural()
    mean = pc.mean_statistic()
    gap = sum(inner(xp, b - a, m, nd) for a, b, m, nd in zip(tp, tq, mean, pc._natural_ndims))
    return qc.log_partition(tq) - pc.log_partition(tp) - gap


def _kl_same_family(pc, qc):
    if hasattr(pc, "kl"):
        return pc.kl(qc)
    if isinstance(pc, MultivariateNormal):
        return gaussian_f_divergence(pc.loc, pc.covariance_matrix, qc.loc,
                                     qc.covariance_matrix, "kl")
    if isinstance(pc, ExponentialFamily):
        return _bregman(pc, qc)
    raise _unsupported("KL", pc, qc)


def _support_contained(p, q):
    (lp, hp), (lq, hq) = p.support(), q.support()
    xp = p.xp
    return xp.asarray((lq <= lp)) & xp.asarray((hp <= hq))


def _kl_cross(p, q):
    """-H(P) - E_P[log q(X)], +inf where the support of P is not in Q's."""
    terms = q.log_density_terms()
    if terms is None or p.support() is None or q.support() is None \
            or p.discrete() != q.discrete():
        raise _unsupported("KL", p, q)
    const, parts = terms
    xp = p.xp
    contained = _support_contained(p, q)
    if not xp.maybe(contained):          # nowhere inside: no expectation is needed
        return xp.full_like(p.entropy() if _has_entropy(p) else const, INF)
    try:
        cross = const + sum(c * p.expect(s) for c, s in parts)
        value = -p.entropy() - cross
    except UnsupportedPairError:
        raise _unsupported("KL", p, q) from None
    return xp.where(contained, value, INF)


def _has_entropy(p):
    try:
        p.entropy()
    except UnsupportedPairError:
        return False
    return True


def kl_divergence(p, q):
    r"""Kullback-Leibler divergence :math:`\mathrm{KL}(P\|Q) = E_P[\ln(p/q)]`, exactly.

    Parameters
    ----------
    p, q : Distribution, torch.distributions.Distribution or scipy.stats frozen law
        Members (or batches of members) of supported families; batches broadcast.

    Returns
    -------
    numpy.ndarray or numpy.float64 or torch.Tensor or jax.Array
        KL in nats, of the parameters' array type, batch-shaped; ``+inf`` where the
        integral diverges (the support of P not inside Q's, heavy tails, ...).

    Raises
    ------
    UnsupportedPairError
        The pair has no known closed form (the message names the pair).

    Examples
    --------
    >>> from divergences import families as fam
    >>> # Exponential(2) is Gamma(1, 2): gamma_E + 2 ln 2 - 1/2
    >>> round(float(fam.kl_divergence(fam.Exponential(2.0), fam.Gamma(2.0, 1.0))), 6)
    1.46351
    >>> float(fam.kl_divergence(fam.Uniform(0.0, 2.0), fam.Beta(2.0, 2.0)))
    inf
    """
    p, q = _unify(p, q)
    fn = _lookup(_KL_REGISTRY, p, q)
    if fn is not None:
        return as_output(fn(p, q))
    with p.xp.errstate():                # overflow to +-inf is the value, not an error
        same = _same_family(p, q)
        if same:
            return as_output(_kl_same_family(*same))
        return as_output(_kl_cross(p, q))


# ---------------------------------------------------------------------------
# log-affinity, Rényi, f
# ---------------------------------------------------------------------------


def _check_order(order, name="order"):
    if isinstance(order, bool) or not isinstance(order, numbers.Real) or math.isnan(order):
        raise TypeError(f"{name} must be a real number, got {order!r}")
    return float(order)


def _affinity_exponential_family(pc, qc, a):
    xp = pc.xp
    tp, tq = pc.natural(), qc.natural()
    mixed = tuple(a * u + (1.0 - a) * v for u, v in zip(tp, tq))
    if 0.0 <= a <= 1.0:                  # the natural parameter space is convex
        return pc.log_partition(mixed) - a * pc.log_partition(tp) - (1.0 - a) * \
            qc.log_partition(tq)
    ok = pc.in_domain(mixed)
    safe = tuple(xp.where(expand_to(xp, ok, nd), m, u)
                 for m, u, nd in zip(mixed, tp, pc._natural_ndims))
    val = pc.log_partition(safe) - a * pc.log_partition(tp) - (1.0 - a) * qc.log_partition(tq)
    return xp.where(ok, val, INF)


def _affinity_gaussian(pc, qc, a):
    if a == 1.0 or a == 0.0:
        return pc.xp.zeros_like(pc.loc[..., 0])
    if a > 0:
        d = renyi_divergence_gaussian(pc.loc, pc.covariance_matrix, qc.loc,
                                      qc.covariance_matrix, order=a)
        return (a - 1.0) * d
    # l_a(P, Q) = l_{1-a}(Q, P), an order above 1
    d = renyi_divergence_gaussian(qc.loc, qc.covariance_matrix, pc.loc, pc.covariance_matrix,
                                  order=1.0 - a)
    return -a * d


def _log_affinity(p, q, a):
    fn = _lookup(_AFFINITY_REGISTRY, p, q)
    if fn is not None:
        return fn(p, q, a)
    same = _same_family(p, q)
    if not same:
        raise _unsupported(f"order-{a:g} Rényi/α type", p, q)
    pc, qc = same
    if hasattr(pc, "log_affinity"):
        return pc.log_affinity(qc, a)
    if isinstance(pc, MultivariateNormal):
        return _affinity_gaussian(pc, qc, a)
    if isinstance(pc, ExponentialFamily):
        return _affinity_exponential_family(pc, qc, a)
    raise _unsupported(f"order-{a:g} Rényi/α type", p, q)


def log_affinity(p, q, order):
    r"""The log-affinity :math:`\ell_\alpha(P\|Q) = \ln\int p^\alpha q^{1-\alpha}\,d\mu`.

    For an exponential family with log-partition A and natural parameters
    :math:`\theta`, :math:`\ell_\alpha = A(\alpha\theta_p + (1-\alpha)\theta_q) -
    \alpha A(\theta_p) - (1-\alpha)A(\theta_q)`, :math:`+\infty` where the mixed
    parameter leaves the natural parameter space (possible only for
    :math:`\alpha \notin [0, 1]`).  :math:`\ell_{1/2}` is minus the Bhattacharyya
    distance.

    Parameters
    ----------
    p, q : Distribution, torch.distributions.Distribution or scipy.stats frozen law
        Two members of one family (after canonical forms).
    order : float
        :math:`\alpha`, any real number.

    Returns
    -------
    array
        Batch-shaped; ``+inf`` where the integral diverges, ``-inf`` where it is 0
        (disjoint supports).

    Examples
    --------
    >>> from divergences import families as fam
    >>> float(fam.log_affinity(fam.Normal(0.0, 1.0), fam.Normal(2.0, 1.0), 0.5))
    -0.5
    """
    a = _check_order(order)
    if math.isinf(a):
        raise ValueError("order must be finite for the log-affinity")
    p, q = _unify(p, q)
    with p.xp.errstate():
        return as_output(_log_affinity(p, q, a))


def renyi_divergence(p, q, order):
    r"""Rényi divergence :math:`D_\alpha(P\|Q) = \frac{1}{\alpha-1}\ln\int p^\alpha
    q^{1-\alpha}` of order :math:`\alpha > 0`, exactly.

    ``order = 1`` is :func:`kl_divergence`; ``order = inf`` is
    :math:`D_\infty = \ln\operatorname{ess\,sup} p/q` for the families that give it
    (all but Wishart).  Non-decreasing in the order.

    Parameters
    ----------
    p, q : Distribution, torch.distributions.Distribution or scipy.stats frozen law
    order : float
        :math:`\alpha > 0`, or ``math.inf``.

    Returns
    -------
    array
        In nats, batch-shaped; ``+inf`` where the integral diverges.

    Examples
    --------
    >>> import math
    >>> from divergences import families as fam
    >>> p, q = fam.Poisson(2.0), fam.Poisson(3.0)
    >>> round(float(fam.renyi_divergence(p, q, 2.0)), 6)   # (2 - 3)^2 / 3
    0.333333
    >>> float(fam.renyi_divergence(p, q, math.inf))        # log p/q at 0
    1.0
    """
    a = _check_order(order)
    if not a > 0:
        raise ValueError(f"the Rényi order must be positive, got {order!r}")
    p, q = _unify(p, q)
    if a == 1.0:
        return kl_divergence(p, q)
    with p.xp.errstate():                # overflow to +-inf is the value, not an error
        return _renyi(p, q, a)


def _renyi(p, q, a):
    if math.isinf(a):
        same = _same_family(p, q)
        if not same or not hasattr(same[0], "log_ratio_sup"):
            raise _unsupported("D_inf", p, q)
        return as_output(same[0].log_ratio_sup(same[1]))
    return as_output(_log_affinity(p, q, a) / (a - 1.0))


def f_divergence(p, q, f="kl"):
    r"""The f-divergence :math:`D_f(P\|Q) = E_Q[f(p/q)]` between family members, exactly.

    Closed forms exist for the generators that are functions of the log-affinity:
    ``kl``, ``reverse_kl``, ``jeffreys``, ``squared_hellinger``
    (:math:`-2\operatorname{expm1}\ell_{1/2}`), ``pearson``
    (:math:`\operatorname{expm1}\ell_2`), ``neyman`` (:math:`\operatorname{expm1}
    \ell_{-1}`) and ``alpha`` (:math:`\operatorname{expm1}(\ell_\alpha)/(\alpha(\alpha-1))`),
    with the library's scales (:func:`divergences.get_f`).  Other generators (total
    variation, Jensen-Shannon, ...) raise :class:`UnsupportedPairError`: use
    :func:`divergences.families.numerical_f_divergence`, which says what it computed.

    Parameters
    ----------
    p, q : Distribution, torch.distributions.Distribution or scipy.stats frozen law
    f : str or FFunction, default ``"kl"``

    Returns
    -------
    array
        Batch-shaped, ``+inf`` where the integral diverges.

    Examples
    --------
    >>> from divergences import families as fam
    >>> p, q = fam.Gamma(2.0, 1.0), fam.Gamma(3.0, 1.5)
    >>> round(float(fam.f_divergence(p, q, "squared_hellinger")), 6)
    0.022971
    >>> # p^2 / q = e^{-2x} / (3 e^{-3x}) grows: the mixed rate 2 - 3 leaves the domain
    >>> float(fam.f_divergence(fam.Gamma(1.0, 1.0), fam.Gamma(1.0, 3.0), "pearson"))
    inf
    """
    f = f if isinstance(f, FFunction) else get_f(f)
    name = f.name
    if name not in CLOSED_FORM_GENERATORS:
        raise UnsupportedPairError(
            f"no closed form of the {name!r} divergence between family members; "
            f"divergences.families.numerical_f_divergence computes it numerically")
    p, q = _unify(p, q)
    with p.xp.errstate():                # overflow to +-inf is the value, not an error
        return _closed_form_f(p, q, name, f)


def _closed_form_f(p, q, name, f):
    if name == "alpha":
        a = float(f.params["alpha"])
        if a in (0.0, 1.0):
            return kl_divergence(*((p, q) if a == 1.0 else (q, p)))
        return as_output(p.xp.expm1(_log_affinity(p, q, a)) / (a * (a - 1.0)))
    if name in ("kl", "reverse_kl", "jeffreys"):
        forward = kl_divergence(p, q) if name != "reverse_kl" else 0.0
        backward = kl_divergence(q, p) if name != "kl" else 0.0
        return as_output(forward + backward)
    a = {"squared_hellinger": 0.5, "pearson": 2.0, "neyman": -1.0}[name]
    value = p.xp.expm1(_log_affinity(p, q, a))
    return as_output(-2.0 * value if name == "squared_hellinger" else value)


# ---------------------------------------------------------------------------
# what is covered: the table of the docs
# ---------------------------------------------------------------------------

#: one member of each family, for enumerating which pairs have closed forms
EXAMPLES = {
    "Normal": lambda m: m.Normal(0.3, 1.2),
    "MultivariateNormal": lambda m: m.MultivariateNormal([0.0, 1.0], [[2.0, 0.3], [0.3, 1.0]]),
    "LogNormal": lambda m: m.LogNormal(0.1, 0.9),
    "Exponential": lambda m: m.Exponential(1.5),
    "Gamma": lambda m: m.Gamma(2.0, 1.5),
    "InverseGamma": lambda m: m.InverseGamma(3.0, 2.0),
    "ChiSquared": lambda m: m.ChiSquared(3.0),
    "Beta": lambda m: m.Beta(2.0, 3.0),
    "Dirichlet": lambda m: m.Dirichlet([2.0, 3.0, 4.0]),
    "VonMises": lambda m: m.VonMises(0.5, 2.0),
    "Wishart": lambda m: m.Wishart(4.0, [[1.0, 0.2], [0.2, 1.0]]),
    "Laplace": lambda m: m.Laplace(0.2, 1.1),
    "Uniform": lambda m: m.Uniform(0.1, 0.9),
    "Poisson": lambda m: m.Poisson(2.5),
    "Binomial": lambda m: m.Binomial(5, 0.3),
    "Multinomial": lambda m: m.Multinomial(5, [0.2, 0.3, 0.5]),
    "Categorical": lambda m: m.Categorical([0.2, 0.3, 0.5]),
    "Geometric": lambda m: m.Geometric(0.4),
    "NegativeBinomial": lambda m: m.NegativeBinomial(2.0, 0.4),
}

#: the questions of the table: name -> function of (p, q)
QUESTIONS = {
    "KL": lambda p, q: kl_divergence(p, q),
    "Rényi, α-family": lambda p, q: renyi_divergence(p, q, 0.5),
    "D_∞": lambda p, q: renyi_divergence(p, q, math.inf),
}


def closed_form_cells(module):
    """``{(family of P, family of Q, question): has_closed_form}`` over every pair of
    the example members of ``module`` (:mod:`divergences.families`), for the docs."""
    out = {}
    for name_p, make_p in EXAMPLES.items():
        for name_q, make_q in EXAMPLES.items():
            p, q = make_p(module), make_q(module)
            for question, fn in QUESTIONS.items():
                try:
                    fn(p, q)
                    ok = True
                except (UnsupportedPairError, ValueError, TypeError):
                    ok = False
                out[name_p, name_q, question] = ok
    return out
