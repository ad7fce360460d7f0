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
from .results import TwoSampleResult
from .adversarial import (
    bigan_discriminator_loss,
    bigan_generator_encoder_loss,
    bigan_pairs,
    fgan_discriminator_loss,
    fgan_generator_loss,
    gan_discriminator_loss,
    gan_generator_loss,
    wgan_critic_loss,
    wgan_generator_loss,
)
from .bounds import (
    dv_bound,
    dv_mi_bound,
    fgan_bound,
    fgan_bound_from_logits,
    infonce_bound,
    interpolated_bound,
    js_bound,
    js_mi_bound,
    mine_step,
    nwj_bound,
    nwj_mi_bound,
    smile_bound,
    tuba_bound,
)
from .classifier_test import c2st
from .estimate import (
    Estimate,
    estimate_f_divergence,
    estimate_mutual_information,
    estimate_mutual_information_batched,
)
from .classical import (gaussian_mi_estimate, histogram_mutual_information, knn_kl_divergence,
                        knn_renyi_divergence, ksg_mutual_information)
from .discriminator import gan_value, jensen_shannon_from_gan_value, optimal_discriminator
from .aggregated import mmd_agg_test, mmd_fuse_test
from .deep_kernel import mmd_deep_test
from .two_sample import TWO_SAMPLE_METHODS, energy_test, mmd_test, two_sample_test, wasserstein_test
from .wasserstein import (
    clip_weights,
    earth_movers_distance,
    gradient_penalty,
    normal_wasserstein_1d,
    optimal_critic_1d,
    sliced_wasserstein,
    wasserstein_1d,
    wasserstein_1d_histogram,
    wasserstein_1d_quantile,
    wasserstein_critic_objective,
)
from .gaussian import (
    gaussian_f_divergence,
    gaussian_mutual_information,
    renyi_divergence_gaussian,
)

__version__ = "0.1.0"

__all__ = [
    "FFunction",
    "TwoSampleResult",
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
]
