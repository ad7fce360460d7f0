"""Backend helpers: the only module that knows about numpy versus torch.

Every formula in the library is written once against a small "namespace"
object (``xp``) that exposes the operations it needs.  :func:`as_float_arrays`
converts user inputs and picks the namespace:

* numpy arrays, Python scalars and sequences -> :class:`NumpyOps`, results are
  numpy arrays (or numpy scalars for 0-d results);
* if any input is a ``torch.Tensor`` -> :class:`TorchOps`, all inputs become
  tensors on that tensor's device, the float dtype is promoted as torch would,
  and autograd is left intact.

Integer and boolean inputs are promoted to the default float dtype
(``float64`` for numpy, ``torch.get_default_dtype()`` for torch).
"""

from __future__ import annotations

import contextlib
import math
import numbers
import os
import threading
from typing import Any

import numpy as np
import scipy.special as sc

try:  # torch is a declared dependency, but keep numpy paths importable without it
    import torch
    import torch.nn.functional as _F
except ImportError:  # pragma: no cover - exercised only without torch
    torch = None

__all__ = [
    "NumpyOps",
    "TorchOps",
    "as_float_arrays",
    "is_torch",
    "check_finite",
    "check_nonnegative",
    "check_nonempty",
    "check_axis_length",
    "normalize_axis",
    "to_python_scalar",
    "as_output",
    "as_float_dict",
    "weighted_mean",
    "numpy_rng",
    "torch_rng",
]


def is_torch(x: Any) -> bool:
    """Return True if ``x`` is a torch tensor."""
    return torch is not None and isinstance(x, torch.Tensor)


# ---------------------------------------------------------------------------
# numpy namespace
# ---------------------------------------------------------------------------


class NumpyOps:
    """Array operations on numpy arrays (float results)."""

    name = "numpy"
    inf = math.inf
    nan = math.nan

    # elementwise ---------------------------------------------------------
    log = staticmethod(np.log)
    exp = staticmethod(np.exp)
    sqrt = staticmethod(np.sqrt)
    abs = staticmethod(np.abs)
    sign = staticmethod(np.sign)
    tanh = staticmethod(np.tanh)
    log1p = staticmethod(np.log1p)
    expm1 = staticmethod(np.expm1)
    isfinite = staticmethod(np.isfinite)
    isnan = staticmethod(np.isnan)
    isinf = staticmethod(np.isinf)
    xlogy = staticmethod(sc.xlogy)
    ndtr = staticmethod(sc.ndtr)
    maximum = staticmethod(np.maximum)
    minimum = staticmethod(np.minimum)
    logical_and = staticmethod(np.logical_and)
    logical_or = staticmethod(np.logical_or)
    logical_not = staticmethod(np.logical_not)

    @staticmethod
    def where(cond, a, b):
        return np.where(cond, a, b)

    @staticmethod
    def errstate():
        """Overflow to inf and underflow to 0 are the right answers, not warnings."""
        return np.errstate(over="ignore", under="ignore")

    @staticmethod
    def softplus(x):
        """log(1 + exp(x)), exact for all x."""
        return np.logaddexp(x, 0.0)

    logaddexp = staticmethod(np.logaddexp)

    @staticmethod
    def pow(x, a):
        return np.power(x, a)

    @staticmethod
    def wright_omega(x):
        """Wright omega function W(exp(x)) on real input."""
        return np.real(sc.wrightomega(x)).astype(np.result_type(x, np.float32))

    @staticmethod
    def zero_with_slope(x, slope):
        """Zeros shaped like ``x`` (the gradient hook is torch-only)."""
        return np.zeros_like(x)

    @staticmethod
    def value_with_gradient_of(value, surrogate):
        """``value`` (autograd is torch-only)."""
        return value

    # reductions ----------------------------------------------------------
    @staticmethod
    def sum(x, axis=-1):
        return np.sum(x, axis=axis)

    @staticmethod
    def mean(x, axis=-1):
        return np.mean(x, axis=axis)

    @staticmethod
    def amax_detached(x, axis=-1):
        """Maximum along ``axis`` (kept as a size-1 axis), outside any autograd graph."""
        return np.max(x, axis=axis, keepdims=True)

    @staticmethod
    def logsumexp(x, axis=-1):
        return sc.logsumexp(x, axis=axis)

    @staticmethod
    def any(x):
        return bool(np.any(x))

    @staticmethod
    def any_along(x, axis=-1):
        return np.any(x, axis=axis)

    @staticmethod
    def all(x):
        return bool(np.all(x))

    # construction --------------------------------------------------------
    @staticmethod
    def full_like(x, value):
        return np.full_like(x, value)

    @staticmethod
    def zeros_like(x):
        return np.zeros_like(x)

    @staticmethod
    def eps(x):
        return float(np.finfo(x.dtype).eps)

    @staticmethod
    def tiny(x):
        """The smallest positive normal number of ``x``'s dtype."""
        return float(np.finfo(x.dtype).tiny)

    @staticmethod
    def finfo_max(x):
        """The largest finite number of ``x``'s dtype."""
        return float(np.finfo(x.dtype).max)

    @staticmethod
    def moveaxis(x, source, dest):
        return np.moveaxis(x, source, dest)

    @staticmethod
    def broadcast_arrays(*xs):
        return np.broadcast_arrays(*xs)

    @staticmethod
    def shape(x):
        return tuple(x.shape)

    # sorting and searching (last axis) ---------------------------------------
    @staticmethod
    def sort(x):
        return np.sort(x, axis=-1)

    @staticmethod
    def sort_with_indices(x, stable=False):
        idx = np.argsort(x, axis=-1, kind="stable" if stable else None)
        return np.take_along_axis(x, idx, axis=-1), idx

    @staticmethod
    def arange_like(x):
        """0, 1, ..., n-1 for the last axis of ``x`` (integers)."""
        return np.arange(x.shape[-1])

    @staticmethod
    def count_before(mask):
        """Number of True entries strictly before each position (last axis)."""
        c = np.cumsum(mask, axis=-1, dtype=np.intp)
        c -= mask
        return c

    @staticmethod
    def run_pair(fn_a, fn_b, size):
        """``(fn_a(), fn_b())``, the two in separate threads when ``size`` is large.

        numpy releases the GIL in sorts, gathers and cumulative sums, so on a
        machine with several cores the two halves of a two-sample computation
        run concurrently.  Small inputs stay on the calling thread.
        """
        if size < 1 << 17 or (os.cpu_count() or 1) < 2:
            return fn_a(), fn_b()
        box = {}

        def target():
            box["b"] = fn_b()

        worker = threading.Thread(target=target)
        worker.start()
        try:
            ra = fn_a()
        finally:
            worker.join()
        if "b" not in box:  # the worker raised: compute again here to surface the error
            return ra, fn_b()
        return ra, box["b"]

    @staticmethod
    def sq_dists(a, b):
        """Squared Euclidean distances between the rows of a and b, clipped at 0 (in place)."""
        out = a @ b.T
        out *= -2.0
        out += np.einsum("ij,ij->i", a, a)[:, None]
        out += np.einsum("ij,ij->i", b, b)[None, :]
        return np.maximum(out, 0.0, out=out)

    @staticmethod
    def exp_scaled_(x, factor):
        """exp(factor * x), overwriting ``x`` (a temporary the caller owns)."""
        x *= factor
        return np.exp(x, out=x)

    @staticmethod
    def sqrt_(x):
        return np.sqrt(x, out=x)

    @staticmethod
    def zero_diagonal_(x):
        """Set the main diagonal of a 2-D array to 0, in place."""
        np.fill_diagonal(x, 0.0)
        return x

    @staticmethod
    def abs_diff(a, b):
        """|a - b|, written into ``a`` (a temporary the caller owns) for numpy."""
        np.subtract(a, b, out=a)
        return np.abs(a, out=a)

    @staticmethod
    def take(x, idx):
        """``x[..., idx[..., k]]`` along the last axis (``x`` broadcast to idx's batch)."""
        if x.shape[:-1] != idx.shape[:-1]:
            x = np.broadcast_to(x, idx.shape[:-1] + x.shape[-1:])
        return np.take_along_axis(x, idx, axis=-1)

    @staticmethod
    def cumsum(x):
        return np.cumsum(x, axis=-1)

    @staticmethod
    def concatenate(xs, axis=-1):
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def searchsorted(sorted_x, values):
        """Batched left ``searchsorted`` along the last axis (leading axes must match)."""
        if sorted_x.ndim == 1:
            return np.searchsorted(sorted_x, values, side="left")
        batch = sorted_x.shape[:-1]
        flat = sorted_x.reshape(-1, sorted_x.shape[-1])
        vals = values.reshape(flat.shape[0], -1)
        out = np.empty(vals.shape, dtype=np.intp)
        for i in range(flat.shape[0]):  # exact, and cheap next to the sorts
            out[i] = np.searchsorted(flat[i], vals[i], side="left")
        return out.reshape(batch + values.shape[-1:])

    @staticmethod
    def diff_prepend_zero(x):
        return np.diff(x, axis=-1, prepend=np.zeros_like(x[..., :1]))

    @staticmethod
    def clip(x, lo, hi):
        return np.clip(x, lo, hi)

    @staticmethod
    def broadcast_to(x, shape):
        return np.broadcast_to(x, shape)

    # linear algebra ------------------------------------------------------
    @staticmethod
    def cholesky(a):
        """Batched Cholesky factor, NaN-filled where ``a`` is not PD; also the PD mask."""
        a = np.asarray(a)
        batch = a.shape[:-2]
        try:
            return np.linalg.cholesky(a), np.ones(batch, dtype=bool)
        except np.linalg.LinAlgError:
            pass
        flat = a.reshape((-1,) + a.shape[-2:])
        out = np.full_like(flat, np.nan)
        ok = np.zeros(flat.shape[0], dtype=bool)
        for i, m in enumerate(flat):
            try:
                out[i] = np.linalg.cholesky(m)
                ok[i] = True
            except np.linalg.LinAlgError:
                pass
        return out.reshape(a.shape), ok.reshape(batch)

    @staticmethod
    def solve_triangular(lower, b):
        """Solve ``lower @ x = b`` for batched lower-triangular matrices."""
        return np.linalg.solve(lower, b)

    @staticmethod
    def diagonal(a):
        return np.diagonal(a, axis1=-2, axis2=-1)

    @staticmethod
    def matrix_transpose(a):
        return np.swapaxes(a, -1, -2)

    @staticmethod
    def eye_like(a):
        return np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape)

    @staticmethod
    def to_dtype_of(x, like):
        return np.asarray(x, dtype=like.dtype)


# ---------------------------------------------------------------------------
# torch namespace
# ---------------------------------------------------------------------------

if torch is not None:

    class _ZeroWithSlope(torch.autograd.Function):
        """Forward: zeros.  Backward: ``grad * slope`` (``slope`` may be infinite).

        Used for one-sided derivatives at the boundary of a domain where the
        value contributed by a term is exactly zero but the derivative is not
        (possibly infinite).  A zero upstream gradient gives a zero gradient,
        never ``0 * inf = nan``.
        """

        @staticmethod
        def forward(ctx, x, slope):
            ctx.slope = slope
            return torch.zeros_like(x)

        @staticmethod
        def backward(ctx, grad):
            scaled = grad * ctx.slope
            return torch.where(grad == 0, torch.zeros_like(grad), scaled), None


class TorchOps:
    """Array operations on torch tensors (any device, autograd intact)."""

    name = "torch"
    inf = math.inf
    nan = math.nan

    @staticmethod
    def log(x):
        return torch.log(x)

    @staticmethod
    def exp(x):
        return torch.exp(x)

    @staticmethod
    def sqrt(x):
        return torch.sqrt(x)

    @staticmethod
    def abs(x):
        return torch.abs(x)

    @staticmethod
    def sign(x):
        return torch.sign(x)

    @staticmethod
    def tanh(x):
        return torch.tanh(x)

    @staticmethod
    def log1p(x):
        return torch.log1p(x)

    @staticmethod
    def expm1(x):
        # torch's backward of expm1 is grad * (result + 1), which is 0 where e^x is below
        # eps (result rounds to -1): below -1, exp(x) - 1 has the same value to rounding
        # and the exact gradient e^x
        if not x.requires_grad:
            return torch.expm1(x)
        low = x < -1.0
        return torch.where(low, torch.exp(torch.where(low, x, 0.0)) - 1.0,
                           torch.expm1(torch.where(low, 0.0, x)))

    @staticmethod
    def isfinite(x):
        return torch.isfinite(x)

    @staticmethod
    def isnan(x):
        return torch.isnan(x)

    @staticmethod
    def isinf(x):
        return torch.isinf(x)

    @staticmethod
    def xlogy(x, y):
        return torch.special.xlogy(x, y)

    @staticmethod
    def ndtr(x):
        return torch.special.ndtr(x)

    @staticmethod
    def maximum(a, b):
        a, b = _torch_pair(a, b)
        return torch.maximum(a, b)

    @staticmethod
    def minimum(a, b):
        a, b = _torch_pair(a, b)
        return torch.minimum(a, b)

    @staticmethod
    def logical_and(a, b):
        return torch.logical_and(a, b)

    @staticmethod
    def logical_or(a, b):
        return torch.logical_or(a, b)

    @staticmethod
    def logical_not(a):
        return torch.logical_not(a)

    @staticmethod
    def where(cond, a, b):
        a, b = _torch_pair(a, b)
        return torch.where(cond, a, b)

    @staticmethod
    def errstate():
        return contextlib.nullcontext()

    @staticmethod
    def logaddexp(a, b):
        a, b = _torch_pair(a, b)
        return torch.logaddexp(a, b)

    @staticmethod
    def softplus(x):
        """log(1 + exp(x)), exact for all x (no threshold approximation)."""
        return torch.logaddexp(x, torch.zeros((), dtype=x.dtype, device=x.device))

    @staticmethod
    def pow(x, a):
        return torch.pow(x, a)

    @staticmethod
    def wright_omega(x):
        """Wright omega W(exp(x)) for real tensors, differentiable.

        Newton iterations on ``w + log w = x`` run without autograd; one final
        Newton step with autograd attaches the exact first derivative
        ``w / (1 + w)``.
        """
        with torch.no_grad():
            xd = x.detach()
            # starting point: exp(x) for small x, x - log x for large x
            big = xd > 1.0
            w = torch.where(big, xd - torch.log(torch.where(big, xd, torch.ones_like(xd))),
                            torch.exp(torch.clamp(xd, max=1.0)))
            w = torch.where(w > 0, w, torch.full_like(w, torch.finfo(w.dtype).tiny))
            for _ in range(8):
                w = w - (w + torch.log(w) - xd) * w / (1.0 + w)
                w = torch.clamp(w, min=torch.finfo(w.dtype).tiny)
            # far left W(e^x) = e^x (1 - e^x + ...): e^x is exact to rounding once
            # e^x < eps, and it reaches the subnormals the iteration's clamp cannot
            small = xd < math.log(torch.finfo(w.dtype).eps)
            w = torch.where(small, torch.exp(xd), w)
        safe = w > 0
        w_safe = torch.where(safe, w, torch.ones_like(w))
        w_grad = w_safe - (w_safe + torch.log(w_safe) - x) * w_safe / (1.0 + w_safe)
        return torch.where(safe, w_grad, w)

    @staticmethod
    def value_with_gradient_of(value, surrogate):
        """``value`` in the forward pass, ``surrogate``'s gradient in the backward pass.

        For exact identities whose direct backward pass loses precision, e.g. a
        degree-1 homogeneous function evaluated at rescaled arguments, s f(x/s),
        whose gradient is the unscaled gradient of f at x/s (s * (1/s) is never
        formed, so it cannot underflow).
        """
        if not surrogate.requires_grad:
            return value
        surrogate = torch.where(torch.isfinite(surrogate), surrogate, 0.0)
        return value.detach() + (surrogate - surrogate.detach())

    @staticmethod
    def zero_with_slope(x, slope):
        """Zeros shaped like ``x`` whose derivative with respect to ``x`` is ``slope``."""
        if math.isfinite(slope):
            return x * slope if slope != 0 else torch.zeros_like(x)
        return _ZeroWithSlope.apply(x, slope)

    @staticmethod
    def sum(x, axis=-1):
        return torch.sum(x, dim=axis)

    @staticmethod
    def mean(x, axis=-1):
        return torch.mean(x, dim=axis)

    @staticmethod
    def amax_detached(x, axis=-1):
        """Maximum along ``axis`` (kept as a size-1 axis), outside any autograd graph."""
        return torch.amax(x.detach(), dim=axis, keepdim=True)

    @staticmethod
    def logsumexp(x, axis=-1):
        return torch.logsumexp(x, dim=axis)

    @staticmethod
    def any(x):
        return bool(torch.any(x))

    @staticmethod
    def any_along(x, axis=-1):
        return torch.any(x, dim=axis)

    @staticmethod
    def all(x):
        return bool(torch.all(x))

    @staticmethod
    def full_like(x, value):
        return torch.full_like(x, value)

    @staticmethod
    def zeros_like(x):
        return torch.zeros_like(x)

    @staticmethod
    def eps(x):
        return float(torch.finfo(x.dtype).eps)

    @staticmethod
    def tiny(x):
        """The smallest positive normal number of ``x``'s dtype."""
        return float(torch.finfo(x.dtype).tiny)

    @staticmethod
    def finfo_max(x):
        """The largest finite number of ``x``'s dtype."""
        return float(torch.finfo(x.dtype).max)

    @staticmethod
    def moveaxis(x, source, dest):
        return torch.movedim(x, source, dest)

    @staticmethod
    def broadcast_arrays(*xs):
        return torch.broadcast_tensors(*xs)

    @staticmethod
    def shape(x):
        return tuple(x.shape)

    @staticmethod
    def sort(x):
        return torch.sort(x, dim=-1).values

    @staticmethod
    def sort_with_indices(x, stable=False):
        out = torch.sort(x, dim=-1, stable=stable)
        return out.values, out.indices

    @staticmethod
    def arange_like(x):
        return torch.arange(x.shape[-1], device=x.device)

    @staticmethod
    def count_before(mask):
        m = mask.to(torch.int64)
        return torch.cumsum(m, dim=-1) - m

    @staticmethod
    def run_pair(fn_a, fn_b, size):
        """``(fn_a(), fn_b())`` in order (torch parallelises inside its kernels)."""
        return fn_a(), fn_b()

    @staticmethod
    def sq_dists(a, b):
        out = (a * a).sum(-1)[:, None] + (b * b).sum(-1)[None, :] - 2.0 * (a @ b.T)
        return torch.clamp(out, min=0.0)

    @staticmethod
    def exp_scaled_(x, factor):
        return torch.exp(x * factor)

    @staticmethod
    def sqrt_(x):
        return torch.sqrt(x)

    @staticmethod
    def zero_diagonal_(x):
        n = min(x.shape[-2], x.shape[-1])
        idx = torch.arange(n, device=x.device)
        out = x.clone()
        out[idx, idx] = 0.0
        return out

    @staticmethod
    def abs_diff(a, b):
        return torch.abs(a - b)

    @staticmethod
    def take(x, idx):
        if x.shape[:-1] != idx.shape[:-1]:
            x = x.expand(idx.shape[:-1] + x.shape[-1:])
        return torch.gather(x, -1, idx)

    @staticmethod
    def cumsum(x):
        return torch.cumsum(x, dim=-1)

    @staticmethod
    def concatenate(xs, axis=-1):
        return torch.cat(xs, dim=axis)

    @staticmethod
    def searchsorted(sorted_x, values):
        return torch.searchsorted(sorted_x.contiguous(), values.contiguous(), right=False)

    @staticmethod
    def diff_prepend_zero(x):
        return torch.diff(x, dim=-1, prepend=torch.zeros_like(x[..., :1]))

    @staticmethod
    def clip(x, lo, hi):
        return torch.clamp(x, lo, hi)

    @staticmethod
    def broadcast_to(x, shape):
        return x.expand(shape)

    @staticmethod
    def cholesky(a):
        lower, info = torch.linalg.cholesky_ex(a)
        return lower, info == 0

    @staticmethod
    def solve_triangular(lower, b):
        return torch.linalg.solve_triangular(lower, b, upper=False)

    @staticmethod
    def diagonal(a):
        return torch.diagonal(a, dim1=-2, dim2=-1)

    @staticmethod
    def matrix_transpose(a):
        return torch.transpose(a, -1, -2)

    @staticmethod
    def eye_like(a):
        return torch.eye(a.shape[-1], dtype=a.dtype, device=a.device).expand(a.shape)

    @staticmethod
    def to_dtype_of(x, like):
        return torch.as_tensor(x, dtype=like.dtype, device=like.device)


def _torch_pair(a, b):
    """Make scalars in a binary op tensors matching the tensor operand."""
    if not isinstance(a, torch.Tensor):
        a = torch.as_tensor(a, dtype=b.dtype, device=b.device)
    elif not isinstance(b, torch.Tensor):
        b = torch.as_tensor(b, dtype=a.dtype, device=a.device)
    return a, b


NUMPY = NumpyOps()
TORCH = TorchOps()


# ---------------------------------------------------------------------------
# conversion
# ---------------------------------------------------------------------------


def _from_ecosystem(x: Any) -> Any:
    """Arrays of other libraries: ``__array__`` -> numpy, else ``__dlpack__`` -> torch.

    numpy arrays, torch tensors, numbers and sequences pass unchanged.  Anything that
    numpy can read (JAX and xarray arrays, pandas objects, CPU CuPy via its
    ``__array__``...) becomes a numpy array, so results come back as numpy; an object
    that offers only DLPack (a GPU array of another library) becomes a torch tensor on
    its device without a copy, so results come back as torch tensors.
    """
    if is_torch(x) or isinstance(x, (np.ndarray, numbers.Number, np.generic, list, tuple,
                                     str, bytes, dict)) or x is None:
        return x
    if hasattr(x, "__array__"):
        return np.asarray(x)
    if hasattr(x, "__dlpack__") and torch is not None:
        return torch.from_dlpack(x)
    return x


def _check_type(name: str, x: Any) -> None:
    if is_torch(x) or isinstance(x, (np.ndarray, numbers.Number, np.generic)):
        return
    if isinstance(x, (list, tuple)):
        return
    raise TypeError(
        f"{name} must be a numpy array, a torch tensor, an array-like (__array__ or "
        f"__dlpack__), a number or a sequence of numbers, got {type(x).__name__}"
    )


def _numpy_float(name: str, x: Any) -> np.ndarray:
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged sequences and the like
        raise TypeError(f"{name} could not be converted to an array: {exc}") from None
    if arr.dtype.kind == "c":
        raise TypeError(f"{name} must be real-valued, got complex dtype {arr.dtype}")
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    return arr


def as_float_dict(**named: Any):
    """Like :func:`as_float_arrays` for optional inputs: ``None`` values stay ``None``.

    Returns ``xp`` and a dict from each name to its converted array (or None).
    """
    present = {k: v for k, v in named.items() if v is not None}
    xp, arrays = as_float_arrays(**present)
    converted = dict(zip(present, arrays))
    return xp, {k: converted.get(k) for k in named}


def weighted_mean(xp, values, weights=None):
    """Mean over the last axis, weighted if ``weights`` is given.

    Points of zero weight never contribute, even where the value is infinite.
    The weights are first divided by their largest entry (a constant for
    autograd: the mean does not depend on the weights' scale), so that weights
    whose sum overflows (1e308 + 1e308) or that are subnormal (5e-324) give the
    right mean instead of NaN or 0.
    """
    if weights is None:
        return xp.mean(values, axis=-1)
    top = xp.amax_detached(weights, axis=-1)
    weights = weights / xp.where(top > 0, top, 1.0)
    terms = xp.where(weights > 0, weights * xp.where(weights > 0, values, 0.0), 0.0)
    return xp.sum(terms, axis=-1) / xp.sum(weights, axis=-1)


def check_weights(xp, name: str, w, like=None, like_name: str | None = None):
    """Validate sample weights: finite, non-negative, a positive entry per problem.

    The positive-total check looks for a positive entry rather than summing,
    so that it neither overflows nor misses subnormal weights.  With ``like``
    (the values they weight, named ``like_name``) the weights must have the
    values' length along the last axis and broadcast against them.  Returns
    ``w`` (None passes through).
    """
    if w is None:
        return None
    if like is not None:
        ok = w.ndim >= 1 and like.ndim >= 1 and w.shape[-1] == like.shape[-1]
        if ok:
            try:
                np.broadcast_shapes(tuple(w.shape), tuple(like.shape))
            except ValueError:
                ok = False
        if not ok:
            raise ValueError(f"{name} of shape {tuple(w.shape)} does not match {like_name} of "
                             f"shape {tuple(like.shape)} (one weight per value, along the "
                             f"last axis)")
    check_finite(xp, name, w)
    if xp.any(w < 0):
        raise ValueError(f"{name} has negative entries")
    if w.ndim == 0 or w.shape[-1] == 0 or not xp.all(xp.any_along(w > 0)):
        raise ValueError(f"{name} must have a positive total (at least one positive weight "
                         f"along the sample axis)")
    return w


def two_sample_values(t_p, t_q, weights_p=None, weights_q=None, names=("t_p", "t_q")):
    """Convert and validate per-sample values of two samples and their optional weights.

    The values (critic outputs, logits, discriminator outputs) must be non-empty
    along the last axis and free of NaN; the weights pass :func:`check_weights`
    against them.  ``names`` are the caller's argument names for the values;
    the weights are always ``weights_p``/``weights_q``.  Returns
    ``xp, values_p, values_q, weights_p, weights_q``.
    """
    for name, value in zip(names, (t_p, t_q)):
        if value is None:
            raise TypeError(f"{name} must be an array of values, got None")
    xp, arrays = as_float_dict(**{names[0]: t_p, names[1]: t_q, "weights_p": weights_p,
                                  "weights_q": weights_q})
    for wname, name in zip(("weights_p", "weights_q"), names):
        _check_values(xp, name, arrays[name], wname, arrays[wname])
    return xp, arrays[names[0]], arrays[names[1]], arrays["weights_p"], arrays["weights_q"]


def one_sample_values(t, weights=None, name="t", weights_name="weights"):
    """Convert and validate per-sample values of one sample and their optional weights,
    as :func:`two_sample_values` does for two.  Returns ``xp, values, weights``."""
    if t is None:
        raise TypeError(f"{name} must be an array of values, got None")
    xp, arrays = as_float_dict(**{name: t, weights_name: weights})
    _check_values(xp, name, arrays[name], weights_name, arrays[weights_name])
    return xp, arrays[name], arrays[weights_name]


def _check_values(xp, name, a, weights_name, w):
    if a.ndim == 0 or a.shape[-1] == 0:
        raise ValueError(f"{name} is empty (the values go along the last axis)")
    if bool(xp.any(xp.isnan(a))):
        raise ValueError(f"{name} contains NaN")
    check_weights(xp, weights_name, w, like=a, like_name=name)


def is_real(x: Any) -> bool:
    """True for a real number given as a scalar: Python or numpy ints and floats, not bools.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences._array import is_real
    >>> is_real(0.5), is_real(np.float32(0.5)), is_real(np.int64(2)), is_real(True), is_real("1")
    (True, True, True, False, False)
    """
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def check_int(name: str, value: Any, low: int | None = None, *, allow_none: bool = False):
    """``value`` as a Python int (numpy integers accepted, bools refused), at least ``low``.

    TypeError for a value that is not an integer, ValueError below ``low``;
    both messages name the argument.  ``None`` passes through if ``allow_none``.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int{' or None' if allow_none else ''}, "
                        f"got {type(value).__name__} {value!r}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}")
    return int(value)


def check_real(name: str, value: Any, low: float | None = None, high: float | None = None, *,
               closed: str = "neither", allow_inf: bool = False, allow_none: bool = False):
    """``value`` as a Python float (numpy scalars accepted, bools and strings refused).

    ``low``/``high`` bound it; ``closed`` is ``"neither"``, ``"left"``,
    ``"right"`` or ``"both"`` (which ends are allowed).  NaN is always refused,
    infinities unless ``allow_inf``.  TypeError for a non-number, ValueError
    out of range; both name the argument.
    """
    if value is None and allow_none:
        return None
    if not is_real(value):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    v = float(value)
    if math.isnan(v) or (math.isinf(v) and not allow_inf):
        raise ValueError(f"{name} must be a finite number, got {v}")
    lo_ok = low is None or (v >= low if closed in ("left", "both") else v > low)
    hi_ok = high is None or (v <= high if closed in ("right", "both") else v < high)
    if not (lo_ok and hi_ok):
        left = "-inf" if low is None else low
        right = "inf" if high is None else high
        bracket = ("[" if closed in ("left", "both") and low is not None else "(",
                   "]" if closed in ("right", "both") and high is not None else ")")
        raise ValueError(f"{name} must lie in {bracket[0]}{left}, {right}{bracket[1]}, got {v}")
    return v


def check_bool(name: str, value: Any) -> bool:
    """``value`` if it is a bool (numpy bools accepted), else TypeError naming the argument."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_callable(name: str, value: Any):
    """``value`` if it is callable, else TypeError naming the argument."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {type(value).__name__} {value!r}")
    return value


def check_device(device):
    """``torch.device(device)``, or ValueError if it is malformed or not available here."""
    import torch

    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device {device!r} is not a torch device: {exc}") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} is not available: this torch has no usable CUDA")
    if dev.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"device {device!r} is not available here")
    return dev


def _is_weak(x: Any) -> bool:
    """Python scalars and sequences do not take part in dtype promotion."""
    return isinstance(x, (int, float, list, tuple)) and not isinstance(x, np.generic)


def as_float_arrays(**named: Any):
    """Convert named inputs to float arrays of one backend.

    Parameters
    ----------
    **named
        The inputs, keyed by the argument names used in error messages.

    Returns
    -------
    xp, arrays
        The backend namespace and the converted arrays in the given order.
        With any torch tensor among the inputs every input becomes a tensor on
        that tensor's device; the float dtype is the promoted dtype of the
        array inputs (Python scalars do not promote).
    """
    named = {name: _from_ecosystem(x) for name, x in named.items()}
    for name, x in named.items():
        _check_type(name, x)
    tensors = [x for x in named.values() if is_torch(x)]
    if tensors:
        device = tensors[0].device
        for name, x in named.items():
            if is_torch(x) and x.device != device:
                raise ValueError(
                    f"{name} is on device {x.device} but other inputs are on {device}"
                )
            if is_torch(x) and x.is_complex():
                raise TypeError(f"{name} must be real-valued, got {x.dtype}")
            if is_torch(x) and x.is_meta:
                raise ValueError(f"{name} is a meta tensor (a shape without data): move it to "
                                 f"a real device, e.g. {name}.to_empty(device='cpu') and fill it")
        dtype = None
        for x in named.values():
            if is_torch(x) and x.is_floating_point():
                dtype = x.dtype if dtype is None else torch.promote_types(dtype, x.dtype)
            elif isinstance(x, np.ndarray) and x.dtype.kind == "f":
                d = torch.from_numpy(np.empty(0, dtype=x.dtype)).dtype
                dtype = d if dtype is None else torch.promote_types(dtype, d)
        if dtype is None:
            dtype = torch.get_default_dtype()
        out = []
        for name, x in named.items():
            if is_torch(x):
                out.append(x if x.dtype == dtype else x.to(dtype))
            else:
                arr = _numpy_float(name, x)
                out.append(torch.as_tensor(arr, dtype=dtype, device=device))
        return TORCH, out
    arrays = {name: _numpy_float(name, x) for name, x in named.items()}
    float_dtypes = [
        a.dtype for n, a in arrays.items()
        if a.dtype.kind == "f" and not _is_weak(named[n])
    ]
    dtype = np.result_type(*float_dtypes) if float_dtypes else np.dtype(np.float64)
    if dtype not in (np.float16, np.float32, np.float64):
        dtype = np.dtype(np.float64)
    out = [a if a.dtype == dtype else a.astype(dtype) for a in arrays.values()]
    return NUMPY, out


def as_output(x: Any) -> Any:
    """0-d numpy arrays become numpy scalars (as numpy ufuncs return); tensors unchanged."""
    if isinstance(x, np.ndarray) and x.ndim == 0:
        return x[()]
    return x


def numpy_rng(rng: Any) -> np.random.Generator:
    """A numpy Generator from ``rng``: None, an int seed, a numpy Generator or a torch.Generator."""
    if torch is not None and isinstance(rng, torch.Generator):
        seed = int(torch.randint(0, 2**62, (1,), generator=rng, device=rng.device).item())
        return np.random.default_rng(seed)
    if isinstance(rng, bool) or not (rng is None or isinstance(rng, (int, np.integer,
                                                                     np.random.Generator,
                                                                     np.random.SeedSequence))):
        raise TypeError(
            f"rng must be None, an int seed, a numpy Generator or a torch.Generator, "
            f"got {type(rng).__name__}")
    if isinstance(rng, (int, np.integer)) and rng < 0:
        raise ValueError(f"rng seed must be non-negative, got {rng}")
    return np.random.default_rng(rng)


def torch_rng(rng: Any, device) -> "torch.Generator":
    """A torch.Generator on ``device`` from ``rng`` (None, int, numpy Generator, torch.Generator)."""
    device = torch.device(device)
    if isinstance(rng, torch.Generator):
        if rng.device.type != device.type:
            raise ValueError(f"rng is a generator on {rng.device}, but the data is on {device}")
        return rng
    seed = int(numpy_rng(rng).integers(0, 2**62))
    gen = torch.Generator(device=device)
    gen.manual_seed(seed)
    return gen


def to_python_scalar(x: Any) -> Any:
    """Numpy 0-d values become Python floats; tensors are returned unchanged."""
    if is_torch(x):
        return x
    arr = np.asarray(x)
    if arr.ndim == 0:
        return float(arr)
    return arr


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------


def normalize_axis(axis: int, ndim: int, name: str = "axis") -> int:
    """Return ``axis`` as a non-negative index, or raise ValueError."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{name} must be an int, got {type(axis).__name__}")
    if ndim == 0:
        raise ValueError(f"{name}={axis} is invalid for 0-dimensional input")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}={axis} is out of range for input with {ndim} dimensions")
    return int(axis) % ndim


def check_finite(xp, name: str, x) -> None:
    """Raise ValueError if ``x`` contains NaN or infinity."""
    if not xp.all(xp.isfinite(x)):
        what = "NaN" if xp.any(xp.isnan(x)) else "infinite values"
        raise ValueError(f"{name} contains {what}")


def check_nonnegative(xp, name: str, x) -> None:
    """Raise ValueError if ``x`` has NaN or negative entries."""
    if xp.any(xp.isnan(x)):
        raise ValueError(f"{name} contains NaN")
    if xp.any(x < 0):
        raise ValueError(f"{name} has negative entries")


def check_nonempty(name: str, x, axis: int = -1) -> None:
    """Raise ValueError if ``x`` has length zero along ``axis`` (or no elements)."""
    shape = tuple(x.shape)
    if len(shape) == 0:
        return
    if shape[axis] == 0:
        raise ValueError(f"{name} is empty along axis {axis}")


def check_axis_length(name_a: str, a, name_b: str, b, axis: int) -> None:
    """Raise ValueError if ``a`` and ``b`` differ in length along ``axis``."""
    if a.shape[axis] != b.shape[axis]:
        raise ValueError(
            f"{name_a} and {name_b} must have the same length along axis {axis}, "
            f"got {a.shape[axis]} and {b.shape[axis]}"
        )
