r"""``torch.distributions`` and frozen ``scipy.stats`` laws as family members.

:func:`as_family` converts a law of a supported family (torch tensors stay tensors,
with their gradients; scipy parameters become numpy arrays).  A scipy law with a
``loc``/``scale`` that leaves its family (a shifted Gamma, ...) raises ``TypeError``.
:func:`register_conversion` adds a converter for another class.
"""

from __future__ import annotations

import numpy as np

from .base import Distribution
from .continuous import (Beta, ChiSquared, Dirichlet, Exponential, Gamma, InverseGamma,
                         Laplace, LogNormal, MultivariateNormal, Normal, Uniform, VonMises,
                         Wishart)
from .discrete import Binomial, Categorical, Geometric, Multinomial, NegativeBinomial, Poisson

__all__ = ["as_family", "register_conversion"]

_CONVERTERS: dict = {}


def register_conversion(cls, fn=None):
    """Register ``fn(law) -> Distribution`` for instances of ``cls`` (usable as decorator).

    Examples
    --------
    >>> from divergences import families as fam
    >>> class MyRate:
    ...     def __init__(self, rate):
    ...         self.rate = rate
    >>> _ = fam.register_conversion(MyRate, lambda law: fam.Exponential(law.rate))
    >>> round(float(fam.kl_divergence(MyRate(1.0), fam.Exponential(2.0))), 6)
    0.306853
    """
    if fn is None:
        return lambda f: register_conversion(cls, f)
    _CONVERTERS[cls] = fn
    return fn


def _single_count(name, t):
    arr = np.unique(np.asarray(t.detach().cpu() if hasattr(t, "detach") else t))
    if arr.size != 1 or arr[0] != int(arr[0]):
        raise TypeError(f"{name} must be one integer for the whole batch, got {arr}")
    return int(arr[0])


def _torch_table():
    import torch.distributions as D

    table = {
        D.Normal: lambda d: Normal(d.loc, d.scale),
        D.MultivariateNormal: lambda d: MultivariateNormal(d.loc, d.covariance_matrix),
        D.LogNormal: lambda d: LogNormal(d.loc, d.scale),
        D.Exponential: lambda d: Exponential(d.rate),
        D.Gamma: lambda d: Gamma(d.concentration, d.rate),
        D.Chi2: lambda d: ChiSquared(d.df),
        D.Beta: lambda d: Beta(d.concentration1, d.concentration0),
        D.Dirichlet: lambda d: Dirichlet(d.concentration),
        D.Poisson: lambda d: Poisson(d.rate),
        D.Binomial: lambda d: Binomial(_single_count("total_count", d.total_count), d.probs),
        D.Bernoulli: lambda d: Binomial(1, d.probs),
        D.Multinomial: lambda d: Multinomial(int(d.total_count), d.probs),
        D.Categorical: lambda d: Categorical(d.probs),
        D.Geometric: lambda d: Geometric(d.probs),
        D.NegativeBinomial: lambda d: NegativeBinomial(
            float(_single_count("total_count", d.total_count)), d.probs),
        D.VonMises: lambda d: VonMises(d.loc, d.concentration),
        D.Wishart: lambda d: Wishart(d.df, d.covariance_matrix),
        D.Laplace: lambda d: Laplace(d.loc, d.scale),
        D.Uniform: lambda d: Uniform(d.low, d.high),
    }
    if hasattr(D, "InverseGamma"):
        table[D.InverseGamma] = lambda d: InverseGamma(d.concentration, d.rate)
    return table


def _plain(loc, scale, name, loc_ok=0.0):
    if np.any(np.asarray(loc) != loc_ok) or np.any(np.asarray(scale) != 1.0):
        raise TypeError(f"scipy.stats.{name} with loc/scale other than ({loc_ok}, 1) is not a "
                        f"member of a supported family")


def _scipy_univariate(law):
    dist = law.dist
    name = dist.name
    shapes, loc, scale = dist._parse_args(*law.args, **law.kwds)
    loc, scale = np.asarray(loc, float), np.asarray(scale, float)
    s = [np.asarray(v, float) for v in shapes]
    if name == "norm":
        return Normal(loc, scale)
    if name == "laplace":
        return Laplace(loc, scale)
    if name == "uniform":
        return Uniform(loc, loc + scale)
    if name == "vonmises":
        _plain(0.0, scale, name)
        return VonMises(loc, s[0])
    if name == "lognorm":
        _plain(loc, 1.0, name)
        return LogNormal(np.log(scale), s[0])
    if name == "expon":
        _plain(loc, 1.0, name)
        return Exponential(1.0 / scale)
    if name in ("gamma", "invgamma"):
        _plain(loc, 1.0, name)
        return (Gamma(s[0], 1.0 / scale) if name == "gamma" else InverseGamma(s[0], scale))
    if name == "chi2":
        _plain(loc, scale, name)
        return ChiSquared(s[0])
    if name == "beta":
        _plain(loc, scale, name)
        return Beta(s[0], s[1])
    if name == "poisson":
        _plain(loc, 1.0, name)
        return Poisson(s[0])
    if name == "binom":
        _plain(loc, 1.0, name)
        return Binomial(_single_count("n", s[0]), s[1])
    if name == "bernoulli":
        _plain(loc, 1.0, name)
        return Binomial(1, s[0])
    if name == "geom":                              # trials until the first success
        _plain(loc, 1.0, name, loc_ok=-1.0)
        return Geometric(s[0])
    if name == "nbinom":                            # failures before n successes
        _plain(loc, 1.0, name)
        return NegativeBinomial(float(_single_count("n", s[0])), 1.0 - s[1])
    raise TypeError(f"scipy.stats.{name} is not a supported family")


def _scipy_multivariate(law):
    kind = type(law).__name__
    if kind == "multivariate_normal_frozen":
        return MultivariateNormal(law.mean, law.cov)
    if kind == "dirichlet_frozen":
        return Dirichlet(law.alpha)
    if kind == "multinomial_frozen":
        return Multinomial(int(law.n), law.p)
    if kind == "wishart_frozen":
        return Wishart(float(law.df), law.scale)
    return None


def as_family(law, name="law"):
    """A :class:`~divergences.families.base.Distribution` for ``law``.

    Parameters
    ----------
    law : Distribution, torch.distributions.Distribution or scipy.stats frozen law
    name : str
        The argument name for error messages.

    Examples
    --------
    >>> import torch
    >>> from scipy import stats
    >>> from divergences import families as fam
    >>> fam.as_family(torch.distributions.Gamma(torch.tensor(2.0), torch.tensor(3.0)))
    Gamma(concentration=2., rate=3.)
    >>> fam.as_family(stats.gamma(2.0, scale=0.5))
    Gamma(concentration=2., rate=2.)
    """
    if isinstance(law, Distribution):
        return law
    for cls in type(law).__mro__:
        if cls in _CONVERTERS:
            return _CONVERTERS[cls](law)
    module = type(law).__module__
    if module.startswith("torch.distributions"):
        table = _torch_table()
        if type(law) in table:
            return table[type(law)](law)
        raise TypeError(f"{name}: torch.distributions.{type(law).__name__} is not a "
                        f"supported family")
    if module.startswith("scipy.stats"):
        out = _scipy_multivariate(law)
        if out is not None:
            return out
        if hasattr(law, "dist") and hasattr(law, "args"):
            return _scipy_univariate(law)
        raise TypeError(f"{name}: scipy.stats {type(law).__name__} is not a supported family")
    raise TypeError(f"{name} must be a divergences.families distribution, a "
                    f"torch.distributions.Distribution or a frozen scipy.stats law, got "
                    f"{type(law).__name__}")
