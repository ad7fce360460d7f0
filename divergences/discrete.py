"""Deprecated path of :mod:`divergences.fdiv.discrete` (moved there; this alias warns)."""

from ._backend.deprecation import moved

moved(__name__, "divergences.fdiv.discrete")
