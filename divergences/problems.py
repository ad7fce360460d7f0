r"""Ground-truth problems for benchmarking estimators.

Each problem samples with an explicit ``rng`` and states its true values in
``truth`` (a dict from quantity name to float):

* :class:`GaussianPair`: two multivariate Gaussians; every closed form of the
  library (``kl``, ``reverse_kl``, ``jeffreys``, ``squared_hellinger``,
  ``pearson``, ``neyman``, ``alpha_0.5``, ``renyi_2``, ...) and, in 1-D, ``w1``/``w2``;
* :class:`CorrelatedGaussians`: :math:`y = \rho x + \sqrt{1-\rho^2}\varepsilon` in d
  dimensions, ``mi`` = :math:`-\frac d2\log(1-\rho^2)`, optionally with an
  MI-preserving per-coordinate monotone transform of y (cubic, asinh, ...);
* :class:`DiscretePair`: two PMFs on {0, ..., k-1}; every f of the table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ._array import check_int, check_real, numpy_rng

__all__ = ["GaussianPair", "CorrelatedGaussians", "CorrelatedStudentT", "DiscretePair",
           "mi_staircase", "student_t_mutual_information", "suite", "SUITES"]


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
    >>> from divergences.problems import GaussianPair
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
        from .gaussian import gaussian_f_divergence, renyi_divergence_gaussian
        from .wasserstein import normal_wasserstein_1d

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
        truth["renyi_2"] = float(renyi_divergence_gaussian(*args, alpha=2.0))
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
    from .ffunctions import get_f

    return get_f("alpha", alpha=a)


def _normal_cdf(y):
    from scipy.special import ndtr

    return ndtr(y)


_TRANSFORMS: dict = {
    "cubic": lambda y: y ** 3,
    "asinh": np.arcsinh,
    "exp": np.exp,
    "half_cube": lambda y: y * np.sqrt(np.abs(y)),     # Czyz et al. (2023)
    "normal_cdf": _normal_cdf,                          # uniform marginals
    "wiggly": lambda y: y + 0.4 * np.sin(y),            # slope 1 + 0.4 cos y >= 0.6
}


@dataclass(frozen=True)
class CorrelatedGaussians:
    r"""Pairs :math:`x \sim N(0, I_d)`, :math:`y = \rho x + \sqrt{1-\rho^2}\,\varepsilon`.

    :math:`I(X;Y) = -\frac d2 \log(1 - \rho^2)`, unchanged by a per-coordinate
    strictly monotone ``transform`` of y (``"cubic"``, ``"asinh"``, ``"exp"``,
    ``"half_cube"``, ``"normal_cdf"``, ``"wiggly"`` or a callable).  Give either
    ``rho`` or ``mi``.

    Examples
    --------
    >>> from divergences.problems import CorrelatedGaussians
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
    >>> from divergences.problems import mi_staircase
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
    >>> from divergences.problems import student_t_mutual_information
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
    >>> from divergences.problems import CorrelatedStudentT
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
class DiscretePair:
    """Two PMFs p, q on {0, ..., k-1}; ``sample(n, rng)`` -> two integer samples.

    ``truth`` holds every generator of the table (alpha at 0.5 and 2, weighted JS
    at pi = 0.3) computed exactly by :func:`divergences.f_divergence`.

    Examples
    --------
    >>> from divergences.problems import DiscretePair
    >>> prob = DiscretePair([0.5, 0.5], [0.9, 0.1])
    >>> round(prob.truth["total_variation"], 12)
    0.4
    """

    p: np.ndarray
    q: np.ndarray
    name: str = "discrete pair"
    truth: dict = field(init=False, repr=False)

    def __post_init__(self):
        from .discrete import f_divergence
        from .ffunctions import f_names, get_f

        p, q = np.asarray(self.p, float), np.asarray(self.q, float)
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "q", q)
        params = {"alpha": [{"alpha": 0.5}, {"alpha": 2.0}],
                  "weighted_jensen_shannon": [{"pi": 0.3}]}
        truth = {}
        for name in f_names():
            for kw in params.get(name, [{}]):
                key = name + "".join(f"_{v:g}" for v in kw.values())
                truth[key] = float(f_divergence(p, q, get_f(name, **kw)))
        object.__setattr__(self, "truth", truth)

    def sample(self, n, rng=None):
        gen = numpy_rng(rng)
        n = _check_n(n)
        return gen.choice(self.p.size, size=n, p=self.p), gen.choice(self.q.size, size=n, p=self.q)


#: named problem collections for :func:`~divergences.bench.bias_variance` and
#: ``divergences bench --suite NAME``
SUITES = ("mi-beyond-normal",)


def suite(name):
    """A named list of ground-truth problems.

    ``"mi-beyond-normal"``: mutual information beyond the Gaussian case, after
    the tasks of Czyz et al. (2023): a correlated Gaussian pair in 1-D and its
    MI-preserving monotone transforms (half-cube, asinh, wiggly, normal CDF),
    a 2-D Gaussian pair with MI 1 nat, and heavy-tailed Student-t pairs (dof 1,
    2 and 3).
    Every problem has ``truth["mi"]``.

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
    >>> from divergences.problems import suite
    >>> [round(p.truth["mi"], 3) for p in suite("mi-beyond-normal")][:3]
    [0.413, 0.413, 0.413]
    """
    if name != "mi-beyond-normal":
        raise ValueError(f"name must be one of {', '.join(SUITES)}, got {name!r}")
    rho = 0.75
    gauss = [CorrelatedGaussians(d=1, rho=rho, transform=t)
             for t in (None, "half_cube", "asinh", "wiggly", "normal_cdf")]
    return gauss + [
        CorrelatedGaussians(d=2, mi=1.0, name="correlated Gaussians d=2 MI=1"),
        CorrelatedStudentT(dof=1, dim_x=1, dim_y=1),
        CorrelatedStudentT(dof=2, dim_x=3, dim_y=3),
        CorrelatedStudentT(dof=3, dim_x=2, dim_y=2, rho=0.5),
    ]
