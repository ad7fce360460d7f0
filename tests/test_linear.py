"""Linear-time tests (issue 28): statistics and nulls recomputed from their definitions
on small inputs, level inside the binomial band (numpy and dask input), the dask path on
a LocalCluster giving the in-memory p-value, the door, return types."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats
from scipy.spatial.distance import cdist

import divergences as dv
import divergences.two_sample.linear as lin
from divergences.two_sample._permutation import permutation_pvalue

TESTS = {"rff": dv.mmd_rff_test, "nystrom": dv.mmd_nystrom_test,
         "agg_inc": dv.mmd_agg_inc_test}


def test_feature_statistic_and_null_from_their_definitions(monkeypatch):
    """With identity features (a linear kernel) the statistic is the paired U-statistic
    sum_{i != j} h(z_i, z_j) / (N (N - 1)), and the null statistics are the same
    U-statistic of the data with x_i, y_i swapped where the drawn sign is -1."""
    gen = np.random.default_rng(0)
    x, y = gen.normal(size=(23, 3)), gen.normal(size=(19, 3)) + 0.3
    monkeypatch.setattr(lin, "_seed", lambda rng: 1234)
    n_pairs, chunk, b = 19, 7, 40
    res = lin._feature_test(x, y, lambda a: a, "linear", {}, b, "greater", 0, x, None,
                            23, 19, n_pairs, chunk)

    def u_stat(a, c):
        k = a @ a.T + c @ c.T - a @ c.T - c @ a.T
        return (k.sum() - np.trace(k)) / (n_pairs * (n_pairs - 1))
    xs, ys = x[:n_pairs], y[:n_pairs]
    assert res.statistic == pytest.approx(u_stat(xs, ys), rel=1e-12)
    signs = np.concatenate([lin._signs(1234, s, min(chunk, n_pairs - s), b)
                            for s in range(0, n_pairs, chunk)], axis=1)   # (B, N)
    want = []
    for row in signs:
        swap = row[:, None] < 0
        want.append(u_stat(np.where(swap, ys, xs), np.where(swap, xs, ys)))
    # float32 products in the null: a small fraction of its spread
    np.testing.assert_allclose(res.null_distribution, want, rtol=0,
                               atol=1e-6 * np.abs(want).max())
    assert res.pvalue == permutation_pvalue(res.statistic, res.null_distribution)
    assert res.details["n_pairs"] == 19


def test_rff_and_nystrom_features_approximate_the_gaussian_kernel():
    gen = np.random.default_rng(1)
    a, b = gen.normal(size=(30, 4)), gen.normal(size=(25, 4))
    exact = np.exp(-cdist(a, b, "sqeuclidean") / (2 * 1.7 ** 2))
    d = 20_000
    phi = lin.rff_features(4, d, 1.7, np.random.default_rng(2))
    # each entry is a mean of d bounded terms cos(w (a - b)): standard deviation below
    # 1 / sqrt(2 d) = 0.005; 5 standard deviations
    assert np.abs(phi(a) @ phi(b).T - exact).max() < 5 / math.sqrt(2 * d)
    # Nystrom is exact on the span of the landmarks: at the landmarks themselves
    marks = np.concatenate([a, b])[:40]
    feat, rank = lin.nystrom_features(marks, 1.7)
    got = feat(marks) @ feat(marks).T
    np.testing.assert_allclose(got, np.exp(-cdist(marks, marks, "sqeuclidean") / (2 * 1.7 ** 2)),
                               atol=1e-8)
    assert rank == 40


def test_agg_inc_statistics_null_and_aggregation_from_their_definitions(monkeypatch):
    gen = np.random.default_rng(3)
    x, y = gen.normal(size=(26, 2)), gen.normal(size=(24, 2)) * 1.5
    monkeypatch.setattr(lin, "_seed", lambda rng: 99)
    block, b1, b2, chunk = 4, 30, 20, 8
    res = dv.mmd_agg_inc_test(x, y, n_bandwidths=2, block_size=block, n_permutations=b2,
                              n_permutations_single=b1, chunk_size=chunk, rng=0)
    pairs = 24
    specs = res.details["kernels"]
    assert len(specs) == 4 and res.details["n_pairs"] == pairs

    def k(a, c, name, bw):
        return np.exp(-cdist(a, c, "sqeuclidean") / bw ** 2) if name == "gaussian" else \
            np.exp(-cdist(a, c, "cityblock") / bw)
    # per block: H = k(x, x) + k(y, y) - k(x, y) - k(y, x) without the diagonal
    blocks = []
    for s in range(0, pairs, block):
        xb, yb = x[s:s + block], y[s:s + block]
        hs = []
        for name, bw in specs:
            h = k(xb, xb, name, bw) + k(yb, yb, name, bw) - k(xb, yb, name, bw) - \
                k(yb, xb, name, bw)
            np.fill_diagonal(h, 0.0)
            hs.append(h)
        blocks.append(hs)
    r = pairs * (block - 1)
    obs = np.array([sum(bl[i].sum() for bl in blocks) for i in range(len(specs))]) / r
    np.testing.assert_allclose(res.details["mmd"], obs, rtol=1e-12)
    # the swap draws: a uniform sign pattern per block (first sign +, the rest the bits
    # of a uniform code), drawn per chunk from default_rng((seed, chunk start))
    null = np.zeros((len(specs), b1 + b2))
    for s in range(0, pairs, chunk):
        codes = np.random.default_rng((99, s)).integers(0, 2 ** (block - 1),
                                                        size=(chunk // block, b1 + b2))
        for local, blk in enumerate(range(s // block, (s + chunk) // block)):
            for col in range(b1 + b2):
                c = codes[local, col]
                eps = np.array([1.0] + [1.0 - 2.0 * ((c >> t) & 1) for t in range(block - 1)])
                for i in range(len(specs)):
                    null[i, col] += eps @ blocks[blk][i] @ eps
    null /= r
    single = permutation_pvalue(np.concatenate([obs[:, None], null[:, b1:]], axis=1),
                                null[:, :b1])
    t_obs = np.min(single[:, 0] * len(specs))
    t_null = np.min(single[:, 1:] * len(specs), axis=0)
    assert res.statistic == pytest.approx(-math.log(t_obs), rel=1e-9)
    np.testing.assert_allclose(res.null_distribution, -np.log(t_null), rtol=1e-9)
    assert res.pvalue == permutation_pvalue(-math.log(t_obs), -np.log(t_null))
    np.testing.assert_allclose(res.details["pvalues"], single[:, 0])
    # MMDAgg's exact level correction: reject exactly when p <= level
    u = res.details["level_correction"]
    assert res.details["reject"] == (res.pvalue <= 0.05) == (t_obs <= u)


def _null_pvalues(test, reps, n, dask_chunks=None, **kw):
    out = []
    for r in range(reps):
        gen = np.random.default_rng(7000 + r)
        x, y = gen.normal(size=(n, 3)), gen.normal(size=(n, 3))
        if dask_chunks:
            import dask.array as da
            x, y = da.from_array(x, chunks=(dask_chunks, 3)), da.from_array(y, chunks=(
                dask_chunks, 3))
        out.append(test(x, y, rng=r, **kw).pvalue)
    return np.array(out)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TESTS))
def test_level_inside_the_binomial_band(name):
    reps = 200
    p = _null_pvalues(TESTS[name], reps, 120, n_permutations=199,
                      **({"n_permutations_single": 99} if name == "agg_inc" else
                         {"n_features": 32} if name == "rff" else {"n_landmarks": 32}))
    lo, hi = stats.binom.ppf([0.005, 0.995], reps, 0.05)
    assert lo <= np.sum(p <= 0.05) <= hi
    assert stats.kstest(p, "uniform").pvalue > 1e-3


@pytest.mark.slow
def test_level_with_dask_input():
    # dask's synchronous scheduler: the same chunk-wise code path as on a cluster
    import dask

    reps = 200
    with dask.config.set(scheduler="synchronous"):
        p = _null_pvalues(dv.mmd_rff_test, reps, 100, dask_chunks=32, n_features=16,
                          n_permutations=99, chunk_size=32)
    lo, hi = stats.binom.ppf([0.005, 0.995], reps, 0.05)
    assert lo <= np.sum(p <= 0.05) <= hi


@pytest.fixture(scope="module")
def cluster_client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                           dashboard_address=None)
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.mark.parametrize("name", sorted(TESTS))
def test_dask_on_a_local_cluster_gives_the_in_memory_pvalue(cluster_client, name):
    import dask.array as da

    gen = np.random.default_rng(11)
    x, y = gen.normal(size=(3000, 4)), gen.normal(size=(2800, 4)) * [1.0, 1.6, 1.0, 1.0]
    kw = dict(chunk_size=512, n_permutations=99, rng=5)
    if name == "agg_inc":
        # B1 sets the resolution of the single p-values: min_k p_k / w_k >= 10 / (1 + B1)
        kw["n_permutations_single"] = 499
    mem = TESTS[name](x, y, **kw)
    xd, yd = da.from_array(x, chunks=(700, 4)), da.from_array(y, chunks=(1000, 4))
    on_cluster = TESTS[name](xd, yd, **kw)
    assert on_cluster.pvalue == mem.pvalue
    assert on_cluster.statistic == pytest.approx(mem.statistic, rel=1e-9)
    np.testing.assert_allclose(on_cluster.null_distribution, mem.null_distribution,
                               rtol=1e-6, atol=1e-9 * np.abs(mem.null_distribution).max())
    assert mem.pvalue < 0.05                                # the scale change is found
    assert on_cluster.details["n_pairs"] == 2800


def test_the_door_torch_input_and_errors():
    gen = np.random.default_rng(12)
    x, y = gen.normal(size=(400, 2)), gen.normal(size=(400, 2)) + 0.5
    for method in ("mmd_agg_inc", "mmd_rff", "mmd_nystrom"):
        res = dv.two_sample_test(x, y, method, n_permutations=49, rng=0)
        assert res.details["n_permutations"] == 49 and res.null_distribution.size == 49
        assert res.pvalue < 0.05
    t = dv.mmd_rff_test(torch.tensor(x, dtype=torch.float32), torch.tensor(y), rng=0)
    assert isinstance(t.statistic, torch.Tensor) and t.statistic.ndim == 0
    with pytest.raises(ValueError, match="too few pairs"):
        dv.mmd_rff_test(x[:2], y[:2])
    with pytest.raises(ValueError, match="block_size must be at most 12"):
        dv.mmd_agg_inc_test(x, y, block_size=13)
    with pytest.raises(ValueError, match="alternative must be 'greater'"):
        dv.mmd_agg_inc_test(x, y, alternative="less")
    with pytest.raises(ValueError, match="NaN"):
        dv.mmd_rff_test(np.full((10, 2), np.nan), y[:10])


@pytest.mark.parametrize("name", sorted(TESTS))
def test_scale_invariance_from_subnormal_to_huge_data(name):
    """Data-driven bandwidths make the tests scale-invariant: data times 2^k (k = -1000 to
    1000, Student-t tails) give the same statistic and p-value as the data themselves
    (the tests work on an exact power-of-two rescaling), never NaN or a spurious 0; data
    already subnormal have lost bits before any test sees them."""
    gen = np.random.default_rng(13)
    x, y = gen.standard_t(1, size=(600, 3)), gen.standard_t(1, size=(600, 3)) * 1.5
    kw = dict(n_permutations=99, rng=3)
    ref = TESTS[name](x, y, **kw)
    assert np.isfinite(ref.statistic) and ref.statistic != 0
    for k in (-1000, -500, 1000):
        got = TESTS[name](x * 2.0 ** k, y * 2.0 ** k, **kw)
        assert got.statistic == ref.statistic and got.pvalue == ref.pvalue, k
