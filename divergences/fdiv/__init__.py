"""The f-divergence core: f-functions and their conjugates, closed forms.

What lives here: the generators of the f-divergence family with their convex
conjugates, derivatives, domains and f-GAN output activations (``ffunctions``),
f-divergences between discrete distributions (``discrete``) and the closed forms
between Gaussians (``gaussian``).

What it may import: ``divergences._backend`` and ``divergences.results`` only.
"""

from .discrete import f_divergence, jensen_shannon, kl_divergence, squared_hellinger, total_variation
from .ffunctions import FFunction, dual, f_names, get_f
from .gaussian import gaussian_f_divergence, gaussian_mutual_information, renyi_divergence_gaussian

__all__ = ["FFunction", "dual", "f_names", "get_f", "f_divergence", "jensen_shannon",
           "kl_divergence", "squared_hellinger", "total_variation", "gaussian_f_divergence",
           "gaussian_mutual_information", "renyi_divergence_gaussian"]
