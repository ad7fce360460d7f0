r"""Two-sample tests of :math:`H_0: P = Q` returning :class:`~divergences.TwoSampleResult`.

Permutation p-values use the "+1" correction

.. math:: \hat p = \frac{1 + \#\{b : T_b \ge T_{\mathrm{obs}}\}}{1 + B},

which is a valid p-value for any number of permutations B (it counts the
observed labelling as one of the equally likely ones; Phipson & Smyth 2010).
The null statistics are computed in batches of permutations with one
vectorised call, not by recomputing the statistic in a Python loop.
"""

from __future__ import annotations

import numpy as np

from ._array import as_float_arrays, check_finite, numpy_rng, torch_rng
from .results import TwoSampleResult
from .wasserstein import _check_p, _root, _wasserstein_pow

__all__ = ["wasserstein_test"]


def _check_n_permutations(n_permutations):
    if isinstance(n_permutations, bool) or not isinstance(n_permutations, (int, np.integer)):
        raise TypeError(f"n_permutations must be an int, got {type(n_permutations).__name__}")
    if n_permutations < 1:
        raise ValueError(f"n_permutations must be at least 1, got {n_permutations}")
    return int(n_permutations)


def _generator(xp, rng, like):
    """One random generator for the whole test, of the inputs' backend and device."""
    return torch_rng(rng, like.device) if xp.name == "torch" else numpy_rng(rng)


def _permutation_indices(xp, n_total, count, gen, device):
    """``count`` random permutations of range(n_total), shape (count, n_total)."""
    if xp.name == "torch":
        import torch

        keys = torch.rand((count, n_total), generator=gen, device=device)
        return torch.argsort(keys, dim=-1)
    return gen.permuted(np.broadcast_to(np.arange(n_total), (count, n_total)), axis=-1)


def _permutation_pvalue(observed, null):
    """(1 + #{null >= observed}) / (1 + B), with a relative tolerance for ties."""
    tol = 1e-12 * max(1.0, abs(observed))
    return (1.0 + float(np.sum(null >= observed - tol))) / (1.0 + null.size)


def wasserstein_test(x, y, *, p=1, n_permutations=999, rng=None, batch_size=None):
    r"""Permutation two-sample test with the 1-D Wasserstein distance as statistic.

    The statistic is :math:`T = W_p(\hat P_x, \hat P_y)` between the two
    empirical distributions; under :math:`H_0: P = Q` the pooled sample is
    exchangeable, so T is recomputed for ``n_permutations`` random relabellings
    and the p-value is :math:`(1 + \#\{T_b \ge T\}) / (1 + B)`.

    Parameters
    ----------
    x, y : array_like or torch.Tensor
        1-D samples (sizes may differ).
    p : float, default 1
        Order of the Wasserstein distance.
    n_permutations : int, default 999
        Number B of random permutations.
    rng : None, int, numpy Generator or torch.Generator
        Source of the permutations (reproducible with a seed).
    batch_size : int, optional
        Permutations solved per vectorised call; by default chosen so that one
        batch holds about 2**24 numbers.

    Returns
    -------
    TwoSampleResult
        ``statistic`` (W_p), ``pvalue``, ``method``, ``n_x``, ``n_y`` and
        ``null_distribution`` (numpy array of the B permuted statistics).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import wasserstein_test
    >>> rng = np.random.default_rng(0)
    >>> res = wasserstein_test(rng.normal(size=200), rng.normal(1.0, 1.0, size=150), rng=1)
    >>> res.pvalue                                  # 1 / (1 + 999): no permutation beats it
    0.001
    >>> res.reject(0.05)
    True
    """
    p = _check_p(p)
    n_permutations = _check_n_permutations(n_permutations)
    xp, (x, y) = as_float_arrays(x=x, y=y)
    for name, a in (("x", x), ("y", y)):
        if a.ndim != 1:
            raise ValueError(f"{name} must be a 1-D sample, got shape {tuple(a.shape)}")
        if a.shape[0] == 0:
            raise ValueError(f"{name} is empty")
        check_finite(xp, name, a)
    n, m = x.shape[0], y.shape[0]
    if n + m < 3:
        raise ValueError("a permutation test needs at least 3 observations in x and y together")
    with xp.errstate():
        observed = float(_root(xp, _wasserstein_pow(xp, x, y, None, None, p), p))
        pooled = xp.concatenate([x, y])
        if batch_size is None:
            batch_size = max(1, (1 << 24) // (n + m))
        gen = _generator(xp, rng, x)
        device = x.device if xp.name == "torch" else None
        null = []
        done = 0
        while done < n_permutations:
            count = min(batch_size, n_permutations - done)
            idx = _permutation_indices(xp, n + m, count, gen, device)
            perm = xp.take(pooled, idx)
            stats = _root(xp, _wasserstein_pow(xp, perm[:, :n], perm[:, n:], None, None, p), p)
            null.append(np.asarray(stats.detach().cpu() if xp.name == "torch" else stats,
                                   dtype=np.float64))
            done += count
    null = np.concatenate(null)
    return TwoSampleResult(
        statistic=observed,
        pvalue=_permutation_pvalue(observed, null),
        method=f"wasserstein permutation test (p={p:g})",
        n_x=int(n),
        n_y=int(m),
        null_distribution=null,
        details={"n_permutations": n_permutations, "p": p},
    )

