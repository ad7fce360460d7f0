r"""Discriminator identities behind GANs.

For densities (or PMFs) p and q the Bayes-optimal discriminator between
samples of P (label 1) and of Q (label 0), with balanced classes, is

.. math:: D^*(x) = \frac{p(x)}{p(x) + q(x)},

and the GAN value :math:`V(D) = \mathbb{E}_P[\log D] + \mathbb{E}_Q[\log(1 - D)]`
satisfies :math:`V(D) \le V(D^*) = 2\,\mathrm{JSD}(P\|Q) - \log 4` for every
discriminator D (Goodfellow et al. 2014).
"""

from __future__ import annotations

import math

from ._array import (as_float_arrays, as_float_dict, as_output, check_finite, check_weights,
                     weighted_mean)

__all__ = ["optimal_discriminator", "gan_value", "jensen_shannon_from_gan_value"]

_LOG4 = math.log(4.0)


def optimal_discriminator(p, q):
    r"""The Bayes-optimal discriminator :math:`D^* = p / (p + q)`.

    Parameters
    ----------
    p, q : array_like or torch.Tensor
        Densities or probabilities of the same points under P and Q
        (non-negative, broadcastable).

    Returns
    -------
    Same kind as the inputs; ``0.5`` where ``p = q = 0`` (no information).

    Examples
    --------
    >>> from divergences import optimal_discriminator
    >>> optimal_discriminator([0.2, 0.0, 0.0], [0.6, 0.3, 0.0]).tolist()
    [0.25, 0.0, 0.5]
    """
    xp, (p, q) = as_float_arrays(p=p, q=q)
    for name, a in (("p", p), ("q", q)):
        check_finite(xp, name, a)
        if bool((a < 0).any()):
            raise ValueError(f"{name} has negative entries")
    s = p + q
    pos = s > 0
    return as_output(xp.where(pos, p / xp.where(pos, s, 1.0), 0.5))


def gan_value(d_p, d_q, *, logits=False, weights_p=None, weights_q=None):
    r"""The GAN value :math:`V = \mathbb{E}_P[\log D(x)] + \mathbb{E}_Q[\log(1 - D(x))]`.

    Parameters
    ----------
    d_p, d_q : array_like or torch.Tensor
        Discriminator outputs on samples of P and of Q (last axis = samples):
        probabilities in [0, 1], or logits with ``logits=True``.  From logits
        the value is computed stably as
        :math:`-\mathbb{E}_P[\mathrm{softplus}(-v)] - \mathbb{E}_Q[\mathrm{softplus}(v)]`.
    logits : bool, default False
    weights_p, weights_q : optional
        Non-negative weights (e.g. probabilities of the points, for exact
        expectations under discrete distributions).

    Returns
    -------
    The value, at most :math:`2\,\mathrm{JSD} - \log 4 \le 0` in expectation.

    Examples
    --------
    >>> from divergences import gan_value
    >>> round(float(gan_value([0.5, 0.5], [0.5])), 6)      # chance: -log 4
    -1.386294
    >>> round(float(gan_value([0.0], [0.0], logits=True)), 6)
    -1.386294
    """
    xp, arrays = as_float_dict(d_p=d_p, d_q=d_q, weights_p=weights_p, weights_q=weights_q)
    a, b = arrays["d_p"], arrays["d_q"]
    for name, x in (("d_p", a), ("d_q", b)):
        if x.ndim == 0 or x.shape[-1] == 0:
            raise ValueError(f"{name} is empty")
        if bool(xp.any(xp.isnan(x))):
            raise ValueError(f"{name} contains NaN")
    with xp.errstate():
        if logits:
            term_p = -xp.softplus(-a)
            term_q = -xp.softplus(b)
        else:
            for name, x in (("d_p", a), ("d_q", b)):
                if bool((x < 0).any()) or bool((x > 1).any()):
                    raise ValueError(f"{name} must be probabilities in [0, 1] "
                                     f"(pass logits=True for raw outputs)")
            # xlogy-style: log(0) = -inf is the honest value of a confident mistake
            term_p = xp.where(a > 0, xp.log(xp.where(a > 0, a, 1.0)), -math.inf)
            term_q = xp.where(b < 1, xp.log1p(-xp.where(b < 1, b, 0.0)), -math.inf)
        vp = weighted_mean(xp, term_p, check_weights(xp, "weights_p", arrays["weights_p"]))
        vq = weighted_mean(xp, term_q, check_weights(xp, "weights_q", arrays["weights_q"]))
    return as_output(vp + vq)


def jensen_shannon_from_gan_value(v):
    r"""Invert :math:`V^* = 2\,\mathrm{JSD} - \log 4`: :math:`\mathrm{JSD} = (V + \log 4)/2`.

    Applied to the value of a trained (not optimal) discriminator this gives a
    lower bound on the Jensen-Shannon divergence (in nats).

    Parameters
    ----------
    v : float, array_like or torch.Tensor
        A GAN value :math:`V = \mathbb{E}_P\log D + \mathbb{E}_Q\log(1-D)`.

    Returns
    -------
    float, numpy.ndarray or torch.Tensor
        :math:`(V + \log 4)/2`, the JSD if V is the value at the optimal
        discriminator, and a lower bound on it otherwise.

    Examples
    --------
    >>> from divergences import jensen_shannon_from_gan_value
    >>> float(jensen_shannon_from_gan_value(0.0))     # the largest value: JSD = log 2
    0.6931471805599453
    """
    xp, (v,) = as_float_arrays(v=v)
    return as_output((v + _LOG4) / 2.0)
