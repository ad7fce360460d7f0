r"""Distribution families and the exact divergences between their members.

What lives here: distribution objects with batched numpy/torch/JAX parameters
(``base``, ``continuous``, ``discrete``), conversion from ``torch.distributions`` and
frozen ``scipy.stats`` laws (``interop``), closed forms of KL, Rényi of every order,
the log-affinity and the f-divergences that are functions of it, with registries of
pairs (``closed_forms``), and labelled numerical values for the rest (``numerical``).

What it may import: ``divergences._backend``, ``divergences.results`` and
``divergences.fdiv`` (the f-function table and the Gaussian closed forms, which the
normal families use: one copy of the Gaussian algebra).
"""

from .base import Distribution, ExponentialFamily, UnsupportedPairError
from .closed_forms import (CLOSED_FORM_GENERATORS, f_divergence, kl_divergence, log_affinity,
                           register_kl, register_log_affinity, renyi_divergence)
from .continuous import (Beta, ChiSquared, Dirichlet, Exponential, Gamma, InverseGamma,
                         Laplace, LogNormal, MultivariateNormal, Normal, Uniform, VonMises,
                         Wishart)
from .discrete import Binomial, Categorical, Geometric, Multinomial, NegativeBinomial, Poisson
from .interop import as_family, register_conversion
from .numerical import numerical_f_divergence

FAMILIES = (Normal, MultivariateNormal, LogNormal, Exponential, Gamma, InverseGamma,
            ChiSquared, Beta, Dirichlet, VonMises, Wishart, Laplace, Uniform, Poisson,
            Binomial, Multinomial, Categorical, Geometric, NegativeBinomial)

__all__ = ["Distribution", "ExponentialFamily", "UnsupportedPairError", "FAMILIES",
           "CLOSED_FORM_GENERATORS", "kl_divergence", "renyi_divergence", "log_affinity",
           "f_divergence", "numerical_f_divergence", "register_kl", "register_log_affinity",
           "register_conversion", "as_family"] + [c.__name__ for c in FAMILIES]
