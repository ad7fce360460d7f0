"""Result types print one line and convert to strict JSON; progress goes to stderr only
where a person watches; a column is never read as n one-point problems."""

import io
import json
import math
import sys

import numpy as np
import pytest
import torch

import divergences as dv
from divergences._backend import progress as _progress
from divergences.benchmark.harness import BenchResult, bias_variance
from divergences.benchmark.problems import GaussianPair
from divergences.results import json_safe


@pytest.fixture(scope="module")
def big_results():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(300, 2)), rng.normal(size=(300, 2)) + 0.5
    return {
        "mmd": dv.mmd_test(x, y, n_permutations=2000, rng=0),
        "energy": dv.energy_test(x, y, n_permutations=2000, rng=0),
        "wasserstein": dv.wasserstein_test(x[:, 0], y[:, 0], n_permutations=2000, rng=0),
        "c2st": dv.c2st(x, y, classifier="logistic", n_permutations=5, rng=0),
    }


@pytest.mark.parametrize("name", ["mmd", "energy", "wasserstein", "c2st"])
def test_two_sample_results_print_one_short_line(big_results, name):
    res = big_results[name]
    for text in (str(res), repr(res)):
        assert "\n" not in text and len(text) < 250, text
    assert res.method in str(res) and f"n_x = {res.n_x}" in str(res)
    assert f"p-value = {res.pvalue:.4g}" in str(res)
    # the arrays are still there, only left out of the repr
    assert res.null_distribution is not None and res.null_distribution.size > 0
    d = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert d["pvalue"] == res.pvalue and d["statistic"] == pytest.approx(float(res.statistic))
    assert "null_distribution" not in d
    full = res.to_dict(include_null=True)
    assert len(full["null_distribution"]) == res.null_distribution.size


def test_torch_statistic_prints_and_converts():
    g = torch.Generator().manual_seed(0)
    x, y = (torch.randn(n, 2, dtype=torch.float64, generator=g) for n in (40, 30))
    res = dv.energy_test(x, y, n_permutations=50, rng=0)
    assert isinstance(res.statistic, torch.Tensor)
    assert "tensor" not in str(res)
    assert isinstance(res.to_dict()["statistic"], float)


def test_non_finite_values_become_null_with_a_reason():
    res = dv.TwoSampleResult(statistic=math.nan, pvalue=1.0, method="m", n_x=3, n_y=4,
                             details={"bound": (-math.inf, 2.0), "module": dv.critics.linear(1, 1, torch.Generator())})
    d = res.to_dict()
    text = json.dumps(d, allow_nan=False)          # strict JSON: would raise on NaN
    assert d["statistic"] is None and d["details"]["bound"] == [None, 2.0]
    assert d["non_finite"] == {"statistic": "nan", "details.bound[0]": "-inf"}
    assert "module" not in d["details"] and "Infinity" not in text


def test_json_safe_types():
    notes = {}
    out = json_safe({"i": np.int64(3), "b": np.bool_(True), "t": torch.tensor(2.5),
                     "a": np.array([1.0, np.nan]), "s": "x", "n": None}, non_finite=notes)
    assert out == {"i": 3, "b": True, "t": 2.5, "a": [1.0, None], "s": "x", "n": None}
    assert type(out["i"]) is int and notes == {"a[1]": "nan"}


def test_estimate_prints_value_stderr_and_ci():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 1))
    y = 0.8 * x + 0.6 * rng.normal(size=(2000, 1))
    est = dv.estimate_mutual_information(x, y, steps=30, rng=0, confidence=0.9)
    text = str(est)
    assert "\n" not in text and "+-" in text and "90% CI" in text and est.method in text
    assert "curve" not in repr(est) and "critic" not in repr(est) and len(repr(est)) < 250
    assert est.curve.shape == (30,)
    d = json.loads(json.dumps(est.to_dict(), allow_nan=False))
    assert d["value"] == est.value and d["ci"] == list(est.ci) and d["confidence"] == 0.9
    assert "non_finite" not in d


def test_one_held_out_batch_explains_the_infinite_stderr():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 1))
    est = dv.estimate_mutual_information(x, x + rng.normal(size=(600, 1)), steps=10, rng=0)
    assert est.details["n_eval_batches"] == 1 and est.stderr == math.inf
    assert "one held-out batch" in str(est)
    d = est.to_dict()
    assert d["stderr"] is None and "one held-out batch" in d["non_finite"]["stderr"]


def test_bench_result_repr_and_json():
    res = bias_variance({"gap": (lambda s, rng: float(s[1].mean() - s[0].mean()), "w1")},
                        [GaussianPair.isotropic(1, 1.0), GaussianPair.isotropic(1, 2.0)],
                        sample_sizes=[30, 60], n_trials=40, rng=0)
    text = repr(res)
    assert "\n" not in text and "4 cell(s)" in text and "40 trials" in text
    assert str(res) == text
    d = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert len(d["rows"]) == 4 and len(d["rows"][0]["values"]) == 40
    assert isinstance(res, BenchResult)


def test_bench_needs_two_trials_and_positive_sizes():
    est = {"gap": (lambda s, rng: 0.0, "w1")}
    prob = GaussianPair.isotropic(1, 1.0)
    with pytest.raises(ValueError, match="n_trials must be at least 2"):
        bias_variance(est, prob, sample_sizes=[10], n_trials=1)
    with pytest.raises(ValueError, match=r"sample_sizes\[0\] must be at least 1"):
        bias_variance(est, prob, sample_sizes=[0], n_trials=2)


# ---------------------------------------------------------------------------
# progress
# ---------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def _train_quietly(progress):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(400, 1)), rng.normal(size=(400, 1)) + 1
    return dv.estimate_f_divergence(x, y, "kl", steps=20, batch_size=64, rng=0, progress=progress)


def test_progress_is_silent_by_default_off_a_terminal(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    _train_quietly(None)
    dv.mmd_test(np.zeros((20, 1)), np.ones((20, 1)), n_permutations=50, rng=0)
    assert err.getvalue() == ""


def test_progress_true_off_a_terminal_writes_whole_lines(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    _train_quietly(True)
    text = err.getvalue()
    assert "\r" not in text
    lines = text.strip().splitlines()
    assert 2 <= len(lines) <= 11
    assert lines[-1].startswith("estimate_f_divergence (kl, fgan): step 20/20, objective")


def test_progress_on_a_terminal_is_a_bar(monkeypatch):
    err = _Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    _train_quietly(True)
    # a tqdm bar, redrawn in place and cleared at the end (leave=False)
    assert "estimate_f_divergence (kl, fgan):" in err.getvalue() and "/20 [" in err.getvalue()
    assert "\n" not in err.getvalue()
    # automatic (None): the same bar, but it appears only after 2 s (checked through the
    # delay it is given, not through the clock, so that a busy machine cannot fail this)
    delays = []
    real_bar = _progress._Bar

    def recording_bar(total, desc, unit, delay):
        delays.append(delay)
        return real_bar(total, desc, unit, delay)

    monkeypatch.setattr(_progress, "_Bar", recording_bar)
    monkeypatch.setattr(sys, "stderr", _Terminal())
    _train_quietly(None)
    _train_quietly(True)
    assert delays == [2.0, 0.0]
    err3 = _Terminal()
    monkeypatch.setattr(sys, "stderr", err3)
    _train_quietly(False)
    assert err3.getvalue() == ""


def test_permutation_progress_lines(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    dv.energy_test(np.zeros((20, 1)), np.ones((20, 1)), n_permutations=100, batch_size=10,
                   rng=0, progress=True)
    lines = err.getvalue().strip().splitlines()
    assert lines[-1].startswith("energy_test: perm 100/100") and len(lines) == 10


def test_progress_argument_is_checked():
    with pytest.raises(TypeError, match="progress must be None, True or False"):
        dv.mmd_test(np.zeros((5, 1)), np.ones((5, 1)), progress="yes")
    with pytest.raises(TypeError, match="progress"):
        _progress.progress_bar(1, 10, "x")


# ---------------------------------------------------------------------------
# shapes: a column is one sample or an error, never n one-point problems
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_wasserstein_column_is_rejected_with_a_hint(backend):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(200, 1)), rng.normal(size=(200, 1)) + 1.0
    if backend == "torch":
        x, y = torch.from_numpy(x), torch.from_numpy(y)
    with pytest.raises(ValueError, match=r"x has shape \(200, 1\), a column.*ravel\(\)"):
        dv.wasserstein_1d(x, y)
    with pytest.raises(ValueError, match="column"):
        dv.earth_movers_distance(x, y)
    # each way of saying what is meant works
    one = float(dv.wasserstein_1d(x.ravel(), y.ravel()))
    assert float(dv.wasserstein_1d(x, y, axis=0)[0]) == pytest.approx(one)
    per_point = dv.wasserstein_1d(x, y, axis=-1)
    assert tuple(per_point.shape) == (200,)
    np.testing.assert_allclose(np.asarray(per_point), np.abs(np.asarray(x - y)).ravel())
    # a single point, a (1, 1) array, and batches with more than one sample are unchanged
    assert float(dv.wasserstein_1d([[0.0]], [[2.0]])[0]) == 2.0
    assert dv.wasserstein_1d(np.zeros((3, 5)), np.ones((3, 5))).shape == (3,)


def test_wasserstein_test_column_hint():
    with pytest.raises(ValueError, match=r"for a column pass x\.ravel\(\)"):
        dv.wasserstein_test(np.zeros((10, 1)), np.ones(10))
    with pytest.raises(ValueError, match="energy_test or mmd_test"):
        dv.wasserstein_test(np.zeros((10, 2)), np.ones(10))


def test_reject_warns_when_the_level_is_out_of_reach():
    x, y = np.zeros((10, 1)), np.ones((10, 1))
    res = dv.energy_test(x, y, n_permutations=1, rng=0)
    assert res.pvalue == 0.5
    with pytest.warns(UserWarning, match=r"never reject; use n_permutations >= 19"):
        assert res.reject(0.05) is False
    res = dv.energy_test(x, y, n_permutations=19, rng=0)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert res.reject(0.05) is True          # 1/20 = 0.05: reachable, and reached
    with pytest.raises(ValueError, match="level must lie in"):
        res.reject(1.5)


@pytest.mark.parametrize("scalar", [np.float32, np.float64, np.int64])
def test_numpy_scalars_are_accepted_as_parameters(scalar):
    # numpy scalars are real numbers: parameters given as np.float32(0.5) or np.int64(2)
    # behave like the Python numbers (they used to raise TypeError)
    value = scalar(2) if scalar is np.int64 else scalar(0.5)
    assert dv.get_f("alpha", alpha=value).params["alpha"] == float(value)
    assert float(dv.renyi_divergence_gaussian(0.0, 1.0, 1.0, 1.0, order=value)) == \
        pytest.approx(float(value) / 2)
    x, y = np.zeros((6, 1)), np.ones((6, 1))
    assert dv.mmd_test(x, y, bandwidth=value, n_permutations=5, rng=0).details["bandwidth"] == \
        pytest.approx(float(value))
    assert float(dv.wasserstein_1d([0.0, 1.0], [1.0, 2.0], p=scalar(2))) == pytest.approx(1.0)
    s = np.random.default_rng(0).normal(size=(4, 4))
    assert float(dv.smile_bound(s, value)) == pytest.approx(float(dv.smile_bound(s, float(value))))
    if scalar is not np.int64:
        assert dv.get_f("weighted_jensen_shannon", pi=value).params["pi"] == 0.5
        assert dv.TwoSampleResult(0.1, 0.01, "m", 3, 3).reject(scalar(0.05)) is True


@pytest.mark.parametrize("bad", ["0.05", True, None, [0.05]])
def test_reject_needs_a_real_level(bad):
    with pytest.raises(ValueError, match="level must lie in"):
        dv.TwoSampleResult(0.1, 0.01, "m", 3, 3).reject(bad)


def _bias_variance_with(**options):
    return bias_variance({"g": (lambda s, r: 0.0, "w1")}, GaussianPair.isotropic(1, 1.0),
                         sample_sizes=[10], n_trials=2, **options)


X2 = np.random.default_rng(0).normal(size=(100, 2))


@pytest.mark.parametrize("call, error, match", [
    (lambda: dv.wasserstein_1d(None, [1.0]), TypeError, "x must be an array"),
    (lambda: dv.estimate_f_divergence(X2, X2 + 1, critic="mlp", steps=2), TypeError,
     "critic must be a torch.nn.Module"),
    (lambda: dv.estimate_f_divergence(X2, X2 + 1, lr=-1.0, steps=2), ValueError, "lr must lie in"),
    (lambda: dv.c2st(X2, X2 + 1, training={"hidden": (0,)}), ValueError, "hidden must hold positive"),
    (lambda: dv.c2st(X2, X2 + 1, training={"hidden": 3}), TypeError, "hidden must be a sequence"),
    (lambda: dv.c2st(X2, X2 + 1, training={"max_epochs": -1}), ValueError, "max_epochs must be an int"),
    (lambda: dv.c2st(X2, X2 + 1, test_fraction="0.5"), ValueError, "test_fraction"),
    (lambda: dv.c2st(X2, X2 + 1, training={"lr": 0.0}), ValueError, "lr must be a positive"),
    (lambda: dv.c2st(X2, X2 + 1, training={"weight_decay": -1.0}), ValueError, "weight_decay"),
    (lambda: _bias_variance_with(n_bootstrap=0), ValueError, "n_bootstrap"),
    (lambda: _bias_variance_with(confidence=1.5), ValueError, "confidence must lie"),
    (lambda: dv.infonce_bound(np.array([[np.inf, 0.0], [0.0, 1.0]])), ValueError,
     r"scores contains \+inf"),
])
def test_bad_arguments_raise_errors_that_name_them(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message without CUDA")
def test_unavailable_device_is_a_value_error():
    with pytest.raises(ValueError, match="device 'cuda' is not available"):
        dv.c2st(X2, X2 + 1, device="cuda")


def test_a_bandwidth_far_below_the_distances_gives_the_identity_kernel():
    # k = exp(-d^2 / (2 bw^2)) is 1 on the diagonal and 0 elsewhere: every permutation ties
    # at MMD^2 = 0, so p = 1 (before: ZeroDivisionError from bw * bw underflowing to 0)
    x = np.random.default_rng(1).normal(size=(20, 2))
    res = dv.mmd_test(x, x + 1.0, bandwidth=1e-200, n_permutations=20, rng=0)
    assert res.statistic == 0.0 and res.pvalue == 1.0


@pytest.mark.parametrize("call, name", [
    (lambda m: dv.f_divergence(m, m), "p"),
    (lambda m: dv.wasserstein_1d(m, m), "x"),
    (lambda m: dv.nwj_bound(m, m), "t_p"),
    (lambda m: dv.get_f("kl")(m), "u"),
    (lambda m: dv.energy_test(m[:, None], m[:, None]), "x"),
    (lambda m: dv.c2st(m[:, None], m[:, None]), "x"),
])
def test_meta_tensors_are_refused_by_name(call, name):
    # a meta tensor has a shape but no data: before, Tensor.item() failed deep inside
    with pytest.raises(ValueError, match=f"{name} is a meta tensor"):
        call(torch.empty(6, device="meta"))
