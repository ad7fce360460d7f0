r"""Classical (non-neural) estimators of mutual information and KL divergence.

The baselines users compare variational estimators with:

* :func:`ksg_mutual_information`: the k-nearest-neighbour estimator of Kraskov,
  Stögbauer & Grassberger (2004), both of its variants;
* :func:`knn_kl_divergence`: the k-nearest-neighbour KL estimator of Wang,
  Kulkarni & Verdú (2009);
* :func:`knn_renyi_divergence`: its Rényi-divergence generalisation (Póczos &
  Schneider 2011);
* :func:`gaussian_mi_estimate`: the mutual information of the Gaussian with the
  sample covariance (the CCA estimate), exact for Gaussian data and a lower bound
  of sorts for others (it sees linear dependence only); on normal scores it is the
  Gaussian-copula estimate, blind to per-coordinate monotone maps;
* :func:`histogram_mutual_information`: the plug-in estimate from a histogram, for
  low dimensions.

Each returns an :class:`~divergences.Estimate` whose standard error is the
estimator's own (the spread of its per-point terms for the k-NN estimators, a
bootstrap for the CCA estimate).  All take numpy arrays or torch tensors (any
device; the neighbour searches run on the CPU with ``scipy.spatial``).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats
from scipy.spatial import cKDTree

from .._backend.deprecation import renamed_keywords, warn_user
from .._backend.array import as_numpy_or_torch, check_finite, namespace
from .._backend.checks import check_bool, check_int, check_real, numpy_rng
from .._backend.samples import as_2d, power_of_two_scale
from ..results import Estimate

__all__ = ["ksg_mutual_information", "knn_kl_divergence", "knn_renyi_divergence",
           "gaussian_mi_estimate", "histogram_mutual_information"]


def _samples(**named):
    """float64 numpy (n, d) arrays, validated."""
    for name, v in named.items():
        if v is None:
            raise TypeError(f"{name} must be an array of samples, got None")
    xp, arrays = as_numpy_or_torch(**named)
    out = []
    for name, a in zip(named, arrays):
        if xp.name == "torch":
            a = a.detach().cpu().double().numpy()
        a = as_2d(name, np.asarray(a, dtype=np.float64))
        check_finite(namespace("numpy"), name, a)
        out.append(a)
    # one power of two for all inputs: exact, and every estimator here is unchanged by a
    # common scale (distance ratios, neighbour counts, log-determinant ratios), while
    # squares of data near 1e+-300 would overflow or underflow
    scale = power_of_two_scale(*out)
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
        warn_user(f"{what}: {n_zero} points have a k-th neighbour at distance 0 (ties); "
                  f"the estimator assumes continuous data (add a tiny noise to break "
                  f"ties, e.g. x + 1e-10 * rng.standard_normal(x.shape))", RuntimeWarning)


def _standardized(a):
    """Per-coordinate z-scores (population std); constant coordinates are only centred."""
    sd = a.std(axis=0)
    return (a - a.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def _count_within(a, radius, strict):
    """For each point of ``a`` (N, d): how many other points lie within ``radius`` in the
    max-norm (strictly closer when ``strict``).  One dimension: binary searches in the
    sorted values, O(N log N) and vectorised, with the boundary decided by the same
    comparison of |a_j - a_i| as the KD-tree makes (v +- r rounds); more: a KD-tree on
    all cores."""
    if a.shape[1] > 1:
        r = np.nextafter(radius, 0) if strict else radius
        return cKDTree(a).query_ball_point(a, r, p=np.inf, return_length=True,
                                           workers=-1) - 1
    order = np.argsort(a[:, 0], kind="stable")
    s = a[order, 0]                 # queries in sorted order: the searches stay in cache
    n = s.size
    rad = radius[order] if np.ndim(radius) else np.full(n, radius)
    r = np.nextafter(rad, 0) if strict else rad             # d <= r, as the KD-tree

    def inside(j):
        return np.abs(s[np.clip(j, 0, n - 1)] - s) <= r
    hi = np.searchsorted(s, s + r, side="right")            # first index past the window
    lo = np.searchsorted(s, s - r, side="left")             # first index in the window
    for _ in range(4):        # rounding of v +- r moves a bound by at most a run of ties
        drop_hi = (hi > 0) & ~inside(hi - 1)
        add_hi = (hi < n) & inside(hi)
        drop_lo = (lo < n) & ~inside(lo)
        add_lo = (lo > 0) & inside(lo - 1)
        if not (drop_hi.any() or add_hi.any() or drop_lo.any() or add_lo.any()):
            break
        hi = np.where(drop_hi, np.searchsorted(s, s[np.maximum(hi - 1, 0)], side="left"), hi)
        hi = np.where(add_hi, np.searchsorted(s, s[np.minimum(hi, n - 1)], side="right"), hi)
        lo = np.where(drop_lo, np.searchsorted(s, s[np.minimum(lo, n - 1)], side="right"), lo)
        lo = np.where(add_lo, np.searchsorted(s, s[np.maximum(lo - 1, 0)], side="left"), lo)
    out = np.empty(n, dtype=np.int64)
    out[order] = hi - lo - 1
    return out


def _ksg_counts_chebyshev(x, y, k, variant):
    """eps-neighbour counts with the max-norm in each space: the k-th neighbour from a
    KD-tree of the joint sample (all cores), the marginal counts by sorting (1-D) or
    KD-trees, O(N log N)."""
    z = np.concatenate([x, y], axis=1)
    dist, idx = cKDTree(z).query(z, k=k + 1, p=np.inf, workers=-1)
    eps = dist[:, -1]
    if variant == 1:
        # strictly closer than eps_i; in 1-D the binary searches are exact about it
        nx = _count_within(x, eps, strict=True)
        ny = _count_within(y, eps, strict=True)
    else:
        nb = idx[:, 1:]
        ex = np.abs(x[nb] - x[:, None, :]).max(axis=(1, 2))
        ey = np.abs(y[nb] - y[:, None, :]).max(axis=(1, 2))
        nx = _count_within(x, ex, strict=False)
        ny = _count_within(y, ey, strict=False)
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
    x : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        Samples of X, shape (N,) or (N, d_x).
    y : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
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


@renamed_keywords(x_p="x", x_q="y")
def knn_kl_divergence(x, y, *, k=1, confidence=0.95):
    r"""k-nearest-neighbour estimate of :math:`\mathrm{KL}(P\|Q)` (Wang, Kulkarni & Verdú 2009).

    With :math:`\rho_k(i)` the Euclidean distance from :math:`x_i \in` ``x``
    to its k-th nearest neighbour among the other n - 1 points of ``x`` and
    :math:`\nu_k(i)` the distance to its k-th nearest neighbour in ``y`` (m points),

    .. math::

        \widehat{\mathrm{KL}} = \frac dn \sum_{i=1}^n \log\frac{\nu_k(i)}{\rho_k(i)}
        + \log\frac{m}{n - 1},

    consistent for any k as n, m grow.  KD-tree searches, :math:`O(n \log n)`.

    Parameters
    ----------
    x : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        Samples of P, shape (n,) or (n, d).
    y : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
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
    rho, nu, n, m, d, k = _knn_distances(x, y, k)
    _warn_ties(rho, "knn_kl_divergence")
    with np.errstate(divide="ignore"):
        terms = d * (np.log(nu) - np.log(rho))
    if not np.isfinite(terms).all():
        raise ValueError("x has points that coincide with their k-th neighbour in x or in "
                         "y (distance 0): the estimator needs continuous data; add a tiny "
                         "noise or raise k")
    return _estimate(terms, math.log(m / (n - 1)), f"k-NN KL estimator (k={k})", confidence,
                     {"k": k, "n": n, "m": m})


def _knn_distances(x, y, k):
    """Validated samples and the k-th neighbour distances within x and from x to y."""
    x, y = _samples(x=x, y=y)
    n, d = x.shape
    m = y.shape[0]
    if y.shape[1] != d:
        raise ValueError(f"x and y must have the same dimension, got {d} and {y.shape[1]}")
    k = check_int("k", k, 1)
    if k > n - 1 or k > m:
        raise ValueError(f"k must be at most n - 1 = {n - 1} and m = {m}, got {k}")
    rho = cKDTree(x).query(x, k=k + 1)[0][:, -1]
    nu = cKDTree(y).query(x, k=k)[0]
    nu = nu if nu.ndim == 1 else nu[:, -1]
    return rho, nu, n, m, d, k


@renamed_keywords(x_p="x", x_q="y", alpha="order")
def knn_renyi_divergence(x, y, *, order, k=3, confidence=0.95):
    r"""k-nearest-neighbour estimate of the Rényi divergence :math:`D_\alpha(P\|Q)` (Póczos & Schneider 2011).

    :math:`D_\alpha(P\|Q) = \frac{1}{\alpha-1}\log\int p^\alpha q^{1-\alpha}
    = \frac{1}{\alpha-1}\log E_P[(q/p)^{1-\alpha}]`.  With :math:`\rho_k(i)`,
    :math:`\nu_k(i)` as in :func:`knn_kl_divergence` (k-th neighbour distances of
    :math:`x_i` within ``x`` and in ``y``), the k-NN density ratio
    :math:`(n-1)\rho_k^d / (m\nu_k^d)` estimates q/p, and

    .. math::

        \hat D_\alpha = \frac{1}{\alpha - 1}\log\Big(\frac{B_{k,\alpha}}{n}
        \sum_{i=1}^n \Big(\frac{(n-1)\rho_k(i)^d}{m\,\nu_k(i)^d}\Big)^{1-\alpha}\Big),
        \qquad B_{k,\alpha} = \frac{\Gamma(k)^2}{\Gamma(k - \alpha + 1)\Gamma(k + \alpha - 1)},

    where :math:`B_{k,\alpha}` removes the bias of the ratio's power (the
    estimator is consistent when :math:`k > |\alpha - 1|`).  The library's alpha
    divergence of the same order is :math:`(e^{(\alpha-1)D_\alpha} - 1)/(\alpha(\alpha-1))`.

    Parameters
    ----------
    x : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        Samples of P, shape (n,) or (n, d).
    y : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        Samples of Q, shape (m,) or (m, d).
    order : float
        Order, :math:`\alpha \ne 1` (for :math:`\alpha \to 1` use
        :func:`knn_kl_divergence`), with :math:`|\alpha - 1| < k`.
    k : int, default 3
        Neighbour order.
    confidence : float, default 0.95
        Level of the normal confidence interval.

    Returns
    -------
    Estimate
        ``value`` in nats; ``stderr`` by the delta method from the spread of the
        per-point ratios (which are heavy-tailed when :math:`|\alpha - 1|` is
        large: read it as indicative).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import knn_renyi_divergence
    >>> rng = np.random.default_rng(0)
    >>> est = knn_renyi_divergence(rng.normal(0, 1, (4000, 2)), rng.normal(1, 1, (4000, 2)),
    ...                            order=0.5, k=5)
    >>> abs(est.value - 0.5) < 0.05       # order |shift|^2 / 2 = 0.5 (shift (1, 1))
    True
    """
    order = check_real("order", order)
    if order == 1.0:
        raise ValueError("order must differ from 1 (its limit is KL: use knn_kl_divergence)")
    rho, nu, n, m, d, k = _knn_distances(x, y, k)
    if not abs(order - 1.0) < k:
        raise ValueError(f"k must exceed |order - 1| = {abs(order - 1):g} for the bias "
                         f"correction to exist, got k={k}")
    _warn_ties(rho, "knn_renyi_divergence")
    with np.errstate(divide="ignore"):
        log_ratio = math.log((n - 1) / m) + d * (np.log(rho) - np.log(nu))
    if not np.isfinite(log_ratio).all():
        raise ValueError("x has points that coincide with their k-th neighbour in x or in "
                         "y (distance 0): the estimator needs continuous data; add a tiny "
                         "noise or raise k")
    z = float(stats.norm.ppf(0.5 + check_real("confidence", confidence, 0, 1) / 2))
    log_terms = (1.0 - order) * log_ratio
    log_b = 2 * math.lgamma(k) - math.lgamma(k - order + 1) - math.lgamma(k + order - 1)
    log_mean = float(special.logsumexp(log_terms) - math.log(n))
    value = (log_b + log_mean) / (order - 1.0)
    # delta method: se(log mean) = sd(t) / (sqrt(n) mean(t)), t on a common scale
    t = np.exp(log_terms - log_terms.max())
    se = float(t.std(ddof=1) / (math.sqrt(n) * t.mean() * abs(order - 1.0))) if n > 1 else math.inf
    return Estimate(value=value, stderr=se, ci=(value - z * se, value + z * se), curve=None,
                    critic=None, method=f"k-NN Renyi estimator (order={order:g}, k={k})",
                    details={"k": k, "order": order, "n": n, "m": m}, confidence=confidence)


def _gaussian_mi(x, y):
    """-1/2 log det of the correlation structure: sum over canonical correlations."""
    z = np.concatenate([x, y], axis=1)
    c = np.cov(z, rowvar=False).reshape(z.shape[1], z.shape[1])
    dx = x.shape[1]
    _, ld = np.linalg.slogdet(c)
    _, ldx = np.linalg.slogdet(c[:dx, :dx])
    _, ldy = np.linalg.slogdet(c[dx:, dx:])
    return 0.5 * (ldx + ldy - ld)


def _normal_scores(a):
    """Per column, Phi^-1(rank / (n + 1)) with average ranks for ties."""
    ranks = stats.rankdata(a, axis=0)
    return special.ndtri(ranks / (a.shape[0] + 1.0))


def gaussian_mi_estimate(x, y, *, transform="affine", n_bootstrap=200, rng=None,
                         confidence=0.95):
    r"""Mutual information of the Gaussian with the sample covariance (the CCA estimate).

    .. math::

        \hat I = \tfrac12\big(\log\det\hat\Sigma_{xx} + \log\det\hat\Sigma_{yy}
        - \log\det\hat\Sigma\big) = -\tfrac12 \sum_i \log(1 - \hat\rho_i^2),

    with :math:`\hat\rho_i` the sample canonical correlations.  Exact (and
    efficient) for jointly Gaussian data; for other data it is the MI of the
    Gaussian with the same covariance, which sees linear dependence only.

    With ``transform="normal_scores"`` each coordinate is first replaced by its
    normal score :math:`\Phi^{-1}(\mathrm{rank}/(N+1))`: the estimate becomes the
    Gaussian-copula MI (Ince et al. 2017), unchanged by any strictly increasing
    map of any coordinate, and exact for data whose copula is Gaussian (Gaussian
    data seen through per-coordinate monotone maps, e.g. bmi's half-cube tasks).
    For other copulas it is the MI of the Gaussian copula with the same rank
    correlations, a lower bound of sorts.

    Parameters
    ----------
    x : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        Samples of X, shape (N,) or (N, d_x).
    y : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        Paired samples of Y, shape (N,) or (N, d_y).
    transform : {"affine", "normal_scores"}, default "affine"
        Per-coordinate standardisation (the CCA estimate) or normal scores (the
        Gaussian-copula estimate).
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
    if transform == "affine":
        x, y = _standardized(x), _standardized(y)   # per-coordinate affine: MI unchanged
    elif transform == "normal_scores":
        x, y = _normal_scores(x), _normal_scores(y)
    else:
        raise ValueError(f"transform must be 'affine' or 'normal_scores', got {transform!r}")
    value = float(_gaussian_mi(x, y))
    gen = numpy_rng(rng)
    boot = np.array([_gaussian_mi(x[i], y[i])
                     for i in (gen.integers(0, n, n) for _ in range(n_bootstrap))])
    se = float(boot.std(ddof=1))
    return Estimate(value=value, stderr=se, ci=(value - z * se, value + z * se), curve=None,
                    critic=None, method=("Gaussian (CCA) MI estimate" if transform == "affine"
                                         else "Gaussian-copula MI estimate"),
                    details={"n": n, "n_bootstrap": n_bootstrap, "transform": transform},
                    confidence=confidence)


def _bin_indices(a, bins, binning):
    """Per-coordinate bin indices in [0, bins), shape (N, d)."""
    n = a.shape[0]
    if binning == "quantile":
        # equal-frequency bins from the ranks; ties share a bin, and distinct values are
        # never merged while there are at most ``bins`` of them (each is its own bin).
        # A tied value is placed by its mid-rank: placed by its first rank, a value whose
        # first rank fell just below a bin edge joined the bin before it
        out = np.empty(a.shape, dtype=np.int64)
        for j in range(a.shape[1]):
            values, inverse, counts = np.unique(a[:, j], return_inverse=True,
                                                return_counts=True)
            if values.size <= bins:
                out[:, j] = inverse.reshape(-1)
                continue
            mid = np.cumsum(counts) - counts / 2.0 - 0.5          # 0-based mid-ranks
            out[:, j] = np.minimum((mid * bins // n).astype(np.int64), bins - 1)[inverse]
        return out
    lo, hi = a.min(axis=0), a.max(axis=0)
    width = np.where(hi > lo, hi - lo, 1.0)
    return np.minimum(((a - lo) / width * bins).astype(np.int64), bins - 1)


def _cell_codes(idx, bins):
    """One integer per row for the cell of a (N, d) index array."""
    code = np.zeros(idx.shape[0], dtype=np.int64)
    for j in range(idx.shape[1]):
        code = code * bins + idx[:, j]
    return code


def histogram_mutual_information(x, y, *, bins=None, binning="quantile",
                                 correction="miller-madow", confidence=0.95):
    r"""Plug-in estimate of :math:`I(X;Y)` from a histogram, for low dimensions.

    Each coordinate is cut into ``bins`` bins; with :math:`\hat p` the cell
    frequencies of the joint histogram and :math:`\hat p_X`, :math:`\hat p_Y`
    those of its margins,

    .. math::

        \hat I = \sum_{c} \hat p(c)\log\frac{\hat p(c)}{\hat p_X(c_X)\,\hat p_Y(c_Y)}
        + \frac{m_X + m_Y - m_{XY} - 1}{2N},

    the last term being the Miller-Madow correction of the three plug-in entropies
    (:math:`m` the number of occupied cells).  With ``binning="quantile"`` (default)
    the bins hold equal counts per coordinate (tied values share a bin, placed by
    their mid-rank; a coordinate with at most ``bins`` distinct values gets one bin
    per value, so discrete data give the exact plug-in estimate), which makes the
    estimate unchanged
    by strictly increasing maps of the coordinates and unaffected by heavy tails;
    ``"uniform"`` cuts the range into equal widths.  The plug-in estimate is
    biased (coarse bins miss dependence finer than a bin, fine bins inflate it):
    a baseline, not a reference.

    Parameters
    ----------
    x : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        Samples of X, shape (N,) or (N, d_x).
    y : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        Paired samples of Y, shape (N,) or (N, d_y).
    bins : int, optional
        Bins per coordinate, at least 2; default :math:`\max(2, \lfloor N^{1/(d+2)}\rfloor)`
        with :math:`d = d_x + d_y`.  The joint histogram has ``bins ** d`` cells,
        at most :math:`10^8`.
    binning : {"quantile", "uniform"}, default "quantile"
    correction : {"miller-madow", None}, default "miller-madow"
    confidence : float, default 0.95
        Level of the normal confidence interval.

    Returns
    -------
    Estimate
        ``value`` in nats; ``stderr`` by the delta method (the spread of
        :math:`\log \hat p/(\hat p_X \hat p_Y)` over the points, over
        :math:`\sqrt N`); ``details`` has ``bins``, ``binning``, ``correction``
        and the occupied cell counts.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import histogram_mutual_information
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(20000)
    >>> y = 0.8 * x + 0.6 * rng.standard_normal(20000)     # I = -log(0.6) = 0.511
    >>> est = histogram_mutual_information(x, y, bins=20)
    >>> abs(est.value - 0.511) < 0.05
    True
    """
    x, y = _samples(x=x, y=y)
    n = x.shape[0]
    if y.shape[0] != n:
        raise ValueError(f"x and y must hold the same number of pairs, got {n} and {y.shape[0]}")
    d = x.shape[1] + y.shape[1]
    if bins is None:
        bins = max(2, int(math.floor(n ** (1.0 / (d + 2)) + 1e-9)))
    bins = check_int("bins", bins, 2)
    if d * math.log(bins) > math.log(1e8):
        raise ValueError(f"bins={bins} in {d} dimensions makes {bins}^{d} cells (over 1e8): "
                         f"the histogram estimator is for low dimensions; use "
                         f"ksg_mutual_information")
    if binning not in ("quantile", "uniform"):
        raise ValueError(f"binning must be 'quantile' or 'uniform', got {binning!r}")
    if correction not in ("miller-madow", None):
        raise ValueError(f"correction must be 'miller-madow' or None, got {correction!r}")
    z = float(stats.norm.ppf(0.5 + check_real("confidence", confidence, 0, 1) / 2))
    cx = _cell_codes(_bin_indices(x, bins, binning), bins)
    cy = _cell_codes(_bin_indices(y, bins, binning), bins)
    cxy = cx * bins ** y.shape[1] + cy
    counts = {}
    for name, codes in (("x", cx), ("y", cy), ("xy", cxy)):
        _, inverse, cnt = np.unique(codes, return_inverse=True, return_counts=True)
        counts[name] = (cnt[inverse.ravel()], cnt.size)
    # per-point log p(c) / (p_X p_Y), all frequencies over n
    terms = (np.log(counts["xy"][0]) - np.log(counts["x"][0]) - np.log(counts["y"][0])
             + math.log(n))
    offset = 0.0
    if correction == "miller-madow":
        offset = (counts["x"][1] + counts["y"][1] - counts["xy"][1] - 1) / (2.0 * n)
    value = float(terms.mean() + offset)
    se = float(terms.std(ddof=1) / math.sqrt(n)) if n > 1 else math.inf
    return Estimate(value=value, stderr=se, ci=(value - z * se, value + z * se), curve=None,
                    critic=None, method=f"histogram plug-in MI ({bins} {binning} bins per "
                                        f"coordinate)",
                    details={"bins": bins, "binning": binning, "correction": correction,
                             "n": n, "occupied_cells": counts["xy"][1],
                             "occupied_x": counts["x"][1], "occupied_y": counts["y"][1]},
                    confidence=confidence)
