r"""Variational lower bounds on f-divergences and mutual information.

Pure functions of critic outputs (numpy or torch, differentiable, stable).

*Two-sample bounds* take critic values on samples of P (``t_p``) and of Q
(``t_q``) along the last axis, with optional non-negative weights so that
expectations under discrete distributions are exact:

* f-GAN (Nguyen et al. 2010; Nowozin et al. 2016):
  :math:`D_f(P\|Q) \ge \mathbb{E}_P[T] - \mathbb{E}_Q[f^*(T)]`, tight at
  :math:`T^* = f'(p/q)`;
* NWJ: the f-GAN bound for KL, :math:`\mathbb{E}_P[T] - \mathbb{E}_Q[e^{T-1}]`,
  tight at :math:`T^* = 1 + \log(p/q)`;
* Donsker-Varadhan: :math:`\mathbb{E}_P[T] - \log\mathbb{E}_Q[e^T]` (>= NWJ for the
  same T), tight at :math:`T^* = \log(p/q) + c`;
* Jensen-Shannon: the f-GAN bound of ``jensen_shannon`` from logits.

*Mutual-information bounds* take a K x K score matrix
``scores[i, j] = T(x_i, y_j)`` of a batch of K joint pairs: the diagonal holds
the joint pairs, the off-diagonal entries serve as samples of
:math:`p(x)p(y)` (Poole et al. 2019).
"""

from __future__ import annotations

import math

from .._backend.deprecation import renamed_keywords
from .._backend.array import as_float_arrays, as_output, two_sample_values, weighted_mean
from .._backend.checks import is_real
from ..fdiv.ffunctions import get_f

__all__ = [
    "fgan_bound",
    "fgan_bound_from_logits",
    "nwj_bound",
    "dv_bound",
    "js_bound",
    "infonce_bound",
    "nwj_mi_bound",
    "dv_mi_bound",
    "tuba_bound",
    "interpolated_bound",
    "smile_bound",
    "js_mi_bound",
    "mine_step",
]

_LOG2 = math.log(2.0)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


_two_sample = two_sample_values

_mean = weighted_mean


def _log_mean_exp(xp, values, w):
    """log E[e^values] (weighted), by logsumexp."""
    if w is None:
        return xp.logsumexp(values, axis=-1) - math.log(values.shape[-1])
    top = xp.amax_detached(w, axis=-1)
    w = w / xp.where(top > 0, top, 1.0)      # no overflow of sum(w), no subnormal loss
    logw = xp.where(w > 0, xp.log(xp.where(w > 0, w, 1.0)), -math.inf)
    return xp.logsumexp(values + logw, axis=-1) - xp.log(xp.sum(w, axis=-1))


def _scores(scores, name="scores"):
    xp, (s,) = as_float_arrays(**{name: scores})
    if s.ndim < 2 or s.shape[-1] != s.shape[-2]:
        raise ValueError(f"{name} must be a square (K, K) matrix (batched over leading axes), "
                         f"got shape {tuple(s.shape)}")
    if s.shape[-1] < 2:
        raise ValueError(f"{name} needs a batch of at least K = 2 pairs")
    if xp.flag(xp.isnan(s)):
        raise ValueError(f"{name} contains NaN")
    if xp.flag(s == math.inf):
        raise ValueError(f"{name} contains +inf (a critic must output finite scores; -inf "
                         f"is allowed and means a pair the critic rules out)")
    return xp, s


def _offdiag_mask(xp, s):
    k = s.shape[-1]
    eye = xp.eye_like(s[..., :, :]) > 0.5 if k else None
    return xp.logical_not(eye)


def _log_mean_exp_offdiag(xp, s):
    """log of the mean of e^{s_ij} over i != j (per leading batch)."""
    k = s.shape[-1]
    masked = xp.where(_offdiag_mask(xp, s), s, -math.inf)
    flat = masked.reshape(tuple(s.shape[:-2]) + (k * k,))
    return xp.logsumexp(flat, axis=-1) - math.log(k * (k - 1))


def _diag_mean(xp, s):
    return xp.mean(xp.linalg.diagonal(s), axis=-1)


# ---------------------------------------------------------------------------
# two-sample bounds
# ---------------------------------------------------------------------------


@renamed_keywords(weights_p="x_weights", weights_q="y_weights")
def fgan_bound(t_p, t_q, f, *, x_weights=None, y_weights=None):
    r"""f-GAN lower bound :math:`D_f(P\|Q) \ge \mathbb{E}_P[T] - \mathbb{E}_Q[f^*(T)]`.

    Parameters
    ----------
    t_p, t_q : array_like, torch.Tensor or jax.Array
        Critic values (already in :math:`\operatorname{dom} f^*`) on samples of P
        and of Q, along the last axis.  Values outside the domain make
        :math:`f^*(T) = +\infty` and the bound :math:`-\infty` (honestly).
    f : str or FFunction
    x_weights, y_weights : optional
        Non-negative weights (normalised internally), e.g. the probabilities of
        the points, which makes the bound exact for discrete P and Q.

    Returns
    -------
    The bound; equal to :math:`D_f(P\|Q)` at :math:`T = f'(p/q)`.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import fgan_bound, f_divergence, get_f
    >>> p, q = np.array([0.7, 0.3]), np.array([0.4, 0.6])
    >>> t_star = get_f("kl").derivative(p / q)
    >>> bool(np.isclose(fgan_bound(t_star, t_star, "kl", x_weights=p, y_weights=q),
    ...                 f_divergence(p, q, "kl")))
    True
    """
    f = get_f(f)
    xp, tp, tq, wp, wq = _two_sample(t_p, t_q, x_weights, y_weights)
    with xp.errstate():
        return as_output(_mean(xp, tp, wp) - _mean(xp, f._conjugate(xp, tq), wq))


@renamed_keywords(weights_p="x_weights", weights_q="y_weights")
def fgan_bound_from_logits(v_p, v_q, f, *, x_weights=None, y_weights=None):
    r"""f-GAN bound through the output activation: :math:`\mathbb{E}_P[g_f(V)] - \mathbb{E}_Q[f^*(g_f(V))]`.

    Any real raw output V is admissible; :math:`f^*(g_f(V))` is evaluated in
    its stable closed form, so logits of magnitude 100 in float32 give finite
    values and gradients.

    Parameters
    ----------
    v_p : array_like, torch.Tensor or jax.Array
        Raw critic outputs on samples of P.
    v_q : array_like, torch.Tensor or jax.Array
        Raw critic outputs on samples of Q.
    f : str or FFunction
        The generator (see :func:`get_f`); its activation :math:`g_f` maps the
        outputs into the domain of :math:`f^*`.
    x_weights, y_weights : array_like, torch.Tensor or jax.Array, optional
        Non-negative sample weights (normalised internally); default uniform.

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> from divergences import fgan_bound_from_logits
    >>> round(float(fgan_bound_from_logits([0.0], [0.0], "gan")), 6)   # chance: -log 4
    -1.386294
    """
    return _fgan_from_logits(v_p, v_q, get_f(f), x_weights, y_weights)


def _fgan_from_logits(v_p, v_q, f, x_weights, y_weights):
    xp, vp, vq, wp, wq = _two_sample(v_p, v_q, x_weights, y_weights, names=("v_p", "v_q"))
    if f.name == "neyman" and xp.maybe(vp < _neyman_overflow(xp, vp)):
        return as_output(_neyman_from_logits(xp, vp, vq, wp, wq))
    with xp.errstate():
        return as_output(_mean(xp, f._activation(xp, vp), wp)
                         - _mean(xp, f._conjugate_of_activation(xp, vq), wq))


def _neyman_overflow(xp, v):
    """Logits below this make e^{-v} overflow in v's dtype (about -709 in float64)."""
    return -(math.log(float(xp.finfo(v.dtype).max)) - 1.0)


def _neyman_from_logits(xp, vp, vq, wp, wq):
    """Neyman's f-GAN bound in log-magnitude form, for logits where e^{-v} overflows.

    With activation 1 - e^{-v} and f*(1 - e^{-v}) = 2 - 2 e^{-v/2} the bound is
    -1 - M_P + 2 M_Q, with M_P = E_P[e^{-V}] and M_Q = E_Q[e^{-V/2}].  Both
    means overflow for logits below about -709 (float64), and the direct form
    gives -inf - (-inf) = NaN; from log M_P and log 2 M_Q (logsumexp) the sign
    and size of the difference are exact, and so are the gradients.
    """
    la = _log_mean_exp(xp, -vp, wp)
    lb = _log_mean_exp(xp, -0.5 * vq, wq) + math.log(2.0)
    m = xp.maximum(la, lb)
    m = xp.where(xp.isfinite(m), m, 0.0)
    with xp.errstate():
        return -1.0 + xp.exp(m) * (xp.exp(lb - m) - xp.exp(la - m))


@renamed_keywords(weights_p="x_weights", weights_q="y_weights")
def nwj_bound(t_p, t_q, *, x_weights=None, y_weights=None):
    r"""NWJ bound on KL: :math:`\mathrm{KL}(P\|Q) \ge \mathbb{E}_P[T] - \mathbb{E}_Q[e^{T-1}]`.

    Nguyen, Wainwright & Jordan (2010); tight at :math:`T = 1 + \log(p/q)`.
    Unbiased in its sample means but its variance grows like :math:`e^{\mathrm{KL}}`.

    Parameters
    ----------
    t_p : array_like, torch.Tensor or jax.Array
        Critic values on samples of P.
    t_q : array_like, torch.Tensor or jax.Array
        Critic values on samples of Q.
    x_weights, y_weights : array_like, torch.Tensor or jax.Array, optional
        Non-negative sample weights (normalised internally); default uniform.

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> from divergences import nwj_bound
    >>> round(float(nwj_bound([1.0], [1.0])), 6)     # T = 1 + log 1: KL(P||P) = 0
    0.0
    """
    xp, tp, tq, wp, wq = _two_sample(t_p, t_q, x_weights, y_weights)
    with xp.errstate():
        return as_output(_mean(xp, tp, wp) - _mean(xp, xp.exp(tq - 1.0), wq))


@renamed_keywords(weights_p="x_weights", weights_q="y_weights")
def dv_bound(t_p, t_q, *, x_weights=None, y_weights=None):
    r"""Donsker-Varadhan bound: :math:`\mathrm{KL}(P\|Q) \ge \mathbb{E}_P[T] - \log\mathbb{E}_Q[e^T]`.

    At least the NWJ bound for the same critic (since :math:`\log z \le z/e`),
    tight at :math:`T = \log(p/q) + c` for any constant c.  Computed with
    logsumexp.  With sample means the log makes the estimate biased (MINE's
    moving average, :func:`mine_step`, corrects the gradient).

    Parameters
    ----------
    t_p : array_like, torch.Tensor or jax.Array
        Critic values on samples of P.
    t_q : array_like, torch.Tensor or jax.Array
        Critic values on samples of Q.
    x_weights, y_weights : array_like, torch.Tensor or jax.Array, optional
        Non-negative sample weights (normalised internally); default uniform.

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> from divergences import dv_bound
    >>> float(dv_bound([3.0, 3.0], [3.0]))     # a constant critic gives 0
    0.0
    """
    xp, tp, tq, wp, wq = _two_sample(t_p, t_q, x_weights, y_weights)
    with xp.errstate():
        return as_output(_mean(xp, tp, wp) - _log_mean_exp(xp, tq, wq))


@renamed_keywords(weights_p="x_weights", weights_q="y_weights")
def js_bound(v_p, v_q, *, x_weights=None, y_weights=None):
    r"""Jensen-Shannon lower bound from discriminator logits.

    .. math::

        \mathrm{JSD}(P\|Q) \ge \log 2 - \tfrac12\big(\mathbb{E}_P[\mathrm{softplus}(-V)]
        + \mathbb{E}_Q[\mathrm{softplus}(V)]\big) = \tfrac12(V_{\mathrm{GAN}} + \log 4),

    the f-GAN bound of ``jensen_shannon`` (JSD in [0, log 2]); tight at
    :math:`V = \log(p/q)`.

    Parameters
    ----------
    v_p : array_like, torch.Tensor or jax.Array
        Discriminator logits on samples of P.
    v_q : array_like, torch.Tensor or jax.Array
        Discriminator logits on samples of Q.
    x_weights, y_weights : array_like, torch.Tensor or jax.Array, optional
        Non-negative sample weights (normalised internally); default uniform.

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> from divergences import js_bound
    >>> float(js_bound([0.0], [0.0]))   # a clueless discriminator: 0
    0.0
    """
    return _fgan_from_logits(v_p, v_q, get_f("jensen_shannon"), x_weights, y_weights)


# ---------------------------------------------------------------------------
# mutual information on a score matrix
# ---------------------------------------------------------------------------


def infonce_bound(scores):
    r"""InfoNCE / CPC bound (van den Oord et al. 2018; Poole et al. 2019).

    .. math::

        I(X;Y) \ge \log K + \frac1K\sum_{j}\Big(s_{jj} - \log\sum_{i} e^{s_{ij}}\Big)

    for ``scores[i, j] = T(x_i, y_j)`` (each y is contrasted with the K x's of
    the batch).  Low variance but never above :math:`\log K`: it saturates
    when the MI exceeds log of the batch size.

    Parameters
    ----------
    scores : (K, K) array_like, torch.Tensor or jax.Array
        ``scores[i, j] = T(x_i, y_j)`` for a batch of K pairs; the diagonal holds
        the joint pairs, the off-diagonal entries samples of :math:`p(x)p(y)`.

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import infonce_bound
    >>> float(infonce_bound(np.zeros((4, 4))))      # uninformative scores: 0
    0.0
    >>> round(float(infonce_bound(100 * np.eye(4))), 6)   # perfect scores: log 4
    1.386294
    """
    xp, s = _scores(scores)
    k = s.shape[-1]
    with xp.errstate():
        return as_output(math.log(k) + xp.mean(xp.linalg.diagonal(s) - xp.logsumexp(s, axis=-2),
                                               axis=-1))


def nwj_mi_bound(scores):
    r"""NWJ bound on MI: :math:`\frac1K\sum_i s_{ii} - \frac{1}{e\,K(K-1)}\sum_{i\ne j} e^{s_{ij}}`.

    Tight at :math:`T(x, y) = 1 + \log\frac{p(x,y)}{p(x)p(y)}` (Poole et al. 2019).
    Its variance grows like :math:`e^{I}`.

    Parameters
    ----------
    scores : (K, K) array_like, torch.Tensor or jax.Array
        ``scores[i, j] = T(x_i, y_j)`` for a batch of K pairs; the diagonal holds
        the joint pairs, the off-diagonal entries samples of :math:`p(x)p(y)`.

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import nwj_mi_bound
    >>> float(nwj_mi_bound(np.ones((3, 3))))     # T = 1 everywhere: 0
    0.0
    """
    xp, s = _scores(scores)
    with xp.errstate():
        return as_output(_diag_mean(xp, s) - xp.exp(_log_mean_exp_offdiag(xp, s) - 1.0))


def dv_mi_bound(scores):
    r"""Donsker-Varadhan (MINE) bound on MI: :math:`\frac1K\sum_i s_{ii} - \log\frac{1}{K(K-1)}\sum_{i\ne j} e^{s_{ij}}`.

    Belghazi et al. (2018).  Biased for finite K (the log of a sample mean);
    variance grows like :math:`e^{I}`.

    Parameters
    ----------
    scores : (K, K) array_like, torch.Tensor or jax.Array
        ``scores[i, j] = T(x_i, y_j)`` for a batch of K pairs; the diagonal holds
        the joint pairs, the off-diagonal entries samples of :math:`p(x)p(y)`.

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import dv_mi_bound
    >>> float(dv_mi_bound(np.full((3, 3), 2.0)))   # constant scores: 0
    0.0
    """
    xp, s = _scores(scores)
    with xp.errstate():
        return as_output(_diag_mean(xp, s) - _log_mean_exp_offdiag(xp, s))


def _tuba(xp, s, log_baseline):
    shifted = s - log_baseline[..., None, :]
    return 1.0 + _diag_mean(xp, shifted) - xp.exp(_log_mean_exp_offdiag(xp, shifted))


def tuba_bound(scores, log_baseline):
    r"""TUBA bound with a learned log-baseline :math:`a(y)` (Poole et al. 2019).

    .. math::

        I(X;Y) \ge 1 + \frac1K\sum_j\big(s_{jj} - a(y_j)\big)
        - \frac{1}{K(K-1)}\sum_{i\ne j} e^{s_{ij} - a(y_j)}

    ``log_baseline`` has shape (K,) (one value per y of the batch); a constant
    baseline 1 gives the NWJ bound.

    Parameters
    ----------
    scores : (K, K) array_like, torch.Tensor or jax.Array
        ``scores[i, j] = T(x_i, y_j)`` for a batch of K pairs; the diagonal holds
        the joint pairs, the off-diagonal entries samples of :math:`p(x)p(y)`.
    log_baseline : (K,) array_like, torch.Tensor or jax.Array
        The learned log-baseline :math:`a(y_j)`, one value per y.

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import tuba_bound, nwj_mi_bound
    >>> s = np.array([[2.0, 0.1], [-0.3, 1.5]])
    >>> bool(np.isclose(tuba_bound(s, np.ones(2)), nwj_mi_bound(s)))
    True
    """
    xp, s = _scores(scores)
    a = _baseline(xp, log_baseline, s)
    with xp.errstate():
        return as_output(_tuba(xp, s, a))


def _baseline(xp, log_baseline, s):
    """The log-baseline a(y_j) as an array of the scores' backend, shape (..., K)."""
    xb, (a,) = as_float_arrays(log_baseline=log_baseline)
    if xb.name not in (xp.name, "numpy"):
        raise TypeError(f"log_baseline is a {xb.name} array but scores is not")
    a = xp.astype(a, s.dtype) if xb is xp else xp.asarray(a, dtype=s.dtype,
                                                          device=xp.device(s))
    if a.ndim == 0 or a.shape[-1] != s.shape[-1]:
        raise ValueError(f"log_baseline must have shape (K,) = ({s.shape[-1]},), got "
                         f"{tuple(a.shape)}")
    if xp.flag(xp.isnan(a)):
        raise ValueError("log_baseline contains NaN")
    return a


@renamed_keywords(alpha="interpolation")
def interpolated_bound(scores, log_baseline, interpolation):
    r"""Interpolation between InfoNCE (:math:`\alpha = 1`) and TUBA (:math:`\alpha = 0`).

    Poole et al. (2019), eq. (11): the baseline of TUBA is replaced by
    :math:`\log(\alpha\, m(y) + (1 - \alpha)\, e^{a(y)})` where :math:`m(y)` is a
    batch estimate of :math:`\mathbb{E}_{p(x)}[e^{T(x, y)}]`.  For the joint pair
    :math:`(x_j, y_j)`, :math:`m` is the mean of :math:`e^{s_{ij}}` over the whole
    column j; for the off-diagonal pairs of column j (samples of
    :math:`p(x)p(y)`) it is the leave-one-out mean without :math:`x_j`, the
    one x that is not independent of :math:`y_j`.  Then

    .. math::

        I_\alpha = 1 + \frac1K\sum_j \big(s_{jj} - \ell_j\big)
        - \frac{1}{K(K-1)}\sum_{i\ne j} e^{s_{ij} - \ell^{\mathrm{loo}}_j},

    which equals :func:`infonce_bound` exactly at :math:`\alpha = 1` and
    :func:`tuba_bound` at :math:`\alpha = 0`; small :math:`\alpha` trades
    InfoNCE's bias for variance.

    Parameters
    ----------
    scores : (K, K) array or tensor
    log_baseline : (K,) array or tensor
        :math:`a(y_j)`.
    interpolation : float in [0, 1]

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import interpolated_bound, infonce_bound
    >>> s = np.array([[2.0, 0.1, 0.3], [-0.3, 1.5, 0.2], [0.0, 0.4, 1.0]])
    >>> bool(np.isclose(interpolated_bound(s, np.zeros(3), 1.0), infonce_bound(s)))
    True
    """
    if not is_real(interpolation) or not 0 <= interpolation <= 1:
        raise ValueError(f"interpolation must be a number in [0, 1], got {interpolation!r}")
    xp, s = _scores(scores)
    a = _baseline(xp, log_baseline, s)
    k = s.shape[-1]
    with xp.errstate():
        if interpolation == 0:
            return as_output(_tuba(xp, s, a))
        offdiag = _offdiag_mask(xp, s)
        log_m = xp.logsumexp(s, axis=-2) - math.log(k)                       # column means
        log_m_loo = xp.logsumexp(xp.where(offdiag, s, -math.inf), axis=-2) - math.log(k - 1)

        def mix(log_mean):  # log(interpolation e^{log_mean} + (1 - interpolation) e^{a})
            if interpolation == 1:
                return log_mean
            return xp.logaddexp(log_mean + math.log(interpolation), a + math.log1p(-interpolation))

        ell, ell_loo = mix(log_m), mix(log_m_loo)
        joint = xp.mean(xp.linalg.diagonal(s) - ell, axis=-1)
        marg = xp.exp(_log_mean_exp_offdiag(xp, s - ell_loo[..., None, :]))
        return as_output(1.0 + joint - marg)


def smile_bound(scores, tau=5.0):
    r"""SMILE estimate (Song & Ermon 2020): DV with the partition term clipped.

    .. math::

        \frac1K\sum_i s_{ii} - \log\frac{1}{K(K-1)}\sum_{i\ne j}
        e^{\mathrm{clip}(s_{ij}, -\tau, \tau)}

    ``tau=inf`` is exactly :func:`dv_mi_bound`; small :math:`\tau` lowers the
    variance at the price of bias (it is no longer a bound for every critic).

    Parameters
    ----------
    scores : (K, K) array_like, torch.Tensor or jax.Array
        ``scores[i, j] = T(x_i, y_j)`` for a batch of K pairs; the diagonal holds
        the joint pairs, the off-diagonal entries samples of :math:`p(x)p(y)`.
    tau : float, default 5
        Clipping threshold, ``tau > 0`` (``inf``: no clipping).

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import smile_bound, dv_mi_bound
    >>> s = np.array([[9.0, 7.0], [6.0, 8.0]])
    >>> float(smile_bound(s, np.inf)) == float(dv_mi_bound(s))
    True
    """
    if not is_real(tau) or not tau > 0:
        raise ValueError(f"tau must be a positive number (or inf), got {tau!r}")
    xp, s = _scores(scores)
    clipped = s if math.isinf(tau) else xp.clip(s, -tau, tau)
    with xp.errstate():
        return as_output(_diag_mean(xp, s) - _log_mean_exp_offdiag(xp, clipped))


def js_mi_bound(scores):
    r"""Jensen-Shannon lower bound between :math:`p(x,y)` and :math:`p(x)p(y)` (nats, ½-scaled).

    .. math::

        \log 2 - \tfrac12\Big(\frac1K\sum_i \mathrm{softplus}(-s_{ii})
        + \frac{1}{K(K-1)}\sum_{i\ne j}\mathrm{softplus}(s_{ij})\Big)

    This bounds a JSD, not the MI; a critic trained with it estimates the MI
    through ``nwj_mi_bound(scores + 1)``, since the JS optimum is
    :math:`\log r` while NWJ's is :math:`1 + \log r` (Poole et al. 2019).

    Parameters
    ----------
    scores : (K, K) array_like, torch.Tensor or jax.Array
        ``scores[i, j] = T(x_i, y_j)`` for a batch of K pairs; the diagonal holds
        the joint pairs, the off-diagonal entries samples of :math:`p(x)p(y)`.

    Returns
    -------
    float or torch.Tensor or jax.Array
        The value (numpy scalar for numpy inputs, 0-d tensor for torch inputs,
        differentiable).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import js_mi_bound
    >>> float(js_mi_bound(np.zeros((3, 3))))
    0.0
    """
    xp, s = _scores(scores)
    k = s.shape[-1]
    with xp.errstate():
        sp = xp.softplus(s)
        off = xp.sum(xp.where(_offdiag_mask(xp, s), sp, 0.0).reshape(
            tuple(s.shape[:-2]) + (k * k,)), axis=-1) / (k * (k - 1))
        joint = xp.mean(xp.softplus(-xp.linalg.diagonal(s)), axis=-1)
        return as_output(_LOG2 - 0.5 * (joint + off))


def mine_step(scores, moving_average=None, *, decay=0.99):
    r"""MINE's bias-corrected Donsker-Varadhan objective as a pure step.

    The gradient of :math:`\log\mathbb{E}_Q[e^T]` estimated on a mini-batch is
    biased; Belghazi et al. (2018) replace the denominator
    :math:`\mathbb{E}_Q[e^T]` of its gradient by an exponential moving average
    :math:`\bar m \leftarrow \text{decay}\,\bar m + (1 - \text{decay})\,\widehat{\mathbb{E}}_Q[e^T]`.

    Parameters
    ----------
    scores : (K, K) torch tensor
        Score matrix of a batch (diagonal = joint pairs).
    moving_average : float or 0-d tensor, optional
        The running :math:`\bar m` > 0 (None on the first step: the batch value).
    decay : float in [0, 1)

    Returns
    -------
    objective, new_moving_average
        ``objective`` has the value of :func:`dv_mi_bound` and the
        bias-corrected gradient (maximise it); the new average is detached and
        kept in float64 (:math:`e^T` of float32 scores near 100 exceeds
        float32's range).  The update is done in log space, so the objective is
        finite for scores up to about 700.

    Examples
    --------
    >>> import torch
    >>> from divergences import mine_step
    >>> s = torch.tensor([[1.0, 0.0], [0.0, 1.0]], requires_grad=True)
    >>> obj, ma = mine_step(s)
    >>> round(obj.item(), 6), round(ma.item(), 6)
    (1.0, 1.0)
    """
    import torch

    if not is_real(decay) or not 0 <= decay < 1:
        raise ValueError(f"decay must be a number in [0, 1), got {decay!r}")
    xp, s = _scores(scores)
    if xp.name != "torch":
        raise TypeError("scores must be a torch tensor: mine_step shapes gradients")
    log_batch = _log_mean_exp_offdiag(xp, s)               # log E_Q[e^T] on the batch
    lb = log_batch.detach().to(torch.float64)
    if moving_average is None:
        log_ma = lb
    else:
        if not (is_real(moving_average) or isinstance(moving_average, torch.Tensor)):
            raise TypeError(f"moving_average must be a number or a 0-d tensor, got "
                            f"{type(moving_average).__name__}")
        ma = torch.as_tensor(moving_average, dtype=torch.float64, device=s.device)
        if not bool(torch.all(torch.isfinite(ma) & (ma > 0))):
            raise ValueError(f"moving_average must be positive and finite, got {moving_average!r}")
        # log(decay * ma + (1 - decay) * batch), without forming e^T
        log_ma = torch.logaddexp(math.log(decay) + torch.log(ma) if decay > 0
                                 else torch.full_like(lb, -math.inf),
                                 math.log1p(-decay) + lb)
    joint = _diag_mean(xp, s)
    dv = joint - log_batch
    # the surrogate's gradient is grad(batch mean) / moving average = e^{log_batch - log_ma}
    # times grad(log_batch): formed from the difference of logs, never from e^T itself
    surrogate = joint - torch.exp(log_batch - log_ma.to(s.dtype))
    objective = dv.detach() + (surrogate - surrogate.detach())
    new_ma = torch.exp(log_ma)
    return objective, new_ma
