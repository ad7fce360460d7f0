"""divergences: measure how far apart two probability distributions are.

The public API is re-exported here; see the API reference for details.
"""

from .discrete import (
    f_divergence,
    jensen_shannon,
    kl_divergence,
    squared_hellinger,
    total_variation,
)
from .ffunctions import FFunction, dual, f_names, get_f
from .gaussian import (
    gaussian_f_divergence,
    gaussian_mutual_information,
    renyi_divergence_gaussian,
)

__version__ = "0.1.0"

__all__ = [
    "FFunction",
    "dual",
    "f_divergence",
    "f_names",
    "gaussian_f_divergence",
    "gaussian_mutual_information",
    "get_f",
    "jensen_shannon",
    "kl_divergence",
    "renyi_divergence_gaussian",
    "squared_hellinger",
    "total_variation",
]
