"""Deprecated path of :mod:`divergences.transport.wasserstein` (moved there; this alias warns)."""

from ._backend.deprecation import moved

moved(__name__, "divergences.transport.wasserstein")
