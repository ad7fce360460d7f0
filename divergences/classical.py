r"""Classical (non-neural) estimators of mutual information and KL divergence.

The baselines users compare variational estimators with:

* :func:`ksg_mutual_information`: the k-nearest-neighbour estimator of Kraskov,
  Stögbauer & Grassberger (2004), both of its variants;
* :func:`knn_kl_divergence`: the k-nearest-neighbour KL estimator of Wang,
  Kulkarni & Verdú (2009);
* :func:`gaussian_mi_estimate`: the mutual information of the Gaussian with the
  sample covariance (the CCA estimate), exact for Gaussian data and a lower bound
  of sorts for others (it sees linear dependence only).

Each returns an :class:`~divergences.Estimate` whose standard error is the
estimator's own (the spread of its per-point terms for the k-NN estimators, a
bootstrap for the CCA estimate).  All take numpy arrays or torch tensors (any
device; the neighbour searches run on the CPU with ``scipy.spatial``).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import special, stats

from ._array import (NUMPY, as_float_arrays, check_bool, check_finite, check_int, check_real,
                     numpy_rng)
from .estimate import Estimate, _to_2d

__all__ = ["ksg_mutual_information", "knn_kl_divergence", "gaussian_mi_estimate"]


def _samples(**named):
    """float64 numpy (n, d) arrays, validated."""
    for name, v in named.items():
        if v is None:
            raise TypeError(f"{name} must be an array of samples, got None")
    xp, arrays = as_float_arrays(**named)
    out = []
    for name, a in zip(named, arrays):
        if xp.name == "torch":
            a = a.detach().cpu().double().numpy()
        a = _to_2d(name, np.asarray(a, dtype=np.float64))
        check_finite(NUMPY, name, a)
        out.append(a)
    # one power of two for all inputs: exact, and every estimator here is unchanged by a
    # common scale (distance ratios, neighbour counts, log-determinant ratios), while
    # squares of data near 1e+-300 would overflow or underflow
    top = max(float(np.abs(a).max()) for a in out)
    scale = 2.0 ** math.frexp(top)[1] if top > 0 else 1.0
    return [a / scale for a in out]


def _estimate(terms, offset, method, confidence, details):
    """An Estimate of offset + mean(terms), with the terms' standard error."""
    z = float(stats.norm.ppf(0.5 + check_real("confidence", confidence, 0, 1) / 2))
    value = float(offset + terms.mean())
    se = float(terms.std(ddof=1) / math.sqrt(terms.size)) if terms.size > 1 else math.inf
    return Estimate(value=value, stderr=se, ci=(value - z * se, value + z * se), curve=None,
                    critic=None, method=method, details=details, confidence=confidence)


def _warn_ties(dist, what):
    n_zero = int(np.count_nonzero(dist == 0))
    if n_zero:
        warnings.warn(f"{what}: {n_zero} points have a k-th neighbour at distance 0 (ties); "
                      f"the estimator assumes continuous data (add a tiny noise to break "
                      f"ties, e.g. x + 1e-10 * rng.standard_normal(x.shape))",
                      RuntimeWarning, stacklevel=3)


def _standardized(a):
    """Per-coordinate z-scores (population std); constant coordinates are only centred."""
    sd = a.std(axis=0)
    return (a - a.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def _ksg_counts_chebyshev(x, y, k, variant):
    """eps-neighbour counts with the max-norm in each space (KD-trees, O(N log N))."""
    from scipy.spatial import cKDTree

    z = np.concatenate([x, y], axis=1)
    dist, idx = cKDTree(z).query(z, k=k + 1, p=np.inf)
    eps = dist[:, -1]
    tx, ty = cKDTree(x), cKDTree(y)
    if variant == 1:
        r = np.nextafter(eps, 0)            # strictly closer than eps_i
        nx = tx.query_ball_point(x, r, p=np.inf, return_length=True) - 1
        ny = ty.query_ball_point(y, r, p=np.inf, return_length=True) - 1
    else:
        nb = idx[:, 1:]
        ex = np.abs(x[nb] - x[:, None, :]).max(axis=(1, 2))
        ey = np.abs(y[nb] - y[:, None, :]).max(axis=(1, 2))
        nx = tx.query_ball_point(x, ex, p=np.inf, return_length=True) - 1
        ny = ty.query_ball_point(y, ey, p=np.inf, return_length=True) - 1
    return eps, nx, ny


def _ksg_counts_euclidean(x, y, k, variant, chunk_bytes=2 ** 26):
    """eps-neighbour counts with the Euclidean norm in each space and the max of the two in
    the joint space: no KD-tree applies, so exact distances in row chunks (O(N^2) time,
    O(chunk) memory), with a partial sort for the k-th neighbour."""
    from scipy.spatial.distance import cdist

    n = x.shape[0]
    rows = max(1, min(n, chunk_bytes // (8 * 3 * n)))
    eps, nx, ny = np.empty(n), np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    for start in range(0, n, rows):
        sl = slice(start, min(n, start + rows))
        dx = cdist(x[sl], x)
        dy = cdist(y[sl], y)
        dz = np.maximum(dx, dy)
        if variant == 1:
            e = np.partition(dz, k, axis=1)[:, k]       # index 0 is the point itself
            eps[sl] = e
            nx[sl] = (dx < e[:, None]).sum(axis=1) - 1
            ny[sl] = (dy < e[:, None]).sum(axis=1) - 1
        else:
            nb = np.argpartition(dz, k, axis=1)[:, :k + 1]
            rr = np.arange(dz.shape[0])[:, None]
            eps[sl] = dz[rr, nb].max(axis=1)
            ex, ey = dx[rr, nb].max(axis=1), dy[rr, nb].max(axis=1)
            nx[sl] = (dx <= ex[:, None]).sum(axis=1) - 1
            ny[sl] = (dy <= ey[:, None]).sum(axis=1) - 1
    return eps, nx, ny


def ksg_mutual_information(x, y, *, k=3, variant=1, metric="chebyshev", standardize=True,
                           confidence=0.95):
    r"""Kraskov-Stögbauer-Grassberger k-nearest-neighbour estimate of :math:`I(X;Y)` in nats.

    With :math:`\varepsilon_i` the distance from :math:`z_i = (x_i, y_i)` to its
    k-th nearest neighbour in the joint space, the distance there being
    :math:`\max(\|x - x'\|, \|y - y'\|)`, and :math:`\psi` the digamma function,
    the two estimators of Kraskov et al. (2004) are

    .. math::

        \hat I^{(1)} = \psi(k) + \psi(N) - \big\langle \psi(n_x + 1) + \psi(n_y + 1) \big\rangle,

    with :math:`n_x(i)` the number of points with :math:`\|x_j - x_i\| < \varepsilon_i`, and

    .. math::

        \hat I^{(2)} = \psi(k) - 1/k + \psi(N) - \big\langle \psi(n_x) + \psi(n_y) \big\rangle,

    with :math:`n_x(i)` the number of points with
    :math:`\|x_j - x_i\| \le \varepsilon_x(i)`, the largest x-distance among
    the k neighbours.  With the max-norm in each space (``"chebyshev"``, as in
    the paper) the searches use KD-trees (``scipy.spatial``), :math:`O(N \log N)`;
    with the Euclidean norm in each space (the choice of the ``bmi`` package's
    ``KSGEnsembleFirstEstimator``) exact distances are computed in chunks,
    :math:`O(N^2)`.  The estimate is not clipped at zero: a negative value
    (possible at small N) is returned as it is.

    Parameters
    ----------
    x : array_like or torch.Tensor
        Samples of X, shape (N,) or (N, d_x).
    y : array_like or torch.Tensor
        Paired samples of Y, shape (N,) or (N, d_y).
    k : int, default 3
        Number of neighbours (Kraskov et al. recommend 2-4).
    variant : {1, 2}, default 1
        Which of the two estimators.
    metric : {"chebyshev", "euclidean"}, default "chebyshev"
        The norm within each of the two spaces.
    standardize : bool, default True
        Divide each coordinate by its standard deviation first (after centring),
        so that coordinates of different scales weigh alike in the norms.
    confidence : float, default 0.95
        Level of the normal confidence interval.

    Returns
    -------
    Estimate
        ``value`` in nats; ``stderr`` is the spread of the per-point terms over
        :math:`\sqrt N` (it ignores their weak dependence); ``details`` has
        ``k``, ``variant``, ``metric`` and ``n``.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import ksg_mutual_information
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(2000)
    >>> y = 0.8 * x + 0.6 * rng.standard_normal(2000)     # I = -log(0.6) = 0.511
    >>> est = ksg_mutual_information(x, y, k=3)
    >>> bool(abs(est.value + np.log(0.6)) < 3 * est.stderr + 0.02)
    True
    """
    x, y = _samples(x=x, y=y)
    n = x.shape[0]
    if y.shape[0] != n:
        raise ValueError(f"x and y must hold the same number of pairs, got {n} and {y.shape[0]}")
    k = check_int("k", k, 1)
    if k >= n:
        raise ValueError(f"k must be smaller than the number of pairs, got k={k}, n={n}")
    if variant not in (1, 2) or isinstance(variant, bool):
        raise ValueError(f"variant must be 1 or 2, got {variant!r}")
    if metric not in ("chebyshev", "euclidean"):
        raise ValueError(f"metric must be 'chebyshev' or 'euclidean', got {metric!r}")
    check_bool("standardize", standardize)
    if standardize:
        x, y = _standardized(x), _standardized(y)
    counts = _ksg_counts_chebyshev if metric == "chebyshev" else _ksg_counts_euclidean
    eps, nx, ny = counts(x, y, k, variant)
    _warn_ties(eps, "ksg_mutual_information")
    if variant == 1:
        terms = -(special.digamma(nx + 1) + special.digamma(ny + 1))
        offset = special.digamma(k) + special.digamma(n)
    else:
        terms = -(special.digamma(nx) + special.digamma(ny))
        offset = special.digamma(k) - 1.0 / k + special.digamma(n)
    return _estimate(terms, offset, f"KSG estimator {variant} (k={k}, {metric})", confidence,
                     {"k": k, "variant": variant, "metric": metric, "n": n})


def knn_kl_divergence(x_p, x_q, *, k=1, confidence=0.95):
    r"""k-nearest-neighbour estimate of :math:`\mathrm{KL}(P\|Q)` (Wang, Kulkarni & Verdú 2009).

    With :math:`\rho_k(i)` the Euclidean distance from :math:`x_i \in` ``x_p``
    to its k-th nearest neighbour among the other n - 1 points of ``x_p`` and
    :math:`\nu_k(i)` the distance to its k-th nearest neighbour in ``x_q`` (m points),

    .. math::

        \widehat{\mathrm{KL}} = \frac dn \sum_{i=1}^n \log\frac{\nu_k(i)}{\rho_k(i)}
        + \log\frac{m}{n - 1},

    consistent for any k as n, m grow.  KD-tree searches, :math:`O(n \log n)`.

    Parameters
    ----------
    x_p : array_like or torch.Tensor
        Samples of P, shape (n,) or (n, d).
    x_q : array_like or torch.Tensor
        Samples of Q, shape (m,) or (m, d).
    k : int, default 1
        Neighbour order.
    confidence : float, default 0.95
        Level of the normal confidence interval.

    Returns
    -------
    Estimate
        ``value`` in nats (it can be negative at small n: the estimator is
        not a bound); ``stderr`` from the spread of the per-point log ratios.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import knn_kl_divergence
    >>> rng = np.random.default_rng(0)
    >>> est = knn_kl_divergence(rng.normal(0, 1, (4000, 2)), rng.normal(1, 1, (4000, 2)), k=5)
    >>> abs(est.value - 1.0) < 0.1      # KL = |shift|^2 / 2 = 1
    True
    """
    from scipy.spatial import cKDTree

    x_p, x_q = _samples(x_p=x_p, x_q=x_q)
    n, d = x_p.shape
    m = x_q.shape[0]
    if x_q.shape[1] != d:
        raise ValueError(f"x_p and x_q must have the same dimension, got {d} and {x_q.shape[1]}")
    k = check_int("k", k, 1)
    if k > n - 1 or k > m:
        raise ValueError(f"k must be at most n - 1 = {n - 1} and m = {m}, got {k}")
    rho = cKDTree(x_p).query(x_p, k=k + 1)[0][:, -1]
    nu = cKDTree(x_q).query(x_p, k=k)[0]
    nu = nu if nu.ndim == 1 else nu[:, -1]
    _warn_ties(rho, "knn_kl_divergence")
    with np.errstate(divide="ignore"):
        terms = d * (np.log(nu) - np.log(rho))
    if not np.isfinite(terms).all():
        raise ValueError("x_p has points that coincide with their k-th neighbour in x_p or in "
                         "x_q (distance 0): the estimator needs continuous data; add a tiny "
                         "noise or raise k")
    return _estimate(terms, math.log(m / (n - 1)), f"k-NN KL estimator (k={k})", confidence,
                     {"k": k, "n": n, "m": m})


def _gaussian_mi(x, y):
    """-1/2 log det of the correlation structure: sum over canonical correlations."""
    z = np.concatenate([x, y], axis=1)
    c = np.cov(z, rowvar=False).reshape(z.shape[1], z.shape[1])
    dx = x.shape[1]
    _, ld = np.linalg.slogdet(c)
    _, ldx = np.linalg.slogdet(c[:dx, :dx])
    _, ldy = np.linalg.slogdet(c[dx:, dx:])
    return 0.5 * (ldx + ldy - ld)


def gaussian_mi_estimate(x, y, *, n_bootstrap=200, rng=None, confidence=0.95):
    r"""Mutual information of the Gaussian with the sample covariance (the CCA estimate).

    .. math::

        \hat I = \tfrac12\big(\log\det\hat\Sigma_{xx} + \log\det\hat\Sigma_{yy}
        - \log\det\hat\Sigma\big) = -\tfrac12 \sum_i \log(1 - \hat\rho_i^2),

    with :math:`\hat\rho_i` the sample canonical correlations.  Exact (and
    efficient) for jointly Gaussian data; for other data it is the MI of the
    Gaussian with the same covariance, which sees linear dependence only.

    Parameters
    ----------
    x : array_like or torch.Tensor
        Samples of X, shape (N,) or (N, d_x).
    y : array_like or torch.Tensor
        Paired samples of Y, shape (N,) or (N, d_y).
    n_bootstrap : int, default 200
        Resamples of pairs for the standard error.
    rng : None, int, numpy Generator or torch.Generator
        Randomness of the bootstrap.
    confidence : float, default 0.95
        Level of the normal confidence interval.

    Returns
    -------
    Estimate
        ``value`` in nats, bootstrap ``stderr``.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import gaussian_mi_estimate
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((5000, 2))
    >>> y = 0.6 * x + 0.8 * rng.standard_normal((5000, 2))   # I = -2 log 0.8 = 0.446
    >>> est = gaussian_mi_estimate(x, y, rng=0)
    >>> bool(abs(est.value + 2 * np.log(0.8)) < 3 * est.stderr)
    True
    """
    x, y = _samples(x=x, y=y)
    n = x.shape[0]
    if y.shape[0] != n:
        raise ValueError(f"x and y must hold the same number of pairs, got {n} and {y.shape[0]}")
    if n <= x.shape[1] + y.shape[1]:
        raise ValueError(f"need more pairs ({n}) than dimensions ({x.shape[1] + y.shape[1]}) "
                         f"for a full-rank covariance")
    n_bootstrap = check_int("n_bootstrap", n_bootstrap, 2)
    z = float(stats.norm.ppf(0.5 + check_real("confidence", confidence, 0, 1) / 2))
    x, y = _standardized(x), _standardized(y)   # per-coordinate affine: MI unchanged
    value = float(_gaussian_mi(x, y))
    gen = numpy_rng(rng)
    boot = np.array([_gaussian_mi(x[i], y[i])
                     for i in (gen.integers(0, n, n) for _ in range(n_bootstrap))])
    se = float(boot.std(ddof=1))
    return Estimate(value=value, stderr=se, ci=(value - z * se, value + z * se), curve=None,
                    critic=None, method="Gaussian (CCA) MI estimate",
                    details={"n": n, "n_bootstrap": n_bootstrap}, confidence=confidence)
