"""Samples as the tests and estimators take them: 2-D coercion and exact rescaling.

``as_2d`` and ``as_2d_samples`` turn inputs of shape (n,) or (n, d) into validated
(n, d) arrays; ``power_of_two_scale`` picks the power of two by which homogeneous or
scale-invariant quantities are computed without overflow or underflow (dividing by a
power of two is exact); ``as_torch64`` moves an array to a float64 torch tensor.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .array import as_numpy_or_torch, check_finite, is_torch

__all__ = ["as_2d", "as_2d_samples", "power_of_two_scale", "power_of_two_at_least", "finfo",
           "as_torch64"]


def as_2d(name, a):
    """``a`` as an (n, d) array: a 1-D sample becomes one column; empty input raises."""
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"{name} must have shape (n,) or (n, d), got {tuple(a.shape)}")
    if a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {tuple(a.shape)})")
    return a


def as_2d_samples(x, y, *, min_size=2):
    """(xp, x, y): two finite (n, d) and (m, d) samples of one backend (numpy or torch)."""
    xp, (x, y) = as_numpy_or_torch(x=x, y=y)
    x, y = as_2d("x", x), as_2d("y", y)
    for name, a in (("x", x), ("y", y)):
        check_finite(xp, name, a)
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y must have the same dimension, got {x.shape[1]} and "
                         f"{y.shape[1]}")
    if x.shape[0] < min_size or y.shape[0] < min_size:
        raise ValueError(f"x and y need at least {min_size} samples each, got {x.shape[0]} "
                         f"and {y.shape[0]}")
    return xp, x, y


def finfo(a):
    """The float limits of ``a``'s dtype (torch or numpy/JAX dtypes)."""
    return torch.finfo(a.dtype) if is_torch(a) else np.finfo(a.dtype)


def power_of_two_scale(*arrays):
    """A power of two near the largest magnitude in ``arrays`` (1.0 if all are 0).

    Dividing by a power of two is exact, so homogeneous quantities (W_p, the energy
    distance) computed on the rescaled data and multiplied back are the same
    numbers wherever the direct computation neither overflows nor underflows, and
    finite where it would; scale-invariant ones (kernel tests with data-driven
    bandwidths, k-NN estimators) are unchanged.
    """
    amax = 0.0
    for a in arrays:
        if a is not None and math.prod(a.shape) > 0:
            # max(max, -min) instead of max(abs): no temporary array the size of the data
            lo, hi = a.detach().aminmax() if is_torch(a) else (a.min(), a.max())
            try:
                amax = max(amax, float(hi), -float(lo))
            except TypeError:  # abstract values (inside jax.jit): no rescaling
                return 1.0
    if not amax > 0 or not math.isfinite(amax):
        return 1.0
    # kept within [tiny, 1 / tiny] of the dtype: XLA (JAX) divides by multiplying with
    # the reciprocal, and flushes a subnormal reciprocal to zero
    a = next(a for a in arrays if a is not None)
    tiny = float(finfo(a).tiny)
    return min(max(math.ldexp(1.0, math.frexp(amax)[1] - 1), tiny), 1.0 / tiny)


def power_of_two_at_least(v):
    """Elementwise the smallest power of two >= ``v`` (1 where ``v`` is 0), numpy or torch.

    Computed from the exponent (``frexp``), so it is exact from subnormals to the
    float maximum; per-coordinate scales of data (the classifiers' and estimators'
    conditioning) divide by it, which loses no digits.  Above the largest finite power
    of two (``v`` > 2^1023 in float64) it is that power, not inf, so that ``v`` divided
    by it stays finite (below 2).
    """
    top = math.frexp(float(finfo(v).max))[1] - 1          # 1023 (float64), 127 (float32)
    if is_torch(v):
        mant, expo = torch.frexp(v)
        expo = torch.where(mant == 0.5, expo - 1, expo).clamp(max=top)
        return torch.where(v > 0, torch.ldexp(torch.ones_like(v), expo), torch.ones_like(v))
    mant, expo = np.frexp(v)
    expo = np.minimum(np.where(mant == 0.5, expo - 1, expo), top)
    return np.where(v > 0, np.ldexp(1.0, expo), 1.0)


def as_torch64(a, device=None):
    """A detached float64 torch tensor of a numpy array or tensor (on ``device`` if given)."""
    t = a.detach() if is_torch(a) else torch.from_numpy(np.ascontiguousarray(a))
    return t.to(device=device if device is not None else t.device, dtype=torch.float64)
