r"""Bias / variance / MSE of estimators on problems with known truth.

:func:`bias_variance` runs every estimator ``n_trials`` times on fresh samples
of every problem at every sample size and reports, per cell, the mean
estimate, bias :math:`\bar v - v^*`, variance, MSE
:math:`\frac1T\sum_t (v_t - v^*)^2` with bootstrap confidence intervals, and
the wall time per trial.  Seeds are derived from one ``rng`` per
(problem, sample size, trial), so all estimators see the same data (paired
comparisons) and the table does not depend on where the cells run.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .._backend.checks import check_int, check_real, numpy_rng
from .._backend.progress import check_progress, progress_bar
from ..estimators import classical
from ..estimators.estimate import (NEGATIVE_ESTIMATES_EXPECTED, estimate_f_divergence,
                                   estimate_mutual_information,
                                   estimate_mutual_information_batched)
from ..results import json_safe, with_non_finite

__all__ = ["MIEstimator", "FDivergenceEstimator", "ClassicalEstimator", "bias_variance",
           "BenchResult"]


# ---------------------------------------------------------------------------
# estimator specifications (picklable, so that they can run in other processes)
# ---------------------------------------------------------------------------


@contextlib.contextmanager
def _negative_estimates_expected():
    """A bias/variance study records negative estimates as values: no warning per trial.

    Per thread (a context variable), so that cells running in a threaded executor
    neither leak nor undo each other's setting.
    """

    token = NEGATIVE_ESTIMATES_EXPECTED.set(True)
    try:
        yield
    finally:
        NEGATIVE_ESTIMATES_EXPECTED.reset(token)


@dataclass(frozen=True)
class MIEstimator:
    """:func:`~divergences.estimate_mutual_information` with fixed settings; target ``"mi"``.

    Trials can run batched (one network for all trials,
    :func:`~divergences.estimate_mutual_information_batched`) when the critic is
    the default separable one.

    Examples
    --------
    >>> from divergences.benchmark.harness import MIEstimator
    >>> from divergences.benchmark.problems import CorrelatedGaussians
    >>> est = MIEstimator("infonce", steps=100, options={"hidden": 32})
    >>> value = est(CorrelatedGaussians(d=2, mi=0.5).sample(3000, rng=0), rng=0)
    >>> 0.2 < value < 0.6
    True
    """

    bound: str = "infonce"
    steps: int = 1500
    batch_size: int = 128
    lr: float = 1e-3
    options: dict = field(default_factory=dict)
    target: str = "mi"

    @property
    def batchable(self):
        return self.options.get("critic", "separable") == "separable"

    def __call__(self, sample, rng):

        x, y = sample
        with _negative_estimates_expected():
            return estimate_mutual_information(x, y, bound=self.bound, steps=self.steps,
                                               batch_size=self.batch_size, lr=self.lr, rng=rng,
                                               progress=False, **self.options).value

    def run_batched(self, samples, rng):

        x = np.stack([s[0] for s in samples])
        y = np.stack([s[1] for s in samples])
        opts = {k: v for k, v in self.options.items() if k != "critic"}
        with _negative_estimates_expected():
            ests = estimate_mutual_information_batched(x, y, bound=self.bound,
                                                       steps=self.steps,
                                                       batch_size=self.batch_size, lr=self.lr,
                                                       rng=rng, progress=False, **opts)
        return [e.value for e in ests]


@dataclass(frozen=True)
class FDivergenceEstimator:
    """:func:`~divergences.estimate_f_divergence` with fixed settings; target = the f name.

    Examples
    --------
    >>> from divergences.benchmark.harness import FDivergenceEstimator
    >>> from divergences.benchmark.problems import GaussianPair
    >>> est = FDivergenceEstimator("kl", steps=200)
    >>> est.target, 0.3 < est(GaussianPair.isotropic(1, 1.0).sample(3000, rng=0), rng=0) < 0.7
    ('kl', True)
    """

    f: str = "kl"
    bound: str = "fgan"
    steps: int = 1500
    batch_size: int = 256
    lr: float = 1e-3
    target: str = ""

    def __post_init__(self):
        if not self.target:
            object.__setattr__(self, "target", self.f)

    def __call__(self, sample, rng):

        x_p, x_q = sample
        with _negative_estimates_expected():
            return estimate_f_divergence(x_p, x_q, self.f, bound=self.bound, steps=self.steps,
                                         batch_size=self.batch_size, lr=self.lr, rng=rng,
                                         progress=False).value


CLASSICAL_ESTIMATORS = {
    # name: (function name in divergences.estimators.classical, target, takes rng)
    "ksg": ("ksg_mutual_information", "mi", False),
    "cca": ("gaussian_mi_estimate", "mi", True),
    "gaussian_copula": ("gaussian_mi_estimate", "mi", True),
    "histogram": ("histogram_mutual_information", "mi", False),
    "knn_kl": ("knn_kl_divergence", "kl", False),
}


@dataclass(frozen=True)
class ClassicalEstimator:
    """A classical (non-neural) estimator of :mod:`divergences.estimators.classical` for
    :func:`bias_variance`.

    ``name`` is one of ``"ksg"``, ``"cca"``, ``"gaussian_copula"`` (the CCA estimate
    on normal scores), ``"histogram"`` (targets ``"mi"``) or ``"knn_kl"`` (targets
    ``"kl"``); ``options`` go to the function (e.g. ``{"k": 5}``).

    Examples
    --------
    >>> from divergences.benchmark.harness import ClassicalEstimator
    >>> from divergences.benchmark.problems import CorrelatedGaussians
    >>> est = ClassicalEstimator("ksg", options={"k": 5})
    >>> prob = CorrelatedGaussians(d=1, mi=0.5)
    >>> est.target, abs(est(prob.sample(3000, rng=0), rng=0) - 0.5) < 0.05
    ('mi', True)
    """

    name: str = "ksg"
    options: dict = field(default_factory=dict)
    target: str = ""

    def __post_init__(self):
        if self.name not in CLASSICAL_ESTIMATORS:
            raise ValueError(f"name must be one of {', '.join(CLASSICAL_ESTIMATORS)}, got "
                             f"{self.name!r}")
        if not isinstance(self.options, dict):
            raise TypeError(f"options must be a dict, got {type(self.options).__name__}")
        if not self.target:
            object.__setattr__(self, "target", CLASSICAL_ESTIMATORS[self.name][1])

    def __call__(self, sample, rng):

        fn_name, _, takes_rng = CLASSICAL_ESTIMATORS[self.name]
        opts = dict(self.options)
        if self.name == "gaussian_copula":
            opts.setdefault("transform", "normal_scores")
        if takes_rng:
            opts.setdefault("rng", rng)
        return getattr(classical, fn_name)(*sample, **opts).value


@dataclass(frozen=True)
class _Callable:
    fn: Callable
    target: str

    def __call__(self, sample, rng):
        return self.fn(sample, rng)


def _as_estimator(name, est):
    if isinstance(est, tuple) and len(est) == 2 and callable(est[0]):
        return _Callable(est[0], est[1])
    if callable(est) and isinstance(getattr(est, "target", None), str):
        return est
    raise TypeError(f"estimator {name!r} must have a 'target' attribute (the truth key) or be "
                    f"a (callable, target) pair")


def _value(v):
    return float(getattr(v, "value", v))


# ---------------------------------------------------------------------------
# running cells
# ---------------------------------------------------------------------------


def _run_cell(estimator, problem, n, seeds, use_batched):
    """All trials of one (estimator, problem, n) cell: values and seconds per trial."""
    samples = [problem.sample(n, rng=np.random.default_rng(s[0])) for s in seeds]
    start = time.perf_counter()
    if use_batched:
        values = estimator.run_batched(samples, np.random.default_rng(seeds[0][1]))
    else:
        values = [_value(estimator(smp, np.random.default_rng(s[1])))
                  for smp, s in zip(samples, seeds)]
    elapsed = time.perf_counter() - start
    return np.asarray(values, dtype=np.float64), elapsed / len(seeds)


def _bootstrap(values, truth, n_boot, confidence, gen):
    """Percentile intervals of mean, bias, variance and MSE over resampled trials."""
    t = values.size
    if t < 2:
        nan = (math.nan, math.nan)
        return {"mean": nan, "bias": nan, "variance": nan, "mse": nan}
    idx = gen.integers(0, t, size=(n_boot, t))
    res = values[idx]
    stats = {"mean": res.mean(1), "variance": res.var(1, ddof=1),
             "mse": ((res - truth) ** 2).mean(1)}
    stats["bias"] = stats["mean"] - truth
    lo, hi = 50 * (1 - confidence), 50 * (1 + confidence)
    return {k: (float(np.percentile(v, lo)), float(np.percentile(v, hi)))
            for k, v in stats.items()}


def bias_variance(estimators, problems, *, sample_sizes, n_trials, rng=None, executor=None,
                  batched=True, n_bootstrap=1000, confidence=0.95, progress=None):
    r"""Measure bias, variance and MSE of estimators against known truths.

    Parameters
    ----------
    estimators : dict
        Name -> estimator.  An estimator is a callable ``est(sample, rng)``
        returning a float (or an :class:`~divergences.Estimate`) with a
        ``target`` attribute naming the key of ``problem.truth`` it estimates
        (:class:`MIEstimator`, :class:`FDivergenceEstimator`), or a pair
        ``(callable, target)``.
    problems : problem or list of problems
        Objects with ``sample(n, rng)`` and a ``truth`` dict, e.g. those of
        :mod:`divergences.benchmark.problems`.
    sample_sizes : int or list of int
    n_trials : int
        Independent trials per cell, at least 2 (variance and intervals need two).
    rng : None, int or numpy Generator
        Root of all seeds.
    executor : concurrent.futures.Executor, optional
        Runs the (estimator, problem, size) cells, e.g. a
        ``ProcessPoolExecutor`` or a Dask/Ray executor.  A cell runs the same
        computation wherever it runs, so the table is the same as in-process for a
        fixed ``rng``.
    batched : bool, default True
        Train the trials of a cell as one batched network where the estimator
        supports it, in process and in an executor alike (a batched network gives
        other numbers than the trials trained one by one, from the same seeds); each
        row's ``batched`` says which ran.
    n_bootstrap : int, default 1000
    confidence : float, default 0.95
    progress : bool or None, default None
        Report finished cells on stderr: None shows a bar only when stderr is a
        terminal; True always reports (plain lines when stderr is not a
        terminal); False is silent.

    Returns
    -------
    BenchResult

    Examples
    --------
    >>> from divergences.benchmark.harness import bias_variance
    >>> from divergences.benchmark.problems import GaussianPair
    >>> prob = GaussianPair.isotropic(d=1, shift=1.0)
    >>> mean_gap = lambda s, rng: float(s[1].mean() - s[0].mean())   # estimates w1 = 1
    >>> res = bias_variance({"mean gap": (mean_gap, "w1")}, prob, sample_sizes=[100],
    ...                     n_trials=50, rng=0)
    >>> row = res.rows[0]
    >>> abs(row["bias"]) < 0.1 and abs(row["variance"] - 0.02) < 0.01
    True
    """
    if not isinstance(estimators, dict):
        raise TypeError(f"estimators must be a dict from names to estimators, got "
                        f"{type(estimators).__name__}")
    ests = {name: _as_estimator(name, e) for name, e in estimators.items()}
    probs = list(problems) if isinstance(problems, (list, tuple)) else [problems]
    if isinstance(sample_sizes, (str, bytes)):
        raise TypeError("sample_sizes must be an int or a list of ints, got str")
    seq = [sample_sizes] if np.isscalar(sample_sizes) else list(sample_sizes)
    sizes = [check_int(f"sample_sizes[{i}]", n, 1) for i, n in enumerate(seq)]
    for name, value in (("estimators", ests), ("problems", probs), ("sample_sizes", sizes)):
        if not value:
            raise ValueError(f"{name} must be non-empty")
    n_trials = check_int("n_trials", n_trials, 2)   # a variance needs two trials
    n_bootstrap = check_int("n_bootstrap", n_bootstrap, 1)
    confidence = check_real("confidence", confidence, 0, 1)
    check_progress(progress)
    for name, est in ests.items():
        for prob in probs:
            if est.target not in prob.truth:
                raise ValueError(f"estimator {name!r} targets {est.target!r}, which problem "
                                 f"{getattr(prob, 'name', prob)!r} does not know "
                                 f"(it has {', '.join(prob.truth)})")
    gen = numpy_rng(rng)
    root = np.random.SeedSequence(int(gen.integers(0, 2**63)))
    cells = []
    children = root.spawn(len(probs) * len(sizes))
    for pi, prob in enumerate(probs):
        for si, n in enumerate(sizes):
            trials = children[pi * len(sizes) + si].spawn(n_trials)
            seeds = [tuple(int(c.generate_state(1)[0]) for c in t.spawn(2)) for t in trials]
            for name, est in ests.items():
                use_batched = bool(batched and n_trials > 1
                                   and getattr(est, "batchable", False))
                cells.append((name, est, prob, n, seeds, use_batched))
    bar = progress_bar(progress, len(cells), "bias_variance", unit="cell", delay=0.0)
    outputs = []
    if executor is None:
        for name, est, prob, n, seeds, use_batched in cells:
            outputs.append(_run_cell(est, prob, n, seeds, use_batched))
            bar.update(1, last=f"{name} on {getattr(prob, 'name', prob)} n={n}")
    else:
        futures = [executor.submit(_run_cell, est, prob, n, seeds, use_batched)
                   for _, est, prob, n, seeds, use_batched in cells]
        for (name, _, prob, n, _, _), fut in zip(cells, futures):
            outputs.append(fut.result())
            bar.update(1, last=f"{name} on {getattr(prob, 'name', prob)} n={n}")
    bar.close()
    boot_gen = np.random.default_rng(root.spawn(1)[0])
    rows = []
    for (name, est, prob, n, _, use_batched), (values, seconds) in zip(cells, outputs):
        truth = float(prob.truth[est.target])
        mean = float(values.mean())
        var = float(values.var(ddof=1)) if values.size > 1 else math.nan
        rows.append({
            "estimator": name, "problem": getattr(prob, "name", str(prob)), "n": n,
            "target": est.target, "truth": truth, "mean": mean, "bias": mean - truth,
            "variance": var, "mse": float(((values - truth) ** 2).mean()),
            "ci": _bootstrap(values, truth, n_bootstrap, confidence, boot_gen),
            "seconds_per_trial": seconds, "batched": use_batched, "values": values,
        })
    return BenchResult(rows=rows, confidence=confidence)


# ---------------------------------------------------------------------------
# the result
# ---------------------------------------------------------------------------


_COLUMNS = ("estimator", "problem", "n", "truth", "mean", "bias", "variance", "mse",
            "seconds_per_trial")


@dataclass(frozen=True)
class BenchResult:
    """Rows of a bias/variance study, one per (estimator, problem, sample size).

    Each row is a dict with ``estimator``, ``problem``, ``n``, ``target``,
    ``truth``, ``mean``, ``bias``, ``variance``, ``mse``, ``ci`` (bootstrap
    intervals of mean, bias, variance and MSE), ``seconds_per_trial``, ``batched``
    (whether the cell's trials trained as one batched network) and the raw
    ``values``.

    Examples
    --------
    >>> from divergences.benchmark.harness import bias_variance
    >>> from divergences.benchmark.problems import GaussianPair
    >>> res = bias_variance({"gap": (lambda s, rng: float(s[1].mean() - s[0].mean()), "w1")},
    ...                     GaussianPair.isotropic(1, 1.0), sample_sizes=[50], n_trials=5, rng=0)
    >>> res.to_markdown().splitlines()[0].startswith("| estimator | problem")
    True
    >>> res.to_csv().splitlines()[0].split(",")[:3]
    ['estimator', 'problem', 'n']
    """

    rows: list = field(repr=False)
    confidence: float = 0.95

    def __repr__(self) -> str:
        names = list(dict.fromkeys(r["estimator"] for r in self.rows))
        problems = list(dict.fromkeys(r["problem"] for r in self.rows))
        sizes = sorted({r["n"] for r in self.rows})
        trials = sorted({r["values"].size for r in self.rows})
        return (f"BenchResult({len(self.rows)} cell(s): {len(names)} estimator(s) "
                f"[{', '.join(names)}] x {len(problems)} problem(s) x n in {sizes}, "
                f"{'/'.join(map(str, trials))} trials each; to_markdown() for the table)")

    __str__ = __repr__

    def to_dict(self) -> dict:
        """A JSON-safe dict: ``confidence`` and ``rows`` (with the raw trial values).

        Non-finite numbers become ``None`` and are listed under ``"non_finite"``.

        Examples
        --------
        >>> import json
        >>> from divergences.benchmark.harness import bias_variance
        >>> from divergences.benchmark.problems import GaussianPair
        >>> res = bias_variance({"gap": (lambda s, rng: float(s[1].mean() - s[0].mean()), "w1")},
        ...                     GaussianPair.isotropic(1, 1.0), sample_sizes=[50], n_trials=5, rng=0)
        >>> d = json.loads(json.dumps(res.to_dict(), allow_nan=False))
        >>> d["rows"][0]["estimator"], len(d["rows"][0]["values"])
        ('gap', 5)
        """
        notes: dict = {}
        out = {"confidence": float(self.confidence),
               "rows": json_safe(self.rows, "rows", notes)}
        return with_non_finite(out, notes)

    def to_markdown(self) -> str:
        """A Markdown table (bias and MSE with their bootstrap intervals); see the class example."""
        head = ("estimator | problem | n | truth | mean | bias [CI] | variance | MSE [CI] | "
                "s/trial")
        lines = ["| " + head + " |", "|" + "---|" * 9]
        for r in self.rows:
            b, m = r["ci"]["bias"], r["ci"]["mse"]
            lines.append(
                f"| {r['estimator']} | {r['problem']} | {r['n']} | {r['truth']:.4g} | "
                f"{r['mean']:.4g} | {r['bias']:+.3g} [{b[0]:+.3g}, {b[1]:+.3g}] | "
                f"{r['variance']:.3g} | {r['mse']:.3g} [{m[0]:.3g}, {m[1]:.3g}] | "
                f"{r['seconds_per_trial']:.3g} |")
        return "\n".join(lines)

    def to_csv(self, path=None) -> str:
        """CSV text (also written to ``path`` if given), one row per cell; see the class example.

        The last column, ``values``, holds the trials' estimates separated by spaces.
        """
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        extra = [f"{k}_ci_{e}" for k in ("mean", "bias", "variance", "mse") for e in ("lo", "hi")]
        writer.writerow(list(_COLUMNS) + extra + ["trials", "values"])
        for r in self.rows:
            cis = [r["ci"][k][i] for k in ("mean", "bias", "variance", "mse") for i in (0, 1)]
            values = " ".join(repr(float(v)) for v in np.ravel(r["values"]))
            writer.writerow([r[c] for c in _COLUMNS] + cis + [r["values"].size, values])
        text = buf.getvalue()
        if path is not None:
            with open(path, "w", newline="") as fh:
                fh.write(text)
        return text

    def plot(self, path):
        """Save a figure: the estimates against the truth, and their spread.

        Robust summaries, so that one diverged trial cannot flatten the figure:
        the median estimate, every trial as a dot and the band they span
        (left), and the robust standard deviation, 1.4826 times the median
        absolute deviation (right).  Trials more than 6 robust standard
        deviations from the median are outliers: crosses inside the axes, and
        triangles on the edge with their count and extreme value beyond them.

        Needs matplotlib (``pip install 'divergences[plot]'``).

        Parameters
        ----------
        path : str or path-like
            Where to save the PNG.

        Returns
        -------
        path
            The ``path`` given.

        Examples
        --------
        >>> import os, tempfile
        >>> from divergences.benchmark.harness import bias_variance
        >>> from divergences.benchmark.problems import GaussianPair
        >>> res = bias_variance({"gap": (lambda s, rng: float(s[1].mean() - s[0].mean()), "w1")},
        ...                     [GaussianPair.isotropic(1, 1.0), GaussianPair.isotropic(1, 2.0)],
        ...                     sample_sizes=[50], n_trials=5, rng=0)
        >>> path = res.plot(os.path.join(tempfile.mkdtemp(), "bench.png"))
        >>> os.path.getsize(path) > 0
        True
        """
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            raise ImportError("BenchResult.plot needs matplotlib: pip install "
                              "'divergences[plot]' (or pip install matplotlib)") from None
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
        names = list(dict.fromkeys(r["estimator"] for r in self.rows))
        n_max = max(r["n"] for r in self.rows)
        bands = []
        for name in names:
            rows = sorted((r for r in self.rows if r["estimator"] == name and r["n"] == n_max),
                          key=lambda r: r["truth"])
            truth = [r["truth"] for r in rows]
            bands.append(_robust_band(axes[0], truth, [r["values"] for r in rows], name))
            axes[1].plot(truth, [_robust_spread(r["values"]) for r in rows], marker="o",
                         label=name)
        lims = [min(r["truth"] for r in self.rows), max(r["truth"] for r in self.rows)]
        axes[0].plot(lims, lims, "k--", lw=1, label="truth")
        _clip_outliers(axes[0], bands, include=lims)
        axes[0].set_xlabel("true value")
        axes[0].set_ylabel(f"estimate (median and trials; n = {n_max})")
        axes[0].legend(fontsize=8)
        axes[1].set_xlabel("true value")
        axes[1].set_ylabel("robust sd over trials (1.4826 MAD)")
        axes[1].set_yscale("log")
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        return path



# ---------------------------------------------------------------------------
# robust figure helpers (shared with the benchmark scripts)
# ---------------------------------------------------------------------------


def _robust_spread(values):
    """Scaled median absolute deviation (= sd for normal data), ignoring non-finite values."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return math.nan
    return float(1.4826 * np.median(np.abs(v - np.median(v))))


def _robust_band(ax, xs, samples, label, cut=6.0):
    """Plot every trial as a dot, the median as a line and the non-outlying range as a band.

    A trial is an outlier when it lies more than ``cut`` robust standard deviations
    (scaled MAD) from the median: one diverged trial in four then cannot stretch the
    band or the axes.  Returns what :func:`_clip_outliers` needs.
    """
    med, lo, hi, outliers, inside, dots = [], [], [], [], [], []
    for x, v in zip(xs, samples):
        v = np.asarray(v, dtype=float)
        finite = v[np.isfinite(v)] if np.isfinite(v).any() else np.zeros(1)
        centre = float(np.median(finite))
        spread = _robust_spread(finite)
        scale = max(spread, 1e-9 * max(abs(centre), 1.0))
        out = np.abs(finite - centre) > cut * scale
        kept = finite[~out]
        med.append(centre)
        lo.append(float(kept.min()))
        hi.append(float(kept.max()))
        outliers += [(x, float(o)) for o in finite[out]]
        inside += [float(kept.min()), float(kept.max())]
        dots += [(x, float(k)) for k in kept]
    line, = ax.plot(xs, med, marker="o", label=label)
    ax.fill_between(xs, lo, hi, alpha=0.15, color=line.get_color())
    ax.plot(*zip(*dots), ".", color=line.get_color(), ms=3, alpha=0.6)
    return {"color": line.get_color(), "outliers": outliers, "inside": inside}


def _clip_outliers(ax, bands, include=(), pad=0.15):
    """Set the y-limits from the non-outlying values and draw the outliers.

    Outliers within the limits are crosses; those beyond are triangles on the
    edge, annotated with how many there are and the most extreme value.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from divergences.benchmark.harness import _clip_outliers, _robust_band
    >>> fig, ax = plt.subplots()
    >>> band = _robust_band(ax, [1, 2], [[1.0, 1.1, 0.9, -1e70], [1.0, 1.05, 0.95, 1.02]], "est")
    >>> band["outliers"]
    [(1, -1e+70)]
    >>> _clip_outliers(ax, [band])
    >>> bool(ax.get_ylim()[0] > -1)
    True
    >>> plt.close(fig)
    """
    span = [v for b in bands for v in b["inside"]] + list(include)
    low, high = min(span), max(span)
    margin = pad * (high - low if high > low else max(abs(high), 1.0))
    low, high = low - margin, high + margin
    ax.set_ylim(low, high)
    for b in bands:
        pts = b["outliers"]
        shown = [(x, v) for x, v in pts if low <= v <= high]
        if shown:
            ax.plot(*zip(*shown), "x", color=b["color"], ms=6)
        for side, edge, marker in (("below", low, "v"), ("above", high, "^")):
            beyond = [(x, v) for x, v in pts if (v < low if side == "below" else v > high)]
            for x in dict.fromkeys(x for x, _ in beyond):
                vals = [v for xx, v in beyond if xx == x]
                extreme = min(vals) if side == "below" else max(vals)
                ax.plot([x], [edge], marker, color=b["color"], ms=8, clip_on=False)
                ax.annotate(f"{len(vals)} trial(s) {side}, to {extreme:.3g}", (x, edge),
                            textcoords="offset points", fontsize=7, color=b["color"],
                            xytext=(4, 6 if side == "below" else -12))
