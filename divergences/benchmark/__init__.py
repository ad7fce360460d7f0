"""Benchmarking of estimators against known ground truth.

What lives here: the ground-truth problems (``problems``: the MI staircase,
mutual information beyond the normal, f-divergence pairs of Gamma, Beta, Dirichlet,
Laplace and Gaussian-mixture distributions) and the bias/variance harness that runs
estimators on them (``harness``: ``bias_variance`` and ``BenchResult``).

What it may import: every subpackage below it (``_backend``, ``results``, ``fdiv``,
``transport``, ``estimators``); only the command line sits above it.
"""

from . import harness, problems
from .harness import BenchResult, bias_variance

__all__ = ["harness", "problems", "BenchResult", "bias_variance"]
