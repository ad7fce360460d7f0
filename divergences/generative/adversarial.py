r"""Adversarial objectives of the GAN family as pure functions of logits / critic outputs.

Conventions: "real" samples come from the data distribution P, "fake" ones
from the model Q (the generator).  Every loss is a quantity to **minimise**
(averaged over the last axis), written with softplus so that logits of any
magnitude give finite values and gradients.

At the optimal discriminator or critic each loss estimates:

* GAN discriminator: :math:`-(2\,\mathrm{JSD}(P\|Q) - \log 4)`;
* f-GAN discriminator: :math:`-D_f(P\|Q)` (through the f-GAN activation);
* WGAN critic: :math:`-W_1(P, Q)` (for a 1-Lipschitz critic);
* BiGAN / ALI discriminator: :math:`-(2\,\mathrm{JSD} - \log 4)` between the joint
  distributions of :math:`(x, E(x))` and :math:`(G(z), z)`.
"""

from __future__ import annotations

import numpy as np

from .._backend.array import as_float_arrays, as_output, backend_of, is_jax, is_torch, namespace
from .._backend.checks import check_bool, check_real, is_real
from ..fdiv.ffunctions import get_f

__all__ = [
    "gan_discriminator_loss",
    "gan_generator_loss",
    "fgan_discriminator_loss",
    "fgan_generator_loss",
    "wgan_critic_loss",
    "wgan_generator_loss",
    "bigan_pairs",
    "bigan_discriminator_loss",
    "bigan_generator_encoder_loss",
]


def _pair(real, fake, names=("logits_real", "logits_fake")):
    xp, (a, b) = as_float_arrays(**{names[0]: real, names[1]: fake})
    for name, x in zip(names, (a, b)):
        if x.ndim == 0 or x.shape[-1] == 0:
            raise ValueError(f"{name} is empty")
        if xp.flag(xp.isnan(x)):
            raise ValueError(f"{name} contains NaN")
    return xp, a, b


def _one(value, name):
    xp, (a,) = as_float_arrays(**{name: value})
    if a.ndim == 0 or a.shape[-1] == 0:
        raise ValueError(f"{name} is empty")
    if xp.flag(xp.isnan(a)):
        raise ValueError(f"{name} contains NaN")
    return xp, a


def gan_discriminator_loss(logits_real, logits_fake):
    r"""GAN discriminator loss :math:`\mathbb{E}_P[\mathrm{softplus}(-v)] + \mathbb{E}_Q[\mathrm{softplus}(v)]`.

    The binary cross-entropy of labelling real samples 1 and fake ones 0, i.e.
    :math:`-V(D)` with :math:`V = \mathbb{E}_P\log D + \mathbb{E}_Q\log(1 - D)` and
    :math:`D = \sigma(v)`.  Its minimum over discriminators is
    :math:`\log 4 - 2\,\mathrm{JSD}(P\|Q)`.

    Parameters
    ----------
    logits_real : array_like, torch.Tensor or jax.Array
        Discriminator logits :math:`v` on samples of P (real).
    logits_fake : array_like, torch.Tensor or jax.Array
        Logits on generated samples (Q, fake).

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> from divergences import gan_discriminator_loss
    >>> round(float(gan_discriminator_loss([0.0], [0.0])), 6)     # chance: log 4
    1.386294
    """
    return _gan_d_loss(*_pair(logits_real, logits_fake))


def _gan_d_loss(xp, a, b):
    return as_output(xp.mean(xp.softplus(-a), axis=-1) + xp.mean(xp.softplus(b), axis=-1))


def gan_generator_loss(logits_fake, *, saturating=False):
    r"""GAN generator loss.

    * non-saturating (default; Goodfellow et al. 2014, section 3):
      :math:`\mathbb{E}_Q[\mathrm{softplus}(-v)] = -\mathbb{E}_Q\log D(G(z))`;
    * saturating (the minimax form): :math:`-\mathbb{E}_Q[\mathrm{softplus}(v)] =
      \mathbb{E}_Q\log(1 - D(G(z)))`, whose gradient vanishes when the
      discriminator rejects the fakes confidently.

    Parameters
    ----------
    logits_fake : array_like, torch.Tensor or jax.Array
        Discriminator logits on generated samples.
    saturating : bool, default False
        Use the minimax (saturating) form instead of the non-saturating one.

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> from divergences import gan_generator_loss
    >>> round(float(gan_generator_loss([0.0])), 6), round(float(gan_generator_loss([0.0], saturating=True)), 6)
    (0.693147, -0.693147)
    """
    saturating = check_bool("saturating", saturating)
    xp, b = _one(logits_fake, "logits_fake")
    if saturating:
        return as_output(-xp.mean(xp.softplus(b), axis=-1))
    return as_output(xp.mean(xp.softplus(-b), axis=-1))


def fgan_discriminator_loss(v_real, v_fake, f):
    r"""f-GAN discriminator loss :math:`-(\mathbb{E}_P[g_f(v)] - \mathbb{E}_Q[f^*(g_f(v))])`.

    Minus the variational lower bound of :math:`D_f(P\|Q)` (Nowozin et al. 2016)
    on raw outputs v through the output activation :math:`g_f` and the stable
    :math:`f^*(g_f(v))`; at the optimum it is :math:`-D_f(P\|Q)`.

    Parameters
    ----------
    v_real : array_like, torch.Tensor or jax.Array
        Raw critic outputs on samples of P.
    v_fake : array_like, torch.Tensor or jax.Array
        Raw critic outputs on generated samples (Q).
    f : str or FFunction
        The generator of the divergence (see :func:`get_f`).

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> from divergences import fgan_discriminator_loss
    >>> round(float(fgan_discriminator_loss([0.0], [0.0], "gan")), 6)   # log 4
    1.386294
    """
    f = get_f(f)
    xp, a, b = _pair(v_real, v_fake, ("v_real", "v_fake"))
    with xp.errstate():
        return as_output(-(xp.mean(f._activation(xp, a), axis=-1)
                           - xp.mean(f._conjugate_of_activation(xp, b), axis=-1)))


def fgan_generator_loss(v_fake, f):
    r"""f-GAN generator loss :math:`-\mathbb{E}_Q[f^*(g_f(v))]` (the saddle-point objective).

    The generator minimises the variational bound, whose only term that
    depends on it is :math:`-\mathbb{E}_Q[f^*(g_f(v))]`.  At the optimal
    critic its gradient is the gradient of :math:`D_f(P\|Q_\theta)` (envelope
    theorem), so the generator follows the divergence it names: with KL it
    covers modes, with reverse KL it seeks them.  For the GAN f it equals the
    saturating :func:`gan_generator_loss`.  Conjugates that grow
    exponentially or have a pole (KL, squared Hellinger, Pearson) make this
    gradient heavy-tailed and training unstable with flexible generators; see
    ``docs/examples/gan_fgan_wgan.py``.

    Parameters
    ----------
    v_fake : array_like, torch.Tensor or jax.Array
        Raw critic outputs on generated samples.
    f : str or FFunction
        The generator of the divergence (see :func:`get_f`).

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> from divergences import fgan_generator_loss
    >>> round(float(fgan_generator_loss([0.0], "kl")), 6)       # -exp(-1)
    -0.367879
    """
    f = get_f(f)
    xp, b = _one(v_fake, "v_fake")
    with xp.errstate():
        return as_output(-xp.mean(f._conjugate_of_activation(xp, b), axis=-1))


def wgan_critic_loss(critic_real, critic_fake, penalty=None, *, penalty_weight=10.0):
    r"""WGAN critic loss :math:`-(\mathbb{E}_P[f] - \mathbb{E}_Q[f]) + \lambda\,\mathrm{GP}`.

    With a 1-Lipschitz critic the first term's minimum is :math:`-W_1(P, Q)`
    (Kantorovich-Rubinstein).  Pass the value of
    :func:`~divergences.gradient_penalty` as ``penalty`` for WGAN-GP
    (Gulrajani et al. 2017, :math:`\lambda = 10`), or clip the weights with
    :func:`~divergences.clip_weights` (the original WGAN).

    Parameters
    ----------
    critic_real : array_like, torch.Tensor or jax.Array
        Critic values on samples of P.
    critic_fake : array_like, torch.Tensor or jax.Array
        Critic values on generated samples.
    penalty : float or torch.Tensor, optional
        A gradient penalty, e.g. from :func:`~divergences.gradient_penalty`.
    penalty_weight : float, default 10
        :math:`\lambda`.

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> from divergences import wgan_critic_loss
    >>> float(wgan_critic_loss([2.0, 4.0], [1.0], penalty=0.5, penalty_weight=2.0))
    -1.0
    """
    xp, a, b = _pair(critic_real, critic_fake, ("critic_real", "critic_fake"))
    penalty_weight = check_real("penalty_weight", penalty_weight, 0, closed="left")
    loss = -(xp.mean(a, axis=-1) - xp.mean(b, axis=-1))
    if penalty is not None:
        if not (is_real(penalty) or is_torch(penalty) or is_jax(penalty)
                or (isinstance(penalty, np.ndarray) and penalty.dtype.kind in "fiu")):
            raise TypeError(f"penalty must be a number or a tensor (e.g. from "
                            f"gradient_penalty), got {type(penalty).__name__}")
        loss = loss + penalty_weight * penalty
    return as_output(loss)


def wgan_generator_loss(critic_fake):
    r"""WGAN generator loss :math:`-\mathbb{E}_Q[f(G(z))]`.

    Parameters
    ----------
    critic_fake : array_like, torch.Tensor or jax.Array
        Critic values on generated samples.

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> from divergences import wgan_generator_loss
    >>> float(wgan_generator_loss([1.0, 3.0]))
    -2.0
    """
    xp, b = _one(critic_fake, "critic_fake")
    return as_output(-xp.mean(b, axis=-1))


def bigan_pairs(x, e_x, g_z, z):
    r"""Joint pairs of BiGAN / ALI: :math:`(x, E(x))` (encoder side) and :math:`(G(z), z)`.

    Concatenates along the last (feature) axis; the discriminator sees
    ``encoder_pairs`` as "real" and ``generator_pairs`` as "fake" (Donahue et
    al. 2017; Dumoulin et al. 2017).

    Parameters
    ----------
    x : array_like, torch.Tensor or jax.Array
        Data samples, shape (n, d_x).
    e_x : array_like, torch.Tensor or jax.Array
        Their encodings :math:`E(x)`, shape (n, d_z).
    g_z : array_like, torch.Tensor or jax.Array
        Generated samples :math:`G(z)`, shape (m, d_x).
    z : array_like, torch.Tensor or jax.Array
        The latent codes they came from, shape (m, d_z).

    Returns
    -------
    encoder_pairs, generator_pairs

    Examples
    --------
    >>> import torch
    >>> from divergences import bigan_pairs
    >>> a, b = bigan_pairs(torch.zeros(4, 2), torch.ones(4, 3), torch.zeros(4, 2), torch.ones(4, 3))
    >>> a.shape, b.shape
    (torch.Size([4, 5]), torch.Size([4, 5]))
    """
    tensors = {"x": x, "e_x": e_x, "g_z": g_z, "z": z}
    for name, t in tensors.items():
        if backend_of(t) not in ("torch", "jax"):
            raise TypeError(f"{name} must be a torch tensor (or a JAX array)")
        if backend_of(t) != backend_of(x):
            raise TypeError(f"{name} is a {backend_of(t)} array but x is a {backend_of(x)} one")
        if t.ndim != 2:
            raise ValueError(f"{name} must have shape (n, features), got {tuple(t.shape)}")
        if is_torch(t) and t.is_meta:
            raise ValueError(f"{name} is a meta tensor (a shape without data)")
        if is_torch(t) and t.device != x.device:
            raise ValueError(f"{name} is on {t.device} but x is on {x.device}")
    if x.shape[0] != e_x.shape[0] or g_z.shape[0] != z.shape[0]:
        raise ValueError("x and e_x (and g_z and z) must have the same batch size")
    if x.shape[1] != g_z.shape[1] or e_x.shape[1] != z.shape[1]:
        raise ValueError("x and g_z (and e_x and z) must have the same feature size")
    xp = namespace(backend_of(x))
    return xp.concat([x, e_x], axis=1), xp.concat([g_z, z], axis=1)


def bigan_discriminator_loss(logits_encoder_pairs, logits_generator_pairs):
    r"""BiGAN / ALI discriminator loss: the GAN loss with encoder pairs as "real".

    At the optimum it equals :math:`\log 4 - 2\,\mathrm{JSD}` between the joint
    distributions of :math:`(x, E(x))` and :math:`(G(z), z)`.

    Parameters
    ----------
    logits_encoder_pairs : array_like, torch.Tensor or jax.Array
        Discriminator logits on the pairs :math:`(x, E(x))`, treated as real.
    logits_generator_pairs : array_like, torch.Tensor or jax.Array
        Logits on the pairs :math:`(G(z), z)`, treated as fake.

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> from divergences import bigan_discriminator_loss
    >>> round(float(bigan_discriminator_loss([0.0], [0.0])), 6)
    1.386294
    """
    return _gan_d_loss(*_pair(logits_encoder_pairs, logits_generator_pairs,
                              ("logits_encoder_pairs", "logits_generator_pairs")))


def bigan_generator_encoder_loss(logits_encoder_pairs, logits_generator_pairs):
    r"""Loss of the generator and the encoder (non-saturating, labels swapped).

    :math:`\mathbb{E}[\mathrm{softplus}(v_{enc})] + \mathbb{E}[\mathrm{softplus}(-v_{gen})]`:
    both try to make the discriminator call encoder pairs fake and generator
    pairs real; at equilibrium :math:`E = G^{-1}`.

    Parameters
    ----------
    logits_encoder_pairs : array_like, torch.Tensor or jax.Array
        Discriminator logits on the pairs :math:`(x, E(x))`.
    logits_generator_pairs : array_like, torch.Tensor or jax.Array
        Logits on the pairs :math:`(G(z), z)`.

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> from divergences import bigan_generator_encoder_loss
    >>> round(float(bigan_generator_encoder_loss([0.0], [0.0])), 6)
    1.386294
    """
    xp, a, b = _pair(logits_encoder_pairs, logits_generator_pairs,
                     ("logits_encoder_pairs", "logits_generator_pairs"))
    return as_output(xp.mean(xp.softplus(a), axis=-1) + xp.mean(xp.softplus(-b), axis=-1))
