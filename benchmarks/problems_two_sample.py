"""Data generators of the published two-sample benchmarks (used by the benchmark scripts)."""

import numpy as np


def gaussian_vs_student(rng, n, nu):
    """Lopez-Paz & Oquab (2017): N(0, 1) against Student-t with nu degrees of freedom (1-D)."""
    return rng.normal(size=(n, 1)), rng.standard_t(nu, size=(n, 1))


def blob(rng, samples_per_blob, null=False):
    """Liu et al. (2020) Blob: 3 x 3 grid of Gaussians, covariance 0.03 I for P.

    Q has the same centres; blob i (i = 0..8) has off-diagonal covariance
    -0.02 - 0.002 i for i < 4, 0 for i = 4, and 0.02 + 0.002 (i - 5) for i > 4.
    With ``null=True`` both samples come from P (type-I error).
    """
    centres = np.array([(r, c) for r in range(3) for c in range(3)], dtype=float)
    base = 0.03 * np.eye(2)

    def sample(covs):
        out = []
        for i, mu in enumerate(centres):
            out.append(rng.multivariate_normal(mu, covs[i], size=samples_per_blob))
        return np.concatenate(out)

    cov_p = [base] * 9
    cov_q = []
    for i in range(9):
        c = base.copy()
        off = -0.02 - 0.002 * i if i < 4 else (0.0 if i == 4 else 0.02 + 0.002 * (i - 5))
        c[0, 1] = c[1, 0] = off
        cov_q.append(c)
    return sample(cov_p), sample(cov_p if null else cov_q)
