"""Classifier two-sample test: exact binomial p-value, balance, cross-fitting, calibration."""

import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats

import divergences as dv


def test_strong_signal_and_exact_binomial_pvalue():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(300, 3)), rng.normal(size=(300, 3)) + [1.0, 0, 0]
    res = dv.c2st(x, y, classifier="logistic", rng=0)
    n_te = res.details["n_test"]
    assert n_te == 300
    correct = round(res.statistic * n_te)
    expected = stats.binomtest(correct, n_te, 0.5, alternative="greater").pvalue
    assert res.pvalue == pytest.approx(expected, rel=1e-9)
    assert res.statistic > 0.65 and res.pvalue < 1e-6
    assert 0.5 < res.details["auc"] <= 1
    # Bayes accuracy for a unit shift is Phi(1/2) = 0.69: a classifier cannot beat it by much
    assert res.statistic < stats.norm.cdf(0.5) + 3 * math.sqrt(0.25 / n_te)


def test_unequal_sizes_give_a_balanced_held_out_set():
    rng = np.random.default_rng(1)
    res = dv.c2st(rng.normal(size=(500, 2)), rng.normal(size=(120, 2)), classifier="logistic",
                  rng=0)
    assert res.details["n_test"] == 2 * 60
    assert (res.n_x, res.n_y) == (500, 120)


def test_jsd_lower_bound_is_below_the_true_jsd():
    # two 1-D Gaussians with a known JSD (by quadrature)
    p, q = stats.norm(0, 1), stats.norm(1.5, 1)
    m = lambda t: 0.5 * (p.pdf(t) + q.pdf(t))  # noqa: E731
    jsd = 0.5 * integrate.quad(lambda t: p.pdf(t) * np.log(p.pdf(t) / m(t)), -15, 15)[0] + \
        0.5 * integrate.quad(lambda t: q.pdf(t) * np.log(q.pdf(t) / m(t)), -15, 15)[0]
    rng = np.random.default_rng(2)
    res = dv.c2st(p.rvs(2000, random_state=rng)[:, None], q.rvs(2000, random_state=rng)[:, None],
                  classifier="logistic", rng=0)
    lo, hi = res.details["jsd_lower_bound_ci"]
    assert lo < res.details["jsd_lower_bound"] < hi
    # the logistic model is well specified here: the bound is nearly tight, never far above
    assert lo <= jsd
    assert res.details["jsd_lower_bound"] > jsd - 0.03


def test_type_one_error_logistic():
    rng = np.random.default_rng(3)
    reps, alpha = 200, 0.05
    pvals = np.array([dv.c2st(rng.normal(size=(40, 5)), rng.normal(size=(40, 5)),
                              classifier="logistic", rng=rng).pvalue for _ in range(reps)])
    # the binomial null is exact or conservative: at most the upper 99% binomial limit
    assert np.sum(pvals <= alpha) <= stats.binom.ppf(0.995, reps, alpha)
    assert np.sum(pvals <= alpha) >= stats.binom.ppf(0.005, reps, alpha) - 3


@pytest.mark.slow
def test_type_one_error_mlp():
    rng = np.random.default_rng(4)
    reps, alpha = 100, 0.05
    pvals = np.array([dv.c2st(rng.normal(size=(60, 5)), rng.normal(size=(60, 5)), rng=rng).pvalue
                      for _ in range(reps)])
    assert np.sum(pvals <= alpha) <= stats.binom.ppf(0.995, reps, alpha)


def test_cross_fitting_with_retrainings():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(60, 2)), rng.normal(size=(40, 2)) + [1.5, 0]
    res = dv.c2st(x, y, classifier="logistic", n_folds=5, n_retrainings=19, rng=0)
    assert res.details["n_test"] == 100
    assert res.null_distribution.shape == (19,)
    assert res.pvalue == pytest.approx((1 + np.sum(res.null_distribution >= res.statistic)) / 20)
    assert res.pvalue == pytest.approx(0.05)
    assert res.statistic == res.details["balanced_accuracy"] > 0.75
    with pytest.raises(ValueError, match="n_retrainings"):
        dv.c2st(x, y, n_folds=5)
    # the spelling of earlier releases: n_permutations counted retrainings there
    with pytest.warns(DeprecationWarning, match="pass n_retrainings=B"):
        old = dv.c2st(x, y, classifier="logistic", n_folds=5, n_permutations=19, rng=0)
    assert old.pvalue == res.pvalue and old.details["n_retrainings"] == 19
    np.testing.assert_array_equal(old.null_distribution, res.null_distribution)


class NearestMean:
    """A minimal scikit-learn-style classifier (fit / predict_proba) without sklearn."""

    def fit(self, X, y):
        self.mu1, self.mu0 = X[y == 1].mean(0), X[y == 0].mean(0)
        return self

    def predict_proba(self, X):
        s = ((X - self.mu0) ** 2).sum(1) - ((X - self.mu1) ** 2).sum(1)
        p1 = 1 / (1 + np.exp(-s))
        return np.stack([1 - p1, p1], axis=1)


def test_external_classifier_and_reproducibility():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(200, 2)), rng.normal(size=(200, 2)) + [0.8, 0]
    a = dv.c2st(x, y, classifier=NearestMean(), rng=1)
    b = dv.c2st(x, y, classifier=NearestMean(), rng=1)
    assert a.statistic == b.statistic and a.pvalue == b.pvalue
    assert a.details["classifier"] == "NearestMean"
    m1 = dv.c2st(x, y, rng=2)
    m2 = dv.c2st(x, y, rng=2)
    assert m1.statistic == m2.statistic and m1.details["log_loss"] == m2.details["log_loss"]
    assert a.pvalue < 1e-3 and m1.pvalue < 1e-3


def test_torch_input_and_one_dimensional():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(150, generator=gen)
    y = torch.randn(150, generator=gen) + 2
    res = dv.c2st(x, y, classifier="logistic", rng=0)
    assert res.statistic > 0.8


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(x=np.ones((10, 2)), y=np.ones((10, 3))), ValueError, "same dimension"),
    (dict(x=np.ones((0, 2)), y=np.ones((10, 2))), ValueError, "x is empty"),
    (dict(x=np.ones((10, 2)), y=np.full((10, 2), np.inf)), ValueError, "y contains infinite"),
    (dict(x=np.ones((3, 2)), y=np.ones((3, 2))), ValueError, "too few samples"),
    (dict(x=np.ones((10, 2)), y=np.ones((10, 2)), test_fraction=1.5), ValueError, "test_fraction"),
    (dict(x=np.ones((10, 2)), y=np.ones((10, 2)), classifier="forest"), ValueError, "classifier"),
    (dict(x=np.ones((10, 2)), y=np.ones((10, 2)), classifier=3), TypeError, "classifier"),
    (dict(x=np.ones((10, 2)), y=np.ones((10, 2)), n_folds=1, n_permutations=5), ValueError, "n_folds"),
])
def test_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        dv.c2st(**kwargs)


class FirstCoordinate:
    """Logit = first coordinate (a fixed classifier) and records what it is asked to score."""

    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        FirstCoordinate.scored = np.array(X)
        p1 = 1 / (1 + np.exp(-X[:, 0]))
        return np.stack([1 - p1, p1], axis=1)


def test_logit_statistic_is_the_mean_held_out_logit_difference():
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=(60, 2)), rng.normal(size=(50, 2)) + [0.3, 0.0]
    res = dv.c2st(x, y, classifier=FirstCoordinate(), statistic="logit", n_permutations=199,
                  rng=0)
    scored = FirstCoordinate.scored
    from_x = (scored[:, None, :] == x[None, :, :]).all(-1).any(1)
    assert from_x.sum() == 25 == (~from_x).sum()          # balanced held-out set
    want = scored[from_x, 0].mean() - scored[~from_x, 0].mean()
    assert res.statistic == pytest.approx(want, rel=1e-9)
    assert res.details["logit_difference"] == pytest.approx(want, rel=1e-9)
    # exact permutation p-value over the stored null
    null = res.null_distribution
    assert null.size == 199 and "C2ST-L" in res.method
    assert res.pvalue == pytest.approx((1 + np.sum(null >= res.statistic - 1e-12)) / 200)
    # each null value is a relabelling of the same held-out logits
    assert np.all(np.abs(null) <= np.ptp(scored[:, 0]) + 1e-12)


def test_logit_statistic_type_one_error_and_ties():
    rng = np.random.default_rng(12)
    reps, alpha = 200, 0.05
    pvals = np.array([dv.c2st(rng.standard_t(3, size=(40, 3)), rng.standard_t(3, size=(40, 3)),
                              classifier="logistic", statistic="logit", n_permutations=199,
                              rng=r).pvalue for r in range(reps)])
    lo, hi = stats.binom.ppf([0.005, 0.995], reps, alpha)
    assert lo <= np.sum(pvals <= alpha) <= hi
    # a classifier with one constant output: every relabelling ties, p = 1
    class Constant(FirstCoordinate):
        def predict_proba(self, X):
            return np.full((len(X), 2), 0.5)

    x = rng.normal(size=(30, 2))
    assert dv.c2st(x, x + 5.0, classifier=Constant(), statistic="logit", rng=0).pvalue == 1.0


def test_logit_statistic_detects_a_shift():
    rng = np.random.default_rng(13)
    x, y = rng.normal(size=(300, 2)), rng.normal(size=(300, 2)) + [0.5, 0.0]
    res = dv.c2st(x, y, classifier="logistic", statistic="logit", rng=0)
    assert res.pvalue < 0.01 and res.statistic > 0


@pytest.mark.parametrize("scale", [1e-300, 1e300, 2.0 ** -1060, 4e307])
def test_extreme_magnitudes_give_the_unscaled_test(scale):
    # the built-in classifiers train in float32: without an exact rescaling first, data
    # at 1e-300 underflowed to 0 (p = 0.55 where the unscaled test gives 0.026) and data
    # at 1e300 overflowed L-BFGS (RuntimeError) or the MLP's logits (NaN losses)
    rng = np.random.default_rng(14)
    x, y = rng.normal(size=(60, 2)), rng.normal(size=(60, 2)) + 1.0
    for kw in (dict(classifier="logistic"), dict(classifier="mlp", training={"max_epochs": 20}),
               dict(classifier="logistic", statistic="logit", n_permutations=99)):
        a = dv.c2st(x, y, rng=0, **kw)
        b = dv.c2st(x * scale, y * scale, rng=0, **kw)
        assert b.pvalue == pytest.approx(a.pvalue, rel=1e-6), kw
        assert a.pvalue < 0.05
