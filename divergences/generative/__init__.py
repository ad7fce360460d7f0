"""Objectives of generative models as pure functions, each tied to its divergence.

What lives here: the GAN, f-GAN, WGAN and BiGAN/ALI losses (``adversarial``), the
optimal discriminator and the GAN value (``discriminator``), and the least-squares
GAN, CycleGAN and VAE objectives (``objectives``).

What it may import: ``divergences._backend``, ``divergences.results``,
``divergences.fdiv`` and ``divergences.transport``.
"""

from .adversarial import (bigan_discriminator_loss, bigan_generator_encoder_loss, bigan_pairs,
                          fgan_discriminator_loss, fgan_generator_loss, gan_discriminator_loss,
                          gan_generator_loss, wgan_critic_loss, wgan_generator_loss)
from .discriminator import gan_value, jensen_shannon_from_gan_value, optimal_discriminator
from .objectives import (CycleGANLoss, bernoulli_log_likelihood, cycle_consistency_loss,
                         cyclegan_discriminator_loss, cyclegan_generator_loss,
                         diagonal_gaussian_kl, elbo, gaussian_log_likelihood, identity_loss,
                         lsgan_discriminator_loss, lsgan_generator_loss,
                         lsgan_optimal_discriminator, reparameterize, vae_loss)

__all__ = ["bigan_discriminator_loss", "bigan_generator_encoder_loss", "bigan_pairs",
           "fgan_discriminator_loss", "fgan_generator_loss", "gan_discriminator_loss",
           "gan_generator_loss", "wgan_critic_loss", "wgan_generator_loss", "gan_value",
           "jensen_shannon_from_gan_value", "optimal_discriminator", "CycleGANLoss",
           "bernoulli_log_likelihood", "cycle_consistency_loss", "cyclegan_discriminator_loss",
           "cyclegan_generator_loss", "diagonal_gaussian_kl", "elbo", "gaussian_log_likelihood",
           "identity_loss", "lsgan_discriminator_loss", "lsgan_generator_loss",
           "lsgan_optimal_discriminator", "reparameterize", "vae_loss"]
