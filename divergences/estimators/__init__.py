"""Estimators of divergences and mutual information from samples.

What lives here: the variational lower bounds as pure functions of critic values
(``bounds``), critic networks (``critics``), the trained estimators that fit a critic
and evaluate it on held-out data (``estimate``), and the classical baselines: k-NN
KL/Renyi, KSG, Gaussian (CCA) and Gaussian-copula MI, plug-in histogram MI
(``classical``).

What it may import: ``divergences._backend``, ``divergences.results`` and
``divergences.fdiv``.
"""

from . import critics
from .bounds import (dv_bound, dv_mi_bound, fgan_bound, fgan_bound_from_logits, infonce_bound,
                     interpolated_bound, js_bound, js_mi_bound, mine_step, nwj_bound, nwj_mi_bound,
                     smile_bound, tuba_bound)
from .classical import (gaussian_mi_estimate, histogram_mutual_information, knn_kl_divergence,
                        knn_renyi_divergence, ksg_mutual_information)
from .estimate import (Estimate, estimate_f_divergence, estimate_mutual_information,
                       estimate_mutual_information_batched)

__all__ = ["critics", "dv_bound", "dv_mi_bound", "fgan_bound", "fgan_bound_from_logits",
           "infonce_bound", "interpolated_bound", "js_bound", "js_mi_bound", "mine_step",
           "nwj_bound", "nwj_mi_bound", "smile_bound", "tuba_bound", "gaussian_mi_estimate",
           "histogram_mutual_information", "knn_kl_divergence", "knn_renyi_divergence",
           "ksg_mutual_information", "Estimate", "estimate_f_divergence",
           "estimate_mutual_information", "estimate_mutual_information_batched"]
