"""Options away from their defaults (issue 26): each test sets one option to a
non-default value and checks a value that depends on it, recomputed from the
option's definition, so that an option silently ignored (or read as its default)
fails here."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats
from scipy.spatial.distance import cdist

import divergences as dv
from divergences.two_sample._permutation import TIE_RTOL


def _z(confidence):
    return stats.norm.ppf(0.5 + confidence / 2)


@pytest.fixture(scope="module")
def pairs():
    gen = np.random.default_rng(11)
    x = gen.normal(size=(400, 1))
    return x, x + 0.7 * gen.normal(size=(400, 1)), gen.normal(size=(300, 1)) + 0.4


@pytest.mark.parametrize("confidence", [0.5, 0.8, 0.99])
@pytest.mark.parametrize("estimator", ["ksg", "knn_kl", "knn_renyi", "histogram"])
def test_confidence_sets_the_normal_interval_width(pairs, estimator, confidence):
    x, y, w = pairs
    call = {
        "ksg": lambda **kw: dv.ksg_mutual_information(x, y, **kw),
        "knn_kl": lambda **kw: dv.knn_kl_divergence(x, w, **kw),
        "knn_renyi": lambda **kw: dv.knn_renyi_divergence(x, w, order=0.7, **kw),
        "histogram": lambda **kw: dv.histogram_mutual_information(x, y, **kw),
    }[estimator]
    est = call(confidence=confidence)
    default = call()
    # the estimate and its standard error do not depend on the level; the interval
    # is value +- z_{(1+c)/2} * stderr with the level asked for
    assert est.value == default.value and est.stderr == default.stderr
    assert est.stderr > 0
    half = _z(confidence) * est.stderr
    assert est.ci[0] == pytest.approx(est.value - half, rel=1e-12)
    assert est.ci[1] == pytest.approx(est.value + half, rel=1e-12)
    assert est.confidence == confidence


def test_confidence_of_the_neural_mi_estimator(pairs):
    x, y, _ = pairs
    kw = dict(steps=20, batch_size=64, rng=3)
    a = dv.estimate_mutual_information(x, y, confidence=0.8, **kw)
    b = dv.estimate_mutual_information(x, y, **kw)
    assert a.value == b.value and a.stderr == b.stderr > 0
    np.testing.assert_allclose(a.ci, [a.value - _z(0.8) * a.stderr, a.value + _z(0.8) * a.stderr],
                               rtol=1e-12)
    np.testing.assert_allclose(b.ci, [b.value - _z(0.95) * b.stderr, b.value + _z(0.95) * b.stderr],
                               rtol=1e-12)


@pytest.mark.parametrize("critic, hidden, layers, embed_dim", [("separable", 11, 3, 7),
                                                                ("concat", 9, 1, None)])
def test_critic_architecture_options_build_the_critic_asked_for(pairs, critic, hidden, layers,
                                                                embed_dim):
    x, y, _ = pairs
    kw = {} if embed_dim is None else {"embed_dim": embed_dim}
    est = dv.estimate_mutual_information(x, y, critic=critic, hidden=hidden, layers=layers,
                                         steps=2, batch_size=32, rng=0, **kw)
    linears = [mod for mod in est.critic.modules() if isinstance(mod, torch.nn.Linear)]
    # each network: an input layer, layers - 1 hidden-to-hidden layers, an output layer
    nets = 2 if critic == "separable" else 1
    assert len(linears) == nets * (layers + 1)
    out = embed_dim if critic == "separable" else 1
    for lin in linears:
        assert lin.out_features in ((hidden, out) if lin is not linears[-1] else (out,))
    widths = [lin.out_features for lin in linears]
    assert widths.count(hidden) == nets * layers
    assert widths.count(out) == nets


def test_gaussian_kernel_only_mmd_agg_uses_gaussian_kernels_on_its_grid():
    gen = np.random.default_rng(21)
    x, y = gen.normal(size=(30, 2)), gen.normal(size=(26, 2)) + 0.3
    res = dv.mmd_agg_test(x, y, kernels=("gaussian",), n_bandwidths=4, n_permutations_single=9,
                          n_permutations=9, null="permutation", rng=0)
    names = [k for k, _ in res.details["kernels"]]
    assert names == ["gaussian"] * 4
    d = cdist(x, y).ravel()
    want_bw = np.geomspace(np.quantile(d, 0.05) / 2, 2 * d.max(), 4)
    got_bw = np.array([bw for _, bw in res.details["kernels"]])
    np.testing.assert_allclose(got_bw, want_bw, rtol=1e-9)
    # observed statistic per kernel: unbiased MMD² with exp(-|x-y|²/bw²)
    for (name, bw), mmd in zip(res.details["kernels"], res.details["mmd"]):
        kxx, kyy = np.exp(-cdist(x, x, "sqeuclidean") / bw ** 2), \
            np.exp(-cdist(y, y, "sqeuclidean") / bw ** 2)
        kxy = np.exp(-cdist(x, y, "sqeuclidean") / bw ** 2)
        want = ((kxx.sum() - 30) / (30 * 29) + (kyy.sum() - 26) / (26 * 25)
                - 2 * kxy.mean())
        assert float(mmd) == pytest.approx(want, rel=1e-9, abs=1e-14)


def test_laplace_kernel_only_mmd_fuse_statistic():
    gen = np.random.default_rng(22)
    x, y = gen.normal(size=(25, 2)), gen.normal(size=(25, 2)) * 1.4
    res = dv.mmd_fuse_test(x, y, kernels=("laplace",), n_bandwidths=3, n_permutations=9, rng=0)
    assert [k for k, _ in res.details["kernels"]] == ["laplace"] * 3
    z = np.concatenate([x, y])
    d1 = cdist(z, z, "cityblock")
    dd = d1[np.triu_indices(50, 1)]
    want_bw = np.linspace(np.quantile(dd, 0.05) / 2, 2 * np.quantile(dd, 0.95), 3)
    np.testing.assert_allclose([bw for _, bw in res.details["kernels"]], want_bw, rtol=1e-9)
    terms = []
    for bw in want_bw:
        k = np.exp(-math.sqrt(2.0) * d1 / bw)
        np.fill_diagonal(k, 0.0)
        mmd = (k[:25, :25].sum() + k[25:, 25:].sum()) / (25 * 24) - 2 * k[:25, 25:].mean()
        terms.append(math.sqrt(25 * 24) * mmd / (np.sqrt((k ** 2).sum()) / (25 * 24)))
    assert float(res.statistic) == pytest.approx(np.log(np.mean(np.exp(terms))), rel=1e-9)


@pytest.mark.parametrize("fraction, n_train, n_test", [(0.25, 10, (50, 30)),
                                                       (0.7, 28, (32, 12))])
def test_deep_kernel_train_fraction_sets_the_split(fraction, n_train, n_test):
    gen = np.random.default_rng(23)
    x, y = gen.normal(size=(60, 2)), gen.normal(size=(40, 2)) + 0.5
    res = dv.mmd_deep_test(x, y, train_fraction=fraction, epochs=2, n_permutations=19, rng=0)
    # floor(min(n, m) * fraction) points of each sample train the kernel; the rest test
    assert res.details["n_train"] == n_train
    assert tuple(res.details["n_test"]) == n_test


@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_mmd_test_batch_size_does_not_change_the_test(batch_size):
    gen = np.random.default_rng(24)
    x, y = gen.normal(size=(20, 2)), gen.normal(size=(17, 2)) + 0.4
    ref = dv.mmd_test(x, y, n_permutations=50, rng=5)
    got = dv.mmd_test(x, y, n_permutations=50, rng=5, batch_size=batch_size)
    assert float(got.statistic) == pytest.approx(float(ref.statistic), rel=1e-12)
    # relabelled statistics are float32 products summed in batch-dependent order:
    # equal to a small fraction of the null's spread (the engine's tie tolerance)
    null = np.asarray(ref.null_distribution)
    np.testing.assert_allclose(np.asarray(got.null_distribution), null, rtol=0,
                               atol=0.1 * TIE_RTOL * np.abs(null).max())
    assert got.pvalue == ref.pvalue
