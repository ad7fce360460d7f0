"""What the array API standard lacks, in one place.

Formulas call these through the namespace object of :mod:`divergences._backend.array`
(``xp.softplus(x)``, ``xp.logsumexp(x, axis=-1)``...).  Each function is either
written once on the standard namespace, or taken from the backend's own library
(``scipy.special``, ``torch.special``, ``jax.scipy.special``) by :func:`extras`,
the single place that looks at which backend is in use.  A backend's own
implementations are listed in :data:`_NATIVE`, keyed by backend name.

Three primitives carry the automatic-differentiation differences:

* ``detach(x)``: ``x`` without a gradient (identity for numpy);
* ``tracked(x)``: whether a gradient may flow through ``x`` (a cheap test that lets
  numpy and non-grad torch skip the gradient-safe forms);
* ``zero_with_slope(x, slope)``: zeros whose derivative is ``slope`` (possibly
  infinite) and a zero upstream gradient stays zero.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import threading

import numpy as np

__all__ = ["extras"]


# ---------------------------------------------------------------------------
# written once, on the standard namespace ``xp`` plus the primitives above
# ---------------------------------------------------------------------------


def _softplus(xp, x):
    """log(1 + exp(x)), exact for all x (no threshold approximation)."""
    return xp.logaddexp(x, xp.zeros_like(x))


def _expm1(xp, x):
    """expm1 with the exact gradient e^x also where e^x is below eps.

    torch and JAX differentiate expm1 as ``grad * (result + 1)``, which is 0 where
    the result rounds to -1; below -1, exp(x) - 1 has the same value to rounding.
    """
    if not xp.tracked(x):
        return xp.ns.expm1(x)
    low = x < -1.0
    return xp.where(low, xp.exp(xp.where(low, x, 0.0)) - 1.0,
                    xp.ns.expm1(xp.where(low, 0.0, x)))


def _value_with_gradient_of(xp, value, surrogate):
    """``value`` in the forward pass, ``surrogate``'s gradient in the backward pass.

    For exact identities whose direct backward pass loses precision, e.g. a
    degree-1 homogeneous function evaluated at rescaled arguments, s f(x/s),
    whose gradient is the unscaled gradient of f at x/s (s * (1/s) is never
    formed, so it cannot underflow).
    """
    if not xp.tracked(surrogate):
        return value
    surrogate = xp.where(xp.isfinite(surrogate), surrogate, 0.0)
    return xp.detach(value) + (surrogate - xp.detach(surrogate))


def _amax_detached(xp, x, axis=-1):
    """Maximum along ``axis`` (kept as a size-1 axis), outside any gradient."""
    return xp.max(xp.detach(x), axis=axis, keepdims=True)


def _wright_omega_newton(xp, x):
    """Wright omega W(exp(x)) on real input, differentiable.

    Newton iterations on ``w + log w = x`` run on the detached input; one final
    Newton step on ``x`` itself attaches the exact first derivative ``w / (1 + w)``.
    """
    tiny = xp.finfo(x.dtype).smallest_normal
    xd = xp.detach(x)
    big = xd > 1.0
    w = xp.where(big, xd - xp.log(xp.where(big, xd, 1.0)), xp.exp(xp.minimum(xd, 1.0)))
    w = xp.where(w > 0, w, tiny)
    for _ in range(8):
        w = xp.maximum(w - (w + xp.log(w) - xd) * w / (1.0 + w), tiny)
    # far left W(e^x) = e^x (1 - e^x + ...): e^x is exact to rounding once e^x < eps,
    # and it reaches the subnormals the iteration's floor cannot
    w = xp.detach(xp.where(xd < math.log(xp.finfo(x.dtype).eps), xp.exp(xd), w))
    safe = w > 0
    w_safe = xp.where(safe, w, 1.0)
    step = w_safe - (w_safe + xp.log(w_safe) - x) * w_safe / (1.0 + w_safe)
    return xp.where(safe, step, w)


def _sort_with_indices(xp, x, stable=False):
    """Sorted last axis and the sorting indices."""
    idx = xp.argsort(x, axis=-1, stable=stable)
    return xp.take_along_axis(x, idx, axis=-1), idx


def _take_last(xp, x, idx):
    """``x[..., idx[..., k]]`` along the last axis (``x`` broadcast to idx's batch)."""
    if tuple(x.shape[:-1]) != tuple(idx.shape[:-1]):
        x = xp.broadcast_to(x, tuple(idx.shape[:-1]) + tuple(x.shape[-1:]))
    return xp.take_along_axis(x, idx, axis=-1)


def _count_before(xp, mask):
    """Number of True entries strictly before each position (last axis)."""
    m = xp.astype(mask, xp.int64)
    return xp.cumulative_sum(m, axis=-1) - m


def _eye_like(xp, a):
    """Identity matrices of ``a``'s shape, dtype and device."""
    eye = xp.eye(a.shape[-1], dtype=a.dtype, device=xp.device(a))
    return xp.broadcast_to(eye, tuple(a.shape))


def _sq_dists(xp, a, b):
    """Squared Euclidean distances between the rows of a and b, clipped at 0."""
    out = (xp.sum(a * a, axis=-1)[:, None] + xp.sum(b * b, axis=-1)[None, :]
           - 2.0 * (a @ xp.matrix_transpose(b)))
    return xp.maximum(out, 0.0)


def _zero_diagonal(xp, x):
    """``x`` with its main diagonal set to 0."""
    keep = ~xp.eye(x.shape[-2], x.shape[-1], dtype=xp.bool, device=xp.device(x))
    return xp.where(keep, x, 0.0)


def _any_true(xp, cond):
    """Whether any entry of ``cond`` is True, as a Python bool.

    Serves both ``flag`` (value checks) and ``maybe`` (branch guards); they differ
    only where values are abstract, inside ``jax.jit`` (see the JAX table).
    """
    return bool(xp.any(cond))


def _run_in_order(fn_a, fn_b, size):
    """``(fn_a(), fn_b())`` in order (the backend parallelises inside its kernels)."""
    return fn_a(), fn_b()


_GENERIC = {
    "flag": _any_true, "maybe": _any_true, "softplus": _softplus, "expm1": _expm1,
    "value_with_gradient_of": _value_with_gradient_of,
    "amax_detached": _amax_detached, "wright_omega": _wright_omega_newton,
    "sort_with_indices": _sort_with_indices, "take_last": _take_last,
    "count_before": _count_before, "eye_like": _eye_like, "sq_dists": _sq_dists,
    "zero_diagonal_": _zero_diagonal,
    "exp_scaled_": lambda xp, x, factor: xp.exp(x * factor),
    "sqrt_": lambda xp, x: xp.sqrt(x),
    "abs_diff": lambda xp, a, b: xp.abs(a - b),
}


# ---------------------------------------------------------------------------
# each backend's own library
# ---------------------------------------------------------------------------


def _numpy_any(cond):
    return bool(cond.any())     # the array's method: cheaper than np.any on small inputs


def _numpy_native():
    import scipy.special as sc

    def wright_omega(x):
        return np.real(sc.wrightomega(x)).astype(np.result_type(x, np.float32))

    def cholesky(a):
        """Batched Cholesky factor, NaN where ``a`` is not PD; also the PD mask."""
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

    def searchsorted(sorted_x, values):
        """Batched left searchsorted along the last axis (leading axes must match)."""
        if sorted_x.ndim == 1:
            return np.searchsorted(sorted_x, values, side="left")
        flat = sorted_x.reshape(-1, sorted_x.shape[-1])
        vals = values.reshape(flat.shape[0], -1)
        out = np.empty(vals.shape, dtype=np.intp)
        for i in range(flat.shape[0]):  # exact, and cheap next to the sorts
            out[i] = np.searchsorted(flat[i], vals[i], side="left")
        return out.reshape(sorted_x.shape[:-1] + values.shape[-1:])

    def run_pair(fn_a, fn_b, size):
        """``(fn_a(), fn_b())``, the two in separate threads when ``size`` is large.

        numpy releases the GIL in sorts, gathers and cumulative sums, so on a
        machine with several cores the two halves of a two-sample computation run
        concurrently.  Small inputs stay on the calling thread.
        """
        if size < 1 << 17 or (os.cpu_count() or 1) < 2:
            return fn_a(), fn_b()
        box = {}
        worker = threading.Thread(target=lambda: box.__setitem__("b", fn_b()))
        worker.start()
        try:
            ra = fn_a()
        finally:
            worker.join()
        return (ra, box["b"]) if "b" in box else (ra, fn_b())  # fn_b raised: raise here

    def sq_dists(a, b):  # in place on the product, a temporary
        out = a @ b.T
        out *= -2.0
        out += np.einsum("ij,ij->i", a, a)[:, None]
        out += np.einsum("ij,ij->i", b, b)[None, :]
        return np.maximum(out, 0.0, out=out)

    def zero_diagonal_(x):
        np.fill_diagonal(x, 0.0)
        return x

    def abs_diff(a, b):
        np.subtract(a, b, out=a)
        return np.abs(a, out=a)

    def exp_scaled_(x, factor):
        x *= factor
        return np.exp(x, out=x)

    return {
        "errstate": lambda: np.errstate(over="ignore", under="ignore"),
        "flag": _numpy_any, "maybe": _numpy_any,
        "detach": lambda x: x, "tracked": lambda x: False,
        "zero_with_slope": lambda x, slope: np.zeros_like(x),
        "expm1": np.expm1, "value_with_gradient_of": lambda value, surrogate: value,
        "logsumexp": lambda x, axis=-1: sc.logsumexp(x, axis=axis),
        "xlogy": sc.xlogy, "ndtr": sc.ndtr, "wright_omega": wright_omega,
        "gammaln": sc.gammaln, "digamma": sc.digamma,
        "trigamma": lambda x: sc.polygamma(1, x), "i0e": sc.i0e, "i1e": sc.i1e,
        "cholesky": cholesky, "solve_triangular": lambda lower, b: np.linalg.solve(lower, b),
        "searchsorted": searchsorted, "run_pair": run_pair, "sq_dists": sq_dists,
        "zero_diagonal_": zero_diagonal_, "abs_diff": abs_diff, "exp_scaled_": exp_scaled_,
        "sqrt_": lambda x: np.sqrt(x, out=x),
    }


def _torch_native():
    import torch

    class ZeroWithSlope(torch.autograd.Function):
        """Forward: zeros.  Backward: ``grad * slope``, 0 where ``grad`` is 0."""

        @staticmethod
        def forward(ctx, x, slope):
            ctx.slope = slope
            return torch.zeros_like(x)

        @staticmethod
        def backward(ctx, grad):
            return torch.where(grad == 0, torch.zeros_like(grad), grad * ctx.slope), None

    def zero_with_slope(x, slope):
        if math.isfinite(slope):
            return x * slope if slope != 0 else torch.zeros_like(x)
        return ZeroWithSlope.apply(x, slope)

    def cholesky(a):
        lower, info = torch.linalg.cholesky_ex(a)
        return lower, info == 0

    return {
        "errstate": contextlib.nullcontext,
        "detach": lambda x: x.detach() if isinstance(x, torch.Tensor) else x,
        "tracked": lambda x: isinstance(x, torch.Tensor) and x.requires_grad,
        "zero_with_slope": zero_with_slope,
        "logsumexp": lambda x, axis=-1: torch.logsumexp(x, dim=axis),
        "xlogy": torch.special.xlogy, "ndtr": torch.special.ndtr,
        "gammaln": torch.special.gammaln, "digamma": torch.special.digamma,
        "trigamma": lambda x: torch.special.polygamma(1, x), "i0e": torch.special.i0e,
        "i1e": torch.special.i1e,
        "cholesky": cholesky,
        "solve_triangular": lambda lower, b: torch.linalg.solve_triangular(lower, b,
                                                                           upper=False),
        "searchsorted": lambda s, v: torch.searchsorted(s.contiguous(), v.contiguous()),
        "run_pair": _run_in_order,
    }


def _jax_native():
    import jax
    import jax.numpy as jnp
    import jax.scipy.linalg as jsl
    import jax.scipy.special as jss

    @functools.partial(jax.custom_vjp, nondiff_argnums=(1,))
    def zero_with_slope_inf(x, slope):
        return jnp.zeros_like(x)

    def fwd(x, slope):
        return jnp.zeros_like(x), None

    def bwd(slope, _, grad):
        return (jnp.where(grad == 0, 0.0, grad * slope),)

    zero_with_slope_inf.defvjp(fwd, bwd)

    def zero_with_slope(x, slope):
        if math.isfinite(slope):
            return x * slope if slope != 0 else jnp.zeros_like(x)
        return zero_with_slope_inf(x, slope)

    def cholesky(a):
        lower = jnp.linalg.cholesky(a)  # NaN where not positive definite
        return lower, jnp.all(jnp.isfinite(lower), axis=(-2, -1))

    def flag(cond):  # inside jax.jit values are abstract: value checks are skipped
        try:
            return bool(jnp.any(cond))
        except jax.errors.ConcretizationTypeError:
            return False

    def maybe(cond):  # inside jax.jit a branch guard must take the general branch
        try:
            return bool(jnp.any(cond))
        except jax.errors.ConcretizationTypeError:
            return True

    def searchsorted(s, v):
        search = jnp.searchsorted
        for _ in range(s.ndim - 1):
            search = jax.vmap(search)
        return search(s, v)

    return {
        "errstate": contextlib.nullcontext,
        "detach": jax.lax.stop_gradient,
        "tracked": lambda x: isinstance(x, jax.core.Tracer),
        "zero_with_slope": zero_with_slope,
        "logsumexp": lambda x, axis=-1: jss.logsumexp(x, axis=axis),
        "xlogy": jss.xlogy, "ndtr": jss.ndtr,
        "gammaln": jss.gammaln, "digamma": jss.digamma,
        "trigamma": lambda x: jss.polygamma(1, x), "i0e": jss.i0e, "i1e": jss.i1e,
        "cholesky": cholesky,
        "solve_triangular": lambda lower, b: jsl.solve_triangular(lower, b, lower=True),
        "searchsorted": searchsorted, "run_pair": _run_in_order, "flag": flag,
        "maybe": maybe,
    }


_NATIVE = {"numpy": _numpy_native, "torch": _torch_native, "jax": _jax_native}


def extras(name: str, xp) -> dict:
    """The non-standard functions for backend ``name``, bound to namespace ``xp``.

    The backend's own implementation wins where :data:`_NATIVE` has one; every
    other function is the one written once above, with ``xp`` bound.
    """
    out = {k: functools.partial(fn, xp) for k, fn in _GENERIC.items()}
    out.update(_NATIVE[name]())
    return out
