"""Reading sample files for the command line (.npy without pickles, or .csv)."""

from __future__ import annotations

import os

import numpy as np

__all__ = ["load_samples"]


def load_samples(path: str, name: str) -> np.ndarray:
    """Load a numeric array from ``.npy`` (``allow_pickle=False``) or ``.csv``/``.txt``.

    Raises ValueError (naming ``name`` and the file) for anything unreadable.
    """
    if not os.path.isfile(path):
        raise ValueError(f"{name}: no such file: {path}")
    ext = os.path.splitext(path)[1].lower()
    try:
        if ext == ".npy":
            arr = np.load(path, allow_pickle=False)
        elif ext in (".csv", ".txt"):
            arr = np.loadtxt(path, delimiter="," if ext == ".csv" else None, ndmin=1,
                             dtype=np.float64)
        else:
            raise ValueError(f"unsupported file type {ext!r} (use .npy or .csv)")
    except ValueError as exc:
        raise ValueError(f"{name}: cannot read {path}: {exc}") from None
    except OSError as exc:
        raise ValueError(f"{name}: cannot read {path}: {exc}") from None
    if arr.dtype.kind not in "fiu":
        raise ValueError(f"{name}: {path} does not hold real numbers (dtype {arr.dtype})")
    return np.asarray(arr, dtype=np.float64)
