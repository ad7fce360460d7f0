r"""Distribution objects: batched parameters on numpy, torch or JAX, one base class.

A :class:`Distribution` holds its parameters as arrays of one backend, broadcast
against each other over leading (batch) axes.  Three optional layers of knowledge
make the divergences of :mod:`divergences.families.divergences` possible:

* **exponential families** (:class:`ExponentialFamily`): natural parameters
  :math:`\theta`, log-partition :math:`A(\theta)`, its gradient
  :math:`\nabla A(\theta) = E_\theta[T(X)]` and the natural parameter space.  Two
  members of one family with the same fixed parameters (number of trials, ...)
  then have every order of the log-affinity in closed form,
  :math:`\ell_\alpha = A(\alpha\theta_p + (1-\alpha)\theta_q) - \alpha A(\theta_p)
  - (1-\alpha)A(\theta_q)` (:math:`+\infty` outside the natural parameter space);
* **canonical forms**: a family that is a re-parametrisation or an image under a
  bijection of another (Exponential and chi-squared are Gamma laws, the inverse
  Gamma is the image of a Gamma under :math:`x \mapsto 1/x`, the log-normal of a
  normal under :math:`\exp`, ...) maps to that family; f-divergences are
  invariant under bijections, so pairs of the two families are pairs of one;
* **expectations** of named statistics (:math:`x`, :math:`x^2`, :math:`\log x`, ...),
  the entropy, the support, and the log-density as a linear combination of
  statistics: the cross-family KL :math:`-H(P) - E_P[\log q(X)]`.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .._backend.array import as_float_arrays, backend_of

__all__ = ["Distribution", "ExponentialFamily", "UnsupportedPairError"]


class UnsupportedPairError(NotImplementedError):
    """No closed form is known (or registered) for this pair and this divergence.

    Examples
    --------
    >>> from divergences import families as fam
    >>> try:
    ...     fam.f_divergence(fam.Gamma(1.0, 1.0), fam.Gamma(2.0, 1.0), "total_variation")
    ... except fam.UnsupportedPairError as err:
    ...     print("numerical_f_divergence" in str(err))
    True
    """


def check_count(name, value, minimum=0):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


class Distribution:
    """A member (or a batch of members) of a family of distributions.

    Subclasses declare ``_params`` (name -> number of event axes: 0 for a scalar
    parameter, 1 for a vector, 2 for a matrix), ``_positive`` (parameters that must be
    positive) and optionally ``_fixed`` (Python numbers, such as a number of trials,
    that are not arrays and must agree between the two members of a pair).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import families as fam
    >>> g = fam.Gamma(np.array([1.0, 2.0]), 3.0)       # a batch of two members
    >>> g.batch_shape, g.backend
    ((2,), 'numpy')
    >>> sorted(g.parameters())
    ['concentration', 'rate']
    """

    _params: dict = {}
    _positive: tuple = ()
    _fixed: tuple = ()
    #: number of event axes of a sample (0: scalar, 1: vector, 2: matrix)
    event_ndim: int = 0

    def __init__(self, *args, **kwargs):
        names = list(self._fixed) + list(self._params)
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes at most {len(names)} parameters "
                            f"({', '.join(names)}), got {len(args)}")
        given = dict(zip(names, args))
        for k, v in kwargs.items():
            if k not in names:
                raise TypeError(f"{type(self).__name__} has no parameter {k!r}; its "
                                f"parameters are {', '.join(names)}")
            if k in given:
                raise TypeError(f"{type(self).__name__} got {k!r} twice")
            given[k] = v
        missing = [k for k in names if k not in given and k not in self._defaults()]
        if missing:
            raise TypeError(f"{type(self).__name__} needs {', '.join(missing)}")
        given = {**self._defaults(), **given}
        for k in self._fixed:
            setattr(self, k, self._check_fixed(k, given[k]))
        self.xp, arrays = as_float_arrays(**{k: given[k] for k in self._params})
        for k, a in zip(self._params, arrays):
            if a.ndim < self._params[k]:
                raise ValueError(f"{k} needs at least {self._params[k]} axes, got shape "
                                 f"{tuple(a.shape)}")
            if k in self._positive:
                # one pass for the common case; the message is worked out on failure
                if self.xp.flag(~((a > 0) & (a < math.inf))):
                    raise ValueError(f"{k} must be positive" if self.xp.flag(a <= 0)
                                     else f"{k} must be finite")
            elif self.xp.flag(~self.xp.isfinite(a)):
                raise ValueError(f"{k} must be finite")
            setattr(self, k, a)
        self._validate()
        self.batch_shape = self._batch_shape()

    # -- hooks -----------------------------------------------------------------------
    @classmethod
    def _defaults(cls):
        return {}

    def _check_fixed(self, name, value):
        return check_count(name, value)

    def _validate(self):
        """Further checks of the parameters (shapes, simplex, ...)."""

    def _batch_shape(self):
        shapes = [tuple(getattr(self, k).shape)[:getattr(self, k).ndim - e]
                  for k, e in self._params.items()]
        try:
            return np.broadcast_shapes(*shapes)
        except ValueError:
            raise ValueError(f"the batch shapes of {type(self).__name__}'s parameters "
                             f"{shapes} do not broadcast") from None

    # -- public ----------------------------------------------------------------------
    @property
    def backend(self):
        """``"numpy"``, ``"torch"`` or ``"jax"``."""
        return self.xp.name

    def parameters(self):
        """The parameters as a dict (fixed ones first), in the constructor's order."""
        return {**{k: getattr(self, k) for k in self._fixed},
                **{k: getattr(self, k) for k in self._params}}

    def with_parameters(self, **arrays):
        """A member of the same family with some parameters replaced."""
        return type(self)(**{**self.parameters(), **arrays})

    #: the bijection from this family's sample space to its canonical family's:
    #: two members map to one family only through the same bijection
    canonical_map = "identity"

    def canonical(self):
        """The member of the canonical family with the same divergences (default: self)."""
        return self

    def __repr__(self):
        def show(v):
            if isinstance(v, numbers.Number):
                return repr(v)
            a = np.asarray(v.detach().cpu() if backend_of(v) == "torch" else v)
            return np.array2string(a, precision=4, separator=", ") if a.size <= 6 else \
                f"<{backend_of(v)} array {tuple(a.shape)}>"
        inner = ", ".join(f"{k}={show(v)}" for k, v in self.parameters().items())
        return f"{type(self).__name__}({inner})"

    # -- knowledge for cross-family KL (optional) ----------------------------------
    #: support of a scalar law as (low, high) floats or parameter names; None: unknown
    def support(self):
        """(low, high) of a scalar law's support as arrays, or None if not scalar."""
        return None

    def entropy(self):
        """Shannon (discrete) or differential entropy, in nats."""
        raise UnsupportedPairError(f"no closed-form entropy for {type(self).__name__}")

    def expect(self, stat):
        """:math:`E[s(X)]` for the named statistic ``stat`` (see the module docs)."""
        raise UnsupportedPairError(f"{type(self).__name__} has no closed form of E[{stat}]")

    def log_density_terms(self):
        """(constant, [(coefficient, statistic), ...]) with log density = constant +
        sum of coefficient * statistic on the support; None if not available."""
        return None

    def discrete(self):
        return False


class ExponentialFamily(Distribution):
    r"""A regular exponential family :math:`p_\theta(x) = h(x)\exp(\langle\theta, T(x)\rangle
    - A(\theta))`.

    Subclasses give :meth:`natural` (a tuple of arrays), ``_natural_ndims`` (the event
    axes of each component), :meth:`log_partition` and :meth:`in_domain` (on a tuple of natural
    parameters, using the member's fixed parameters) and :meth:`mean_statistic`.  To add a
    family, write such a subclass: every divergence of :mod:`divergences.families` then
    works for it.

    Examples
    --------
    A Rayleigh family: :math:`p(x) = (x/\sigma^2)e^{-x^2/(2\sigma^2)}`, statistic
    :math:`x^2`, :math:`\theta = -1/(2\sigma^2)`, :math:`A(\theta) = -\ln(-2\theta)`,
    :math:`E[x^2] = 2\sigma^2`; KL is :math:`2\ln(\sigma_q/\sigma_p) + \sigma_p^2/\sigma_q^2 - 1`.

    >>> import math
    >>> from divergences import families as fam
    >>> class Rayleigh(fam.ExponentialFamily):
    ...     _params = {"scale": 0}
    ...     _positive = ("scale",)
    ...     _natural_ndims = (0,)
    ...     def natural(self):
    ...         return (-0.5 / self.scale ** 2,)
    ...     def log_partition(self, theta):
    ...         return -self.xp.log(-2.0 * theta[0])
    ...     def in_domain(self, theta):
    ...         return theta[0] < 0
    ...     def mean_statistic(self):
    ...         return (2.0 * self.scale ** 2,)
    >>> round(float(fam.kl_divergence(Rayleigh(1.0), Rayleigh(2.0))), 6)
    0.636294
    >>> round(2 * math.log(2.0) + 0.25 - 1.0, 6)
    0.636294
    """

    _natural_ndims: tuple = ()

    def natural(self):
        raise NotImplementedError

    def log_partition(self, theta):
        """:math:`A(\\theta)` (batch-shaped) for a tuple of natural parameters."""
        raise NotImplementedError

    def in_domain(self, theta):
        """Boolean (batch-shaped): whether ``theta`` lies in the natural parameter space."""
        raise NotImplementedError

    def mean_statistic(self):
        r""":math:`E[T(X)] = \nabla A(\theta)`, a tuple shaped like :meth:`natural`."""
        raise NotImplementedError

    def fixed_parameters(self):
        """Values that two members of a pair must share for the identity to hold."""
        return tuple(getattr(self, k) for k in self._fixed)

    def pair_key(self):
        return (type(self), self.fixed_parameters())


def expand_to(xp, mask, ndims):
    """``mask`` (batch-shaped) with ``ndims`` trailing axes of length 1."""
    for _ in range(ndims):
        mask = mask[..., None]
    return mask


def inner(xp, a, b, ndims):
    """Sum of ``a * b`` over the last ``ndims`` axes."""
    out = a * b
    for _ in range(ndims):
        out = xp.sum(out, axis=-1)
    return out


INF = math.inf
