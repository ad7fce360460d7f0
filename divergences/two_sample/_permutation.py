r"""The permutation engine: every permutation test of the library computes its p-value here.

A test supplies only its statistic: the observed value :math:`T` and the values
:math:`T_1, \dots, T_B` on ``n_permutations`` random relabellings of the pooled
sample (or, for paired designs, random swaps within pairs).  The engine gives

* **one p-value rule**, the "+1" rule of Phipson & Smyth (2010), valid for any B
  because the observed labelling counts as one of the equally likely ones:

  .. math::

      p_{\ge} = \frac{1 + \#\{b : T_b \ge T - \tau\}}{1 + B}, \qquad
      p_{\le} = \frac{1 + \#\{b : T_b \le T + \tau\}}{1 + B},

  with ``alternative="greater"`` (the default: large statistics speak against
  :math:`H_0`), ``"less"``, or ``"two-sided"``: :math:`\min(1, 2\min(p_\ge, p_\le))`,
  as in :func:`scipy.stats.permutation_test`;
* **one tie tolerance**: null values within
  :math:`\tau = \max(10^{-5}\max(|T|, \max_b |T_b|),\ 10^{-12})` of the observed
  value count as ties.  The relative part covers the float32 products with which the
  kernel tests compute their nulls (errors of about 1e-6 of the null's spread); the
  absolute part covers float64 rounding of statistics of order one (the tests compute
  their statistics on data rescaled by a power of two, or on kernel values in [0, 1]).
  Ties can only make a p-value larger, never smaller;
* **relabellings** drawn from one generator (numpy or torch, on the data's device),
  as 0/1 label matrices or sign vectors, and a loop that evaluates them in batches
  with a progress bar.
"""

from __future__ import annotations

import numpy as np
import torch

from .._backend.checks import check_int, numpy_rng, torch_rng
from .._backend.progress import progress_bar

__all__ = ["ALTERNATIVES", "TIE_RTOL", "TIE_ATOL", "check_alternative", "check_n_permutations",
           "check_batch_size", "permutation_pvalue", "generator", "permutations", "labellings", "sign_flips",
           "null_in_batches", "statistic_out"]

#: the alternatives every permutation test accepts
ALTERNATIVES = ("greater", "less", "two-sided")
#: ties: null values within TIE_RTOL * max(|T|, max |T_b|) (or TIE_ATOL) of T
TIE_RTOL = 1e-5
TIE_ATOL = 1e-12


def check_alternative(alternative):
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {', '.join(map(repr, ALTERNATIVES))}, "
                         f"got {alternative!r}")
    return alternative


def check_n_permutations(n_permutations, name="n_permutations"):
    """An integer count of relabellings, at least 1."""
    if isinstance(n_permutations, bool) or not isinstance(n_permutations, (int, np.integer)):
        raise TypeError(f"{name} must be an int (a number of relabellings), got "
                        f"{type(n_permutations).__name__}")
    return check_int(name, n_permutations, 1)


def check_batch_size(batch_size):
    if batch_size is None:
        return None
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batch_size must be None or an int, got {type(batch_size).__name__}")
    return check_int("batch_size", batch_size, 1)


def _tolerance(observed, null):
    """tau per observed value: null (..., B), observed (..., C) -> (..., C).  The scale is
    that of the finite values: infinite statistics tie only with equal infinities."""
    finite = np.where(np.isfinite(null), np.abs(null), 0.0)
    spread = np.max(finite, axis=-1, keepdims=True) if null.shape[-1] else 0.0
    obs = np.where(np.isfinite(observed), np.abs(observed), 0.0)
    return np.maximum(TIE_RTOL * np.maximum(obs, spread), TIE_ATOL)


def permutation_pvalue(observed, null, alternative="greater"):
    r"""Permutation p-values of ``observed`` against ``null`` by the rule of the module.

    Parameters
    ----------
    observed : float or array of shape (..., C)
        Observed statistic(s).  With an array, each of the C values of a row is
        compared with the same row of ``null``.
    null : array of shape (B,) or (..., B)
        Statistics of the B relabellings.
    alternative : {"greater", "less", "two-sided"}

    Returns
    -------
    float or numpy.ndarray
        A float for a scalar ``observed`` and a 1-D ``null``, else an array of
        ``observed``'s shape.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences.two_sample._permutation import permutation_pvalue
    >>> null = np.array([0.1, 0.5, 0.5, 0.9])
    >>> permutation_pvalue(0.5, null)              # (1 + 3) / (1 + 4): the two ties count
    0.8
    >>> permutation_pvalue(0.5, null, "less")      # (1 + 3) / 5
    0.8
    >>> permutation_pvalue(1.0, null, "two-sided")     # min(1, 2 min(1/5, 1))
    0.4
    """
    check_alternative(alternative)
    scalar = np.ndim(observed) == 0 and np.ndim(null) == 1
    obs = np.asarray(observed, dtype=np.float64)
    nul = np.asarray(null, dtype=np.float64)
    if scalar:
        obs, nul = obs.reshape(1, 1), nul.reshape(1, -1)
    b = nul.shape[-1]
    tol = _tolerance(obs, nul)
    ordered = np.sort(nul.reshape(-1, b), axis=-1)
    flat_obs, flat_tol = obs.reshape(ordered.shape[0], -1), tol.reshape(ordered.shape[0], -1)
    ge = np.stack([b - np.searchsorted(row, o - t, side="left")
                   for row, o, t in zip(ordered, flat_obs, flat_tol)])
    le = np.stack([np.searchsorted(row, o + t, side="right")
                   for row, o, t in zip(ordered, flat_obs, flat_tol)])
    p_ge, p_le = (1.0 + ge) / (1.0 + b), (1.0 + le) / (1.0 + b)
    p = {"greater": p_ge, "less": p_le,
         "two-sided": np.minimum(1.0, 2.0 * np.minimum(p_ge, p_le))}[alternative]
    return float(p[0, 0]) if scalar else p.reshape(obs.shape)


def generator(xp, rng, like):
    """One random generator for the whole test: numpy, or torch on ``like``'s device."""
    return torch_rng(rng, like.device) if xp.name == "torch" else numpy_rng(rng)


def permutations(xp, n_total, count, gen, like):
    """(count, n_total) random permutations of range(n_total), on ``like``'s device."""
    if xp.name == "torch":
        keys = torch.rand((count, n_total), generator=gen, device=like.device)
        return torch.argsort(keys, dim=-1)
    return gen.permuted(np.broadcast_to(np.arange(n_total), (count, n_total)), axis=-1)


def labellings(xp, n, n_total, count, gen, like):
    """(n_total, count) 0/1 matrix of ``like``'s dtype: column b marks the x-part (n ones)
    of relabelling b, uniformly over the n-subsets."""
    if xp.name == "torch" and like.device.type != "cpu":      # sorting is fast there
        keys = torch.rand((count, n_total), generator=gen, device=like.device)
        perms = torch.argsort(keys, dim=-1)
        labels = torch.zeros((count, n_total), dtype=like.dtype, device=like.device)
        labels.scatter_(1, perms[:, :n], 1.0)
        return labels.T
    # each row a uniformly shuffled copy of n ones and N - n zeros (Fisher-Yates, a
    # fifth of the time of sorting random keys); a torch generator seeds a numpy one
    if xp.name == "torch":
        seed = int(torch.randint(0, 2 ** 62, (1,), generator=gen).item())
        np_gen, dtype = np.random.default_rng(seed), np.float64
    else:
        np_gen, dtype = gen, like.dtype
    base = np.zeros(n_total, dtype=dtype)
    base[:n] = 1.0
    labels = np_gen.permuted(np.broadcast_to(base, (count, n_total)), axis=-1).T
    return torch.from_numpy(labels).to(dtype=like.dtype, device=like.device) \
        if xp.name == "torch" else labels


def sign_flips(n, count, gen, like):
    """(n, count) torch matrix of independent uniform signs (swaps within n pairs)."""
    signs = torch.randint(0, 2, (n, count), generator=gen, device=gen.device)
    return (2.0 * signs - 1.0).to(dtype=like.dtype, device=like.device)


def null_in_batches(batch_statistics, n_permutations, batch_size, *, progress, desc,
                    observed_first=False):
    """Collect the null statistics of ``n_permutations`` relabellings, a batch at a time.

    ``batch_statistics(count, first)`` returns the statistics of ``count`` fresh
    relabellings, preceded by the observed labelling's when ``first`` is True (which
    it is for the first batch only, with ``observed_first``).  Returns
    ``(observed or None, null)`` with ``null`` a float64 numpy array of length B.
    """
    null, observed, done = [], None, 0
    bar = progress_bar(progress, n_permutations, desc, unit="perm")
    while done < n_permutations or (observed_first and observed is None):
        count = min(batch_size, n_permutations - done)
        first = observed_first and observed is None
        stats = batch_statistics(count, first)
        if first:
            observed, stats = stats[0], stats[1:]
        null.append(np.asarray(stats.detach().cpu() if torch.is_tensor(stats) else stats,
                               dtype=np.float64))
        done += count
        bar.update(count)
    bar.close()
    return observed, np.concatenate(null)


def statistic_out(xp, value, like):
    """The statistic as the return-type rule says: a Python float for numpy (and JAX)
    inputs; for torch inputs a detached 0-d tensor of ``like``'s float dtype and device."""
    if xp.name != "torch":
        return float(value)
    if torch.is_tensor(value):
        return value.detach().to(dtype=like.dtype, device=like.device)
    return torch.tensor(float(value), dtype=like.dtype, device=like.device)
