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

import numpy as np

from .._backend.deprecation import renamed_keywords
from .._backend.array import as_float_arrays, as_output, check_finite, two_sample_values, weighted_mean
from .._backend.checks import check_bool

__all__ = ["optimal_discriminator", "gan_value", "jensen_shannon_from_gan_value"]

_LOG4 = math.log(4.0)


def optimal_discriminator(p, q):
    r"""The Bayes-optimal discriminator :math:`D^* = p / (p + q)`.

    Parameters
    ----------
    p, q : array_like, torch.Tensor or jax.Array
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
        if xp.flag(a < 0):
            raise ValueError(f"{name} has negative entries")
        if a.ndim == 0 or a.shape[-1] == 0:
            raise ValueError(f"{name} is empty")
    try:
        np.broadcast_shapes(tuple(p.shape), tuple(q.shape))
    except ValueError:
        raise ValueError(f"p of shape {tuple(p.shape)} and q of shape {tuple(q.shape)} do not "
                         f"broadcast") from None
    s = p + q
    pos = s > 0
    return as_output(xp.where(pos, p / xp.where(pos, s, 1.0), 0.5))


@renamed_keywords(weights_p="x_weights", weights_q="y_weights")
def gan_value(d_p, d_q, *, logits=False, x_weights=None, y_weights=None):
    r"""The GAN value :math:`V = \mathbb{E}_P[\log D(x)] + \mathbb{E}_Q[\log(1 - D(x))]`.

    Parameters
    ----------
    d_p, d_q : array_like, torch.Tensor or jax.Array
        Discriminator outputs on samples of P and of Q (last axis = samples):
        probabilities in [0, 1], or logits with ``logits=True``.  From logits
        the value is computed stably as
        :math:`-\mathbb{E}_P[\mathrm{softplus}(-v)] - \mathbb{E}_Q[\mathrm{softplus}(v)]`.
    logits : bool, default False
    x_weights, y_weights : optional
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
    logits = check_bool("logits", logits)
    xp, a, b, wp, wq = two_sample_values(d_p, d_q, x_weights, y_weights, names=("d_p", "d_q"))
    with xp.errstate():
        if logits:
            term_p = -xp.softplus(-a)
            term_q = -xp.softplus(b)
        else:
            for name, x in (("d_p", a), ("d_q", b)):
                if xp.flag(x < 0) or xp.flag(x > 1):
                    raise ValueError(f"{name} must be probabilities in [0, 1] "
                                     f"(pass logits=True for raw outputs)")
            # xlogy-style: log(0) = -inf is the honest value of a confident mistake
            term_p = xp.where(a > 0, xp.log(xp.where(a > 0, a, 1.0)), -math.inf)
            term_q = xp.where(b < 1, xp.log1p(-xp.where(b < 1, b, 0.0)), -math.inf)
        vp = weighted_mean(xp, term_p, wp)
        vq = weighted_mean(xp, term_q, wq)
    return as_output(vp + vq)


def jensen_shannon_from_gan_value(v):
    r"""Invert :math:`V^* = 2\,\mathrm{JSD} - \log 4`: :math:`\mathrm{JSD} = (V + \log 4)/2`.

    Applied to the value of a trained (not optimal) discriminator this gives a
    lower bound on the Jensen-Shannon divergence (in nats).

    Parameters
    ----------
    v : float, array_like, torch.Tensor or jax.Array
        A GAN value :math:`V = \mathbb{E}_P\log D + \mathbb{E}_Q\log(1-D)`.

    Returns
    -------
    float, numpy.ndarray or torch.Tensor or jax.Array
        :math:`(V + \log 4)/2`, the JSD if V is the value at the optimal
        discriminator, and a lower bound on it otherwise.

    Examples
    --------
    >>> from divergences import jensen_shannon_from_gan_value
    >>> float(jensen_shannon_from_gan_value(0.0))     # the largest value: JSD = log 2
    0.6931471805599453
    """
    if v is None:
        raise TypeError("v must be a GAN value (a number or an array), got None")
    xp, (v,) = as_float_arrays(v=v)
    if xp.flag(xp.isnan(v)):
        raise ValueError("v contains NaN")
    if xp.flag(v > 0):
        raise ValueError("v must be <= 0: a GAN value E_P[log D] + E_Q[log(1 - D)] is never "
                         "positive (pass the value, not the loss, whose sign is flipped)")
    return as_output((v + _LOG4) / 2.0)
