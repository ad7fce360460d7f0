"""The one permutation engine (issue 25): its p-value rule, ties and ``alternative``, and
every permutation test of the library reading its p-value off it.

Each test's p-value is recomputed here from its own statistic and null distribution by
the rule written out by hand, on small inputs with ties (discrete data), for every
alternative; the aggregated test's single p-values and level correction are recomputed
from their definitions.
"""

import math

import numpy as np
import pytest
import torch
from scipy import stats

import divergences as dv
from divergences._backend.array import namespace
from divergences.two_sample import _permutation as engine


def rule(t, null, alternative, rtol=engine.TIE_RTOL, atol=engine.TIE_ATOL):
    """The p-value rule, written out with a loop."""
    null = np.asarray(null, dtype=float)
    tol = max(rtol * max(abs(t), np.max(np.abs(null))), atol)
    ge = sum(1 for v in null if v >= t - tol)
    le = sum(1 for v in null if v <= t + tol)
    b = len(null)
    p_ge, p_le = (1 + ge) / (1 + b), (1 + le) / (1 + b)
    return {"greater": p_ge, "less": p_le, "two-sided": min(1.0, 2 * min(p_ge, p_le))}[alternative]


@pytest.mark.parametrize("alternative", engine.ALTERNATIVES)
def test_rule_on_hand_computed_nulls(alternative):
    null = np.array([0.1, 0.5, 0.5, 0.9, -0.3, 0.5])
    want = {"greater": {0.5: 5 / 7, 0.95: 1 / 7, -1.0: 1.0},
            "less": {0.5: 6 / 7, 0.95: 1.0, -1.0: 1 / 7},
            "two-sided": {0.5: 1.0, 0.95: 2 / 7, -1.0: 2 / 7}}[alternative]
    for t, p in want.items():
        assert engine.permutation_pvalue(t, null, alternative) == pytest.approx(p, rel=1e-15)
        assert engine.permutation_pvalue(t, null, alternative) == pytest.approx(
            rule(t, null, alternative), rel=1e-15)


def test_ties_within_the_tolerance_count_and_beyond_it_do_not():
    null = np.array([1.0, 2.0, 3.0])
    t = 2.0
    tol = engine.TIE_RTOL * 3.0
    assert engine.permutation_pvalue(t + 0.5 * tol, null) == 3 / 4      # 2.0 ties
    assert engine.permutation_pvalue(t + 2.0 * tol, null) == 2 / 4      # no longer
    assert engine.permutation_pvalue(t - 0.5 * tol, null, "less") == 3 / 4
    assert engine.permutation_pvalue(t - 2.0 * tol, null, "less") == 2 / 4
    # the absolute floor: statistics of order 1e-13 all tie
    assert engine.permutation_pvalue(1e-13, np.array([0.0, -1e-13, 5e-13])) == 1.0
    # never below 1 / (1 + B)
    assert engine.permutation_pvalue(1e9, null) == 1 / 4


def test_vectorised_observed_values_match_the_scalar_rule():
    rng = np.random.default_rng(0)
    null = rng.integers(0, 5, size=(3, 40)).astype(float)
    obs = rng.integers(0, 6, size=(3, 7)).astype(float)
    for alt in engine.ALTERNATIVES:
        got = engine.permutation_pvalue(obs, null, alt)
        assert got.shape == (3, 7)
        for k in range(3):
            for c in range(7):
                assert got[k, c] == pytest.approx(rule(obs[k, c], null[k], alt), rel=1e-15)


def test_bad_alternative_and_counts_name_the_argument():
    with pytest.raises(ValueError, match="alternative must be one of"):
        engine.permutation_pvalue(0.0, np.zeros(3), "bigger")
    with pytest.raises(TypeError, match="n_permutations must be an int"):
        engine.check_n_permutations(9.0)
    with pytest.raises(ValueError, match="n_permutations"):
        engine.check_n_permutations(0)


def test_labellings_are_uniform_n_subsets():
    gen = np.random.default_rng(1)
    lab = engine.labellings(namespace("numpy"), 2, 4, 6000, gen, np.zeros(1))
    assert lab.shape == (4, 6000)
    np.testing.assert_array_equal(lab.sum(0), 2.0)
    # each of the 6 subsets of size 2 about 1000 times (binomial sd ~ 29)
    codes = (lab * np.array([1, 2, 4, 8])[:, None]).sum(0)
    counts = np.unique(codes, return_counts=True)[1]
    assert counts.size == 6 and np.all(np.abs(counts - 1000) < 5 * 29)


# ---------------------------------------------------------------------------
# every permutation test reads its p-value off the engine
# ---------------------------------------------------------------------------

RNG = np.random.default_rng(7)
# discrete data: many exact ties among the statistics of relabellings
XD = RNG.integers(0, 3, size=(14, 2)).astype(float)
YD = RNG.integers(0, 3, size=(11, 2)).astype(float) + np.array([0.0, 1.0])

METHODS = {
    "wasserstein": lambda alt: dv.wasserstein_test(XD[:, 1], YD[:, 1], n_permutations=99,
                                                   alternative=alt, rng=0),
    "mmd": lambda alt: dv.mmd_test(XD, YD, n_permutations=99, alternative=alt, rng=0),
    "energy": lambda alt: dv.energy_test(XD, YD, n_permutations=99, alternative=alt, rng=0),
    "mmd_fuse": lambda alt: dv.mmd_fuse_test(XD, YD, n_bandwidths=3, n_permutations=99,
                                             alternative=alt, rng=0),
    "mmd_deep": lambda alt: dv.mmd_deep_test(XD, YD, epochs=3, hidden=(4,), features=3,
                                             n_permutations=99, alternative=alt, rng=0),
    "c2st accuracy": lambda alt: dv.c2st(XD, YD, classifier="logistic", n_permutations=99,
                                         alternative=alt, rng=0),
    "c2st logit": lambda alt: dv.c2st(XD, YD, classifier="logistic", statistic="logit",
                                      n_permutations=99, alternative=alt, rng=0),
    "c2st retrainings": lambda alt: dv.c2st(XD, YD, classifier="logistic", n_retrainings=9,
                                            alternative=alt, rng=0),
    "mmd_rff": lambda alt: dv.mmd_rff_test(XD, YD, n_features=8, n_permutations=99,
                                           alternative=alt, rng=0),
    "mmd_nystrom": lambda alt: dv.mmd_nystrom_test(XD, YD, n_landmarks=8, n_permutations=99,
                                                   alternative=alt, rng=0),
}


@pytest.mark.parametrize("alternative", engine.ALTERNATIVES)
@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_permutation_test_uses_the_rule(method, alternative):
    res = METHODS[method](alternative)
    assert res.details["alternative"] == alternative
    null = np.asarray(res.null_distribution)
    assert null.size in (99, 9)
    t = float(res.statistic)
    # statistics computed on rescaled data (W, energy) come back scaled: the rule is
    # scale-free, so the p-value is the rule's on the returned values
    assert res.pvalue == pytest.approx(rule(t, null, alternative), rel=1e-12), method


def test_ties_matter_in_the_discrete_examples():
    """The examples above are worth their name: their nulls hold the observed value."""
    for method in ("wasserstein", "c2st accuracy"):
        res = METHODS[method]("greater")
        null = np.asarray(res.null_distribution)
        assert np.sum(np.isclose(null, float(res.statistic), rtol=1e-12, atol=0)) > 0, method


def test_alternatives_differ_as_they_should():
    g, le, two = (METHODS["mmd"](a) for a in engine.ALTERNATIVES)
    assert g.statistic == le.statistic == two.statistic
    np.testing.assert_array_equal(g.null_distribution, le.null_distribution)
    assert g.pvalue < 0.1 < le.pvalue
    # every relabelling counts on one side or both (ties): p_ge + p_le >= 1 + 1/(1 + B)
    assert g.pvalue + le.pvalue >= 1 + 1 / 100 - 1e-12
    assert two.pvalue == pytest.approx(min(1.0, 2 * min(g.pvalue, le.pvalue)))


def test_c2st_accuracy_without_a_null_is_the_exact_binomial_for_each_alternative():
    from scipy import stats

    for alt in engine.ALTERNATIVES:
        res = dv.c2st(XD, YD, classifier="logistic", alternative=alt, rng=0)
        n_te, k = res.details["n_test"], round(float(res.statistic) * res.details["n_test"])
        g, le = stats.binom.sf(k - 1, n_te, 0.5), stats.binom.cdf(k, n_te, 0.5)
        want = {"greater": g, "less": le, "two-sided": min(1.0, 2 * min(g, le))}[alt]
        assert res.pvalue == pytest.approx(want, rel=1e-12)
        assert res.null_distribution is None


def test_c2st_relabelled_statistics_are_the_statistics_of_relabelled_held_out_labels():
    """The relabelling null, recomputed by hand from the classifier's held-out logits."""

    class Fixed:
        """logit = first coordinate: the same held-out logits whatever the training."""

        def fit(self, X, y):
            return self

        def predict_proba(self, X):
            p1 = 1 / (1 + np.exp(-X[:, 0]))
            return np.stack([1 - p1, p1], axis=1)

    from scipy import stats

    # x-points have logit 1.5, y-points -0.5: whatever the split, the 10 held-out logits
    # are five of each.  A relabelling marks 5 of the 10 as x; with j of them on x-points,
    # the logit statistic is (j 1.5 + (5 - j)(-0.5))/5 - ((5 - j) 1.5 + j (-0.5))/5 =
    # (2j - 5)(2)/5 and the accuracy 2j/10, j hypergeometric(10, 5, 5)
    x, y = np.full((10, 1), 1.5), np.full((10, 1), -0.5)
    j = np.arange(6)
    support = {"logit": (2 * j - 5) * 2.0 / 5, "accuracy": 2 * j / 10}
    prob = stats.hypergeom(10, 5, 5).pmf(j)
    for stat in ("accuracy", "logit"):
        res = dv.c2st(x, y, classifier=Fixed(), statistic=stat, test_fraction=0.5,
                      n_permutations=4000, rng=3)
        assert res.details["n_test"] == 10
        vals = np.asarray(res.null_distribution)
        which = np.argmin(np.abs(vals[:, None] - support[stat][None, :]), axis=1)
        np.testing.assert_allclose(vals, support[stat][which], rtol=0, atol=1e-12)
        counts = np.bincount(which, minlength=6)
        sd = np.sqrt(4000 * prob * (1 - prob))
        assert np.all(np.abs(counts - 4000 * prob) < 5 * sd + 1), (stat, counts)


# ---------------------------------------------------------------------------
# MMDAgg: single p-values and the level correction from their definitions
# ---------------------------------------------------------------------------


def test_mmd_agg_pvalue_and_level_correction_from_their_definitions(monkeypatch):
    import divergences.two_sample.aggregated as agg

    seen = {}
    quadratic_forms = agg._quadratic_forms

    def spy(*args, **kwargs):
        out = quadratic_forms(*args, **kwargs)
        seen["stats"] = out[0].cpu().numpy()
        return out

    monkeypatch.setattr(agg, "_quadratic_forms", spy)
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=(20, 2)), rng.normal(size=(16, 2)) * 1.4
    b1, b2, level = 29, 39, 0.1
    res = dv.mmd_agg_test(x, y, n_bandwidths=2, n_permutations=b2, n_permutations_single=b1,
                          level=level, rng=0)
    stats = seen["stats"]                        # (kernels, 1 + B1 + B2)
    w = res.details["kernel_weights"]
    assert stats.shape == (4, 1 + b1 + b2)
    ref = stats[:, 1:b1 + 1]

    def single(k, v):
        return rule(v, ref[k], "greater")

    p_obs = np.array([single(k, stats[k, 0]) for k in range(4)])
    np.testing.assert_allclose(res.details["pvalues"], p_obs, rtol=1e-15)
    t_obs = min(p_obs / w)
    t_null = np.array([min(single(k, stats[k, 1 + b1 + j]) / w[k] for k in range(4))
                       for j in range(b2)])
    assert float(res.statistic) == pytest.approx(-math.log(t_obs), rel=1e-14)
    np.testing.assert_allclose(res.null_distribution, -np.log(t_null), rtol=1e-14)
    # the p-value: (1 + #{T_b <= T}) / (1 + B2), small T speaking against H0
    assert res.pvalue == pytest.approx((1 + np.sum(t_null <= t_obs * (1 + 1e-9))) / (1 + b2))
    # the level correction: the largest u with (1 + #{T_b <= u}) / (1 + B2) <= level
    u = res.details["level_correction"]
    k = np.sum(t_null <= u)
    assert (1 + k) / (1 + b2) <= level
    nxt = np.min(t_null[t_null > u]) if np.any(t_null > u) else np.inf
    assert np.isinf(nxt) or (1 + np.sum(t_null <= nxt)) / (1 + b2) > level
    assert res.details["reject"] == (res.pvalue <= level) == (t_obs <= u)


@pytest.mark.parametrize("level, b2", [(0.05, 500), (0.05, 19), (0.1, 39), (0.01, 50),
                                       (0.5, 3)])
def test_level_correction_rejects_at_most_the_level(level, b2):
    import divergences.two_sample.aggregated as agg

    rng = np.random.default_rng(b2)
    t = rng.integers(1, 30, size=b2) / 30.0                  # many ties
    u = agg._level_correction(t, level)
    if 1 / (1 + b2) > level:            # no test of this level exists with B2 relabellings
        assert u == 0.0 and np.all(t > u)
        return
    # exchangeable observed value: the share of the B2 + 1 values at or below u
    assert (1 + np.sum(t <= u)) / (1 + b2) <= level + 1e-15
    larger = t[t > u]
    if larger.size:
        assert (1 + np.sum(t <= larger.min())) / (1 + b2) > level


def test_mmd_agg_old_spellings_warn_and_give_the_same_test():
    x, y = XD, YD
    new = dv.mmd_agg_test(x, y, n_bandwidths=2, n_permutations=19, n_permutations_single=9,
                          level=0.1, rng=0)
    with pytest.warns(DeprecationWarning, match="n_permutations_single"):
        old = dv.mmd_agg_test(x, y, n_bandwidths=2, n_permutations=(9, 19), level=0.1, rng=0)
    with pytest.warns(DeprecationWarning, match="alpha= is renamed level="):
        older = dv.mmd_agg_test(x, y, n_bandwidths=2, n_permutations_single=9,
                                n_permutations=19, alpha=0.1, rng=0)
    for r in (old, older):
        assert r.pvalue == new.pvalue and r.details["level_correction"] == \
            new.details["level_correction"]
    with pytest.raises(TypeError, match="both alpha="):
        dv.mmd_agg_test(x, y, alpha=0.1, level=0.1)
    with pytest.raises(ValueError, match="alternative must be 'greater'"):
        dv.mmd_agg_test(x, y, alternative="less")


# ---------------------------------------------------------------------------
# the door: one meaning per option
# ---------------------------------------------------------------------------

DOOR_OPTIONS = {"mmd_deep": dict(epochs=2, hidden=(4,), features=2),
                "c2st": dict(classifier="logistic"),
                "mmd_agg": dict(n_bandwidths=2), "mmd_fuse": dict(n_bandwidths=2),
                "mmd_agg_inc": dict(n_bandwidths=2, block_size=2),
                "mmd_rff": dict(n_features=8), "mmd_nystrom": dict(n_landmarks=8)}


@pytest.mark.parametrize("method", sorted(dv.TWO_SAMPLE_METHODS))
def test_the_door_takes_an_integer_n_permutations_for_every_method(method):
    x, y = (XD[:, 1], YD[:, 1]) if method == "wasserstein" else (XD, YD)
    res = dv.two_sample_test(x, y, method, n_permutations=19, rng=0,
                             **DOOR_OPTIONS.get(method, {}))
    assert res.details["n_permutations"] == 19
    assert np.asarray(res.null_distribution).shape == (19,)
    assert res.details["alternative"] == "greater"
    assert res.pvalue == pytest.approx(rule(float(res.statistic), res.null_distribution,
                                            "greater"), rel=1e-12)


def test_the_door_is_a_plain_table_of_functions():
    assert dv.TWO_SAMPLE_METHODS["c2st"] is dv.c2st
    assert all(callable(f) for f in dv.TWO_SAMPLE_METHODS.values())
    with pytest.raises(ValueError, match="method must be one of"):
        dv.two_sample_test(XD, YD, "mmd_aggregated")


def test_statistics_follow_the_return_type_rule():
    """float for numpy input; for torch input a 0-d tensor of the input's dtype."""
    for method in sorted(dv.TWO_SAMPLE_METHODS):
        x, y = (XD[:, 1], YD[:, 1]) if method == "wasserstein" else (XD, YD)
        opts = dict(n_permutations=9, rng=0, **DOOR_OPTIONS.get(method, {}))
        a = dv.two_sample_test(x, y, method, **opts)
        assert type(a.statistic) is float, method
        b = dv.two_sample_test(torch.tensor(x, dtype=torch.float32),
                               torch.tensor(y, dtype=torch.float32), method, **opts)
        assert torch.is_tensor(b.statistic) and b.statistic.ndim == 0, method
        assert b.statistic.dtype == torch.float32 and not b.statistic.requires_grad, method


def test_infinite_statistics_tie_only_with_equal_infinities():
    """The tolerance's scale comes from the finite values: an infinite statistic in the
    null must not make every value a tie (inf - inf was NaN, and inf tolerances made
    every p-value 1)."""
    inf = math.inf
    for t, null, want in ((inf, [1.0, inf], (2 / 3, 1.0, 1.0)),
                          (1.0, [inf, 0.0], (2 / 3, 2 / 3, 1.0)),
                          (-inf, [0.0, 1.0], (1.0, 1 / 3, 2 / 3))):
        got = [engine.permutation_pvalue(t, np.array(null), a) for a in engine.ALTERNATIVES]
        assert got == pytest.approx(list(want), rel=1e-15), (t, null)


def test_power_of_two_at_least_is_exact_and_finite():
    from divergences._backend.samples import power_of_two_at_least

    v = np.array([5e-324, 1e-310, 0.75, 1.0, 3.0, 1.7e308, 0.0])
    want = [5e-324, 2.0 ** -1029, 1.0, 1.0, 4.0, 2.0 ** 1023, 1.0]
    np.testing.assert_array_equal(power_of_two_at_least(v), want)
    t = power_of_two_at_least(torch.tensor([3.4e38, 3.0, 0.0]))
    assert t.tolist() == [2.0 ** 127, 4.0, 1.0] and t.dtype == torch.float32


# Level on discrete data (many exact ties between and within the samples), for the tests
# whose calibration the other files check on continuous data only.  Counting ties as
# at-least-as-extreme keeps a permutation test valid: at most the binomial band's upper
# end of rejections; ties may make it conservative, so no lower end.
DISCRETE_NULL = {
    "wasserstein": lambda x, y, r: dv.wasserstein_test(x[:, 0], y[:, 0], n_permutations=99,
                                                       rng=r),
    "mmd": lambda x, y, r: dv.mmd_test(x, y, n_permutations=99, rng=r),
    "energy": lambda x, y, r: dv.energy_test(x, y, n_permutations=99, rng=r),
    "c2st accuracy": lambda x, y, r: dv.c2st(x, y, classifier="logistic", n_permutations=99,
                                             rng=r),
}


@pytest.mark.slow
@pytest.mark.parametrize("method", sorted(DISCRETE_NULL))
def test_level_on_discrete_data_with_ties(method):
    reps = 200
    p = []
    for r in range(reps):
        gen = np.random.default_rng(5000 + r)
        x = gen.integers(0, 3, size=(24, 2)).astype(float)
        y = gen.integers(0, 3, size=(36, 2)).astype(float)
        p.append(DISCRETE_NULL[method](x, y, r).pvalue)
    p = np.array(p)
    assert p.min() >= 1 / 100 - 1e-15
    for level in (0.05, 0.2):
        hi = stats.binom.ppf(0.995, reps, level)
        assert np.sum(p <= level) <= hi, (level, np.sum(p <= level))
