"""Data generators of the published two-sample benchmarks (used by the benchmark scripts)."""

import numpy as np


def gaussian_vs_student(rng, n, nu):
    """Lopez-Paz & Oquab (2017): N(0, 1) against Student-t with nu degrees of freedom (1-D)."""
    return rng.normal(size=(n, 1)), rng.standard_t(nu, size=(n, 1))


def blob(rng, samples_per_blob, null=False):
    """Liu et al. (2020) Blob, as their code ``sample_blobs_Q`` draws it (N = 9 * samples_per_blob).

    Each point picks one of the 3 x 3 grid centres {0, 1, 2}^2 independently and
    uniformly (not exactly N/9 per centre: a stratified sample is not i.i.d. and makes
    permutation tests conservative).  P: centre + N(0, 0.03 I).  Q: centre + g L_i with
    g ~ N(0, I) a row vector and L_i the Cholesky factor of the matrix with diagonal
    0.03 and off-diagonal r_i = -0.02 - 0.002 i (i < 4), 0 (i = 4), 0.02 + 0.002 (i - 5)
    (i > 4).  Note that g L_i has covariance L_i^T L_i, not L_i L_i^T: the code's Q blobs
    are also stretched along the axes, which is the distribution its published figures
    (and MMDAgg's) were measured on, so it is reproduced here.  With ``null=True`` both
    samples come from P (type-I error).
    """
    n = 9 * samples_per_blob
    centres = np.array([(r, c) for r in range(3) for c in range(3)], dtype=float)

    def sample_p():
        return rng.normal(size=(n, 2)) * np.sqrt(0.03) + centres[rng.integers(0, 9, n)]

    if null:
        return sample_p(), sample_p()
    x = sample_p()
    which = rng.integers(0, 9, n)
    g = rng.normal(size=(n, 2))
    y = np.empty_like(g)
    for i in range(9):
        r = -0.02 - 0.002 * i if i < 4 else (0.0 if i == 4 else 0.02 + 0.002 * (i - 5))
        chol = np.linalg.cholesky(np.array([[0.03, r], [r, 0.03]]))
        rows = which == i
        y[rows] = g[rows] @ chol + centres[i]
    return x, y


def blob_stratified(rng, samples_per_blob, null=False):
    """The Blob generator of this repository before issue 13 (kept to compare with its figures).

    Exactly ``samples_per_blob`` points per centre (a stratified, not i.i.d., sample)
    and Q's blobs with the stated covariance (diagonal 0.03).  Permutation tests are
    conservative on it (measured: c2st, mmd_test, energy_test and MMD-FUSE reject less
    than 1 % of the time at N <= 180), while the wild bootstrap of mmd_agg_test, which
    swaps x_i and y_i drawn from the same blob, stays exact and gains power.  The issue-13
    figures of our three older tests match the i.i.d. generator ``blob``, not this one.

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
