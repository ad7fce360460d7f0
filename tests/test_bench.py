"""Ground-truth problems and the bias/variance harness."""

import csv
import io
import math
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from scipy import stats

import divergences as dv
from divergences.benchmark.harness import BenchResult, FDivergenceEstimator, MIEstimator, bias_variance
from divergences.benchmark.problems import CorrelatedGaussians, DiscretePair, GaussianPair, mi_staircase


def test_gaussian_pair_truths_against_monte_carlo():
    prob = GaussianPair([0.0, 0.5], [1.0, 2.0], [0.3, 0.0], [[1.5, 0.3], [0.3, 1.0]])
    x_p, x_q = prob.sample(200_000, rng=0)
    p = stats.multivariate_normal(prob.mean_p, prob.cov_p)
    q = stats.multivariate_normal(prob.mean_q, prob.cov_q)
    log_r = p.logpdf(x_p) - q.logpdf(x_p)
    se = log_r.std() / math.sqrt(log_r.size)
    assert abs(log_r.mean() - prob.truth["kl"]) < 5 * se
    u = np.exp(p.logpdf(x_q) - q.logpdf(x_q))
    h = (np.sqrt(u) - 1) ** 2
    assert abs(h.mean() - prob.truth["squared_hellinger"]) < 5 * h.std() / math.sqrt(h.size)
    # sample means and covariances are the stated ones
    np.testing.assert_allclose(x_q.mean(0), prob.mean_q, atol=0.02)
    np.testing.assert_allclose(np.cov(x_q.T), prob.cov_q, atol=0.03)


def test_one_dimensional_wasserstein_truth():
    prob = GaussianPair(0.0, 1.0, 0.5, 4.0)
    x_p, x_q = prob.sample(400_000, rng=1)
    assert float(dv.wasserstein_1d(x_p[:, 0], x_q[:, 0])) == pytest.approx(prob.truth["w1"], abs=0.01)
    assert float(dv.wasserstein_1d(x_p[:, 0], x_q[:, 0], p=2)) == pytest.approx(prob.truth["w2"],
                                                                              abs=0.01)


@pytest.mark.parametrize("transform", [None, "cubic", "asinh"])
def test_correlated_gaussians_mi_against_monte_carlo(transform):
    prob = CorrelatedGaussians(d=3, mi=1.5, transform=transform)
    x, y = prob.sample(200_000, rng=2)
    inverse = {None: lambda t: t, "cubic": np.cbrt, "asinh": np.sinh}[transform]
    y = inverse(y)
    r = prob.rho
    # log p(x, y) / (p(x) p(y)) for standard bivariate normals with correlation r, per coordinate
    log_ratio = (-0.5 * np.log1p(-r * r) - (r * r * (x ** 2 + y ** 2) - 2 * r * x * y)
                 / (2 * (1 - r * r))).sum(1)
    se = log_ratio.std() / math.sqrt(log_ratio.size)
    assert abs(log_ratio.mean() - prob.truth["mi"]) < 5 * se
    assert prob.truth["mi"] == pytest.approx(float(dv.gaussian_mutual_information(r, 3)))


def test_staircase_and_discrete_pair():
    levels = mi_staircase()
    assert [round(p.truth["mi"], 12) for p in levels] == [2.0, 4.0, 6.0, 8.0, 10.0]
    assert all(p.d == 20 for p in levels)
    prob = DiscretePair([0.2, 0.3, 0.5], [0.4, 0.4, 0.2])
    assert prob.truth["kl"] == pytest.approx(stats.entropy(prob.p, prob.q))
    assert "alpha_0.5" in prob.truth and "weighted_jensen_shannon_0.3" in prob.truth
    a, b = prob.sample(100_000, rng=3)
    np.testing.assert_allclose(np.bincount(a, minlength=3) / a.size, prob.p, atol=0.01)
    np.testing.assert_allclose(np.bincount(b, minlength=3) / b.size, prob.q, atol=0.01)


def mean_gap(sample, rng):
    """Estimates the shift of GaussianPair.isotropic (= w1): unbiased, variance 2/n."""
    return float(sample[1][:, 0].mean() - sample[0][:, 0].mean())


def biased_gap(sample, rng):
    return mean_gap(sample, rng) + 0.3


def test_harness_on_estimators_with_known_bias_and_variance():
    prob = GaussianPair.isotropic(d=1, shift=1.0)
    n, trials = 50, 400
    res = bias_variance({"unbiased": (mean_gap, "w1"), "biased": (biased_gap, "w1")}, prob,
                        sample_sizes=[n], n_trials=trials, rng=0)
    var = 2.0 / n
    sd_mean = math.sqrt(var / trials)
    lo, hi = stats.chi2.ppf([0.0005, 0.9995], trials - 1) / (trials - 1)
    for row, bias in zip(res.rows, (0.0, 0.3)):
        assert abs(row["bias"] - bias) < 4 * sd_mean
        assert lo * var < row["variance"] < hi * var
        assert row["mse"] == pytest.approx(row["bias"] ** 2 + row["variance"] * (trials - 1) / trials)
        ci = row["ci"]["bias"]
        assert ci[0] < row["bias"] < ci[1] and ci[0] < bias < ci[1]
        assert row["values"].shape == (trials,) and row["seconds_per_trial"] >= 0
    # the two estimators saw the same data: their values differ by exactly 0.3
    np.testing.assert_allclose(res.rows[1]["values"] - res.rows[0]["values"], 0.3)


def test_executor_gives_the_same_table():
    probs = [GaussianPair.isotropic(d=1, shift=s) for s in (0.5, 1.0)]
    kwargs = dict(sample_sizes=[20, 40], n_trials=6, rng=5)
    local = bias_variance({"gap": (mean_gap, "w1")}, probs, **kwargs)
    with ProcessPoolExecutor(max_workers=2) as pool:
        remote = bias_variance({"gap": (mean_gap, "w1")}, probs, executor=pool, **kwargs)
    for a, b in zip(local.rows, remote.rows):
        np.testing.assert_array_equal(a["values"], b["values"])
        assert a["ci"] == b["ci"] and a["mse"] == b["mse"]


def test_a_neural_estimator_gives_the_same_table_in_process_and_in_an_executor():
    """Issue 26: in process the trials of a cell trained as one batched network, in an
    executor one by one: with the same rng, NWJ's row was -0.296 in process and -0.013
    with a ThreadPoolExecutor.  A cell now runs the same computation wherever it runs,
    and each row says which one ran."""
    from concurrent.futures import ThreadPoolExecutor

    prob = CorrelatedGaussians(d=2, mi=0.5)
    ests = {"nwj": MIEstimator("nwj", steps=40, batch_size=32, options={"hidden": 16})}
    kwargs = dict(sample_sizes=[400], n_trials=3, rng=4, n_bootstrap=50)
    for batched in (True, False):
        local = bias_variance(ests, prob, batched=batched, **kwargs)
        with ThreadPoolExecutor(max_workers=2) as pool:
            remote = bias_variance(ests, prob, executor=pool, batched=batched, **kwargs)
        np.testing.assert_array_equal(local.rows[0]["values"], remote.rows[0]["values"])
        assert local.rows[0]["batched"] is remote.rows[0]["batched"] is batched
    # the two computations differ (else the check above could not fail)
    assert not np.array_equal(
        bias_variance(ests, prob, batched=True, **kwargs).rows[0]["values"],
        bias_variance(ests, prob, batched=False, **kwargs).rows[0]["values"])


@pytest.mark.slow
def test_batched_trials_agree_with_sequential_trials():
    prob = CorrelatedGaussians(d=2, mi=1.0)
    est = MIEstimator("infonce", steps=150, batch_size=64, options={"hidden": 32})
    kwargs = dict(sample_sizes=[3000], n_trials=12, rng=7)
    batched = bias_variance({"b": est}, prob, batched=True, **kwargs).rows[0]
    seq = bias_variance({"s": est}, prob, batched=False, **kwargs).rows[0]
    # same data, independent critic randomness: the means agree within Monte-Carlo error
    se = math.sqrt(batched["variance"] / 12 + seq["variance"] / 12)
    assert abs(batched["mean"] - seq["mean"]) < 4 * se + 0.02
    ratio = batched["variance"] / seq["variance"]
    lo, hi = stats.f.ppf([0.001, 0.999], 11, 11)
    assert lo < ratio < hi
    assert abs(batched["mean"] - 1.0) < 0.25


def test_f_divergence_estimator_spec():
    prob = GaussianPair.isotropic(d=1, shift=1.0)
    res = bias_variance({"kl": FDivergenceEstimator("kl", steps=200)}, prob, sample_sizes=[3000],
                        n_trials=2, rng=0)
    assert abs(res.rows[0]["mean"] - 0.5) < 0.15


def test_outputs(tmp_path):
    prob = GaussianPair.isotropic(d=1, shift=1.0)
    res = bias_variance({"gap": (mean_gap, "w1")}, [prob, GaussianPair.isotropic(1, 2.0)],
                        sample_sizes=[30], n_trials=8, rng=0)
    md = res.to_markdown()
    assert md.count("\n") == 3 and "| gap |" in md
    text = res.to_csv(tmp_path / "t.csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2 and float(rows[1]["truth"]) == pytest.approx(2.0)
    assert (tmp_path / "t.csv").read_text() == text
    png = res.plot(tmp_path / "t.png")
    assert (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG" and png == tmp_path / "t.png"


def test_plot_without_matplotlib_says_how_to_install(monkeypatch, tmp_path):
    import builtins

    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("no matplotlib")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    res = BenchResult(rows=[])
    with pytest.raises(ImportError, match="pip install"):
        res.plot(tmp_path / "x.png")


def test_bad_input():
    prob = GaussianPair.isotropic()
    with pytest.raises(TypeError, match="target"):
        bias_variance({"x": mean_gap}, prob, sample_sizes=[10], n_trials=2)
    with pytest.raises(ValueError, match="does not know"):
        bias_variance({"x": (mean_gap, "mi")}, prob, sample_sizes=[10], n_trials=2)
    with pytest.raises(ValueError, match="n_trials"):
        bias_variance({"x": (mean_gap, "w1")}, prob, sample_sizes=[10], n_trials=0)
    with pytest.raises(ValueError, match="exactly one"):
        CorrelatedGaussians(d=2)
    with pytest.raises(ValueError, match="transform"):
        CorrelatedGaussians(d=2, mi=1.0, transform="square")


def test_problem_sample_sizes_are_validated():
    for prob in (GaussianPair.isotropic(), CorrelatedGaussians(d=2, mi=1.0),
                 DiscretePair([0.5, 0.5], [0.2, 0.8])):
        with pytest.raises(ValueError, match="n must be a positive integer"):
            prob.sample(0, rng=0)


def test_dask_executor_gives_the_sequential_table():
    # issue 16: sweeps scale out through any concurrent.futures executor; a
    # dask.distributed cluster's executor gives the same table as the sequential run
    import distributed
    from divergences.benchmark.harness import ClassicalEstimator, MIEstimator, bias_variance
    from divergences.benchmark.problems import AdditiveUniformNoise, CorrelatedGaussians

    ests = {"ksg": ClassicalEstimator("ksg"),
            "infonce": MIEstimator("infonce", steps=5, batch_size=32, options={"hidden": 8})}
    probs = [CorrelatedGaussians(d=1, mi=0.5), AdditiveUniformNoise(0.2)]
    kwargs = dict(sample_sizes=[200], n_trials=2, rng=7, batched=False)
    sequential = bias_variance(ests, probs, **kwargs)
    # threads in this process: no worker processes to start, same code path as processes
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        scaled = bias_variance(ests, probs, executor=client.get_executor(), **kwargs)
    assert len(scaled.rows) == len(sequential.rows) == 4
    for a, b in zip(sequential.rows, scaled.rows):
        assert (a["estimator"], a["problem"]) == (b["estimator"], b["problem"])
        np.testing.assert_array_equal(a["values"], b["values"])
