"""Deprecated path of :mod:`divergences.generative.adversarial` (moved there; this alias warns)."""

from ._backend.deprecation import moved

moved(__name__, "divergences.generative.adversarial")
