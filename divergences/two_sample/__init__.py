"""Two-sample tests of H0: P = Q, all returning :class:`~divergences.TwoSampleResult`.

What lives here: the permutation engine every permutation test uses
(``_permutation``: the p-value rule, the tie tolerance, ``alternative``, drawing
relabellings, batched nulls with progress), the tests on one kernel or distance
(``distance``: MMD, energy, 1-D Wasserstein), the aggregated and fused MMD tests
(``aggregated``), the deep-kernel MMD (``deep_kernel``), the classifier tests
(``classifier``), the linear-time tests for large samples and dask arrays
(``linear``) and the door ``two_sample_test`` with its table of methods
(``door``).

What it may import: ``divergences._backend``, ``divergences.results``,
``divergences.transport`` and ``divergences.estimators`` (critic initialisation).
"""

from .aggregated import mmd_agg_test, mmd_fuse_test
from .classifier import TrainingSettings, c2st
from .deep_kernel import mmd_deep_test
from .distance import energy_test, mmd_test, wasserstein_test
from .door import TWO_SAMPLE_METHODS, two_sample_test
from .linear import mmd_agg_inc_test, mmd_nystrom_test, mmd_rff_test

__all__ = ["TWO_SAMPLE_METHODS", "TrainingSettings", "c2st", "energy_test", "mmd_agg_test", "mmd_deep_test",
           "mmd_fuse_test", "mmd_test", "two_sample_test", "wasserstein_test",
           "mmd_agg_inc_test", "mmd_nystrom_test", "mmd_rff_test"]
