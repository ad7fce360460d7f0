r"""Kernel two-sample tests over a collection of kernels: MMDAgg and MMD-FUSE.

A single MMD test is only as good as its kernel: the median-heuristic bandwidth
has no power when the distributions differ on a scale far from the typical
inter-point distance (e.g. the Blob problem of Liu et al. 2020).  The tests here
use a collection of Gaussian and Laplace kernels whose bandwidths span the
inter-point distances, and combine them without splitting the data:

* :func:`mmd_agg_test` (Schrab et al. 2023): one MMD test per kernel, aggregated
  with a level correction estimated on a second set of permutations;
* :func:`mmd_fuse_test` (Biggs, Schrab & Gretton 2023): one statistic, the
  soft maximum of the normalised MMD estimates, with one permutation null.

Every kernel shares the distance computations of a block of rows, and every
permutation of the null is a column of one matrix product per block: no loop
over permutations or kernels in Python beyond the list of kernels.  Blocks keep
memory at a few hundred MB for n = 20,000 per sample.

Precision: kernel values and the observed statistics are float64; the products
with the relabellings, the bulk of the work, are float32 products of exact
integer vectors with (centred) kernel blocks, so the null statistics carry
errors of about 1e-6 of the null distribution's spread (measured up to
n = 3,000; a 2x speed-up).  P-values count null values within 1e-5 of that
spread of the observed one as ties, so a p-value can only err on the
conservative side, by the few relabellings that close.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .._backend.array import namespace
from .._backend.checks import check_int, check_real, torch_rng
from .._backend.progress import check_progress, progress_bar
from .._backend.deprecation import renamed_keywords, warn_user
from .._backend.samples import as_2d_samples, as_torch64, power_of_two_scale
from ..results import TwoSampleResult
from ._permutation import (check_alternative, check_n_permutations, labellings,
                           permutation_pvalue, sign_flips, statistic_out)

__all__ = ["mmd_agg_test", "mmd_fuse_test"]

_BLOCK_ELEMENTS = 1 << 22          # kernel-matrix entries per block of rows


def _prepare(x, y):
    """float64 torch tensors on the inputs' device, centred and divided by a power of two;
    also the (converted) input x, whose dtype and device the statistic comes back in."""
    xp, x, y = as_2d_samples(x, y)
    scale = power_of_two_scale(x, y)
    x0, y0 = as_torch64(x) / scale, as_torch64(y) / scale
    centre = torch.cat([x0, y0]).mean(0)
    return xp, x, x0 - centre, y0 - centre, float(scale)


def _distances(a, b, norm):
    """Pairwise l1 or l2 distances between the rows of a and b."""
    if norm == "l1":
        return torch.cdist(a, b, p=1.0)
    return namespace("torch").sq_dists(a, b).sqrt_()


_NORM = {"gaussian": "l2", "laplace": "l1"}


def _check_kernels(kernels):
    if isinstance(kernels, str):
        kernels = (kernels,)
    if not isinstance(kernels, (tuple, list)) or not kernels:
        raise TypeError(f"kernels must be a non-empty tuple of names, got {kernels!r}")
    for k in kernels:
        if k not in _NORM:
            raise ValueError(f"kernels must hold 'gaussian' and/or 'laplace', got {k!r}")
    if len(set(kernels)) != len(kernels):
        raise ValueError(f"kernels must not repeat a name, got {kernels!r}")
    return tuple(kernels)


def _sample_distances(x, y, norm, style, gen, max_points=1000):
    """Distances the bandwidths are read from (a random subset for large samples)."""
    def subset(a):
        if a.shape[0] <= max_points:
            return a
        idx = torch.randperm(a.shape[0], generator=gen, device=gen.device)[:max_points]
        return a[idx.to(a.device)]

    if style == "agg":                        # between the two samples (Schrab et al.)
        d = _distances(subset(x), subset(y), norm).flatten()
    else:                                     # within the pooled sample (Biggs et al.)
        z = subset(torch.cat([x, y]))
        d = _distances(z, z, norm)
        d = d[torch.triu_indices(d.shape[0], d.shape[0], 1, device=d.device).unbind()]
    d = d[d > 0]
    if d.numel() == 0:
        raise ValueError("all points coincide (every distance is 0): no bandwidth to test")
    return d.double().cpu().numpy()


def _bandwidths(x, y, kernels, n_bandwidths, style, gen):
    """(kernel name, bandwidth) pairs, in data units of the rescaled inputs."""
    out = []
    for k in kernels:
        d = _sample_distances(x, y, _NORM[k], style, gen)
        if style == "agg":
            # geometric grid from half the 5% quantile to twice the largest distance
            lo, hi = np.quantile(d, 0.05) / 2.0, d.max() * 2.0
            bws = lo * (hi / lo) ** (np.arange(n_bandwidths) / (n_bandwidths - 1))
        else:
            # linear grid from half the 5% to twice the 95% quantile
            lo, hi = np.quantile(d, 0.05) / 2.0, np.quantile(d, 0.95) * 2.0
            bws = np.linspace(lo, hi, n_bandwidths)
        out += [(k, float(b)) for b in bws]
    return out


def _kernel_rate(kernel, bandwidth, style):
    """c such that the kernel is exp(-c * t), t the squared l2 (Gaussian) or l1 (Laplace)
    distance: the two papers' parametrisations."""
    if kernel == "gaussian":
        return (1.0 if style == "agg" else 0.5) / bandwidth ** 2
    return (1.0 if style == "agg" else math.sqrt(2.0)) / bandwidth


def _exponents(a, b, kernel):
    """Squared l2 (Gaussian) or l1 (Laplace) distances between the rows of a and b."""
    return torch.cdist(a, b, p=1.0) if kernel == "laplace" else namespace("torch").sq_dists(a, b)


def _quadratic_forms(x, y, specs, style, vectors, mode, progress, desc, normaliser=False):
    r"""Per kernel and per column v of ``vectors``, the MMD estimate of that relabelling.

    ``mode="wild"`` (n = m): v are sign vectors (length n) swapping x_i and y_i,
    and the estimate is :math:`v^\top H v / (n(n-1))` with
    :math:`H_{ij} = k(x_i,x_j) + k(y_i,y_j) - k(x_i,y_j) - k(x_j,y_i)` for i != j
    and 0 on the diagonal.  ``mode="perm"``: v are 0/1 labels of the x-part
    (length n + m) and the estimate is the unbiased MMD² of that split.

    The symmetric matrices are built in float64 a block of rows at a time and only
    on and above the diagonal (off-diagonal blocks count twice).  The products with
    the relabellings, the bulk of the work, are float32 matrix products with
    integer vectors that float32 holds exactly: the signs, or for permutations the
    centred labels u = (n + m) v - n, whose quadratic form has no large mean to
    cancel (v'Kv is recovered in float64 from u'Ku and the float64 row sums K1).
    The relabelled estimates then carry errors of order 1e-7 of their null spread
    (callers count ties with a matching tolerance); the observed labelling, the
    first column, is computed in float64 throughout.
    With ``normaliser``, also returns per kernel :math:`\sum_{i \ne j} k(z_i, z_j)^2`
    over the pooled sample (the MMD-FUSE normaliser), else None.
    """
    n, m = x.shape[0], y.shape[0]
    z = torch.cat([x, y])
    vec = vectors.to(torch.float64)
    if mode == "perm":
        vec = (n + m) * vec - n                      # centred integer labels
    vec32 = vec.to(torch.float32)                    # exact: integers below 2^24
    n_rows = n if mode == "wild" else n + m
    # about 16 blocks of rows (64 rows at least): only the blocks on and above the
    # diagonal are computed, so k blocks cost (1 + 1/k) / 2 of the full matrix
    chunk = max(1, min(max(64, -(-n_rows // 16)), _BLOCK_ELEMENTS // (n + m)))
    k_count = len(specs)
    forms = torch.zeros((k_count, vec.shape[1]), dtype=torch.float64, device=z.device)
    sq_sums = torch.zeros(k_count, dtype=torch.float64, device=z.device)
    if mode == "perm":
        row_sums = torch.zeros((k_count, n + m), dtype=torch.float64, device=z.device)
    names = sorted({k for k, _ in specs})
    bar = progress_bar(progress, -(-n_rows // chunk), desc, unit="block")
    for s in range(0, n_rows, chunk):
        e = min(s + chunk, n_rows)
        c = e - s
        if mode == "wild":
            # rows s:e of H, columns s:n, from the x- and y-rows against the pooled columns
            cols = torch.cat([x[s:], y[s:]])
            expo = {k: (_exponents(x[s:e], cols, k), _exponents(y[s:e], cols, k))
                    for k in names}
            width = n - s
        else:
            expo = {k: _exponents(z[s:e], z[s:], k) for k in names}
        for i, (kern, bw) in enumerate(specs):
            rate = -_kernel_rate(kern, bw, style)
            if mode == "wild":
                kx, ky = (torch.exp(t * rate) for t in expo[kern])
                block = kx[:, :width] + ky[:, width:]
                block -= kx[:, width:]
                block -= ky[:, :width]
                block[:, :c].fill_diagonal_(0.0)
                if normaliser:
                    # sum over i != j of k(z_i, z_j)^2 on the pooled sample: pairs of
                    # blocks s:e against pairs e:n count twice (symmetry); the pairs-s:e-
                    # against-pairs-s:e block is complete, less its diagonal
                    off = sum((a[:, lo:hi] ** 2).sum() for a in (kx, ky)
                              for lo, hi in ((c, width), (width + c, 2 * width)))
                    own = sum((a[:, lo:lo + c] ** 2).sum() for a in (kx, ky)
                              for lo in (0, width))
                    own = own - (torch.diagonal(kx[:, :c]) ** 2).sum() - (
                        torch.diagonal(ky[:, width:width + c]) ** 2).sum()
                    sq_sums[i] += 2.0 * off + own
            else:
                block = torch.exp(expo[kern] * rate)
                block[:, :c].fill_diagonal_(0.0)
                if normaliser:
                    sq_sums[i] += 2.0 * (block * block).sum() - (block[:, :c] ** 2).sum()
                row_sums[i, s:e] += block.sum(1)
                row_sums[i, e:] += block[:, c:].sum(0)
                # K - mean off the diagonal: with wide bandwidths K is nearly constant and
                # float32 would round away the differences that carry the statistic; the
                # constant's share, level * (sums of v), is added back exactly below
                level = float(block.sum()) / max(1, block.numel() - c)   # off-diagonal mean
                block -= level
                block[:, :c].fill_diagonal_(0.0)
            # the observed labelling (column 0) in float64, the relabellings in float32
            block32 = block.to(torch.float32)
            inner = block32[:, :c] @ vec32[s:e, 1:]
            inner0 = block[:, :c] @ vec[s:e, :1]
            if e < n_rows:
                inner.addmm_(block32[:, c:], vec32[e:, 1:], alpha=2.0)
                inner0.addmm_(block[:, c:], vec[e:, :1], alpha=2.0)
            forms[i, 1:] += (vec[s:e, 1:] * inner.to(torch.float64)).sum(0)
            forms[i, 0] += (vec[s:e, 0] * inner0[:, 0]).sum()
            if mode == "perm":
                # the constant on the off-diagonal entries of rows s:e, columns s:
                own = vec[s:e].sum(0)
                forms[i] += level * (own * own - (vec[s:e] ** 2).sum(0)
                                     + 2.0 * own * vec[e:].sum(0))
        bar.update(1)
    bar.close()
    sq_sums = sq_sums if normaliser else None
    if mode == "wild":
        return forms / (n * (n - 1)), sq_sums
    # v'Kv from u'Ku, u = (n + m) v - n: u'Ku = (n+m)^2 v'Kv - 2n(n+m) v'K1 + n^2 1'K1
    labels = vectors.to(torch.float64)
    total = row_sums.sum(-1, keepdim=True)
    forms = (forms + 2.0 * n * (n + m) * (row_sums @ labels) - n * n * total) / (n + m) ** 2
    return mmd_of_labellings(forms, row_sums, labels, n, m), sq_sums


def mmd_of_labellings(forms, row_sums, labels, n, m):
    r"""Unbiased MMD² of each 0/1 labelling (a column of ``labels``, n ones) of a pooled sample.

    With K the pooled kernel matrix with a zero diagonal, ``forms`` = :math:`v^\top K v`
    (the x-part's sum) and ``row_sums`` = K 1; then :math:`v^\top K 1` and
    :math:`1^\top K 1` give the y-part's and the cross sums.  Leading dimensions of
    ``forms`` and ``row_sums`` (one per kernel) broadcast.
    """
    kxx = forms
    atr = row_sums @ labels                               # sum over x-part rows
    kyy = row_sums.sum(-1, keepdim=True) - 2.0 * atr + kxx
    kxy = atr - kxx
    return kxx / (n * (n - 1)) + kyy / (m * (m - 1)) - 2.0 * kxy / (n * m)


def _relabellings(x, y, count, mode, gen):
    """The observed labelling (first column) and ``count`` random ones, float64: sign
    vectors (length n) for ``mode="wild"``, else 0/1 labels of the x-part (length n + m)."""
    n, m = x.shape[0], y.shape[0]
    if mode == "wild":
        first = torch.ones((n, 1), dtype=torch.float64, device=x.device)
        return torch.cat([first, sign_flips(n, count, gen, first)], 1)
    first = torch.cat([torch.ones(n), torch.zeros(m)]).to(torch.float64).to(x.device)[:, None]
    return torch.cat([first, labellings(namespace("torch"), n, n + m, count, gen, first)], 1)


def _check_null(null, n, m):
    if null not in ("auto", "permutation", "wild"):
        raise ValueError(f"null must be 'auto', 'permutation' or 'wild', got {null!r}")
    if null == "wild" and n != m:
        raise ValueError(f"null='wild' swaps x_i and y_i: it needs equal sample sizes, got "
                         f"{n} and {m}")
    return "wild" if (null == "wild" or (null == "auto" and n == m)) else "perm"


def _weights(kind, count):
    i = np.arange(1, count + 1)
    if kind == "uniform":
        w = np.ones(count)
    elif kind == "decreasing":
        w = 1.0 / i
    elif kind == "increasing":
        w = 1.0 / (count + 1 - i)
    elif kind == "centred":
        w = 1.0 / (np.abs((count + 1) / 2 - i) + (1.0 if count % 2 else 0.5))
    else:
        raise ValueError(f"kernel_weights must be 'uniform', 'decreasing', 'increasing' or "
                         f"'centred', got {kind!r}")
    return w / w.sum()


@renamed_keywords(alpha="level", weights="kernel_weights")
def mmd_agg_test(x, y, *, kernels=("laplace", "gaussian"), n_bandwidths=10,
                 kernel_weights="uniform", n_permutations=500, n_permutations_single=500,
                 null="auto", level=0.05, alternative="greater", rng=None, progress=None):
    r"""MMDAgg: the aggregated MMD test over a collection of kernels (Schrab et al. 2023).

    For each kernel :math:`k_\lambda` of the collection (Gaussian
    :math:`e^{-\|x-y\|_2^2/\lambda^2}` and Laplace :math:`e^{-\|x-y\|_1/\lambda}`,
    ``n_bandwidths`` bandwidths each on a geometric grid from half the 5 %
    quantile to twice the largest of the distances between the two samples), the
    single test compares :math:`\widehat{\mathrm{MMD}}^2_\lambda` with its null
    distribution from B1 relabellings, giving a p-value :math:`\hat p_\lambda`.
    The aggregated test rejects when some :math:`\hat p_\lambda \le u\,w_\lambda`,
    where :math:`w_\lambda` are the ``kernel_weights`` and the level correction
    :math:`u` is estimated on B2 further relabellings.  With
    :math:`T = \min_\lambda \hat p_\lambda / w_\lambda` and :math:`T_b` its value on
    relabelling b, the p-value is the permutation engine's

    .. math::

        p = \frac{1 + \#\{b \le B_2 : T_b \le T\}}{1 + B_2},

    and :math:`u` is the largest value with
    :math:`(1 + \#\{b : T_b \le u\})/(1 + B_2) \le` ``level``, so that the test
    rejects exactly when :math:`p \le` ``level``, at a level of at most ``level``.
    (The paper's bisection lets :math:`\lfloor \alpha B_2 \rfloor` of the B2
    relabellings reject, which allows a level of up to
    :math:`(\lfloor \alpha B_2 \rfloor + 1)/(B_2 + 1)`, 0.0519 for α = 0.05 and
    B2 = 500; here the observed labelling counts as one of the B2 + 1.)

    With equal sample sizes the relabellings swap :math:`x_i` and :math:`y_i`
    at random (a wild bootstrap that is an exact randomisation test, a quarter
    of the work of permutations); otherwise they are permutations of the
    pooled sample.  A single test's p-value is at least :math:`1/(1 + B_1)`, and
    the relabellings whose smallest single p-value reaches that floor tie with a
    strongly significant observation, so the p-value does not go below about
    :math:`(1 + \#\{b: T_b = \min_\lambda 1/((1 + B_1) w_\lambda)\})/(1 + B_2)`
    (0.01-0.02 with the defaults and 20 kernels): for levels below 0.05 raise B1.
    Differences from the reference implementation: the
    bandwidth grid has no absolute floors (0.1, 0.3), so the test is
    scale-equivariant; the distances are those of random subsets of at most
    1,000 points per sample rather than the first 500.

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        Samples of shape (n, d) and (m, d) (or 1-D).
    kernels : tuple of {"laplace", "gaussian"}, default both
    n_bandwidths : int, default 10
        Bandwidths per kernel, at least 2.
    kernel_weights : {"uniform", "decreasing", "increasing", "centred"}, default "uniform"
        Weights of the bandwidths (the paper's Section 5.1), the same for each kernel
        (``weights=`` of earlier releases still works, with a ``DeprecationWarning``:
        in this library ``weights`` are always weights of samples).
    n_permutations : int, default 500
        B2: the relabellings the p-value (and the level correction) is read from, as
        for every test of the library.  A pair ``(B1, B2)``, the form of earlier
        releases, still works with a ``DeprecationWarning``.
    n_permutations_single : int, default 500
        B1: the relabellings of each single test's null.
    null : {"auto", "permutation", "wild"}, default "auto"
        "auto": the wild bootstrap when n = m, permutations otherwise.
    level : float, default 0.05
        Significance level at which ``details["level_correction"]`` and
        ``details["reject"]`` are reported; the p-value does not depend on it.
        (``alpha=`` of earlier releases still works, with a ``DeprecationWarning``.)
    alternative : {"greater"}
        Accepted for the door's uniformity: the statistic aggregates one-sided
        single tests, so only "greater" has a meaning.
    rng : None, int, numpy Generator or torch.Generator
    progress : bool or None, default None

    Returns
    -------
    TwoSampleResult
        ``statistic`` = :math:`-\log T` (large values speak against H0),
        ``pvalue`` as above, ``null_distribution`` the B2 values of
        :math:`-\log T_b`; ``details``: ``kernels`` (name, bandwidth) pairs in
        data units, ``mmd`` and ``pvalues`` of the single tests,
        ``level_correction``, ``reject`` (at ``level``), ``n_permutations``
        (B2, the size of the null the p-value is read from) and
        ``n_permutations_single`` (B1).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import mmd_agg_test
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 2))
    >>> y = rng.normal(size=(200, 2)) * np.array([1.0, 1.5])
    >>> res = mmd_agg_test(x, y, rng=0)
    >>> res.pvalue < 0.05, len(res.details["kernels"])
    (True, 20)
    """
    kernels = _check_kernels(kernels)
    n_bandwidths = check_int("n_bandwidths", n_bandwidths, 2)
    b1, b2 = _agg_permutations(n_permutations, n_permutations_single)
    level = check_real("level", level, 0, 1)
    if check_alternative(alternative) != "greater":
        raise ValueError(f"mmd_agg_test aggregates one-sided single tests: alternative must be "
                         f"'greater', got {alternative!r}")
    check_progress(progress)
    xp, like, x0, y0, scale_back = _prepare(x, y)
    n, m = x0.shape[0], y0.shape[0]
    mode = _check_null(null, n, m)
    w = np.tile(_weights(kernel_weights, n_bandwidths), len(kernels)) / len(kernels)
    gen = torch_rng(rng, x0.device)
    specs = _bandwidths(x0, y0, kernels, n_bandwidths, "agg", gen)
    vectors = _relabellings(x0, y0, b1 + b2, mode, gen)
    with torch.no_grad():
        stats, _ = _quadratic_forms(x0, y0, specs, "agg", vectors, mode, progress,
                                    "mmd_agg_test")
    stats = stats.cpu().numpy()                       # (kernels, 1 + B1 + B2)
    # single-test p-values of the observed column and of each B2 column against the B1
    # relabellings, each column counting itself: (1 + #{B1 >= v}) / (1 + B1).  Observed
    # and B2 columns are then exchangeable under H0 (the reference code ranks B2 columns
    # against observed + B1 instead, which lets them reach p = 0 and costs power)
    single = permutation_pvalue(np.concatenate([stats[:, :1], stats[:, b1 + 1:]], axis=1),
                                stats[:, 1:b1 + 1])
    p_obs, p_null = single[:, 0], single[:, 1:]       # (kernels,), (kernels, B2)
    t_obs = float(np.min(p_obs / w))
    t_null = np.min(p_null / w[:, None], axis=0)
    # small T speaks against H0: the engine's "greater" rule on -log T
    pvalue = permutation_pvalue(-math.log(t_obs), -np.log(t_null))
    u = _level_correction(t_null, level)
    return TwoSampleResult(
        statistic=statistic_out(xp, -math.log(t_obs), like),
        pvalue=pvalue, method=f"MMDAgg ({'+'.join(kernels)}, {len(specs)} kernels, "
                              f"{'wild bootstrap' if mode == 'wild' else 'permutations'})",
        n_x=n, n_y=m, null_distribution=-np.log(t_null),
        details={"kernels": [(k, b * scale_back) for k, b in specs],
                 "mmd": stats[:, 0], "pvalues": p_obs,
                 "kernel_weights": w, "level_correction": u, "reject": bool(pvalue <= level),
                 "level": level, "n_permutations": b2, "n_permutations_single": b1,
                 "null": "wild" if mode == "wild" else "permutation",
                 "alternative": "greater"})


def _agg_permutations(n_permutations, n_permutations_single):
    """(B1, B2) from the integer options, or from the deprecated pair (B1, B2)."""
    if isinstance(n_permutations, (tuple, list)):
        if len(n_permutations) != 2:
            raise TypeError(f"n_permutations must be an int (B2), got {n_permutations!r}")
        warn_user("mmd_agg_test(n_permutations=(B1, B2)) is deprecated: pass "
                  "n_permutations=B2 and n_permutations_single=B1", DeprecationWarning)
        n_permutations_single, n_permutations = n_permutations
        return (check_n_permutations(n_permutations_single, "n_permutations[0]"),
                check_n_permutations(n_permutations, "n_permutations[1]"))
    return (check_n_permutations(n_permutations_single, "n_permutations_single"),
            check_n_permutations(n_permutations))


def _level_correction(t_null, level):
    """The largest u with (1 + #{b : T_b <= u}) / (1 + B2) <= level.

    The test that rejects when T <= u then rejects exactly when the p-value is at most
    ``level``, and its level is at most ``level`` (the observed labelling counts as one
    of B2 + 1 exchangeable ones).  The paper's correction lets floor(level * B2) of the
    B2 columns reject, a level of up to (floor(level * B2) + 1) / (B2 + 1) (0.0519 for
    level 0.05 and B2 = 500).  0.0 when no u qualifies (T is always positive).
    """
    ordered = np.sort(t_null)
    b2 = ordered.size
    # the largest count k of null values at or below u with (1 + k) / (1 + B2) <= level,
    # by the same float comparison as the p-value's
    k = min(b2, int(math.floor(level * (1 + b2))))
    while k >= 0 and (1.0 + k) / (1.0 + b2) > level:
        k -= 1
    if k < 0:
        return 0.0
    if k >= b2:
        return float(ordered[-1])
    # just below the (k + 1)-th smallest value: ties with it are not rejected
    return float(np.nextafter(ordered[k], -np.inf))


def mmd_fuse_test(x, y, *, kernels=("laplace", "gaussian"), n_bandwidths=10,
                  n_permutations=1000, null="permutation", alternative="greater", rng=None,
                  progress=None):
    r"""MMD-FUSE: the soft maximum of normalised MMD estimates (Biggs, Schrab & Gretton 2023).

    .. math::

        \mathrm{FUSE} = \log\Big(\frac1K\sum_{k=1}^K
        \exp\Big(\lambda\,\frac{\widehat{\mathrm{MMD}}^2_{u,k}}{\hat N_k}\Big)\Big),
        \qquad \hat N_k = \frac{\big(\sum_{i \ne j} k(z_i, z_j)^2\big)^{1/2}}{n(n-1)},
        \quad \lambda = \sqrt{n(n-1)},

    over K kernels (Gaussian :math:`e^{-\|x-y\|_2^2/(2\lambda_k^2)}` and Laplace
    :math:`e^{-\sqrt2\|x-y\|_1/\lambda_k}`, ``n_bandwidths`` bandwidths each,
    equally spaced from half the 5 % to twice the 95 % quantile of the pooled
    sample's inter-point distances), with n the smaller sample size.  The
    normalisers depend on the pooled sample only, so they are the same under
    every permutation, and the test is one permutation test of one statistic:
    no data splitting, no level correction.

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        Samples of shape (n, d) and (m, d) (or 1-D).
    kernels : tuple of {"laplace", "gaussian"}, default both
    n_bandwidths : int, default 10
    n_permutations : int, default 1000
    null : {"permutation", "wild", "auto"}, default "permutation"
        Permutations of the pooled sample (the paper's test); "wild" swaps
        :math:`x_i, y_i` pairs (n = m only; a quarter of the work, same level);
        "auto" picks "wild" when n = m.
    alternative : {"greater", "less", "two-sided"}, default "greater"
        Side of the null that counts against H0 (see the permutation engine).
    rng : None, int, numpy Generator or torch.Generator
    progress : bool or None, default None

    Returns
    -------
    TwoSampleResult
        ``statistic`` = FUSE, p-value :math:`(1 + \#\{F_b \ge F\})/(1 + B)`,
        ``null_distribution``; ``details["kernels"]`` (name, bandwidth) in data units.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import mmd_fuse_test
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 2))
    >>> y = rng.normal(size=(200, 2)) * np.array([1.0, 1.5])
    >>> mmd_fuse_test(x, y, rng=0).pvalue < 0.05
    True
    """

    kernels = _check_kernels(kernels)
    n_bandwidths = check_int("n_bandwidths", n_bandwidths, 2)
    b = check_n_permutations(n_permutations)
    alternative = check_alternative(alternative)
    check_progress(progress)
    xp, like, x0, y0, scale_back = _prepare(x, y)
    n, m = x0.shape[0], y0.shape[0]
    mode = _check_null(null, n, m)
    gen = torch_rng(rng, x0.device)
    specs = _bandwidths(x0, y0, kernels, n_bandwidths, "fuse", gen)
    vectors = _relabellings(x0, y0, b, mode, gen)
    with torch.no_grad():
        mmd, sq = _quadratic_forms(x0, y0, specs, "fuse", vectors, mode, progress,
                                   "mmd_fuse_test", normaliser=True)
    nn = min(n, m)
    lam = math.sqrt(nn * (nn - 1.0))
    norm = torch.sqrt(sq.clamp(min=1e-300)) / (nn * (nn - 1.0))
    t = lam * mmd / norm[:, None]
    fuse = (torch.logsumexp(t, dim=0) - math.log(len(specs))).cpu().numpy()
    observed, null_stats = float(fuse[0]), fuse[1:]
    return TwoSampleResult(
        statistic=statistic_out(xp, observed, like),
        pvalue=permutation_pvalue(observed, null_stats, alternative),
        method=f"MMD-FUSE ({'+'.join(kernels)}, {len(specs)} kernels)", n_x=n, n_y=m,
        null_distribution=null_stats,
        details={"kernels": [(k, bw * scale_back) for k, bw in specs],
                 "mmd": mmd[:, 0].cpu().numpy(), "n_permutations": b,
                 "null": "wild" if mode == "wild" else "permutation",
                 "alternative": alternative})
