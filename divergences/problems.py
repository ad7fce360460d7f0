"""Deprecated path of :mod:`divergences.benchmark.problems` (moved there; this alias warns)."""

from ._backend.deprecation import moved

moved(__name__, "divergences.benchmark.problems")
