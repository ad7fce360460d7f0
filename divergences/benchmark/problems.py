r"""Ground-truth problems for benchmarking estimators.

Each problem samples with an explicit ``rng`` and states its true values in
``truth`` (a dict from quantity name to float):

* :class:`GaussianPair`: two multivariate Gaussians; every closed form of the
  library (``kl``, ``reverse_kl``, ``jeffreys``, ``squared_hellinger``,
  ``pearson``, ``neyman``, ``alpha_0.5``, ``renyi_2``, ...) and, in 1-D, ``w1``/``w2``;
* :class:`CorrelatedGaussians`: :math:`y = \rho x + \sqrt{1-\rho^2}\varepsilon` in d
  dimensions, ``mi`` = :math:`-\frac d2\log(1-\rho^2)`, optionally with an
  MI-preserving per-coordinate monotone transform of y (cubic, asinh, ...);
* :class:`CorrelatedStudentT`, :class:`AdditiveUniformNoise`, :class:`JointGaussian`:
  more MI ground truths (heavy tails, non-smooth dependence, dense/sparse
  interactions);
* :class:`DiscretePair`: two PMFs on {0, ..., k-1}; every f of the table;
* :class:`GammaPair`, :class:`BetaPair`, :class:`DirichletPair`,
  :class:`LaplacePair`, :class:`GaussianMixturePair`: non-Gaussian densities with
  exact f-divergences (closed forms, or adaptive quadrature checked against them).

:func:`suite` names collections of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Callable

import numpy as np

from .._backend.array import namespace
from .._backend.checks import check_int, check_real, numpy_rng
from ..fdiv.discrete import f_divergence, f_terms
from ..fdiv.ffunctions import f_names, get_f
from ..fdiv.gaussian import gaussian_f_divergence, renyi_divergence_gaussian
from .. import families as fam
from ..families.numerical import quadrature_f_divergence
from ..transport.wasserstein import normal_wasserstein_1d

__all__ = ["GaussianPair", "CorrelatedGaussians", "CorrelatedStudentT", "AdditiveUniformNoise",
           "JointGaussian", "DiscretePair", "GammaPair", "BetaPair", "DirichletPair",
           "LaplacePair", "GaussianMixturePair", "mi_staircase", "student_t_mutual_information",
           "suite", "SUITES"]


def _check_n(n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    return int(n)


@dataclass(frozen=True)
class GaussianPair:
    r"""P = N(mean_p, cov_p) and Q = N(mean_q, cov_q); ``sample(n, rng)`` -> (x_p, x_q).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences.benchmark.problems import GaussianPair
    >>> prob = GaussianPair.isotropic(d=2, shift=1.0)
    >>> round(prob.truth["kl"], 6)        # |shift|^2 / 2
    0.5
    >>> [a.shape for a in prob.sample(5, rng=0)]
    [(5, 2), (5, 2)]
    """

    mean_p: np.ndarray
    cov_p: np.ndarray
    mean_q: np.ndarray
    cov_q: np.ndarray
    name: str = "gaussian pair"
    truth: dict = field(init=False, repr=False)

    def __post_init__(self):

        for attr in ("mean_p", "cov_p", "mean_q", "cov_q"):
            object.__setattr__(self, attr, np.atleast_1d(np.asarray(getattr(self, attr), float)))
        for attr in ("cov_p", "cov_q"):
            c = getattr(self, attr)
            if c.ndim == 1:
                object.__setattr__(self, attr, np.diag(c))
        args = (self.mean_p, self.cov_p, self.mean_q, self.cov_q)
        truth = {name: float(gaussian_f_divergence(*args, name))
                 for name in ("kl", "reverse_kl", "jeffreys", "squared_hellinger", "pearson",
                              "neyman")}
        truth["alpha_0.5"] = float(gaussian_f_divergence(*args, _alpha(0.5)))
        truth["renyi_2"] = float(renyi_divergence_gaussian(*args, order=2.0))
        if self.mean_p.size == 1:
            sp, sq = math.sqrt(self.cov_p[0, 0]), math.sqrt(self.cov_q[0, 0])
            truth["w1"] = float(normal_wasserstein_1d(self.mean_p[0], sp, self.mean_q[0], sq))
            truth["w2"] = float(normal_wasserstein_1d(self.mean_p[0], sp, self.mean_q[0], sq, p=2))
        object.__setattr__(self, "truth", truth)

    @classmethod
    def isotropic(cls, d=1, shift=1.0, scale_q=1.0):
        """N(0, I_d) against N(shift * e_1, scale_q^2 I_d)."""
        d = check_int("d", d, 1)
        shift = check_real("shift", shift)
        scale_q = check_real("scale_q", scale_q, 0)
        mean_q = np.zeros(d)
        mean_q[0] = shift
        if d == 1:
            name = f"N(0,1) vs N({shift:g},{scale_q:g}^2)"
        else:
            mean = ",".join([f"{shift:g}"] + ["0"] * (d - 1)) if d <= 4 else f"{shift:g},0,...,0"
            name = f"N(0,I_{d}) vs N(({mean}),{scale_q:g}^2 I_{d})"
        return cls(np.zeros(d), np.eye(d), mean_q, scale_q ** 2 * np.eye(d), name=name)

    def sample(self, n, rng=None):
        gen = numpy_rng(rng)
        n = _check_n(n)
        return (gen.multivariate_normal(self.mean_p, self.cov_p, size=n),
                gen.multivariate_normal(self.mean_q, self.cov_q, size=n))


def _alpha(a):

    return get_f("alpha", alpha=a)


def _normal_cdf(y):
    from scipy.special import ndtr

    return ndtr(y)


def _bimodal(y):
    """Per coordinate, the quantile map from N(0, 1) to the mixture (N(-1, 0.25) + N(1, 0.25))/2.

    Strictly increasing, so MI-preserving; the marginals become bimodal.  The quantile
    is found by bisection on the mixture CDF matched in the lower tail (CDFs) for
    y < 0 and in the upper tail (survival functions) for y >= 0: no 1 - tiny rounding.
    """
    from scipy.special import ndtr

    y = np.asarray(y, dtype=np.float64)
    target = ndtr(-np.abs(y))                           # the smaller tail probability
    lo, hi = np.full(y.shape, -60.0), np.zeros(y.shape)  # solve in the lower tail, then mirror
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        below = 0.5 * (ndtr(2.0 * (mid + 1.0)) + ndtr(2.0 * (mid - 1.0))) < target
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return np.copysign(0.5 * (lo + hi), y)    # the mixture is symmetric about 0


def _spiral(y, speed=0.5):
    r"""Rotate the plane of the first two coordinates by :math:`	heta = \mathrm{speed}\,|y|^2`.

    A diffeomorphism (the inverse rotates back by the same angle, since the norm is
    unchanged), so MI-preserving; Czyz et al. (2023)'s spiral.
    """
    y = np.array(y, dtype=np.float64)
    theta = speed * np.sum(y * y, axis=1)
    c, s = np.cos(theta), np.sin(theta)
    a, b = y[:, 0].copy(), y[:, 1].copy()
    y[:, 0], y[:, 1] = c * a - s * b, s * a + c * b
    return y


_TRANSFORMS: dict = {
    "cubic": lambda y: y ** 3,
    "asinh": np.arcsinh,
    "exp": np.exp,
    "half_cube": lambda y: y * np.sqrt(np.abs(y)),     # Czyz et al. (2023)
    "normal_cdf": _normal_cdf,                          # uniform marginals
    "wiggly": lambda y: y + 0.4 * np.sin(y),            # slope 1 + 0.4 cos y >= 0.6
    "bimodal": _bimodal,                                # bimodal marginals
    "spiral": _spiral,                                  # not per coordinate: d >= 2
}


@dataclass(frozen=True)
class CorrelatedGaussians:
    r"""Pairs :math:`x \sim N(0, I_d)`, :math:`y = \rho x + \sqrt{1-\rho^2}\,\varepsilon`.

    :math:`I(X;Y) = -\frac d2 \log(1 - \rho^2)`, unchanged by a per-coordinate
    strictly monotone ``transform`` of y (``"cubic"``, ``"asinh"``, ``"exp"``,
    ``"half_cube"``, ``"normal_cdf"``, ``"wiggly"``, ``"bimodal"`` (the quantile
    map to a two-component Gaussian mixture) or a callable), or by the ``"spiral"``
    diffeomorphism of y (a rotation of the first two coordinates by an angle
    proportional to :math:`|y|^2`; needs d >= 2).  Give either ``rho`` or ``mi``.

    Examples
    --------
    >>> from divergences.benchmark.problems import CorrelatedGaussians
    >>> prob = CorrelatedGaussians(d=20, mi=4.0, transform="cubic")
    >>> round(prob.truth["mi"], 12), round(prob.rho, 4)
    (4.0, 0.5742)
    """

    d: int = 1
    mi: float | None = None
    rho: float | None = None
    transform: str | Callable | None = None
    name: str = ""
    truth: dict = field(init=False, repr=False)

    def __post_init__(self):
        check_int("d", self.d, 1)
        if (self.mi is None) == (self.rho is None):
            raise ValueError("give exactly one of mi and rho")
        if self.mi is not None:
            # finite: the samples of an infinite MI (rho = +-1) have no density
            mi = check_real("mi", self.mi, 0, closed="left")
            object.__setattr__(self, "rho", math.sqrt(-math.expm1(-2.0 * mi / self.d)))
            if not self.rho < 1:
                raise ValueError(f"mi={mi} is too large for d={self.d}: the correlation "
                                 f"rounds to 1 in float64")
        check_real("rho", self.rho, -1, 1)
        if isinstance(self.transform, str) and self.transform not in _TRANSFORMS:
            raise ValueError(f"transform must be one of {', '.join(_TRANSFORMS)} or a callable")
        if self.transform == "spiral" and self.d < 2:
            raise ValueError("transform='spiral' rotates a plane: it needs d >= 2")
        mi = -0.5 * self.d * math.log1p(-self.rho ** 2)
        object.__setattr__(self, "truth", {"mi": mi})
        if not self.name:
            t = self.transform if isinstance(self.transform, str) else (
                "custom" if self.transform else "")
            object.__setattr__(self, "name", f"correlated Gaussians d={self.d} MI={mi:.3g}"
                               + (f" ({t})" if t else ""))

    def sample(self, n, rng=None):
        gen = numpy_rng(rng)
        n = _check_n(n)
        x = gen.standard_normal((n, self.d))
        y = self.rho * x + math.sqrt(1 - self.rho ** 2) * gen.standard_normal((n, self.d))
        if self.transform is not None:
            fn = _TRANSFORMS[self.transform] if isinstance(self.transform, str) else self.transform
            y = fn(y)
        return x, y


def mi_staircase(d=20, mis=(2.0, 4.0, 6.0, 8.0, 10.0), transform=None):
    """The MI staircase of Poole et al. (2019): one :class:`CorrelatedGaussians` per level.

    Examples
    --------
    >>> from divergences.benchmark.problems import mi_staircase
    >>> [round(p.truth["mi"], 6) for p in mi_staircase(d=20)]
    [2.0, 4.0, 6.0, 8.0, 10.0]
    """
    if isinstance(mis, (str, bytes)) or not hasattr(mis, "__iter__"):
        raise TypeError(f"mis must be a sequence of MI values, got {type(mis).__name__}")
    mis = [check_real(f"mis[{i}]", m, 0, closed="left") for i, m in enumerate(mis)]
    return [CorrelatedGaussians(d=d, mi=m, transform=transform) for m in mis]


def student_t_mutual_information(dof, dim_x, dim_y, rho=0.0):
    r"""MI of a multivariate Student-t pair whose scale matrix has correlation ``rho``.

    For :math:`(X, Y) \sim t_\nu(0, \Sigma)`, X of dimension m and Y of dimension n,
    the MI is the Gaussian one of :math:`\Sigma` plus a term that depends on
    :math:`\nu, m, n` only (Arellano-Valle, Contreras-Reyes & Genton 2013):

    .. math::

        I = \tfrac12\log\frac{\det\Sigma_X\det\Sigma_Y}{\det\Sigma}
        + \log\frac{\Gamma(\tfrac\nu2)\Gamma(\tfrac{\nu+m+n}2)}
        {\Gamma(\tfrac{\nu+m}2)\Gamma(\tfrac{\nu+n}2)}
        + \tfrac{\nu+m}2\psi(\tfrac{\nu+m}2) + \tfrac{\nu+n}2\psi(\tfrac{\nu+n}2)
        - \tfrac{\nu+m+n}2\psi(\tfrac{\nu+m+n}2) - \tfrac\nu2\psi(\tfrac\nu2).

    Here :math:`\Sigma` pairs coordinate i of X with coordinate i of Y at
    correlation ``rho`` (for i < min(m, n)), so the Gaussian part is
    :math:`-\tfrac{\min(m,n)}2\log(1-\rho^2)`; the second part is positive:
    the shared scale makes X and Y dependent even at :math:`\rho = 0`.  The
    second part is a difference of terms of size :math:`\nu\log\nu`: its
    absolute rounding error is about :math:`10^{-16}\,\nu\log\nu` (3e-9 at
    :math:`\nu = 10^6`), while the part itself decays like :math:`1/\nu^2`.

    Parameters
    ----------
    dof : float
        Degrees of freedom :math:`\nu > 0`.
    dim_x, dim_y : int
        Dimensions m and n.
    rho : float, default 0
        Correlation of the paired coordinates in the scale matrix, in (-1, 1).

    Returns
    -------
    float
        The MI in nats.

    Examples
    --------
    >>> from divergences.benchmark.problems import student_t_mutual_information
    >>> round(student_t_mutual_information(1, 1, 1), 4)     # bmi's student-identity-1-1-1
    0.2242
    """
    from scipy.special import digamma, gammaln

    nu = check_real("dof", dof, 0)
    m, n = check_int("dim_x", dim_x, 1), check_int("dim_y", dim_y, 1)
    rho = check_real("rho", rho, -1, 1)
    gauss = -0.5 * min(m, n) * math.log1p(-rho * rho)
    h = lambda a: a * digamma(a)  # noqa: E731
    extra = (gammaln(nu / 2) + gammaln((nu + m + n) / 2) - gammaln((nu + m) / 2)
             - gammaln((nu + n) / 2) + h((nu + m) / 2) + h((nu + n) / 2)
             - h((nu + m + n) / 2) - h(nu / 2))
    return float(gauss + extra)


@dataclass(frozen=True)
class CorrelatedStudentT:
    r"""Heavy-tailed pairs: :math:`(X, Y) = (G_X, G_Y) / \sqrt{W/\nu}`, :math:`W \sim \chi^2_\nu`.

    :math:`(G_X, G_Y)` is Gaussian with unit variances and correlation ``rho``
    between coordinate i of X and of Y; the shared :math:`W` makes the pair a
    multivariate Student-t with ``dof`` degrees of freedom, whose ``truth["mi"]``
    is :func:`student_t_mutual_information`.  ``dof=1, rho=0`` in one dimension
    is bmi's ``student-identity-1-1-1`` (MI 0.2242).

    Parameters
    ----------
    dof : float, default 3
        Degrees of freedom (> 0; 1 is the Cauchy case).
    dim_x, dim_y : int, default 1
        Dimensions of X and Y.
    rho : float, default 0
        Correlation of coordinate i of X with coordinate i of Y in the scale matrix.
    name : str, optional
        Label in tables (default: built from the parameters).

    Examples
    --------
    >>> from divergences.benchmark.problems import CorrelatedStudentT
    >>> prob = CorrelatedStudentT(dof=1, dim_x=1, dim_y=1)
    >>> round(prob.truth["mi"], 4)
    0.2242
    >>> [a.shape for a in prob.sample(5, rng=0)]
    [(5, 1), (5, 1)]
    """

    dof: float = 3.0
    dim_x: int = 1
    dim_y: int = 1
    rho: float = 0.0
    name: str = ""
    truth: dict = field(init=False, repr=False)

    def __post_init__(self):
        check_real("dof", self.dof, 0)
        check_int("dim_x", self.dim_x, 1)
        check_int("dim_y", self.dim_y, 1)
        check_real("rho", self.rho, -1, 1)
        mi = student_t_mutual_information(self.dof, self.dim_x, self.dim_y, self.rho)
        object.__setattr__(self, "truth", {"mi": mi})
        if not self.name:
            object.__setattr__(self, "name", f"Student-t dof={self.dof:g} "
                                             f"{self.dim_x}x{self.dim_y} rho={self.rho:g} "
                                             f"MI={mi:.3g}")

    def sample(self, n, rng=None):
        gen = numpy_rng(rng)
        n = _check_n(n)
        k = min(self.dim_x, self.dim_y)
        gx = gen.standard_normal((n, self.dim_x))
        gy = gen.standard_normal((n, self.dim_y))
        gy[:, :k] = self.rho * gx[:, :k] + math.sqrt(1 - self.rho ** 2) * gy[:, :k]
        scale = np.sqrt(gen.chisquare(self.dof, size=(n, 1)) / self.dof)
        return gx / scale, gy / scale


@dataclass(frozen=True)
class AdditiveUniformNoise:
    r""":math:`X \sim U(0, 1)`, :math:`Y = X + N`, :math:`N \sim U(-\varepsilon, \varepsilon)`.

    :math:`I(X; Y) = h(Y) - h(N)` with :math:`h(N) = \log 2\varepsilon` and the
    trapezoidal density of Y:

    .. math::

        I = \begin{cases} \varepsilon - \log 2\varepsilon, & \varepsilon \le \tfrac12,\\
        \dfrac{1}{4\varepsilon}, & \varepsilon \ge \tfrac12. \end{cases}

    ``epsilon=0.1`` is bmi's ``1v1-additive-0.1`` (MI 1.709): the dependence is
    strong but not smooth, and Y has flat regions next to kinks.

    Parameters
    ----------
    epsilon : float, default 0.1
        Half-width of the noise, > 0.
    name : str, optional

    Examples
    --------
    >>> from divergences.benchmark.problems import AdditiveUniformNoise
    >>> prob = AdditiveUniformNoise(0.1)
    >>> round(prob.truth["mi"], 4)
    1.7094
    >>> [a.shape for a in prob.sample(4, rng=0)]
    [(4, 1), (4, 1)]
    """

    epsilon: float = 0.1
    name: str = ""
    truth: dict = field(init=False, repr=False)

    def __post_init__(self):
        eps = check_real("epsilon", self.epsilon, 0)
        mi = eps - math.log(2.0 * eps) if eps <= 0.5 else 0.25 / eps
        object.__setattr__(self, "truth", {"mi": mi})
        if not self.name:
            object.__setattr__(self, "name", f"additive uniform noise eps={eps:g} MI={mi:.3g}")

    def sample(self, n, rng=None):
        gen = numpy_rng(rng)
        n = _check_n(n)
        x = gen.uniform(0.0, 1.0, (n, 1))
        return x, x + gen.uniform(-self.epsilon, self.epsilon, (n, 1))


@dataclass(frozen=True)
class JointGaussian:
    r"""(X, Y) jointly Gaussian with covariance ``cov``; X is the first ``dim_x`` coordinates.

    .. math::

        I(X; Y) = \tfrac12\left(\log\det\Sigma_{XX} + \log\det\Sigma_{YY}
        - \log\det\Sigma\right).

    :meth:`dense` and :meth:`sparse` build the interaction structures of Czyz et
    al. (2023): every pair of coordinates correlated, or only a few X-Y pairs.

    Parameters
    ----------
    cov : array_like
        Symmetric positive-definite covariance, shape (dim_x + dim_y, dim_x + dim_y).
    dim_x : int
        Dimension of X; Y is the rest.
    name : str, optional

    Examples
    --------
    >>> from divergences.benchmark.problems import JointGaussian
    >>> round(JointGaussian.dense(5, 5, 0.5).truth["mi"], 4)     # bmi's multinormal-dense-5-5-0.5
    0.5928
    >>> prob = JointGaussian.sparse(5, 5, n_pairs=2, correlation=0.8)
    >>> round(prob.truth["mi"], 4)                               # -log(1 - 0.64)
    1.0217
    >>> [a.shape for a in prob.sample(3, rng=0)]
    [(3, 5), (3, 5)]
    """

    cov: np.ndarray
    dim_x: int
    name: str = ""
    truth: dict = field(init=False, repr=False)

    def __post_init__(self):
        cov = np.array(self.cov, dtype=np.float64)
        if cov.ndim != 2 or cov.shape[0] != cov.shape[1] or cov.shape[0] < 2:
            raise ValueError(f"cov must be a square matrix of size at least 2, got shape "
                             f"{cov.shape}")
        if not np.all(np.isfinite(cov)) or not np.allclose(cov, cov.T, rtol=0, atol=1e-12):
            raise ValueError("cov must be a finite symmetric matrix")
        dx = check_int("dim_x", self.dim_x, 1)
        if dx >= cov.shape[0]:
            raise ValueError(f"dim_x must leave at least one coordinate for Y, got {dx} of "
                             f"{cov.shape[0]}")
        logdets = []
        for block in (cov, cov[:dx, :dx], cov[dx:, dx:]):
            sign, ld = np.linalg.slogdet(block)
            if sign <= 0 or np.linalg.eigvalsh(block).min() <= 0:
                raise ValueError("cov must be positive definite")
            logdets.append(ld)
        mi = 0.5 * (logdets[1] + logdets[2] - logdets[0])
        object.__setattr__(self, "cov", cov)
        object.__setattr__(self, "truth", {"mi": float(mi)})
        if not self.name:
            object.__setattr__(self, "name", f"joint Gaussian {dx}x{cov.shape[0] - dx} "
                                             f"MI={mi:.3g}")

    @classmethod
    def dense(cls, dim_x, dim_y, correlation):
        """Every pair of the dim_x + dim_y coordinates correlated at ``correlation``."""
        dx, dy = check_int("dim_x", dim_x, 1), check_int("dim_y", dim_y, 1)
        c = check_real("correlation", correlation, -1.0 / (dx + dy - 1), 1)
        d = dx + dy
        cov = np.full((d, d), c) + (1.0 - c) * np.eye(d)
        return cls(cov, dx, name=f"dense Gaussian {dx}x{dy} corr={c:g}")

    @classmethod
    def sparse(cls, dim_x, dim_y, n_pairs, correlation):
        """X_i and Y_i correlated at ``correlation`` for i < n_pairs; all else independent."""
        dx, dy = check_int("dim_x", dim_x, 1), check_int("dim_y", dim_y, 1)
        k = check_int("n_pairs", n_pairs, 1)
        if k > min(dx, dy):
            raise ValueError(f"n_pairs must be at most min(dim_x, dim_y) = {min(dx, dy)}, got {k}")
        c = check_real("correlation", correlation, -1, 1)
        cov = np.eye(dx + dy)
        for i in range(k):
            cov[i, dx + i] = cov[dx + i, i] = c
        return cls(cov, dx, name=f"sparse Gaussian {dx}x{dy} pairs={k} corr={c:g}")

    def sample(self, n, rng=None):
        gen = numpy_rng(rng)
        n = _check_n(n)
        z = gen.multivariate_normal(np.zeros(self.cov.shape[0]), self.cov, size=n)
        return z[:, :self.dim_x], z[:, self.dim_x:]


# ---------------------------------------------------------------------------
# f-divergences between non-Gaussian densities
# ---------------------------------------------------------------------------


def _table_generators():
    """Key -> generator for every f of the table (alpha at 0.5 and 2, weighted JS at 0.3)."""

    params = {"alpha": [{"alpha": 0.5}, {"alpha": 2.0}],
              "weighted_jensen_shannon": [{"pi": 0.3}]}
    out = {}
    for name in f_names():
        for kw in params.get(name, [{}]):
            out[name + "".join(f"_{v:g}" for v in kw.values())] = get_f(name, **kw)
    return out


class _Truth(Mapping):
    """Known values plus values computed on first access (quadrature), then kept.

    Keys and membership are known at once; a value costs its quadrature only when
    read.  Picklable (it calls back a method of its problem, not a closure).
    """

    def __init__(self, owner, known, lazy_keys):
        self._owner, self._values = owner, {k: float(v) for k, v in known.items()}
        self._keys = list(known) + [k for k in lazy_keys if k not in known]

    def __getitem__(self, key):
        if key not in self._values:
            if key not in self._keys:
                raise KeyError(key)
            self._values[key] = float(self._owner._quadrature(key))
        return self._values[key]

    def __iter__(self):
        return iter(self._keys)

    def __len__(self):
        return len(self._keys)

    def __repr__(self):
        return "{" + ", ".join(f"{k!r}: {self._values[k]!r}" if k in self._values
                               else f"{k!r}: <by quadrature on first use>"
                               for k in self._keys) + "}"


def _check_positive_params(**named):
    return [check_real(name, v, 0) for name, v in named.items()]


class _DensityPair:
    """Shared machinery of the continuous pairs: truth, quadrature, sampling shape."""

    def _setup(self, known, quadrature=True):
        lazy = list(_table_generators()) if quadrature else []
        object.__setattr__(self, "truth", _Truth(self, known, lazy))

    def _quadrature(self, key):
        f = _table_generators()[key]
        lo, hi = self._support
        marks = sorted({float(v) for v in self._landmarks() if lo < v < hi})
        value, error, converged = quadrature_f_divergence(self._logpdf_p, self._logpdf_q, f,
                                                          [lo] + marks + [hi])
        if value == math.inf:
            return value
        if not converged:
            raise RuntimeError(f"quadrature of {key} did not converge (value {value!r}, error "
                               f"estimate {error:.2g}); the divergence may be infinite")
        return value

    def _family_truth(self, p, q):
        """Every closed form of the table between the family members p and q."""
        out = {key: float(fam.f_divergence(p, q, f)) for key, f in _table_generators().items()
               if f.name in fam.CLOSED_FORM_GENERATORS}
        out.update({"renyi_0.5": float(fam.renyi_divergence(p, q, 0.5)),
                    "renyi_2": float(fam.renyi_divergence(p, q, 2.0))})
        return out


class _ExponentialFamily(_DensityPair):
    """Pairs of one family of :mod:`divergences.families`: truths from its closed forms."""

    def _closed_forms(self):
        return self._family_truth(*self._members())


@dataclass(frozen=True)
class GammaPair(_ExponentialFamily):
    r"""P = Gamma(shape_p, rate_p) against Q = Gamma(shape_q, rate_q) on (0, inf).

    Closed forms (exponential family, sufficient statistics :math:`(\log x, x)`):
    ``kl``, ``reverse_kl``, ``jeffreys``, ``squared_hellinger``, ``alpha_0.5``,
    ``alpha_2``, ``pearson``, ``neyman``, ``renyi_0.5``, ``renyi_2`` (infinite where
    the integral diverges); every other generator of the table (``total_variation``,
    ``jensen_shannon``, ...) by adaptive quadrature on first use.  ``sample(n, rng)``
    returns two (n, 1) arrays.

    Examples
    --------
    >>> from divergences.benchmark.problems import GammaPair
    >>> prob = GammaPair(2.0, 1.0, 3.0, 1.5)
    >>> round(prob.truth["kl"], 6), round(prob.truth["jensen_shannon"], 6)
    (0.053968, 0.011209)
    """

    shape_p: float = 2.0
    rate_p: float = 1.0
    shape_q: float = 3.0
    rate_q: float = 1.5
    name: str = ""
    truth: dict = field(init=False, repr=False)

    _support = (0.0, math.inf)

    def __post_init__(self):
        _check_positive_params(shape_p=self.shape_p, rate_p=self.rate_p,
                               shape_q=self.shape_q, rate_q=self.rate_q)
        if not self.name:
            object.__setattr__(self, "name", f"Gamma({self.shape_p:g},{self.rate_p:g}) vs "
                                             f"Gamma({self.shape_q:g},{self.rate_q:g})")
        self._setup(self._closed_forms())

    def _params(self, which):
        return (self.shape_p, self.rate_p) if which == "p" else (self.shape_q, self.rate_q)

    def _members(self):
        return fam.Gamma(*self._params("p")), fam.Gamma(*self._params("q"))

    def _logpdf(self, which, x):
        k, r = self._params(which)
        if x <= 0:
            return -math.inf
        return k * math.log(r) + (k - 1.0) * math.log(x) - r * x - math.lgamma(k)

    def _logpdf_p(self, x):
        return self._logpdf("p", x)

    def _logpdf_q(self, x):
        return self._logpdf("q", x)

    def _landmarks(self):
        return [k / r * s for k, r in (self._params("p"), self._params("q"))
                for s in (0.1, 1.0, 3.0)]

    def sample(self, n, rng=None):
        gen = numpy_rng(rng)
        n = _check_n(n)
        return (gen.gamma(self.shape_p, 1.0 / self.rate_p, (n, 1)),
                gen.gamma(self.shape_q, 1.0 / self.rate_q, (n, 1)))


@dataclass(frozen=True)
class BetaPair(_ExponentialFamily):
    r"""P = Beta(a_p, b_p) against Q = Beta(a_q, b_q) on (0, 1).

    Closed forms as for :class:`GammaPair` (sufficient statistics
    :math:`(\log x, \log(1 - x))`); the other generators by quadrature on first use.

    Examples
    --------
    >>> from divergences.benchmark.problems import BetaPair
    >>> prob = BetaPair(2.0, 5.0, 3.0, 3.0)
    >>> round(prob.truth["kl"], 6), round(prob.truth["total_variation"], 6)
    (0.716667, 0.45085)
    """

    a_p: float = 2.0
    b_p: float = 5.0
    a_q: float = 3.0
    b_q: float = 3.0
    name: str = ""
    truth: dict = field(init=False, repr=False)

    _support = (0.0, 1.0)

    def __post_init__(self):
        _check_positive_params(a_p=self.a_p, b_p=self.b_p, a_q=self.a_q, b_q=self.b_q)
        if not self.name:
            object.__setattr__(self, "name", f"Beta({self.a_p:g},{self.b_p:g}) vs "
                                             f"Beta({self.a_q:g},{self.b_q:g})")
        self._setup(self._closed_forms())

    def _params(self, which):
        return (self.a_p, self.b_p) if which == "p" else (self.a_q, self.b_q)

    def _members(self):
        return fam.Beta(*self._params("p")), fam.Beta(*self._params("q"))

    def _logpdf(self, which, x):
        a, b = self._params(which)
        if not 0 < x < 1:
            return -math.inf
        return ((a - 1.0) * math.log(x) + (b - 1.0) * math.log1p(-x)
                - math.lgamma(a) - math.lgamma(b) + math.lgamma(a + b))

    def _logpdf_p(self, x):
        return self._logpdf("p", x)

    def _logpdf_q(self, x):
        return self._logpdf("q", x)

    def _landmarks(self):
        return [0.5] + [a / (a + b) for a, b in (self._params("p"), self._params("q"))]

    def sample(self, n, rng=None):
        gen = numpy_rng(rng)
        n = _check_n(n)
        return gen.beta(self.a_p, self.b_p, (n, 1)), gen.beta(self.a_q, self.b_q, (n, 1))


@dataclass(frozen=True)
class DirichletPair(_ExponentialFamily):
    r"""P = Dirichlet(alpha_p) against Q = Dirichlet(alpha_q) on the simplex of K parts.

    Closed forms as for :class:`GammaPair` (sufficient statistics :math:`\log x_i`);
    no quadrature (K - 1 dimensions), so the truth holds the closed forms only.
    ``sample`` returns the first K - 1 coordinates, shape (n, K - 1): the points lie
    in a (K - 1)-dimensional set with a density, which density-based estimators need.

    Examples
    --------
    >>> from divergences.benchmark.problems import DirichletPair
    >>> prob = DirichletPair([2.0, 3.0, 4.0], [3.0, 3.0, 3.0])
    >>> round(prob.truth["kl"], 6)
    0.427868
    >>> [a.shape for a in prob.sample(4, rng=0)]
    [(4, 2), (4, 2)]
    """

    alpha_p: tuple = (2.0, 3.0, 4.0)
    alpha_q: tuple = (3.0, 3.0, 3.0)
    name: str = ""
    truth: dict = field(init=False, repr=False)

    def __post_init__(self):
        vals = []
        for nm in ("alpha_p", "alpha_q"):
            v = np.array(getattr(self, nm), dtype=np.float64).ravel()
            if v.size < 2:
                raise ValueError(f"{nm} must hold at least 2 concentrations, got {v.size}")
            for i, c in enumerate(v):
                check_real(f"{nm}[{i}]", float(c), 0)
            vals.append(v)
        if vals[0].size != vals[1].size:
            raise ValueError(f"alpha_p and alpha_q must have the same length, got "
                             f"{vals[0].size} and {vals[1].size}")
        object.__setattr__(self, "alpha_p", tuple(vals[0]))
        object.__setattr__(self, "alpha_q", tuple(vals[1]))
        if not self.name:
            fmt = lambda v: ",".join(f"{c:g}" for c in v)  # noqa: E731
            object.__setattr__(self, "name", f"Dirichlet({fmt(vals[0])}) vs "
                                             f"Dirichlet({fmt(vals[1])})")
        self._setup(self._closed_forms(), quadrature=False)

    def _members(self):
        return fam.Dirichlet(np.array(self.alpha_p)), fam.Dirichlet(np.array(self.alpha_q))

    def sample(self, n, rng=None):
        gen = numpy_rng(rng)
        n = _check_n(n)
        return (gen.dirichlet(self.alpha_p, n)[:, :-1], gen.dirichlet(self.alpha_q, n)[:, :-1])


@dataclass(frozen=True)
class LaplacePair(_DensityPair):
    r"""P = Laplace(loc_p, scale_p) against Q = Laplace(loc_q, scale_q).

    KL in closed form, with :math:`\Delta = |\mu_p - \mu_q|`,

    .. math::

        \mathrm{KL}(P\|Q) = \log\frac{b_q}{b_p} + \frac{\Delta}{b_q}
        + \frac{b_p}{b_q} e^{-\Delta/b_p} - 1,

    and every generator that is a function of the log-affinity (squared Hellinger,
    Pearson, Neyman, alpha, Rényi; :mod:`divergences.families`) exactly; the others
    (total variation, Jensen-Shannon, ...) by quadrature on first use.  ``sample`` returns two (n, 1) arrays.

    Examples
    --------
    >>> from divergences.benchmark.problems import LaplacePair
    >>> prob = LaplacePair(0.0, 1.0, 1.0, 1.5)
    >>> round(prob.truth["kl"], 6)
    0.317385
    """

    loc_p: float = 0.0
    scale_p: float = 1.0
    loc_q: float = 1.0
    scale_q: float = 1.5
    name: str = ""
    truth: dict = field(init=False, repr=False)

    _support = (-math.inf, math.inf)

    def __post_init__(self):
        check_real("loc_p", self.loc_p)
        check_real("loc_q", self.loc_q)
        _check_positive_params(scale_p=self.scale_p, scale_q=self.scale_q)
        if not self.name:
            object.__setattr__(self, "name", f"Laplace({self.loc_p:g},{self.scale_p:g}) vs "
                                             f"Laplace({self.loc_q:g},{self.scale_q:g})")

        self._setup(self._family_truth(fam.Laplace(self.loc_p, self.scale_p),
                                       fam.Laplace(self.loc_q, self.scale_q)))

    def _logpdf_p(self, x):
        return -abs(x - self.loc_p) / self.scale_p - math.log(2.0 * self.scale_p)

    def _logpdf_q(self, x):
        return -abs(x - self.loc_q) / self.scale_q - math.log(2.0 * self.scale_q)

    def _landmarks(self):
        return [m + s * b for m, b in ((self.loc_p, self.scale_p), (self.loc_q, self.scale_q))
                for s in (-30.0, -3.0, 0.0, 3.0, 30.0)]

    def sample(self, n, rng=None):
        gen = numpy_rng(rng)
        n = _check_n(n)
        return (gen.laplace(self.loc_p, self.scale_p, (n, 1)),
                gen.laplace(self.loc_q, self.scale_q, (n, 1)))


def _mixture_logpdf(weights, means, sds, x):
    terms = [math.log(w) - 0.5 * ((x - m) / s) ** 2 - math.log(s * math.sqrt(2 * math.pi))
             for w, m, s in zip(weights, means, sds)]
    top = max(terms)
    return top + math.log(sum(math.exp(t - top) for t in terms))


@dataclass(frozen=True)
class GaussianMixturePair(_DensityPair):
    r"""Two 1-D Gaussian mixtures; every generator of the table by quadrature.

    P has components ``(weights_p[i], means_p[i], sds_p[i])``, likewise Q.  No
    f-divergence between mixtures has a closed form: each value is an adaptive
    quadrature of :math:`q f(p/q)` (relative accuracy about 1e-10, checked in the
    tests against the Gaussian closed forms for one component and against Monte
    Carlo for several), computed on first use.  ``sample`` returns (n, 1) arrays.

    Examples
    --------
    >>> from divergences.benchmark.problems import GaussianMixturePair
    >>> prob = GaussianMixturePair([1/3, 1/3, 1/3], [-2.0, 0.0, 2.0], [0.5, 0.5, 0.5],
    ...                            [1.0], [0.0], [1.5])
    >>> round(prob.truth["kl"], 6), round(prob.truth["jensen_shannon"], 6)
    (0.228717, 0.056469)
    """

    weights_p: tuple
    means_p: tuple
    sds_p: tuple
    weights_q: tuple
    means_q: tuple
    sds_q: tuple
    name: str = ""
    truth: dict = field(init=False, repr=False)

    _support = (-math.inf, math.inf)

    def __post_init__(self):
        for side in ("p", "q"):
            w, m, s = (np.array(getattr(self, f"{k}_{side}"), dtype=np.float64).ravel()
                       for k in ("weights", "means", "sds"))
            if not (w.size == m.size == s.size >= 1):
                raise ValueError(f"weights_{side}, means_{side} and sds_{side} must have one "
                                 f"common positive length, got {w.size}, {m.size}, {s.size}")
            for i in range(w.size):
                check_real(f"weights_{side}[{i}]", float(w[i]), 0)
                check_real(f"means_{side}[{i}]", float(m[i]))
                check_real(f"sds_{side}[{i}]", float(s[i]), 0)
            if abs(w.sum() - 1.0) > 1e-12:
                raise ValueError(f"weights_{side} must sum to 1, got {w.sum()!r}")
            for k, v in (("weights", w), ("means", m), ("sds", s)):
                object.__setattr__(self, f"{k}_{side}", tuple(float(c) for c in v))
        if not self.name:
            object.__setattr__(self, "name", f"Gaussian mixtures ({len(self.weights_p)} vs "
                                             f"{len(self.weights_q)} components)")
        self._setup({})

    def _logpdf_p(self, x):
        return _mixture_logpdf(self.weights_p, self.means_p, self.sds_p, x)

    def _logpdf_q(self, x):
        return _mixture_logpdf(self.weights_q, self.means_q, self.sds_q, x)

    def _landmarks(self):
        return [m + k * s for ms, ss in ((self.means_p, self.sds_p), (self.means_q, self.sds_q))
                for m, s in zip(ms, ss) for k in (-40.0, -4.0, 0.0, 4.0, 40.0)]

    def sample(self, n, rng=None):
        gen = numpy_rng(rng)
        n = _check_n(n)
        out = []
        for w, m, s in ((self.weights_p, self.means_p, self.sds_p),
                        (self.weights_q, self.means_q, self.sds_q)):
            comp = gen.choice(len(w), size=n, p=np.array(w) / sum(w))
            out.append((np.array(m)[comp] + np.array(s)[comp] * gen.standard_normal(n))[:, None])
        return tuple(out)


@dataclass(frozen=True)
class DiscretePair:
    """Two PMFs p, q on {0, ..., k-1}; ``sample(n, rng)`` -> two integer samples.

    ``truth`` holds every generator of the table (alpha at 0.5 and 2, weighted JS
    at pi = 0.3) computed exactly by :func:`divergences.f_divergence`.

    Examples
    --------
    >>> from divergences.benchmark.problems import DiscretePair
    >>> prob = DiscretePair([0.5, 0.5], [0.9, 0.1])
    >>> round(prob.truth["total_variation"], 12)
    0.4
    """

    p: np.ndarray
    q: np.ndarray
    name: str = "discrete pair"
    truth: dict = field(init=False, repr=False)

    def __post_init__(self):

        p, q = np.asarray(self.p, float), np.asarray(self.q, float)
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "q", q)
        truth = {key: float(f_divergence(p, q, f)) for key, f in _table_generators().items()}
        object.__setattr__(self, "truth", truth)

    def sample(self, n, rng=None):
        gen = numpy_rng(rng)
        n = _check_n(n)
        return gen.choice(self.p.size, size=n, p=self.p), gen.choice(self.q.size, size=n, p=self.q)


#: named problem collections for :func:`~divergences.benchmark.harness.bias_variance` and
#: ``divergences bench --suite NAME``
SUITES = ("mi-beyond-normal", "f-divergence")


def suite(name):
    """A named list of ground-truth problems.

    ``"mi-beyond-normal"`` (14 problems, each with ``truth["mi"]``): mutual
    information beyond the Gaussian case, after the tasks of Czyz et al. (2023): a
    correlated Gaussian pair in 1-D and its MI-preserving monotone transforms
    (half-cube, asinh, wiggly, normal CDF, bimodal marginals), a 2-D Gaussian pair
    with MI 1 nat as it is and through the spiral diffeomorphism, additive uniform
    noise, dense and sparse interactions in 5 + 5 dimensions, and heavy-tailed
    Student-t pairs (dof 1, 2 and 3).

    ``"f-divergence"`` (6 problems): two 1-D Gaussians, and non-Gaussian pairs
    with exact values: Gamma, Beta and Dirichlet pairs (closed forms through the
    log-partition function), a Laplace pair (closed-form KL) and a three-mode
    Gaussian mixture against a Gaussian (quadrature).  Every problem has ``kl``,
    ``reverse_kl``, ``jeffreys``, ``squared_hellinger``, ``pearson``, ``neyman``
    and ``alpha_0.5`` in its truth; the 1-D non-Gaussian ones have every
    generator of the table (``jensen_shannon``, ``total_variation``, ...).

    Parameters
    ----------
    name : str
        One of :data:`SUITES`.

    Returns
    -------
    list
        Problems with ``sample(n, rng)`` and ``truth``.

    Examples
    --------
    >>> from divergences.benchmark.problems import suite
    >>> [round(p.truth["mi"], 3) for p in suite("mi-beyond-normal")][:3]
    [0.413, 0.413, 0.413]
    >>> [round(p.truth["kl"], 3) for p in suite("f-divergence")]
    [0.5, 0.054, 0.717, 0.317, 0.428, 0.229]
    """
    if name == "f-divergence":
        return [
            GaussianPair.isotropic(d=1, shift=1.0),
            GammaPair(2.0, 1.0, 3.0, 1.5),
            BetaPair(2.0, 5.0, 3.0, 3.0),
            LaplacePair(0.0, 1.0, 1.0, 1.5),
            DirichletPair((2.0, 3.0, 4.0), (3.0, 3.0, 3.0)),
            GaussianMixturePair((1 / 3, 1 / 3, 1 / 3), (-2.0, 0.0, 2.0), (0.5, 0.5, 0.5),
                                (1.0,), (0.0,), (1.5,), name="3-mode mixture vs N(0,1.5^2)"),
        ]
    if name != "mi-beyond-normal":
        raise ValueError(f"name must be one of {', '.join(SUITES)}, got {name!r}")
    rho = 0.75
    gauss = [CorrelatedGaussians(d=1, rho=rho, transform=t)
             for t in (None, "half_cube", "asinh", "wiggly", "normal_cdf", "bimodal")]
    return gauss + [
        CorrelatedGaussians(d=2, mi=1.0, name="correlated Gaussians d=2 MI=1"),
        CorrelatedGaussians(d=2, mi=1.0, transform="spiral",
                            name="correlated Gaussians d=2 MI=1 (spiral)"),
        AdditiveUniformNoise(0.1),
        JointGaussian.dense(5, 5, 0.5),
        JointGaussian.sparse(5, 5, n_pairs=2, correlation=0.8),
        CorrelatedStudentT(dof=1, dim_x=1, dim_y=1),
        CorrelatedStudentT(dof=2, dim_x=3, dim_y=3),
        CorrelatedStudentT(dof=3, dim_x=2, dim_y=2, rho=0.5),
    ]
