"""Validation of scalar arguments (each error names the argument), and random generators.

The array-valued checks (finite, non-negative, non-empty) live in
:mod:`divergences._backend.array`, next to the conversion that precedes them.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

try:
    import torch
except ImportError:  # pragma: no cover - exercised only without torch
    torch = None


def is_real(x: Any) -> bool:
    """True for a real number given as a scalar: Python or numpy ints and floats, not bools.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences._backend.checks import is_real
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



def normalize_axis(axis: int, ndim: int, name: str = "axis") -> int:
    """Return ``axis`` as a non-negative index, or raise ValueError."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{name} must be an int, got {type(axis).__name__}")
    if ndim == 0:
        raise ValueError(f"{name}={axis} is invalid for 0-dimensional input")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}={axis} is out of range for input with {ndim} dimensions")
    return int(axis) % ndim


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


def standard_normal(xp, rng, shape, like):
    """N(0, 1) draws of ``like``'s dtype and device from ``rng`` (see ``numpy_rng``).

    torch draws from a ``torch.Generator`` on the device (seeded from ``rng``);
    numpy and JAX from a numpy Generator, so a seed gives JAX the numpy draws.
    """
    if xp.name == "torch":
        return torch.randn(shape, generator=torch_rng(rng, like.device), device=like.device,
                           dtype=like.dtype)
    return xp.asarray(numpy_rng(rng).standard_normal(shape), dtype=like.dtype,
                      device=xp.device(like))
