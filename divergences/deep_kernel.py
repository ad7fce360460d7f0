"""Deprecated path of :mod:`divergences.two_sample.deep_kernel` (moved there; this alias warns)."""

from ._backend.deprecation import moved

moved(__name__, "divergences.two_sample.deep_kernel")
