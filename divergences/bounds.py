"""Deprecated path of :mod:`divergences.estimators.bounds` (moved there; this alias warns)."""

from ._backend.deprecation import moved

moved(__name__, "divergences.estimators.bounds")
