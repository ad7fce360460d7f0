"""The array layer: one namespace object per backend, and the conversion of inputs.

Every formula in the library is written once against a namespace ``xp``: the
array API standard namespace of the inputs' library, from ``array-api-compat``
(numpy, torch) or the library itself (``jax.numpy``), plus the few functions the
standard lacks (:mod:`divergences._special`).  :func:`as_float_arrays` converts
user inputs and picks the namespace:

* numpy arrays, Python scalars and sequences -> numpy; results are numpy arrays
  (numpy scalars for 0-d results);
* any ``torch.Tensor`` among the inputs -> torch: every input becomes a tensor on
  that tensor's device, the float dtype is promoted as torch would, and autograd
  is left intact;
* any JAX array among the inputs -> JAX, likewise (JAX's dtype rules: float64
  only with ``jax_enable_x64``); ``jax.grad`` and ``jax.jit`` trace through.

Integer and boolean inputs are promoted to the backend's default float dtype.
Other array libraries come in through ``__array__`` (as numpy) or ``__dlpack__``
(as torch).
"""

from __future__ import annotations

import functools
import importlib
import numbers
import sys
from typing import Any

import array_api_compat as aac
import numpy as np

from . import special as _special

try:  # torch is a declared dependency, but keep numpy paths importable without it
    import torch
except ImportError:  # pragma: no cover - exercised only without torch
    torch = None

__all__ = [
    "namespace", "backend_of", "as_float_arrays", "as_numpy_or_torch", "as_float_dict", "as_output", "is_torch", "is_jax",
    "check_finite", "check_nonnegative", "check_nonempty", "check_axis_length",
    "to_python_scalar", "weighted_mean",
]


def is_torch(x: Any) -> bool:
    """Return True if ``x`` is a torch tensor."""
    return torch is not None and isinstance(x, torch.Tensor)


def is_jax(x: Any) -> bool:
    """Return True if ``x`` is a JAX array (or a tracer of one); JAX is never imported here."""
    jax = sys.modules.get("jax")
    return jax is not None and isinstance(x, jax.Array)


class Namespace:
    """The standard namespace of one backend with the extras of :mod:`_special`.

    Attributes of the standard namespace (``xp.log``, ``xp.where``...) are looked
    up once and cached on the instance; ``name`` is ``"numpy"``, ``"torch"`` or
    ``"jax"``, and ``ns`` the standard namespace itself.
    """

    def __init__(self, name: str, ns):
        self.name = name
        self.ns = ns
        self.device = aac.device
        vars(self).update(_special.extras(name, self))

    def __getattr__(self, attr: str):
        value = getattr(self.ns, attr)
        setattr(self, attr, value)
        return value

    def __repr__(self) -> str:
        return f"<divergences array namespace {self.name}>"


@functools.cache
def namespace(name: str) -> Namespace:
    """The namespace of backend ``name`` (``"numpy"``, ``"torch"`` or ``"jax"``)."""
    module = "jax.numpy" if name == "jax" else "array_api_compat." + name
    return Namespace(name, importlib.import_module(module))


# ---------------------------------------------------------------------------
# conversion
# ---------------------------------------------------------------------------


def _from_ecosystem(x: Any) -> Any:
    """Arrays of other libraries: ``__array__`` -> numpy, else ``__dlpack__`` -> torch.

    numpy arrays, torch tensors, JAX arrays, numbers and sequences pass unchanged.
    Anything else that numpy can read (xarray, pandas, CPU CuPy via ``__array__``...)
    becomes a numpy array, so results come back as numpy; an object that offers only
    DLPack (a GPU array of another library) becomes a torch tensor on its device
    without a copy, so results come back as torch tensors.
    """
    if is_torch(x) or is_jax(x) or x is None or isinstance(
            x, (np.ndarray, numbers.Number, np.generic, list, tuple, str, bytes, dict)):
        return x
    if hasattr(x, "__array__"):
        return np.asarray(x)
    if hasattr(x, "__dlpack__") and torch is not None:
        return torch.from_dlpack(x)
    return x


def backend_of(x: Any) -> str:
    return "torch" if is_torch(x) else "jax" if is_jax(x) else "numpy"


def _check_type(name: str, x: Any) -> None:
    if backend_of(x) != "numpy" or isinstance(x, (np.ndarray, numbers.Number, np.generic,
                                                  list, tuple)):
        return
    raise TypeError(
        f"{name} must be a numpy array, a torch tensor, a JAX array, an array-like "
        f"(__array__ or __dlpack__), a number or a sequence of numbers, got {type(x).__name__}"
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


def _is_weak(x: Any) -> bool:
    """Python scalars and sequences do not take part in dtype promotion."""
    return isinstance(x, (int, float, list, tuple)) and not isinstance(x, np.generic)


def _to_torch(named: dict) -> list:
    device = next(x.device for x in named.values() if is_torch(x))
    dtype = None
    for name, x in named.items():
        if is_torch(x):
            if x.device != device:
                raise ValueError(f"{name} is on device {x.device} but other inputs are on "
                                 f"{device}")
            if x.is_complex():
                raise TypeError(f"{name} must be real-valued, got {x.dtype}")
            if x.is_meta:
                raise ValueError(f"{name} is a meta tensor (a shape without data): move it "
                                 f"to a real device, e.g. {name}.to_empty(device='cpu') and "
                                 f"fill it")
            d = x.dtype if x.is_floating_point() else None
        elif isinstance(x, np.ndarray) and x.dtype.kind == "f":
            d = torch.from_numpy(np.empty(0, dtype=x.dtype)).dtype
        else:
            d = None
        if d is not None:
            dtype = d if dtype is None else torch.promote_types(dtype, d)
    dtype = dtype or torch.get_default_dtype()
    return [(x if x.dtype == dtype else x.to(dtype)) if is_torch(x)
            else torch.as_tensor(_numpy_float(name, x), dtype=dtype, device=device)
            for name, x in named.items()]


def _to_jax(named: dict) -> list:
    import jax.numpy as jnp

    device = next(aac.device(x) for x in named.values() if is_jax(x))
    arrays = {}
    for name, x in named.items():
        if is_jax(x):
            if jnp.iscomplexobj(x):
                raise TypeError(f"{name} must be real-valued, got {x.dtype}")
            arrays[name] = x
        else:
            arrays[name] = _numpy_float(name, x)
    floats = [a.dtype for n, a in arrays.items()
              if np.dtype(a.dtype).kind == "f" and not _is_weak(named[n])]
    dtype = jnp.result_type(*floats) if floats else jnp.asarray(0.0).dtype
    return [a if is_jax(a) and a.dtype == dtype
            else jnp.asarray(a, dtype=dtype, device=None if is_jax(a) else device)
            for a in arrays.values()]


def _to_numpy(named: dict) -> list:
    arrays = {name: _numpy_float(name, x) for name, x in named.items()}
    floats = [a.dtype for n, a in arrays.items() if a.dtype.kind == "f"
              and not _is_weak(named[n])]
    dtype = np.result_type(*floats) if floats else np.dtype(np.float64)
    if dtype not in (np.float16, np.float32, np.float64):
        dtype = np.dtype(np.float64)
    return [a if a.dtype == dtype else a.astype(dtype) for a in arrays.values()]


_CONVERT = {"numpy": _to_numpy, "torch": _to_torch, "jax": _to_jax}


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
        With any torch tensor (JAX array) among the inputs every input becomes
        a tensor (JAX array) on that input's device; the float dtype is the
        promoted dtype of the array inputs (Python scalars do not promote).
    """
    named = {name: _from_ecosystem(x) for name, x in named.items()}
    for name, x in named.items():
        _check_type(name, x)
    kinds = {backend_of(x) for x in named.values()} - {"numpy"}
    if len(kinds) > 1:
        raise TypeError("inputs mix torch tensors and JAX arrays: convert them to one "
                        "library (e.g. with torch.from_dlpack or jax.dlpack.from_dlpack)")
    name = kinds.pop() if kinds else "numpy"
    return namespace(name), _CONVERT[name](named)


def as_numpy_or_torch(**named: Any):
    """:func:`as_float_arrays` for functions that compute with numpy or torch only.

    Training loops and permutation engines: JAX arrays are copied to (writable) numpy
    arrays first, so their results come back as numpy arrays or Python floats.
    """
    return as_float_arrays(**{k: np.array(v) if is_jax(v) else v for k, v in named.items()})


def as_float_dict(**named: Any):
    """Like :func:`as_float_arrays` for optional inputs: ``None`` values stay ``None``.

    Returns ``xp`` and a dict from each name to its converted array (or None).
    """
    present = {k: v for k, v in named.items() if v is not None}
    xp, arrays = as_float_arrays(**present)
    converted = dict(zip(present, arrays))
    return xp, {k: converted.get(k) for k in named}


def as_output(x: Any) -> Any:
    """0-d numpy arrays become numpy scalars (as numpy ufuncs return); others unchanged."""
    if isinstance(x, np.ndarray) and x.ndim == 0:
        return x[()]
    return x


def to_python_scalar(x: Any) -> Any:
    """Numpy 0-d values become Python floats; tensors and JAX arrays are unchanged."""
    if backend_of(x) != "numpy":
        return x
    arr = np.asarray(x)
    return float(arr) if arr.ndim == 0 else arr


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
    if xp.flag(w < 0):
        raise ValueError(f"{name} has negative entries")
    if w.ndim == 0 or w.shape[-1] == 0 or xp.flag(~xp.any(w > 0, axis=-1)):
        raise ValueError(f"{name} must have a positive total (at least one positive weight "
                         f"along the sample axis)")
    return w


def two_sample_values(t_p, t_q, x_weights=None, y_weights=None, names=("t_p", "t_q")):
    """Convert and validate per-sample values of two samples and their optional weights.

    The values (critic outputs, logits, discriminator outputs) at the samples x of P
    and y of Q must be non-empty along the last axis and free of NaN; the weights of
    those samples pass :func:`check_weights` against them.  ``names`` are the caller's
    argument names for the values; the weights are always ``x_weights``/``y_weights``
    (the library's vocabulary).  Returns ``xp, values_p, values_q, x_weights, y_weights``.
    """
    for name, value in zip(names, (t_p, t_q)):
        if value is None:
            raise TypeError(f"{name} must be an array of values, got None")
    xp, arrays = as_float_dict(**{names[0]: t_p, names[1]: t_q, "x_weights": x_weights,
                                  "y_weights": y_weights})
    for wname, name in zip(("x_weights", "y_weights"), names):
        _check_values(xp, name, arrays[name], wname, arrays[wname])
    return xp, arrays[names[0]], arrays[names[1]], arrays["x_weights"], arrays["y_weights"]


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
    if xp.flag(xp.isnan(a)):
        raise ValueError(f"{name} contains NaN")
    check_weights(xp, weights_name, w, like=a, like_name=name)




# ---------------------------------------------------------------------------
# validation of array values (skipped on abstract values, inside jax.jit)
# ---------------------------------------------------------------------------


def check_finite(xp, name: str, x) -> None:
    """Raise ValueError if ``x`` contains NaN or infinity."""
    if xp.flag(~xp.isfinite(x)):
        what = "NaN" if xp.flag(xp.isnan(x)) else "infinite values"
        raise ValueError(f"{name} contains {what}")


def check_nonnegative(xp, name: str, x) -> None:
    """Raise ValueError if ``x`` has NaN or negative entries."""
    if xp.flag(xp.isnan(x)):
        raise ValueError(f"{name} contains NaN")
    if xp.flag(x < 0):
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
