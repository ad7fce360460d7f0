r"""Objectives of least-squares GANs, CycleGAN and variational autoencoders.

Pure functions of model outputs (numpy arrays or torch tensors, differentiable)
and, for CycleGAN, of the user's callables; no training loop.  Each objective
is tied to a divergence of this library:

* least-squares GAN (Mao et al. 2017): with codes :math:`(a, b, c)` such that
  :math:`c = (a + b)/2`, the generator's objective at the optimal discriminator
  is :math:`((b - a)/2)^2\,\chi^2(Q\|M)`, :math:`M = (P + Q)/2` (the paper's
  :math:`\tfrac12\chi^2_{\mathrm{Pearson}}(P + Q\|2Q)` for b - a = 2), and the
  discriminator's minimum is :math:`\tfrac14(b - a)^2(1 - \chi^2(Q\|M))`;
  :math:`\chi^2(Q\|M)` is also Le Cam's divergence
  :math:`\sum (p - q)^2 / (2(p + q))` (``f_divergence(p, q, "le_cam")``);
* CycleGAN (Zhu et al. 2017): two adversarial objectives of the user's choice
  plus cycle-consistency and identity terms;
* VAE (Kingma & Welling 2014): the evidence lower bound
  :math:`\log p(x) - \mathrm{KL}(q(z|x)\|p(z|x))`, with the closed-form KL of
  diagonal Gaussians (the diagonal case of :func:`~divergences.gaussian_f_divergence`).

Conventions: "real" samples come from the data P, "fake" ones from the model Q;
every loss is a quantity to minimise.  Samples go along the **first** axis for the
CycleGAN and VAE functions (images of shape (n, C, H, W) are fine: the other axes
are reduced per sample); discriminator outputs and their weights along the last.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .._backend.deprecation import renamed_keywords
from .._backend.array import (as_float_arrays, as_output, backend_of, check_finite, check_weights,
                              one_sample_values, two_sample_values, weighted_mean)
from .._backend.checks import check_int, check_real, standard_normal
from .adversarial import (gan_discriminator_loss, gan_generator_loss, wgan_critic_loss,
                          wgan_generator_loss)
from .discriminator import optimal_discriminator

__all__ = [
    "lsgan_discriminator_loss",
    "lsgan_generator_loss",
    "lsgan_optimal_discriminator",
    "cycle_consistency_loss",
    "identity_loss",
    "CycleGANLoss",
    "cyclegan_generator_loss",
    "cyclegan_discriminator_loss",
    "diagonal_gaussian_kl",
    "reparameterize",
    "gaussian_log_likelihood",
    "bernoulli_log_likelihood",
    "elbo",
    "vae_loss",
]


# ---------------------------------------------------------------------------
# least-squares GAN
# ---------------------------------------------------------------------------

def _codes(**codes):
    return {k: check_real(k, v) for k, v in codes.items()}


@renamed_keywords(weights_p="x_weights", weights_q="y_weights")
def lsgan_discriminator_loss(d_real, d_fake, *, a=-1.0, b=1.0, x_weights=None, y_weights=None):
    r"""Least-squares GAN discriminator loss :math:`\tfrac12\mathbb{E}_P[(D - b)^2] + \tfrac12\mathbb{E}_Q[(D - a)^2]`.

    Mao et al. (2017), eq. (2): the discriminator regresses real samples onto the
    code b and fake ones onto a.  Its minimiser is
    :math:`D^* = (b\,p + a\,q)/(p + q)` (:func:`lsgan_optimal_discriminator`)
    and the minimum is :math:`\tfrac14(b - a)^2\,(1 - \chi^2(Q\|M))` with
    :math:`M = (P + Q)/2`: 1 for identical distributions (with b - a = 2), 0 for
    disjoint ones.

    Parameters
    ----------
    d_real : array_like, torch.Tensor or jax.Array
        Discriminator outputs (raw, no sigmoid) on samples of P, along the last axis.
    d_fake : array_like, torch.Tensor or jax.Array
        Outputs on generated samples (Q).
    a, b : float, default -1, 1
        Codes of fake and real data.  The paper's χ² setting is (a, b, c) = (-1, 1, 0);
        the 0-1 coding (a, b, c) = (0, 1, 1) is common in practice (e.g. CycleGAN).
    x_weights, y_weights : array_like, torch.Tensor or jax.Array, optional
        Non-negative sample weights (normalised internally), e.g. the
        probabilities of support points for exact expectations.

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> from divergences import lsgan_discriminator_loss
    >>> float(lsgan_discriminator_loss([1.0, 1.0], [-1.0]))        # perfect separation
    0.0
    >>> float(lsgan_discriminator_loss([0.0], [0.0]))              # D = 0 everywhere
    1.0
    """
    c = _codes(a=a, b=b)
    xp, dp, dq, wp, wq = two_sample_values(d_real, d_fake, x_weights, y_weights,
                                           names=("d_real", "d_fake"))
    with xp.errstate():                  # squares beyond the float range are +inf
        return as_output(0.5 * weighted_mean(xp, (dp - c["b"]) ** 2, wp)
                         + 0.5 * weighted_mean(xp, (dq - c["a"]) ** 2, wq))


@renamed_keywords(weights_p="x_weights", weights_q="y_weights")
def lsgan_generator_loss(d_fake, *, c=0.0, d_real=None, x_weights=None, y_weights=None):
    r"""Least-squares GAN generator loss :math:`\tfrac12\mathbb{E}_Q[(D - c)^2]`.

    Mao et al. (2017), eq. (2).  With ``d_real`` the paper's full objective
    :math:`\tfrac12\mathbb{E}_P[(D - c)^2] + \tfrac12\mathbb{E}_Q[(D - c)^2]` is
    returned (the P term does not depend on the generator).  At the optimal
    discriminator for codes (a, b) and :math:`c = (a + b)/2` that objective equals
    :math:`((b - a)/2)^2\,\chi^2(Q\|M)`, :math:`M = (P + Q)/2`, in this library's
    convention ``f_divergence(q, m, "pearson")`` (the paper's
    :math:`\tfrac12\chi^2_{\mathrm{Pearson}}(P + Q\|2Q)` when b - c = 1 and b - a = 2,
    e.g. (a, b, c) = (-1, 1, 0)).  Other codes, such as the 0-1 coding with c = 1,
    give no divergence: the generator then pushes D towards the real code.

    Parameters
    ----------
    d_fake : array_like, torch.Tensor or jax.Array
        Discriminator outputs on generated samples, along the last axis.
    c : float, default 0
        The value the generator wants the discriminator to output on its samples.
    d_real : array_like, torch.Tensor or jax.Array, optional
        Outputs on real samples: include the P term.
    x_weights, y_weights : array_like, torch.Tensor or jax.Array, optional
        Sample weights of ``d_real`` and ``d_fake`` (normalised internally).

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import lsgan_generator_loss, lsgan_optimal_discriminator, f_divergence
    >>> p, q = np.array([0.5, 0.3, 0.2]), np.array([0.1, 0.3, 0.6])
    >>> d = lsgan_optimal_discriminator(p, q)                     # codes a = -1, b = 1
    >>> v = lsgan_generator_loss(d, c=0.0, d_real=d, x_weights=p, y_weights=q)
    >>> bool(np.isclose(v, f_divergence(q, (p + q) / 2, "pearson")))
    True
    """
    c = _codes(c=c)["c"]
    if d_real is None:
        if x_weights is not None:
            raise ValueError("x_weights weights d_real, which was not given")
        xp, dq, wq = one_sample_values(d_fake, y_weights, "d_fake", "y_weights")
        with xp.errstate():
            return as_output(0.5 * weighted_mean(xp, (dq - c) ** 2, wq))
    xp, dp, dq, wp, wq = two_sample_values(d_real, d_fake, x_weights, y_weights,
                                           names=("d_real", "d_fake"))
    with xp.errstate():
        return as_output(0.5 * weighted_mean(xp, (dp - c) ** 2, wp)
                         + 0.5 * weighted_mean(xp, (dq - c) ** 2, wq))


def lsgan_optimal_discriminator(p, q, *, a=-1.0, b=1.0):
    r"""The least-squares GAN discriminator's minimiser :math:`D^* = (b\,p + a\,q)/(p + q)`.

    Parameters
    ----------
    p, q : array_like, torch.Tensor or jax.Array
        Densities or probabilities of the same points under P and Q
        (non-negative, broadcastable).
    a, b : float, default -1, 1
        Codes of fake and real data.

    Returns
    -------
    Same kind as the inputs; :math:`(a + b)/2` where ``p = q = 0`` (no information).

    Examples
    --------
    >>> from divergences import lsgan_optimal_discriminator
    >>> lsgan_optimal_discriminator([0.2, 0.0, 0.3, 0.0], [0.6, 0.3, 0.0, 0.0]).tolist()
    [-0.5, -1.0, 1.0, 0.0]
    """

    codes = _codes(a=a, b=b)
    # D* = a + (b - a) p / (p + q), through the GAN's optimal discriminator (its checks,
    # and 1/2 where p = q = 0)
    return as_output(codes["a"] + (codes["b"] - codes["a"]) * optimal_discriminator(p, q))


# ---------------------------------------------------------------------------
# CycleGAN
# ---------------------------------------------------------------------------

_REDUCTIONS = ("mean", "sum", "norm")


def _per_sample_distance(xp, u, v, p, reduction, name):
    """Per sample (first axis): mean or sum over the other axes of |u - v|^p, or the p-norm."""
    if tuple(u.shape) != tuple(v.shape):
        raise ValueError(f"{name} has shape {tuple(v.shape)} but its input has shape "
                         f"{tuple(u.shape)}: the maps must preserve the shape")
    if u.ndim == 0 or u.shape[0] == 0:
        raise ValueError(f"the input of {name} is empty (samples go along the first axis)")
    diff = xp.abs(u - v).reshape(u.shape[0], -1)
    with xp.errstate():                  # |d|^p beyond the float range is +inf
        return _reduce(xp, diff, p, reduction)


def _reduce(xp, diff, p, reduction):
    if reduction == "norm" and p != 1.0:
        # p-norm with the largest entry factored out: neither overflows nor underflows
        top = xp.amax_detached(diff, axis=-1)                # (n, 1)
        top = xp.where(top > 0, top, 1.0)
        return top[:, 0] * xp.sum((diff / top) ** p, axis=-1) ** (1.0 / p)
    terms = diff if p == 1.0 else diff ** p
    return xp.mean(terms, axis=-1) if reduction == "mean" else xp.sum(terms, axis=-1)


def _check_distance_options(p, reduction):
    p = check_real("p", p, 1.0, closed="left")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    return p


def _check_map(name, fn):
    if not callable(fn):
        raise TypeError(f"{name} must be a callable (e.g. a torch.nn.Module), got "
                        f"{type(fn).__name__}")


def _samples(**named):
    xp, arrays = as_float_arrays(**named)
    for (name, _), a in zip(named.items(), arrays):
        check_finite(xp, name, a)
    return xp, arrays


def _mapped(xp, fn, a, like):
    """fn(a) as an array of ``a``'s backend (a callable may return a list or numpy array)."""
    out = fn(a)
    if xp.name == "numpy":
        return np.asarray(out, dtype=like.dtype)
    if backend_of(out) != xp.name:
        raise TypeError(f"a map returned {type(out).__name__} for a {xp.name} input: return "
                        f"{xp.name} arrays so that gradients flow")
    return out


def _sample_mean(xp, values, weights, name):
    """Mean over the samples of per-sample values, weighted if ``weights`` is given."""
    if weights is None:
        return xp.mean(values, axis=-1)
    _, (w,) = as_float_arrays(**{name: weights})
    if backend_of(w) != xp.name:
        w = xp.asarray(w, dtype=values.dtype, device=xp.device(values))
    check_weights(xp, name, w, like=values, like_name="the samples")
    return weighted_mean(xp, values, w)


def _cycle_terms(xp, x, y, g, f, p, reduction, x_weights, y_weights, cycle):
    if cycle:      # F(G(x)) ~ x and G(F(y)) ~ y
        ax = _mapped(xp, f, _mapped(xp, g, x, x), x)
        ay = _mapped(xp, g, _mapped(xp, f, y, y), y)
        names = ("f(g(x))", "g(f(y))")
    else:          # identity: F(x) ~ x and G(y) ~ y
        ax, ay = _mapped(xp, f, x, x), _mapped(xp, g, y, y)
        names = ("f(x)", "g(y)")
    dx = _per_sample_distance(xp, x, ax, p, reduction, names[0])
    dy = _per_sample_distance(xp, y, ay, p, reduction, names[1])
    return (_sample_mean(xp, dx, x_weights, "x_weights")
            + _sample_mean(xp, dy, y_weights, "y_weights"))


@renamed_keywords(weights_x="x_weights", weights_y="y_weights")
def cycle_consistency_loss(x, y, g, f, *, p=1, reduction="mean", x_weights=None,
                           y_weights=None):
    r"""CycleGAN's cycle-consistency loss :math:`\mathbb{E}_x\|F(G(x)) - x\| + \mathbb{E}_y\|G(F(y)) - y\|`.

    Zhu et al. (2017), eq. (2), with :math:`G: X \to Y` and :math:`F: Y \to X`.
    Per sample (first axis), the difference is reduced over the other axes by
    ``reduction``: ``"mean"`` of :math:`|\cdot|^p` (the paper's code, torch's
    ``L1Loss``/``MSELoss`` for p = 1/2), ``"sum"`` of :math:`|\cdot|^p` (p = 1: the
    :math:`\ell_1` norm of the paper's equation), or ``"norm"``, the p-norm itself.

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array
        Samples of the two domains, shape (n, ...) and (m, ...).
    g, f : callable
        The maps X -> Y and Y -> X (e.g. ``torch.nn.Module``), applied to a batch.
    p : float, default 1
        Order, at least 1.
    reduction : {"mean", "sum", "norm"}, default "mean"
    x_weights, y_weights : array_like, torch.Tensor or jax.Array, optional
        Non-negative per-sample weights (normalised internally).

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (differentiable with respect to the maps' parameters).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import cycle_consistency_loss
    >>> x, y = np.ones((4, 2)), np.zeros((3, 2))
    >>> float(cycle_consistency_loss(x, y, lambda a: a + 1.0, lambda b: b - 1.0))  # inverses
    0.0
    >>> float(cycle_consistency_loss(x, y, lambda a: 2.0 * a, lambda b: b))  # |2x - x| = 1
    1.0
    """
    _check_map("g", g), _check_map("f", f)
    p = _check_distance_options(p, reduction)
    xp, (x, y) = _samples(x=x, y=y)
    return as_output(_cycle_terms(xp, x, y, g, f, p, reduction, x_weights, y_weights, True))


@renamed_keywords(weights_x="x_weights", weights_y="y_weights")
def identity_loss(x, y, g, f, *, p=1, reduction="mean", x_weights=None, y_weights=None):
    r"""CycleGAN's identity loss :math:`\mathbb{E}_y\|G(y) - y\| + \mathbb{E}_x\|F(x) - x\|`.

    Zhu et al. (2017), section 5.2 (after Taigman et al. 2017): each map should
    leave samples of its target domain unchanged (it preserves colour
    composition in photo-painting translation).  Needs domains of the same
    shape.  ``p``, ``reduction`` and the weights as in :func:`cycle_consistency_loss`.

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array
        Samples of the two domains, shape (n, ...) and (m, ...).
    g, f : callable
        The maps X -> Y and Y -> X.
    p : float, default 1
    reduction : {"mean", "sum", "norm"}, default "mean"
    x_weights, y_weights : array_like, torch.Tensor or jax.Array, optional

    Returns
    -------
    float or torch.Tensor or jax.Array

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import identity_loss
    >>> x, y = np.ones((4, 2)), np.zeros((3, 2))
    >>> float(identity_loss(x, y, lambda a: a + 1.0, lambda b: b - 1.0))   # |1| + |-1|
    2.0
    """
    _check_map("g", g), _check_map("f", f)
    p = _check_distance_options(p, reduction)
    xp, (x, y) = _samples(x=x, y=y)
    return as_output(_cycle_terms(xp, x, y, g, f, p, reduction, x_weights, y_weights, False))


class CycleGANLoss(NamedTuple):
    """The CycleGAN generator objective and its parts (0-d tensors for torch inputs).

    Returned by :func:`cyclegan_generator_loss`; a tuple, so it also unpacks.

    Examples
    --------
    >>> from divergences import CycleGANLoss
    >>> total, adversarial, cycle, identity = CycleGANLoss(3.5, 1.0, 0.2, 0.1)
    >>> CycleGANLoss(3.5, 1.0, 0.2, 0.1).cycle
    0.2
    """

    total: object
    adversarial: object
    cycle: object
    identity: object


_ADVERSARIAL = ("lsgan", "gan", "wgan")


def _check_adversarial(adversarial, lsgan_codes):
    if adversarial not in _ADVERSARIAL:
        raise ValueError(f"adversarial must be one of {_ADVERSARIAL}, got {adversarial!r}")
    try:
        a, b, c = lsgan_codes
    except (TypeError, ValueError):
        raise TypeError(f"lsgan_codes must be a triple (a, b, c), got {lsgan_codes!r}") from None
    return _codes(a=a, b=b, c=c)


def _flat_outputs(out, n, name):
    if backend_of(out) == "numpy":
        out = np.asarray(out, dtype=float)
    if out.ndim == 0 or out.shape[0] != n or int(np.prod(out.shape)) != n:
        raise ValueError(f"{name} must return one value per sample (shape ({n},) or ({n}, 1)), "
                         f"got shape {tuple(out.shape)}")
    return out.reshape(n)


def cyclegan_generator_loss(x, y, g, f, d_x, d_y, *, adversarial="lsgan", lambda_cyc=10.0,
                            lambda_id=None, lsgan_codes=(0.0, 1.0, 1.0), p=1, reduction="mean"):
    r"""The CycleGAN objective the two generators minimise, with its parts.

    .. math::

        L = L_{adv}(G, D_Y) + L_{adv}(F, D_X)
            + \lambda_{cyc} L_{cyc}(G, F) + \lambda_{id} L_{id}(G, F)

    (Zhu et al. 2017, eq. (3), plus the identity term of their section 5.2).
    :math:`D_Y` judges real y against :math:`G(x)`, :math:`D_X` real x against
    :math:`F(y)`; the adversarial terms are the generator losses of
    ``adversarial``: ``"lsgan"`` (:func:`lsgan_generator_loss` with code c of
    ``lsgan_codes``; the paper's choice, 0-1 coding), ``"gan"`` (non-saturating
    :func:`~divergences.gan_generator_loss`; the discriminators return logits) or
    ``"wgan"`` (:func:`~divergences.wgan_generator_loss`; critics).

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array
        Batches of the two domains, samples along the first axis.
    g, f : callable
        Generators X -> Y and Y -> X.
    d_x, d_y : callable
        Discriminators (or critics) of domains X and Y, one output per sample.
    adversarial : {"lsgan", "gan", "wgan"}, default "lsgan"
    lambda_cyc : float, default 10
        Weight of the cycle-consistency loss (the paper's 10).
    lambda_id : float, optional
        Weight of the identity loss; default ``0.5 * lambda_cyc`` (the paper's
        choice for photo-painting); 0 leaves it out (and needs no equal shapes).
    lsgan_codes : (a, b, c), default (0, 1, 1)
    p, reduction
        As in :func:`cycle_consistency_loss`, for both reconstruction terms.

    Returns
    -------
    CycleGANLoss
        ``total`` (minimise it; ``total.backward()`` for torch) and the parts
        ``adversarial`` (both directions), ``cycle`` and ``identity`` (unweighted).

    Examples
    --------
    >>> import torch
    >>> from divergences import cyclegan_generator_loss
    >>> gen = torch.Generator().manual_seed(0)
    >>> x, y = torch.randn(8, 2, generator=gen), torch.randn(8, 2, generator=gen) + 3.0
    >>> shift = torch.zeros(2, requires_grad=True)            # G(x) = x + shift
    >>> g, f = (lambda a: a + shift), (lambda b: b - 3.0)
    >>> d = lambda a: a.sum(-1)                               # any discriminator
    >>> loss = cyclegan_generator_loss(x, y, g, f, d, d)
    >>> loss.total.backward()
    >>> bool(loss.cycle > 0), shift.grad.shape
    (True, torch.Size([2]))
    """
    for name, fn in (("g", g), ("f", f), ("d_x", d_x), ("d_y", d_y)):
        _check_map(name, fn)
    codes = _check_adversarial(adversarial, lsgan_codes)
    lambda_cyc = check_real("lambda_cyc", lambda_cyc, 0.0, closed="left")
    lambda_id = 0.5 * lambda_cyc if lambda_id is None else check_real("lambda_id", lambda_id,
                                                                       0.0, closed="left")
    p = _check_distance_options(p, reduction)
    xp, (x, y) = _samples(x=x, y=y)
    fake_y, fake_x = _mapped(xp, g, x, x), _mapped(xp, f, y, y)
    judged_y = _flat_outputs(d_y(fake_y), x.shape[0], "d_y")
    judged_x = _flat_outputs(d_x(fake_x), y.shape[0], "d_x")
    if adversarial == "lsgan":
        adv = (lsgan_generator_loss(judged_y, c=codes["c"])
               + lsgan_generator_loss(judged_x, c=codes["c"]))
    elif adversarial == "gan":
        adv = gan_generator_loss(judged_y) + gan_generator_loss(judged_x)
    else:
        adv = wgan_generator_loss(judged_y) + wgan_generator_loss(judged_x)
    # cycle terms reuse G(x) and F(y)
    rec_x, rec_y = _mapped(xp, f, fake_y, x), _mapped(xp, g, fake_x, y)
    cyc = (xp.mean(_per_sample_distance(xp, x, rec_x, p, reduction, "f(g(x))"), axis=-1)
           + xp.mean(_per_sample_distance(xp, y, rec_y, p, reduction, "g(f(y))"), axis=-1))
    if lambda_id > 0:
        idt = _cycle_terms(xp, x, y, g, f, p, reduction, None, None, False)
    else:
        idt = xp.zeros_like(cyc)
    total = adv + lambda_cyc * cyc + lambda_id * idt
    return CycleGANLoss(*(as_output(v) for v in (total, adv, cyc, idt)))


def cyclegan_discriminator_loss(x, y, g, f, d_x, d_y, *, adversarial="lsgan",
                                lsgan_codes=(0.0, 1.0, 1.0)):
    r"""The loss the two CycleGAN discriminators minimise: :math:`L_D(D_Y) + L_D(D_X)`.

    :math:`D_Y` separates real y from :math:`G(x)` and :math:`D_X` real x from
    :math:`F(y)`, with the discriminator loss of ``adversarial``: ``"lsgan"``
    (:func:`lsgan_discriminator_loss` with codes a, b of ``lsgan_codes``),
    ``"gan"`` (:func:`~divergences.gan_discriminator_loss`, logits) or ``"wgan"``
    (the critic loss without penalty; add :func:`~divergences.gradient_penalty`).
    The generated samples are detached for torch inputs (the generators are not
    updated by this loss) and computed without building their graph.  (Zhu et
    al. also halve the discriminator loss and draw fakes from a buffer of 50
    past ones; both are left to the training loop.)

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array
        Batches of the two domains, samples along the first axis.
    g, f, d_x, d_y : callable
        Generators and discriminators, as in :func:`cyclegan_generator_loss`.
    adversarial : {"lsgan", "gan", "wgan"}, default "lsgan"
    lsgan_codes : (a, b, c), default (0, 1, 1)

    Returns
    -------
    float or torch.Tensor or jax.Array

    Examples
    --------
    >>> import torch
    >>> from divergences import cyclegan_discriminator_loss
    >>> x, y = torch.zeros(8, 2), torch.ones(8, 2)
    >>> g, f = (lambda a: a + 1.0), (lambda b: b - 1.0)
    >>> zero = lambda a: torch.zeros(a.shape[0])        # D = 0: the LSGAN loss is 1/2 + 1/2
    >>> float(cyclegan_discriminator_loss(x, y, g, f, zero, zero))
    1.0
    """
    for name, fn in (("g", g), ("f", f), ("d_x", d_x), ("d_y", d_y)):
        _check_map(name, fn)
    codes = _check_adversarial(adversarial, lsgan_codes)
    xp, (x, y) = _samples(x=x, y=y)
    if xp.name == "torch":
        import torch

        with torch.no_grad():
            fake_y, fake_x = g(x), f(y)
    else:
        fake_y, fake_x = xp.detach(_mapped(xp, g, x, x)), xp.detach(_mapped(xp, f, y, y))
    total = 0.0
    for d, real, fake, name in ((d_y, y, fake_y, "d_y"), (d_x, x, fake_x, "d_x")):
        vr = _flat_outputs(d(real), real.shape[0], name)
        vf = _flat_outputs(d(fake), fake.shape[0], name)
        if adversarial == "lsgan":
            total = total + lsgan_discriminator_loss(vr, vf, a=codes["a"], b=codes["b"])
        elif adversarial == "gan":
            total = total + gan_discriminator_loss(vr, vf)
        else:
            total = total + wgan_critic_loss(vr, vf)
    return as_output(total)


# ---------------------------------------------------------------------------
# VAE
# ---------------------------------------------------------------------------

def _per_sample_sum(xp, terms):
    """Sum over every axis but the first (one value per sample); 1-D: one feature each."""
    if terms.ndim <= 1:
        return terms
    return xp.sum(terms.reshape(terms.shape[0], -1), axis=-1)


def _check_nonempty(xp, named):
    for name, a in named.items():
        if a.ndim >= 1 and a.shape[0] == 0:
            raise ValueError(f"{name} is empty (samples go along the first axis)")
        check_finite(xp, name, a)


def _broadcast(name_a, a, name_b, b):
    try:
        return np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    except ValueError:
        raise ValueError(f"{name_a} of shape {tuple(a.shape)} and {name_b} of shape "
                         f"{tuple(b.shape)} do not broadcast") from None


def _scaled_square(xp, diff, log_var):
    """diff^2 e^{-log_var}, exactly 0 where diff = 0 (even where e^{-log_var} overflows)."""
    zero = diff == 0
    safe = xp.where(zero, 1.0, diff)
    return xp.where(zero, 0.0, safe * safe * xp.exp(-log_var))


def diagonal_gaussian_kl(mean, log_var, prior_mean=0.0, prior_log_var=0.0):
    r"""KL divergence between diagonal Gaussians, per sample, from log-variances.

    .. math::

        \mathrm{KL}\big(\mathcal N(\mu, e^{s})\,\|\,\mathcal N(\mu_0, e^{s_0})\big)
        = \frac12\sum_k \Big[e^{s_k - s_{0k}} - 1 - (s_k - s_{0k})
          + (\mu_k - \mu_{0k})^2 e^{-s_{0k}}\Big]

    the diagonal case of :func:`~divergences.gaussian_f_divergence`
    (``f="kl"``), written with ``expm1`` so that nearly equal variances lose no
    digits and large log-variances do not overflow a variance first.  With the
    default prior, :math:`\mathcal N(0, I)`, it is the VAE's regulariser
    :math:`\tfrac12\sum_k(\mu_k^2 + e^{s_k} - 1 - s_k)`.

    Parameters
    ----------
    mean, log_var : array_like, torch.Tensor or jax.Array
        The posterior's means and log-variances, shape (n, k) (or (k,) for one).
    prior_mean, prior_log_var : float or array_like, torch.Tensor or jax.Array, default 0
        The prior's, broadcasting against ``mean``.

    Returns
    -------
    numpy.ndarray or torch.Tensor or jax.Array
        KL per sample: the sum over the last axis (shape (n,), or a scalar for 1-D input).

    Examples
    --------
    >>> from divergences import diagonal_gaussian_kl
    >>> float(diagonal_gaussian_kl([1.0, 0.0], [0.0, 0.0]))     # mean shift 1: 1/2
    0.5
    """
    xp, (m, s, m0, s0) = as_float_arrays(mean=mean, log_var=log_var, prior_mean=prior_mean,
                                         prior_log_var=prior_log_var)
    _check_nonempty(xp, {"mean": m, "log_var": s, "prior_mean": m0, "prior_log_var": s0})
    if tuple(m.shape) != tuple(s.shape):
        raise ValueError(f"mean of shape {tuple(m.shape)} and log_var of shape "
                         f"{tuple(s.shape)} must have the same shape")
    _broadcast("mean", m, "prior_mean", m0)
    _broadcast("mean", m, "prior_log_var", s0)
    d = s - s0
    with xp.errstate():                  # a variance ratio beyond e^709 is an infinite KL
        terms = 0.5 * (xp.expm1(d) - d + _scaled_square(xp, m - m0, s0))
    return as_output(xp.sum(terms, axis=-1) if terms.ndim else terms)


def reparameterize(mean, log_var, *, rng=None, n_samples=None):
    r"""A reparameterised draw :math:`z = \mu + e^{s/2}\,\varepsilon`, :math:`\varepsilon \sim \mathcal N(0, I)`.

    Differentiable in ``mean`` and ``log_var`` (Kingma & Welling 2014), with an
    explicit source of randomness: no global random state is used or changed.

    Parameters
    ----------
    mean, log_var : array_like, torch.Tensor or jax.Array
        Same shape.
    rng : None, int, numpy Generator or torch.Generator
        Source of :math:`\varepsilon` (a torch generator on the inputs' device for
        torch inputs).
    n_samples : int, optional
        Draw this many samples, stacked along a new first axis.

    Returns
    -------
    numpy.ndarray or torch.Tensor or jax.Array
        Shape of ``mean`` (with ``(n_samples,)`` in front if given).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import reparameterize
    >>> z = reparameterize(np.zeros(3), np.log(np.full(3, 4.0)), rng=0, n_samples=100_000)
    >>> z.shape, bool(abs(z.std() - 2.0) < 0.02)
    ((100000, 3), True)
    """

    xp, (m, s) = as_float_arrays(mean=mean, log_var=log_var)
    _check_nonempty(xp, {"mean": m, "log_var": s})
    if tuple(m.shape) != tuple(s.shape):
        raise ValueError(f"mean of shape {tuple(m.shape)} and log_var of shape "
                         f"{tuple(s.shape)} must have the same shape")
    shape = tuple(m.shape) if n_samples is None else \
        (check_int("n_samples", n_samples, 1),) + tuple(m.shape)
    eps = standard_normal(xp, rng, shape, m)
    with xp.errstate():                  # a standard deviation beyond the float range: inf
        return m + xp.exp(0.5 * s) * eps


def gaussian_log_likelihood(x, mean, log_var=0.0):
    r"""Gaussian log-likelihood per sample, :math:`\log\mathcal N(x; \mu, e^{s})` summed over features.

    .. math::

        \log p(x) = -\frac12\sum_k\Big[\log 2\pi + s_k + (x_k - \mu_k)^2 e^{-s_k}\Big]

    Parameters
    ----------
    x : array_like, torch.Tensor or jax.Array
        Observations, samples along the first axis (n, ...); 1-D: one feature each.
    mean : array_like, torch.Tensor or jax.Array
        The decoder's means, same shape as ``x``.
    log_var : float or array_like, torch.Tensor or jax.Array, default 0
        Log-variances (a fixed scalar, or learned, broadcasting against ``x``).

    Returns
    -------
    numpy.ndarray or torch.Tensor or jax.Array
        Shape (n,).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import gaussian_log_likelihood
    >>> bool(np.isclose(gaussian_log_likelihood([[0.0, 1.0]], [[0.0, 0.0]])[0],
    ...                 -np.log(2 * np.pi) - 0.5))
    True
    """
    xp, (x, mu, s) = as_float_arrays(x=x, mean=mean, log_var=log_var)
    _check_nonempty(xp, {"x": x, "mean": mu, "log_var": s})
    if tuple(x.shape) != tuple(mu.shape):
        raise ValueError(f"x of shape {tuple(x.shape)} and mean of shape {tuple(mu.shape)} "
                         f"must have the same shape")
    _broadcast("x", x, "log_var", s)
    with xp.errstate():
        terms = -0.5 * (math.log(2.0 * math.pi) + s + _scaled_square(xp, x - mu, s))
    terms = terms + xp.zeros_like(x)          # a scalar log_var broadcasts to every feature
    return as_output(_per_sample_sum(xp, terms))


def bernoulli_log_likelihood(x, logits):
    r"""Bernoulli log-likelihood per sample from logits, :math:`\sum_k [x_k v_k - \mathrm{softplus}(v_k)]`.

    Minus the summed binary cross-entropy with logits, stable for logits of any
    magnitude; x may be in [0, 1] (the continuous relaxation used for grey
    levels).

    Parameters
    ----------
    x : array_like, torch.Tensor or jax.Array
        Observations in [0, 1], samples along the first axis.
    logits : array_like, torch.Tensor or jax.Array
        Decoder logits, same shape.

    Returns
    -------
    numpy.ndarray or torch.Tensor or jax.Array
        Shape (n,).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import bernoulli_log_likelihood
    >>> bool(np.isclose(bernoulli_log_likelihood([[1.0, 0.0]], [[0.0, 0.0]])[0], 2 * np.log(0.5)))
    True
    """
    xp, (x, v) = as_float_arrays(x=x, logits=logits)
    _check_nonempty(xp, {"x": x})
    if xp.flag(xp.isnan(v)):
        raise ValueError("logits contains NaN")
    if tuple(x.shape) != tuple(v.shape):
        raise ValueError(f"x of shape {tuple(x.shape)} and logits of shape {tuple(v.shape)} "
                         f"must have the same shape")
    if xp.flag(x < 0) or xp.flag(x > 1):
        raise ValueError("x must lie in [0, 1] for a Bernoulli likelihood")
    # x v - softplus(v) = -(x softplus(-v) + (1 - x) softplus(v)); a term whose weight is 0
    # is 0 even where its softplus is infinite (logits of +-inf are certain predictions)
    with xp.errstate():
        terms = -(x * xp.where(x > 0, xp.softplus(-v), 0.0)
                  + (1.0 - x) * xp.where(x < 1, xp.softplus(v), 0.0))
    return as_output(_per_sample_sum(xp, terms))


_LIKELIHOODS = ("gaussian", "bernoulli")


def elbo(x, decoded, mean, log_var, *, likelihood="gaussian", decoder_log_var=0.0, beta=1.0,
         prior_mean=0.0, prior_log_var=0.0, reduction="mean"):
    r"""The evidence lower bound of a VAE with a diagonal-Gaussian posterior.

    .. math::

        \mathrm{ELBO}(x) = \mathbb{E}_{q(z|x)}[\log p(x|z)] - \beta\,\mathrm{KL}(q(z|x)\,\|\,p(z))
        \;\le\; \log p(x) \quad (\beta = 1)

    The reconstruction term is estimated from the decoder's output for a
    reparameterised draw :math:`z \sim q(z|x)` (:func:`reparameterize`), the KL
    term is exact (:func:`diagonal_gaussian_kl`).  For β = 1 the gap is
    :math:`\mathrm{KL}(q(z|x)\,\|\,p(z|x))`; β > 1 is the β-VAE (Higgins et al. 2017).

    Parameters
    ----------
    x : array_like, torch.Tensor or jax.Array
        Observations, samples along the first axis.
    decoded : array_like, torch.Tensor or jax.Array
        The decoder's output for z: Gaussian means, or Bernoulli logits.
    mean, log_var : array_like, torch.Tensor or jax.Array
        The encoder's posterior parameters, shape (n, k).
    likelihood : {"gaussian", "bernoulli"}, default "gaussian"
    decoder_log_var : float or array_like, torch.Tensor or jax.Array, default 0
        Log-variance of the Gaussian likelihood (fixed, or a learned tensor).
    beta : float, default 1
        Weight of the KL term (non-negative).
    prior_mean, prior_log_var : default 0
        A diagonal-Gaussian prior (standard normal by default).
    reduction : {"mean", "sum", "none"}, default "mean"
        Over the samples.

    Returns
    -------
    float or numpy.ndarray or torch.Tensor or jax.Array

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import elbo
    >>> x = np.zeros((1, 2))
    >>> # posterior = prior, perfect reconstruction, unit decoder variance: -log(2 pi)
    >>> bool(np.isclose(elbo(x, x, np.zeros((1, 3)), np.zeros((1, 3))), -np.log(2 * np.pi)))
    True
    """
    if likelihood not in _LIKELIHOODS:
        raise ValueError(f"likelihood must be one of {_LIKELIHOODS}, got {likelihood!r}")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    beta = check_real("beta", beta, 0.0, closed="left")
    if likelihood == "gaussian":
        rec = gaussian_log_likelihood(x, decoded, decoder_log_var)
    else:
        rec = bernoulli_log_likelihood(x, decoded)
    kl = diagonal_gaussian_kl(mean, log_var, prior_mean, prior_log_var)
    xp, (rec, kl) = as_float_arrays(reconstruction=rec, kl=kl)
    if rec.ndim == 0 or kl.ndim == 0 or rec.shape[0] != kl.shape[0]:
        raise ValueError(f"x has {rec.shape[0] if rec.ndim else 1} samples but mean has "
                         f"{kl.shape[0] if kl.ndim else 1} (samples go along the first axis)")
    per_sample = rec - beta * kl
    if reduction == "none":
        return per_sample
    return as_output(xp.mean(per_sample, axis=-1) if reduction == "mean"
                     else xp.sum(per_sample, axis=-1))


def vae_loss(x, decoded, mean, log_var, **options):
    r"""The VAE training loss, minus :func:`elbo` (same arguments).

    Parameters
    ----------
    x, decoded, mean, log_var
        As in :func:`elbo`.
    **options
        ``likelihood``, ``decoder_log_var``, ``beta``, ``prior_mean``,
        ``prior_log_var``, ``reduction`` as in :func:`elbo`.

    Returns
    -------
    float or numpy.ndarray or torch.Tensor or jax.Array
        :math:`-\mathrm{ELBO}`, to minimise.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import vae_loss
    >>> x = np.zeros((1, 2))
    >>> bool(np.isclose(vae_loss(x, x, np.zeros((1, 3)), np.zeros((1, 3))), np.log(2 * np.pi)))
    True
    """
    return -elbo(x, decoded, mean, log_var, **options)
