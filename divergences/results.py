"""Result types shared by the tests and estimators of the library.

Every result prints as one line (large arrays are kept as attributes but left
out of ``repr``) and has ``to_dict()``, a dict that strict JSON parsers accept:
non-finite numbers become ``None`` and ``"non_finite"`` maps each such field to
the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._backend.checks import is_real
from ._backend.deprecation import renamed_keywords, warn_user

__all__ = ["TwoSampleResult", "Estimate", "json_safe"]


def _as_number(v):
    """A Python int/float for numeric scalars (numpy, 0-d arrays and tensors), else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v)
    shape = getattr(v, "shape", None)
    if shape is not None and tuple(shape) == () and hasattr(v, "item"):
        item = v.item()
        return item if isinstance(item, (int, float)) and not isinstance(item, bool) else None
    return None


def json_safe(value, path="", non_finite=None, reasons=None):
    """Convert ``value`` to JSON-safe Python objects.

    Numbers become ``int``/``float``; NaN and infinities become ``None`` and are
    recorded in ``non_finite[path]`` (with the reason from ``reasons[path]`` if
    given, else ``"nan"``, ``"+inf"`` or ``"-inf"``); tuples, lists and arrays
    become lists; dicts are converted recursively; anything else that JSON
    cannot hold (a module, a callable) is left out.

    Parameters
    ----------
    value : object
    path : str, default ""
        Name of ``value`` in the enclosing result (used as the key of ``non_finite``).
    non_finite : dict, optional
        Collects the non-finite entries.
    reasons : dict, optional
        Explanations keyed by path.

    Returns
    -------
    object
        The converted value; entries JSON cannot hold are dropped from dicts
        and become ``None`` in lists.

    Examples
    --------
    >>> import numpy as np, json
    >>> notes = {}
    >>> json.dumps(json_safe({"a": np.float64(1.5), "b": (np.inf, 2)}, non_finite=notes))
    '{"a": 1.5, "b": [null, 2]}'
    >>> notes
    {'b[0]': '+inf'}
    """
    non_finite = {} if non_finite is None else non_finite
    reasons = reasons or {}
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    number = _as_number(value)
    if number is not None:
        if isinstance(number, float) and not math.isfinite(number):
            kind = "nan" if math.isnan(number) else ("+inf" if number > 0 else "-inf")
            non_finite[path] = reasons.get(path, kind)
            return None
        return number
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            sub = json_safe(v, f"{path}.{k}" if path else str(k), non_finite, reasons)
            if sub is not _OMIT:
                out[str(k)] = sub
        return out
    if hasattr(value, "tolist") and getattr(value, "ndim", 0) > 0:
        value = value.tolist() if not hasattr(value, "detach") else value.detach().cpu().tolist()
    if isinstance(value, (list, tuple)):
        out = [json_safe(v, f"{path}[{i}]", non_finite, reasons) for i, v in enumerate(value)]
        return [None if v is _OMIT else v for v in out]
    return _OMIT


class _Omit:
    def __repr__(self):
        return "<omitted>"


_OMIT = _Omit()


def _fmt(v, digits=4):
    """Short text for a number (float, int, 0-d tensor) in a one-line summary."""
    number = _as_number(v)
    if number is None:
        return repr(v)
    if isinstance(number, int):
        return str(number)
    return f"{number:.{digits}g}"


def with_non_finite(result: dict, non_finite: dict) -> dict:
    """Attach the ``non_finite`` reasons to a ``to_dict`` result (only if any)."""
    if non_finite:
        result["non_finite"] = non_finite
    return result


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
    null_distribution: Any = field(default=None, repr=False)
    details: dict = field(default_factory=dict, repr=False)

    def __str__(self) -> str:
        """One line: method, statistic, p-value and sample sizes.

        Examples
        --------
        >>> from divergences import TwoSampleResult
        >>> print(TwoSampleResult(0.25, 0.001, "demo test", 30, 40,
        ...                       details={"n_permutations": 999}))
        demo test: statistic = 0.25, p-value = 0.001 (n_x = 30, n_y = 40, 999 permutations)
        """
        extra = ""
        if self.details.get("n_permutations"):
            extra = f", {self.details['n_permutations']} permutations"
        return (f"{self.method}: statistic = {_fmt(self.statistic)}, p-value = "
                f"{_fmt(self.pvalue)} (n_x = {self.n_x}, n_y = {self.n_y}{extra})")

    def to_dict(self, *, include_null: bool = False) -> dict:
        """A JSON-safe dict of the result (strict JSON: no NaN or Infinity).

        Non-finite numbers become ``None`` and are listed under ``"non_finite"``
        with the reason.  The permutation null is left out unless
        ``include_null=True``.

        Examples
        --------
        >>> import json
        >>> from divergences import TwoSampleResult
        >>> res = TwoSampleResult(0.25, 0.001, "demo", 30, 40, details={"ci": (0.1, float("inf"))})
        >>> json.dumps(res.to_dict())
        '{"method": "demo", "statistic": 0.25, "pvalue": 0.001, "n_x": 30, "n_y": 40, "details": {"ci": [0.1, null]}, "non_finite": {"details.ci[1]": "+inf"}}'
        """
        notes: dict = {}
        out = {"method": self.method,
               "statistic": json_safe(self.statistic, "statistic", notes),
               "pvalue": json_safe(self.pvalue, "pvalue", notes),
               "n_x": int(self.n_x), "n_y": int(self.n_y),
               "details": json_safe(self.details, "details", notes)}
        if include_null and self.null_distribution is not None:
            out["null_distribution"] = json_safe(self.null_distribution, "null_distribution",
                                                 notes)
        return with_non_finite(out, notes)

    @renamed_keywords(alpha="level")
    def reject(self, level: float = 0.05) -> bool:
        """True if H0 is rejected at significance level ``level`` (``pvalue <= level``).

        A permutation test with B permutations cannot give a p-value below
        ``1 / (B + 1)``; asking for a smaller level warns (``UserWarning``)
        that the test can never reject, rather than quietly answering False.

        Parameters
        ----------
        level : float, default 0.05
            The significance level, in (0, 1) (``alpha=`` of earlier releases still
            works, with a ``DeprecationWarning``).

        Returns
        -------
        bool

        Examples
        --------
        >>> from divergences import TwoSampleResult
        >>> TwoSampleResult(1.0, 0.05, "demo", 10, 10).reject(0.05)
        True
        """
        if not (is_real(level) and 0.0 < level < 1.0):
            raise ValueError(f"level must lie in (0, 1), got {level!r}")
        b = self.details.get("n_permutations")
        if b and self.null_distribution is not None and 1.0 / (b + 1) > level:
            warn_user(
                f"{self.method}: with {b} permutations the smallest possible p-value is "
                f"1/{b + 1} = {1 / (b + 1):.3g} > level = {level:g}, so the test can never "
                f"reject; use n_permutations >= {math.ceil(1 / level) - 1}",
                UserWarning)
        return bool(self.pvalue <= level)


@dataclass(frozen=True)
class Estimate:
    """A divergence or mutual-information estimate.

    Attributes
    ----------
    value : float
        The bound evaluated on held-out samples with the trained critic.
    stderr : float
        Standard error of that held-out evaluation (``inf`` when it cannot be
        estimated; ``details["stderr_reason"]`` then says why).
    ci : tuple of float
        Normal confidence interval ``value +- z * stderr``.
    curve : numpy.ndarray
        The training objective at every step (not shown in ``repr``).
    critic : torch.nn.Module
        The trained critic in eval mode (not shown in ``repr``).
    method : str
    details : dict
        Settings and diagnostics (not shown in ``repr``).  The trained estimators
        set ``reliable`` (no reason for doubt found) and ``warnings`` (the reasons:
        a negative estimate of a non-negative quantity, which also raises a
        ``RuntimeWarning``; more than 1 % of held-out critic outputs outside the
        training range, clipped to it; exponential terms carried by under a tenth
        of the points), ``validation_value`` (the selected critic's value on the
        validation part), ``training_range``, ``clipped_fraction`` and
        ``skipped_steps`` (steps with a non-finite objective or gradient).
    confidence : float, default 0.95
        Level of ``ci``.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import Estimate
    >>> est = Estimate(value=1.2, stderr=0.1, ci=(1.004, 1.396), curve=np.zeros(3),
    ...                critic=None, method="demo")
    >>> est.ci[0] < est.value < est.ci[1]
    True
    >>> print(est)
    1.2 +- 0.1 (95% CI [1.004, 1.396]; demo)
    """

    value: float
    stderr: float
    ci: tuple
    curve: Any = field(repr=False)
    critic: Any = field(repr=False)
    method: str
    details: dict = field(default_factory=dict, repr=False)
    confidence: float = 0.95

    def __str__(self) -> str:
        text = (f"{_fmt(self.value)} +- {_fmt(self.stderr)} ({_fmt(100 * self.confidence, 3)}% "
                f"CI [{_fmt(self.ci[0])}, {_fmt(self.ci[1])}]; {self.method})")
        reason = self.details.get("stderr_reason")
        return text + (f" [{reason}]" if reason and not math.isfinite(self.stderr) else "")

    def to_dict(self) -> dict:
        """A JSON-safe dict (strict JSON: non-finite numbers become ``None``).

        The critic, the training curve and non-numeric details are left out;
        ``"non_finite"`` maps each ``None`` that stands for a non-finite number
        to the reason.

        Examples
        --------
        >>> import json, math
        >>> from divergences import Estimate
        >>> est = Estimate(0.4, math.inf, (-math.inf, math.inf), None, None, "demo",
        ...                {"stderr_reason": "one held-out batch"})
        >>> d = est.to_dict()
        >>> d["stderr"], d["non_finite"]["stderr"]
        (None, 'one held-out batch')
        >>> json.loads(json.dumps(d, allow_nan=False))["ci"]
        [None, None]
        """
        notes: dict = {}
        why = self.details.get("stderr_reason")
        reasons = {k: why for k in ("stderr", "ci[0]", "ci[1]")} if why else {}
        out = {"method": self.method,
               "value": json_safe(self.value, "value", notes, reasons),
               "stderr": json_safe(self.stderr, "stderr", notes, reasons),
               "ci": json_safe(tuple(self.ci), "ci", notes, reasons),
               "confidence": float(self.confidence),
               "details": json_safe(self.details, "details", notes)}
        return with_non_finite(out, notes)
