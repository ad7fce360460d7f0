"""Optimal transport: the exact 1-D Wasserstein distance and its relatives.

What lives here: ``W_p`` between 1-D samples (weighted, batched, differentiable),
its histogram and quantile-function forms, the closed form between 1-D normals,
sliced Wasserstein, and the Kantorovich-dual pieces of WGAN (critic objective,
optimal 1-D critic, gradient penalty, weight clipping).

What it may import: ``divergences._backend`` and ``divergences.results``.
"""

from .wasserstein import (clip_weights, earth_movers_distance, gradient_penalty,
                          normal_wasserstein_1d, optimal_critic_1d, sliced_wasserstein,
                          wasserstein_1d, wasserstein_1d_histogram, wasserstein_1d_quantile,
                          wasserstein_critic_objective)

__all__ = ["clip_weights", "earth_movers_distance", "gradient_penalty", "normal_wasserstein_1d",
           "optimal_critic_1d", "sliced_wasserstein", "wasserstein_1d",
           "wasserstein_1d_histogram", "wasserstein_1d_quantile", "wasserstein_critic_objective"]
