"""Reading sample files for the command line (.npy without pickles, or .csv/.txt).

Every message names the user's file and the role it plays (``X (data.csv)``,
``--x-weights (w.npy)``), never a library-internal argument name.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

__all__ = ["load_samples"]

_NPY_MAGIC = b"\x93NUMPY"


def _read(path, ext, label):
    if ext == ".npy":
        with open(path, "rb") as fh:
            head = fh.read(len(_NPY_MAGIC))
        if head != _NPY_MAGIC:
            raise ValueError(f"{label} is not a .npy file (it lacks the NumPy header); save "
                             f"arrays with numpy.save, or use a .csv file")
        try:
            return np.load(path, allow_pickle=False)
        except ValueError as exc:
            if "allow_pickle" in str(exc):
                raise ValueError(f"{label} holds Python objects, not numbers; such files are "
                                 f"not loaded (they could run code): save a float array") from None
            raise ValueError(f"{label} cannot be read as .npy: {exc}") from None
    if ext in (".csv", ".txt"):
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)   # numpy warns on an empty file
            try:
                return np.loadtxt(path, delimiter="," if ext == ".csv" else None, ndmin=1,
                                  dtype=np.float64)
            except UserWarning:
                raise ValueError(f"{label} is empty: it holds no numbers") from None
            except ValueError as exc:
                raise ValueError(f"{label} holds something that is not a number: "
                                 f"{exc}") from None
    raise ValueError(f"{label} has the unsupported file type {ext or '(none)'!r}: use .npy, "
                     f".csv or .txt")


def load_samples(path: str, name: str, *, with_label: bool = False):
    """Load a finite float64 array from ``.npy`` (``allow_pickle=False``) or ``.csv``/``.txt``.

    Parameters
    ----------
    path : str
        The file.
    name : str
        Its role in the command (``"X"``, ``"--x-weights"``), used in messages.
    with_label : bool, default False
        Also return the label ``"name (path)"`` for later messages.

    Returns
    -------
    numpy.ndarray or (numpy.ndarray, str)

    Raises
    ------
    ValueError
        Naming the role and the file, for a missing, unreadable, empty, non-numeric
        or non-finite file.
    """
    label = f"{name} ({path})"
    if not os.path.isfile(path):
        raise ValueError(f"{name}: no such file: {path}")
    ext = os.path.splitext(path)[1].lower()
    try:
        arr = _read(path, ext, label)
    except OSError as exc:
        raise ValueError(f"{label} cannot be read: {exc.strerror or exc}") from None
    if arr.dtype.kind not in "fiub":
        raise ValueError(f"{label} does not hold real numbers (dtype {arr.dtype})")
    arr = np.asarray(arr, dtype=np.float64)
    if arr.size == 0:
        raise ValueError(f"{label} is empty: it holds no numbers")
    bad = ~np.isfinite(arr)
    if bad.any():
        where = np.unravel_index(int(np.argmax(bad)), arr.shape)
        pos = (f"row {where[0] + 1}" + (f", column {where[1] + 1}" if arr.ndim > 1 else "")
               if arr.ndim <= 2 else f"index {tuple(int(i) for i in where)}")
        kind = "NaN" if np.isnan(arr[where]) else "an infinite value"
        raise ValueError(f"{label} contains {kind} ({int(bad.sum())} non-finite value(s), the "
                         f"first at {pos}); remove or impute them")
    return (arr, label) if with_label else arr
