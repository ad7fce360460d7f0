"""divergences: measure how far apart two probability distributions are.

The package is organised by concept, each subpackage importing only the ones
below it:

==========================  =============================================================
``divergences._backend``    private: arrays, special functions, checks, progress, I/O
``divergences.results``     result types (``TwoSampleResult``, ``Estimate``)
``divergences.fdiv``        f-functions, conjugates, discrete and Gaussian closed forms
``divergences.families``    distribution families: exact KL/Rényi/α/Hellinger/χ² between members
``divergences.transport``   1-D Wasserstein distances and the WGAN dual pieces
``divergences.estimators``  variational bounds, critics, trained and classical estimators
``divergences.generative``  GAN, f-GAN, WGAN, BiGAN, LSGAN, CycleGAN and VAE objectives
``divergences.two_sample``  two-sample tests: one permutation engine, one door
``divergences.benchmark``   ground-truth problems and the bias/variance harness
``divergences.cli``         the command line, on top
==========================  =============================================================

The public API is re-exported here; see the API reference for details.  The
module paths of earlier releases (``divergences.bench``, ``divergences.problems``,
``divergences.wasserstein``, ...) still import, with a ``DeprecationWarning``.
"""

import sys as _sys

from . import benchmark, estimators, families, fdiv, generative, transport, two_sample
from ._backend.deprecation import moved_module_attribute as _moved_module_attribute
from .estimators import critics

# ``dv.critics`` is public: ``import divergences.critics`` finds the same module
_sys.modules.setdefault(__name__ + ".critics", critics)
from .estimators import *  # noqa: F401,F403
from .fdiv import *  # noqa: F401,F403
from .generative import *  # noqa: F401,F403
from .results import Estimate, TwoSampleResult
from .transport import *  # noqa: F401,F403
from .two_sample import *  # noqa: F401,F403

__version__ = "0.1.0"

__all__ = [
    "FFunction",
    "TwoSampleResult",
    "TrainingSettings",
    "Estimate",
    "estimate_f_divergence",
    "estimate_mutual_information",
    "estimate_mutual_information_batched",
    "ksg_mutual_information",
    "knn_renyi_divergence",
    "histogram_mutual_information",
    "knn_kl_divergence",
    "gaussian_mi_estimate",
    "bigan_discriminator_loss",
    "bigan_generator_encoder_loss",
    "bigan_pairs",
    "c2st",
    "fgan_discriminator_loss",
    "fgan_generator_loss",
    "gan_discriminator_loss",
    "gan_generator_loss",
    "wgan_critic_loss",
    "wgan_generator_loss",
    "dv_bound",
    "dv_mi_bound",
    "fgan_bound",
    "fgan_bound_from_logits",
    "infonce_bound",
    "interpolated_bound",
    "js_bound",
    "js_mi_bound",
    "mine_step",
    "nwj_bound",
    "nwj_mi_bound",
    "smile_bound",
    "tuba_bound",
    "energy_test",
    "mmd_agg_test",
    "mmd_agg_inc_test",
    "mmd_rff_test",
    "mmd_nystrom_test",
    "mmd_fuse_test",
    "mmd_deep_test",
    "two_sample_test",
    "TWO_SAMPLE_METHODS",
    "gan_value",
    "jensen_shannon_from_gan_value",
    "mmd_test",
    "optimal_discriminator",
    "clip_weights",
    "earth_movers_distance",
    "gradient_penalty",
    "normal_wasserstein_1d",
    "optimal_critic_1d",
    "sliced_wasserstein",
    "wasserstein_1d",
    "wasserstein_1d_histogram",
    "wasserstein_1d_quantile",
    "wasserstein_critic_objective",
    "wasserstein_test",
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
    "CycleGANLoss",
    "bernoulli_log_likelihood",
    "cycle_consistency_loss",
    "cyclegan_discriminator_loss",
    "cyclegan_generator_loss",
    "diagonal_gaussian_kl",
    "elbo",
    "gaussian_log_likelihood",
    "identity_loss",
    "lsgan_discriminator_loss",
    "lsgan_generator_loss",
    "lsgan_optimal_discriminator",
    "reparameterize",
    "vae_loss",
]


def __getattr__(name):
    # dv.bench, dv.estimate, ... of earlier releases: the old module paths, which warn
    return _moved_module_attribute(__name__, name)
