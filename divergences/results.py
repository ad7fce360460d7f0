"""Result types shared by the tests and estimators of the library."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["TwoSampleResult"]


@dataclass(frozen=True)
class TwoSampleResult:
    """Outcome of a two-sample test of H0: P = Q.

    Attributes
    ----------
    statistic : float or torch.Tensor
        The observed test statistic (large values speak against H0).
    pvalue : float
        The p-value.  Permutation tests use ``(1 + #{null >= observed}) / (1 + B)``,
        which is a valid (never anti-conservative) p-value.
    method : str
        Name of the test, e.g. ``"wasserstein permutation test"``.
    n_x, n_y : int
        Sample sizes.
    null_distribution : numpy.ndarray or None
        The statistic under the B permutations (permutation tests only).
    details : dict
        Method-specific extra values.

    Examples
    --------
    >>> from divergences import TwoSampleResult
    >>> res = TwoSampleResult(statistic=0.7, pvalue=0.012, method="demo", n_x=50, n_y=40)
    >>> res.reject(0.05), res.reject(0.01)
    (True, False)
    """

    statistic: Any
    pvalue: float
    method: str
    n_x: int
    n_y: int
    null_distribution: Any = None
    details: dict = field(default_factory=dict)

    def reject(self, alpha: float = 0.05) -> bool:
        """True if H0 is rejected at level ``alpha`` (``pvalue <= alpha``).

        Examples
        --------
        >>> from divergences import TwoSampleResult
        >>> TwoSampleResult(1.0, 0.05, "demo", 10, 10).reject(0.05)
        True
        """
        if not 0.0 < alpha < 1.0:
            raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
        return bool(self.pvalue <= alpha)
