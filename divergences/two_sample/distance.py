r"""Permutation tests on one distance or kernel: 1-D Wasserstein, MMD, energy distance.

Each test computes its statistic on the observed labelling and on random
relabellings of the pooled sample, and reads its p-value off the shared permutation
engine (:mod:`divergences.two_sample._permutation`: the "+1" rule, one tie tolerance,
``alternative``).  The null statistics are computed in batches of relabellings with
one vectorised call per batch, not by recomputing the statistic in a Python loop.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .._backend.array import as_numpy_or_torch, check_finite
from .._backend.checks import is_real
from .._backend.progress import check_progress
from .._backend.samples import as_2d_samples, power_of_two_scale
from ..results import TwoSampleResult
from ..transport.wasserstein import check_p, wasserstein_pow, wasserstein_root
from ._permutation import (check_alternative, check_batch_size, check_n_permutations, generator,
                           labellings, null_in_batches, permutations, permutation_pvalue, statistic_out)

__all__ = ["wasserstein_test", "mmd_test", "energy_test"]


def wasserstein_test(x, y, *, p=1, n_permutations=999, alternative="greater", rng=None,
                     batch_size=None, progress=None):
    r"""Permutation two-sample test with the 1-D Wasserstein distance as statistic.

    The statistic is :math:`T = W_p(\hat P_x, \hat P_y)` between the two
    empirical distributions; under :math:`H_0: P = Q` the pooled sample is
    exchangeable, so T is recomputed for ``n_permutations`` random relabellings
    and the p-value is :math:`(1 + \#\{T_b \ge T\}) / (1 + B)`.

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        1-D samples (sizes may differ).
    p : float, default 1
        Order of the Wasserstein distance.
    n_permutations : int, default 999
        Number B of random permutations.
    alternative : {"greater", "less", "two-sided"}, default "greater"
        "greater": large distances speak against H0 (the usual test); "less": the
        samples are closer than chance (e.g. copies); see the permutation engine.
    rng : None, int, numpy Generator or torch.Generator
        Source of the permutations (reproducible with a seed).
    batch_size : int, optional
        Permutations solved per vectorised call; by default chosen so that one
        batch holds about 2**24 numbers.
    progress : bool or None, default None
        Report the permutations done on stderr: None shows a bar only when
        stderr is a terminal and the null takes over 2 s; True always reports;
        False is silent.

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
    p = check_p(p)
    n_permutations = check_n_permutations(n_permutations)
    alternative = check_alternative(alternative)
    batch_size = check_batch_size(batch_size)
    check_progress(progress)
    xp, (x, y) = as_numpy_or_torch(x=x, y=y)
    for name, a in (("x", x), ("y", y)):
        if a.ndim != 1:
            hint = (f"; for a column pass {name}.ravel()" if a.ndim == 2 and a.shape[1] == 1
                    else "; for multivariate samples use energy_test or mmd_test")
            raise ValueError(f"{name} must be a 1-D sample, got shape {tuple(a.shape)}{hint}")
        if a.shape[0] == 0:
            raise ValueError(f"{name} is empty")
        check_finite(xp, name, a)
    n, m = x.shape[0], y.shape[0]
    if n + m < 3:
        raise ValueError("a permutation test needs at least 3 observations in x and y together")
    # W_p is homogeneous of degree 1: work on data rescaled by a power of two (exact), so
    # that |x - y|^p neither overflows nor underflows, and scale the statistics back
    scale = power_of_two_scale(x, y)
    x, y = x / scale, y / scale
    pooled = xp.concatenate([x, y], axis=-1)
    gen = generator(xp, rng, x)

    def batch(count, first):
        perm = xp.take_last(pooled, permutations(xp, n + m, count, gen, x))
        return wasserstein_root(xp, wasserstein_pow(xp, perm[:, :n], perm[:, n:], None, None,
                                                    p), p)

    with xp.errstate():
        observed_value = wasserstein_root(xp, wasserstein_pow(xp, x, y, None, None, p), p)
        _, null = null_in_batches(batch, n_permutations,
                                  batch_size or max(1, (1 << 24) // (n + m)),
                                  progress=progress, desc="wasserstein_test")
    return TwoSampleResult(
        statistic=statistic_out(xp, observed_value * scale, x),
        pvalue=permutation_pvalue(float(observed_value), null, alternative),
        method=f"wasserstein permutation test (p={p:g})",
        n_x=int(n),
        n_y=int(m),
        null_distribution=null * scale,
        details={"n_permutations": n_permutations, "p": p, "alternative": alternative},
    )


# ---------------------------------------------------------------------------
# kernel and distance tests
# ---------------------------------------------------------------------------


#: numbers per block of kernel/distance rows (64 MiB in float64)
_CHUNK_ELEMENTS = 1 << 23


def _median_heuristic(xp, z, gen, max_points=1000):
    """Median of the pairwise distances of (a random subset of) the pooled sample."""
    n = z.shape[0]
    if n > max_points:
        if xp.name == "torch":
            idx = torch.randperm(n, generator=gen, device=gen.device)[:max_points].to(z.device)
        else:
            idx = gen.choice(n, size=max_points, replace=False)
        z = z[idx]
    d2 = xp.sq_dists(z, z)
    if xp.name == "torch":
        d2 = d2.detach().cpu().numpy()
    med = float(np.median(d2[np.triu_indices(d2.shape[0], k=1)]))
    if not med > 0:
        raise ValueError("the median pairwise distance is 0 (all points equal?): "
                         "pass a bandwidth explicitly")
    return math.sqrt(med)


def _to_float32(xp, a):
    """float32 copy of a numpy array or torch tensor (same device)."""
    if xp.name == "torch":
        return a.to(dtype=torch.float32)
    return a.astype(np.float32)


def _centred_float32(xp, block, level, c):
    """float32 copy of ``block - level`` (subtracted in the block's dtype) with the
    diagonal of its first c columns set to 0."""
    out = _to_float32(xp, block - level)
    if xp.name == "torch":
        out[:, :c].fill_diagonal_(0.0)
    else:
        np.fill_diagonal(out[:, :c], 0.0)
    return out


def _block_sums(xp, matrix_block, labels, n, chunk_rows, exact_first):
    r"""Per column a of ``labels``: a'Ka, a'K1, 1'K1, a'diag(K), sum diag(K).

    K (symmetric) is produced a block of rows at a time, and only on and above
    the diagonal: ``matrix_block(start, stop)`` returns rows start:stop of K
    restricted to columns start:N.  Off-diagonal blocks count twice, so K is
    neither stored whole nor computed twice, and the products with the label
    matrix cost about half of a full K @ labels.

    The columns of ``labels`` are 0/1 with n ones.  Their products, the bulk of
    the work, use the centred integer labels u = N a - n (exact in float32)
    against the block less the mean of its off-diagonal entries, with a zero
    diagonal: neither side then has a large common part whose cancellation would
    cost digits, and the products are float32, twice the speed of float64.  The
    constant's share and the way back to a'Ka are exact sums in the working
    dtype.  The relabellings' statistics then carry errors of about 1e-6 of
    their spread.  With ``exact_first``, the first column (the observed
    labelling) is computed in the working dtype from K itself, as before.
    """
    n_total = labels.shape[0]
    first = labels[:, :1] if exact_first else None
    rest = labels[:, 1:] if exact_first else labels
    u = rest * float(n_total) - float(n)                  # centred integer labels
    u32 = _to_float32(xp, u)
    quad = xp.zeros_like(rest[0])                         # u'K_off u per column
    aka_first = None
    r = xp.zeros_like(labels[:, 0])                       # row sums of K
    totdiag = 0.0
    adiag = None
    for start in range(0, n_total, chunk_rows):
        stop = min(start + chunk_rows, n_total)
        c = stop - start
        block = matrix_block(start, stop)                  # (c, N - start)
        rows = xp.sum(block, axis=-1)
        r = r + xp.concatenate([xp.zeros_like(r[:start]), rows,
                                xp.sum(block[:, c:], axis=0)], axis=0)
        diag = xp.linalg.diagonal(block[:, :c])
        part_diag = xp.sum(labels[start:stop] * diag[:, None], axis=0)
        adiag = part_diag if adiag is None else adiag + part_diag
        totdiag = totdiag + xp.sum(diag, axis=-1)
        if exact_first:
            fa = first[start:stop]
            inner = block[:, :c] @ fa
            if stop < n_total:
                inner = inner + 2.0 * (block[:, c:] @ first[stop:])
            part = xp.sum(fa * inner, axis=0)
            aka_first = part if aka_first is None else aka_first + part
        if rest.shape[1] == 0:
            continue
        # off-diagonal entries less their mean: float32 keeps the differences that
        # carry the statistic even where K is nearly constant
        level = float(xp.sum(rows - diag, axis=-1)) / max(1, c * block.shape[1] - c)
        c32 = _centred_float32(xp, block, level, c)
        inner = c32[:, :c] @ u32[start:stop]
        if stop < n_total:
            inner = inner + 2.0 * (c32[:, c:] @ u32[stop:])
        ua = u[start:stop]
        quad = quad + xp.asarray(xp.sum(u32[start:stop] * inner, axis=0), dtype=quad.dtype)
        # the constant's share on the off-diagonal entries of rows start:stop, columns start:
        own = xp.sum(ua, axis=0)
        quad = quad + level * (own * own - xp.sum(ua * ua, axis=0)
                               + 2.0 * own * xp.sum(u[stop:], axis=0))
    atr = xp.sum(labels * r[:, None], axis=0)
    tot = xp.sum(r, axis=-1)
    # u'K_off u = N^2 a'K_off a - 2 n N a'K_off 1 + n^2 1'K_off 1, with K_off 1 = r - diag K
    k = 1 if exact_first else 0
    akoa = (quad + 2.0 * n * n_total * (atr[k:] - adiag[k:])
            - float(n) ** 2 * (tot - totdiag)) / float(n_total) ** 2
    aka = akoa + adiag[k:]
    if exact_first:
        aka = xp.concatenate([aka_first, aka], axis=0)
    return aka, atr, tot, adiag, totdiag


def _permutation_statistics(xp, x, y, matrix_rows, statistic, n_permutations, gen, batch_size,
                            progress=None, desc="permutation test"):
    """Observed statistic and its permutation null from one matrix, in batches."""
    n, m = x.shape[0], y.shape[0]
    n_total = n + m
    # blocks of rows: small enough for memory, and several of them so that the
    # upper-triangular scheme of _block_sums saves close to half of the work (16: 47 %)
    chunk_rows = max(1, min(_CHUNK_ELEMENTS // n_total, max(64, -(-n_total // 16))))
    if batch_size is None:
        batch_size = max(1, min(n_permutations + 1, (1 << 26) // (2 * n_total)))
    observed_labels = xp.concatenate([xp.full_like(x[:, 0], 1.0), xp.full_like(y[:, 0], 0.0)])

    def batch(count, first):
        labels = labellings(xp, n, n_total, count, gen, x) if count > 0 else None
        if first:
            labels = observed_labels[:, None] if labels is None else xp.concatenate(
                [observed_labels[:, None], labels], axis=-1)
        return statistic(n, m, *_block_sums(xp, matrix_rows, labels, n, chunk_rows, first))

    return null_in_batches(batch, n_permutations, batch_size, progress=progress, desc=desc,
                           observed_first=True)


def _mmd2_unbiased(n, m, aka, atr, tot, adiag, totdiag):
    kxx = aka - adiag
    kyy = (tot - 2.0 * atr + aka) - (totdiag - adiag)
    kxy = atr - aka
    return kxx / (n * (n - 1)) + kyy / (m * (m - 1)) - 2.0 * kxy / (n * m)


def _energy_v(n, m, aka, atr, tot, adiag, totdiag):
    dxy = atr - aka
    dyy = tot - 2.0 * atr + aka
    return 2.0 * dxy / (n * m) - aka / (n * n) - dyy / (m * m)


def mmd_test(x, y, *, kernel="gaussian", bandwidth=None, n_permutations=1000,
             alternative="greater", rng=None, batch_size=None, progress=None):
    r"""Kernel two-sample test with the unbiased MMD² statistic and a permutation null.

    .. math::

        \widehat{\mathrm{MMD}}^2_u = \frac{1}{n(n-1)}\sum_{i \ne j} k(x_i, x_j)
        + \frac{1}{m(m-1)}\sum_{i \ne j} k(y_i, y_j) - \frac{2}{nm}\sum_{i,j} k(x_i, y_j)

    (Gretton et al. 2012).  The kernel matrix of the pooled sample is computed
    once, a block of rows at a time (so n = 20,000 per sample fits in a few GB),
    and all permutations of a batch are evaluated with one matrix product.
    The observed statistic is computed in the inputs' precision; the
    permutations' products are float32 (centred, see the Notes of
    :func:`energy_test`).

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        Samples of shape (n, d) and (m, d) (or 1-D).
    kernel : {"gaussian", "laplacian"} or callable, default "gaussian"
        ``exp(-|x-y|^2 / (2 s^2))`` or ``exp(-|x-y| / s)``; a callable
        ``kernel(a, b)`` must return the (len(a), len(b)) kernel matrix in the
        inputs' backend.
    bandwidth : float, optional
        The scale s; default: the median pairwise distance of the pooled sample
        (of a random subset of 1,000 points if larger).
    n_permutations : int, default 1000
        Number B of random permutations of the pooled sample.
    alternative : {"greater", "less", "two-sided"}, default "greater"
        Side of the null that counts against H0 (see the permutation engine).
    rng : None, int, numpy Generator or torch.Generator
    batch_size : int, optional
        Permutations per matrix product.
    progress : bool or None, default None
        Report the permutations done on stderr: None shows a bar only when
        stderr is a terminal and the null takes over 2 s; True always reports;
        False is silent.

    Returns
    -------
    TwoSampleResult
        ``statistic`` = unbiased MMD², p-value :math:`(1 + \#\{T_b \ge T\})/(1 + B)`,
        ``null_distribution``, ``details["bandwidth"]``.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import mmd_test
    >>> rng = np.random.default_rng(0)
    >>> res = mmd_test(rng.normal(size=(100, 3)), rng.normal(size=(100, 3)) + 0.5, rng=0)
    >>> res.pvalue < 0.01
    True
    """
    n_permutations = check_n_permutations(n_permutations)
    alternative = check_alternative(alternative)
    batch_size = check_batch_size(batch_size)
    check_progress(progress)
    xp, x, y = as_2d_samples(x, y)
    gen = generator(xp, rng, x)
    # the built-in kernels depend on distances / bandwidth only: compute them on data
    # rescaled by a power of two (exact) with the bandwidth rescaled alike, so that squared
    # distances of data near 1e±160 neither overflow nor underflow
    scale = 1.0 if callable(kernel) else power_of_two_scale(x, y)
    x, y = x / scale, y / scale
    if callable(kernel):
        def kfun(a, b):
            k = kernel(a, b)
            if tuple(getattr(k, "shape", ())) != (a.shape[0], b.shape[0]):
                raise ValueError(f"kernel(a, b) must return the ({a.shape[0]}, {b.shape[0]}) "
                                 f"kernel matrix of its inputs, got shape "
                                 f"{tuple(getattr(k, 'shape', ()))}")
            return k
        bw = None
    else:
        if kernel not in ("gaussian", "laplacian"):
            raise ValueError(f"kernel must be 'gaussian', 'laplacian' or a callable, got {kernel!r}")
        if bandwidth is None:
            bw = _median_heuristic(xp, xp.concatenate([x, y], axis=0), gen)
        else:
            if not (is_real(bandwidth) and bandwidth > 0 and math.isfinite(bandwidth)):
                raise ValueError(f"bandwidth must be a positive number, got {bandwidth!r}")
            bw = float(bandwidth) / scale
            if not (bw > 0 and math.isfinite(bw)):
                raise ValueError(f"bandwidth {bandwidth!r} is out of range for data of "
                                 f"magnitude {scale:.3g}")
        # -0.5 / bw^2 computed as (-0.5 / bw) / bw and capped at -max: a bandwidth far
        # below the distances gives the identity kernel matrix, not 0 * inf = NaN
        big = np.finfo(np.float64).max
        gauss, lap = max(-0.5 / bw / bw, -big), max(-1.0 / bw, -big)
        if kernel == "gaussian":
            kfun = lambda a, b: xp.exp_scaled_(xp.sq_dists(a, b), gauss)  # noqa: E731
        else:
            kfun = lambda a, b: xp.exp_scaled_(xp.sqrt_(xp.sq_dists(a, b)), lap)  # noqa: E731
    z = xp.concatenate([x, y], axis=0)
    z = z - xp.mean(xp.moveaxis(z, 0, -1), axis=-1)   # centring: distances are unchanged
    with xp.errstate():
        observed, null = _permutation_statistics(
            xp, x, y, lambda s, e: kfun(z[s:e], z[s:]), _mmd2_unbiased, n_permutations, gen,
            batch_size, progress, "mmd_test")
    return TwoSampleResult(
        statistic=statistic_out(xp, observed, x),
        pvalue=permutation_pvalue(float(observed), null, alternative),
        method=f"MMD permutation test ({kernel if isinstance(kernel, str) else 'custom'} kernel)",
        n_x=int(x.shape[0]), n_y=int(y.shape[0]), null_distribution=null,
        details={"bandwidth": None if bw is None else bw * scale,
                 "n_permutations": n_permutations, "alternative": alternative})


def energy_test(x, y, *, n_permutations=1000, alternative="greater", rng=None, batch_size=None,
                progress=None):
    r"""Energy-distance two-sample test (Székely & Rizzo 2004) with a permutation null.

    .. math::

        \mathcal E = \frac{2}{nm}\sum_{i,j}\|x_i - y_j\|
        - \frac{1}{n^2}\sum_{i,j}\|x_i - x_j\| - \frac{1}{m^2}\sum_{i,j}\|y_i - y_j\|

    (the V-statistic; it is non-negative and zero only for identical
    empirical distributions).  Distances are computed a block of rows at a
    time and all permutations of a batch in one matrix product.

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        Samples of shape (n, d) and (m, d) (or 1-D).
    n_permutations : int, default 1000
        Number B of random permutations of the pooled sample.
    alternative : {"greater", "less", "two-sided"}, default "greater"
        Side of the null that counts against H0 (see the permutation engine).
    rng : None, int, numpy Generator or torch.Generator
    batch_size : int, optional
        Permutations per matrix product.
    progress : bool or None, default None
        Report the permutations done on stderr: None shows a bar only when
        stderr is a terminal and the null takes over 2 s; True always reports;
        False is silent.

    Returns
    -------
    TwoSampleResult
        ``statistic`` = energy distance :math:`\mathcal E`; the scaled statistic
        :math:`\frac{nm}{n+m}\mathcal E` is in ``details["scaled_statistic"]``.

    Notes
    -----
    Precision.  The observed statistic is computed in the inputs' precision
    (float64 for numpy).  The permutations' quadratic forms, the bulk of the
    work, are float32 matrix products of the matrix less the mean of its
    off-diagonal entries with the centred labels :math:`N a - n` (integers,
    exact in float32); the constant's share and the way back are exact sums.
    Measured at n = 300-5,000 per sample: the null statistics differ from float64
    ones by about 2e-6 of the null's standard deviation.  Null values within
    1e-5 of the largest statistic count as ties, so rounding can only make a
    p-value more conservative, by the few permutations that close.  The cost is
    half that of float64 products (``benchmarks/bench_two_sample_speed.py``).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import energy_test
    >>> rng = np.random.default_rng(1)
    >>> res = energy_test(rng.normal(size=(80, 2)), rng.normal(size=(60, 2)), rng=0)
    >>> res.pvalue > 0.05
    True
    """
    n_permutations = check_n_permutations(n_permutations)
    alternative = check_alternative(alternative)
    batch_size = check_batch_size(batch_size)
    check_progress(progress)
    xp, x, y = as_2d_samples(x, y)
    # the energy distance is homogeneous of degree 1: compute it on data rescaled by a
    # power of two (exact) and scale the statistics back
    scale = power_of_two_scale(x, y)
    z = xp.concatenate([x, y], axis=0) / scale
    z = z - xp.mean(xp.moveaxis(z, 0, -1), axis=-1)   # centring: distances are unchanged

    def rows(s, e):
        d = xp.sqrt_(xp.sq_dists(z[s:e], z[s:]))
        # a point's distance to itself is exactly 0 (the expansion leaves ~1e-8 after sqrt);
        # the block's first e - s columns are the points of its own rows
        return xp.zero_diagonal_(d) if xp.name == "numpy" else xp.concatenate(
            [xp.zero_diagonal_(d[:, :e - s]), d[:, e - s:]], axis=-1)

    with xp.errstate():
        observed, null = _permutation_statistics(xp, x, y, rows, _energy_v, n_permutations,
                                                 generator(xp, rng, x), batch_size, progress,
                                                 "energy_test")
    obs = float(observed)
    n, m = int(x.shape[0]), int(y.shape[0])
    return TwoSampleResult(
        statistic=statistic_out(xp, observed * scale, x),
        pvalue=permutation_pvalue(obs, null, alternative),
        method="energy distance permutation test", n_x=n, n_y=m,
        null_distribution=null * scale,
        details={"scaled_statistic": obs * scale * n * m / (n + m),
                 "n_permutations": n_permutations, "alternative": alternative})
