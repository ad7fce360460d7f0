r"""The door to every two-sample test of the library: :func:`two_sample_test`."""

from __future__ import annotations

from .aggregated import mmd_agg_test, mmd_fuse_test
from .classifier import c2st
from .deep_kernel import mmd_deep_test
from .distance import energy_test, mmd_test, wasserstein_test
from .linear import mmd_agg_inc_test, mmd_nystrom_test, mmd_rff_test

__all__ = ["TWO_SAMPLE_METHODS", "two_sample_test"]

#: the methods of :func:`two_sample_test`: name -> test function
TWO_SAMPLE_METHODS = {
    "mmd_agg": mmd_agg_test,
    "mmd_fuse": mmd_fuse_test,
    "mmd_deep": mmd_deep_test,
    "mmd": mmd_test,
    "energy": energy_test,
    "wasserstein": wasserstein_test,
    "c2st": c2st,
    "mmd_agg_inc": mmd_agg_inc_test,
    "mmd_rff": mmd_rff_test,
    "mmd_nystrom": mmd_nystrom_test,
}


def two_sample_test(x, y, method="mmd_agg", *, n_permutations=None, alternative="greater",
                    rng=None, progress=None, **options):
    r"""Two-sample test of :math:`H_0: P = Q` by name: one door to every test of the library.

    ===============  ===========================================  ===========================
    ``method``       test                                         function
    ===============  ===========================================  ===========================
    "mmd_agg"        aggregated MMD over 20 kernels (default)     :func:`mmd_agg_test`
    "mmd_fuse"       soft maximum of normalised MMDs              :func:`mmd_fuse_test`
    "mmd_deep"       MMD with a deep kernel learned on a split    :func:`mmd_deep_test`
    "mmd"            MMD, one kernel (median heuristic)           :func:`mmd_test`
    "energy"         energy distance                              :func:`energy_test`
    "wasserstein"    W_p in 1-D                                   :func:`wasserstein_test`
    "c2st"           classifier two-sample test                   :func:`c2st`
    "mmd_agg_inc"    MMDAggInc, linear time (10^5 - 10^7 points)  :func:`mmd_agg_inc_test`
    "mmd_rff"        MMD with random Fourier features, linear     :func:`mmd_rff_test`
    "mmd_nystrom"    MMD with Nyström features, linear            :func:`mmd_nystrom_test`
    ===============  ===========================================  ===========================

    The default is the aggregated MMD test: parameter-free, calibrated, and the most
    powerful of these across the benchmarks of the docs (a single median-heuristic
    kernel has no power when P and Q differ at a scale far from the typical distance).

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        Samples of P and Q, shape (n, d) and (m, d) (or 1-D).
    method : str, default "mmd_agg"
        One of :data:`TWO_SAMPLE_METHODS`.
    n_permutations : int, optional
        The number B of random relabellings the p-value is read from, with the same
        meaning for every method (for MMDAgg its B2; for C2ST relabellings of the
        held-out set, never retrainings); default: the method's own.
    alternative : {"greater", "less", "two-sided"}, default "greater"
        Which side of the permutation null counts against H0 (MMDAgg accepts
        "greater" only).
    rng : None, int, numpy Generator or torch.Generator
        Randomness of the test (permutations, splits, training).
    progress : bool or None, default None
        Progress on stderr (see the method's function).
    **options
        Method-specific settings, under their own names (e.g. ``kernel`` and
        ``bandwidth`` of :func:`mmd_test`, ``n_permutations_single`` of
        :func:`mmd_agg_test`, ``classifier`` and ``n_retrainings`` of :func:`c2st`).

    Returns
    -------
    TwoSampleResult
        The same result type for every method.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import two_sample_test
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(size=(150, 2)), rng.normal(size=(150, 2)) + 0.4
    >>> [two_sample_test(x, y, m, rng=0).pvalue < 0.05 for m in ("mmd_agg", "mmd", "energy")]
    [True, True, True]
    """
    if not isinstance(method, str) or method not in TWO_SAMPLE_METHODS:
        raise ValueError(f"method must be one of {', '.join(TWO_SAMPLE_METHODS)}, got "
                         f"{method!r}")
    if n_permutations is not None:
        options["n_permutations"] = n_permutations
    return TWO_SAMPLE_METHODS[method](x, y, alternative=alternative, rng=rng,
                                      progress=progress, **options)
