"""Variational bounds: tightness at the optimal critic, ordering, caps, stability, gradients."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import divergences as dv
from conftest import F_SPECS, random_pmf, spec_id


@pytest.mark.parametrize("spec", F_SPECS, ids=spec_id)
def test_fgan_bound_is_tight_at_the_optimal_critic(spec):
    f = dv.get_f(spec[0], **spec[1])
    rng = np.random.default_rng(0)
    for _ in range(5):
        p, q = random_pmf(rng, 8), random_pmf(rng, 8)
        t_star = f.derivative(p / q)
        if f.name == "total_variation":       # f' is a subgradient: any value in [-1/2, 1/2] at u = 1
            t_star = 0.5 * np.sign(p / q - 1)
        bound = dv.fgan_bound(t_star, t_star, f, x_weights=p, y_weights=q)
        assert bound == pytest.approx(dv.f_divergence(p, q, f), rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("spec", F_SPECS, ids=spec_id)
@given(t=st.lists(st.floats(-8, 8), min_size=6, max_size=6), seed=st.integers(0, 2**16))
def test_every_other_critic_gives_less(spec, t, seed):
    f = dv.get_f(spec[0], **spec[1])
    rng = np.random.default_rng(seed)
    p, q = random_pmf(rng, 6), random_pmf(rng, 6)
    t = np.minimum(np.array(t), f.conjugate_domain[1])       # inside (or on) dom f*
    assert dv.fgan_bound(t, t, f, x_weights=p, y_weights=q) <= dv.f_divergence(p, q, f) + 1e-9
    v = np.array(t)                                          # any raw output is admissible
    assert dv.fgan_bound_from_logits(v, v, f, x_weights=p, y_weights=q) <= \
        dv.f_divergence(p, q, f) + 1e-9


@pytest.mark.parametrize("spec", F_SPECS, ids=spec_id)
def test_logit_form_equals_bound_of_activation(spec):
    f = dv.get_f(spec[0], **spec[1])
    v_p, v_q = np.linspace(-5, 5, 11), np.linspace(-4, 6, 9)
    assert dv.fgan_bound_from_logits(v_p, v_q, f) == pytest.approx(
        dv.fgan_bound(f.activation(v_p), f.activation(v_q), f), rel=1e-10, abs=1e-12)


@given(t=st.lists(st.floats(-20, 20), min_size=5, max_size=5), seed=st.integers(0, 2**16))
def test_dv_is_at_least_nwj_and_both_below_kl(t, seed):
    rng = np.random.default_rng(seed)
    p, q = random_pmf(rng, 5), random_pmf(rng, 5)
    t = np.array(t)
    kl = dv.kl_divergence(p, q)
    nwj = dv.nwj_bound(t, t, x_weights=p, y_weights=q)
    dvb = dv.dv_bound(t, t, x_weights=p, y_weights=q)
    assert nwj <= dvb + 1e-9 and dvb <= kl + 1e-9


def test_dv_and_nwj_optima():
    rng = np.random.default_rng(1)
    p, q = random_pmf(rng, 7), random_pmf(rng, 7)
    kl = dv.kl_divergence(p, q)
    log_r = np.log(p / q)
    assert dv.dv_bound(log_r, log_r, x_weights=p, y_weights=q) == pytest.approx(kl, rel=1e-12)
    assert dv.dv_bound(log_r + 3, log_r + 3, x_weights=p, y_weights=q) == pytest.approx(kl, rel=1e-12)
    assert dv.nwj_bound(1 + log_r, 1 + log_r, x_weights=p, y_weights=q) == pytest.approx(kl, rel=1e-12)
    # feeding the JS optimum log r into NWJ is biased by exactly -1/e (pitfall 7)
    assert dv.nwj_bound(log_r, log_r, x_weights=p, y_weights=q) == pytest.approx(
        kl - 1 / math.e, rel=1e-12)
    # the JS bound is tight at log r: JSD
    assert dv.js_bound(log_r, log_r, x_weights=p, y_weights=q) == pytest.approx(
        dv.jensen_shannon(p, q), rel=1e-12)


@given(s=st.lists(st.floats(-30, 30), min_size=16, max_size=16))
def test_infonce_never_exceeds_log_k(s):
    scores = np.array(s).reshape(4, 4)
    assert dv.infonce_bound(scores) <= math.log(4) + 1e-12


def test_smile_interpolated_tuba_reduce_to_their_ends():
    rng = np.random.default_rng(2)
    s = rng.normal(size=(6, 6)) * 3
    a = rng.normal(size=6)
    assert dv.smile_bound(s, math.inf) == pytest.approx(dv.dv_mi_bound(s), rel=1e-14)
    assert dv.smile_bound(s * 0.1, 5.0) == pytest.approx(dv.dv_mi_bound(s * 0.1), rel=1e-14)
    assert dv.interpolated_bound(s, a, 1.0) == pytest.approx(dv.infonce_bound(s), rel=1e-12)
    assert dv.interpolated_bound(s, a, 0.0) == pytest.approx(dv.tuba_bound(s, a), rel=1e-12)
    assert dv.tuba_bound(s, np.ones(6)) == pytest.approx(dv.nwj_mi_bound(s), rel=1e-12)
    mid = dv.interpolated_bound(s, a, 0.5)
    assert np.isfinite(mid)
    # batched over a leading axis
    batch = dv.infonce_bound(np.stack([s, 2 * s]))
    assert batch[1] == pytest.approx(dv.infonce_bound(2 * s))


def test_mi_bounds_hand_formulas():
    s = np.array([[2.0, 0.5, -1.0], [0.0, 1.0, 0.3], [1.2, -0.4, 0.7]])
    k = 3
    off = ~np.eye(k, dtype=bool)
    diag = np.diag(s).mean()
    assert dv.infonce_bound(s) == pytest.approx(
        math.log(k) + np.mean(np.diag(s) - np.log(np.exp(s).sum(0))))
    assert dv.nwj_mi_bound(s) == pytest.approx(diag - np.exp(s[off] - 1).mean())
    assert dv.dv_mi_bound(s) == pytest.approx(diag - np.log(np.exp(s[off]).mean()))
    sp = np.logaddexp(0, s)
    assert dv.js_mi_bound(s) == pytest.approx(
        math.log(2) - 0.5 * (np.logaddexp(0, -np.diag(s)).mean() + sp[off].mean()))


@pytest.mark.parametrize("spec", F_SPECS, ids=spec_id)
def test_float32_logits_of_magnitude_100_are_stable(spec):
    f = dv.get_f(spec[0], **spec[1])
    for vp, vq in ((100.0, -100.0), (-100.0, 100.0), (100.0, 100.0), (-100.0, -100.0)):
        a = torch.tensor([vp, 0.5], dtype=torch.float32, requires_grad=True)
        b = torch.tensor([vq, -0.5], dtype=torch.float32, requires_grad=True)
        val = dv.fgan_bound_from_logits(a, b, f)
        ga, gb = torch.autograd.grad(val, (a, b))
        assert not torch.isnan(val)
        if torch.isfinite(val):      # gradients of an infinite value are not defined
            assert torch.isfinite(ga).all() and torch.isfinite(gb).all()
        ref = dv.fgan_bound_from_logits(a.detach().double(), b.detach().double(), f)
        if abs(ref.item()) < 1e37:
            assert torch.isfinite(val)
            assert val.item() == pytest.approx(ref.item(), rel=1e-4, abs=1e-3)


def test_mi_bounds_stable_at_magnitude_100():
    for fn in (dv.infonce_bound, dv.nwj_mi_bound, dv.dv_mi_bound, dv.js_mi_bound,
               lambda s: dv.smile_bound(s, 5.0), lambda s: dv.tuba_bound(s, torch.zeros(3)),
               lambda s: dv.interpolated_bound(s, torch.zeros(3), 0.3)):
        s = (torch.tensor([[100.0, -100.0, 3.0], [-100.0, 100.0, 0.0], [5.0, -3.0, -100.0]])
             ).requires_grad_(True)
        val = fn(s)
        (g,) = torch.autograd.grad(val, s)
        assert not torch.isnan(val) and not torch.isnan(g).any()
    # representable values stay finite
    s = torch.tensor([[100.0, -100.0], [-100.0, 100.0]], requires_grad=True)
    assert torch.isfinite(dv.infonce_bound(s)) and torch.isfinite(dv.dv_mi_bound(s))
    assert torch.isfinite(dv.js_mi_bound(s))


def test_gradcheck_bounds():
    gen = torch.Generator().manual_seed(0)
    t_p = torch.randn(5, dtype=torch.float64, generator=gen, requires_grad=True)
    t_q = torch.randn(4, dtype=torch.float64, generator=gen, requires_grad=True)
    for fn in (dv.nwj_bound, dv.dv_bound, dv.js_bound,
               lambda a, b: dv.fgan_bound_from_logits(a, b, "squared_hellinger"),
               lambda a, b: dv.fgan_bound(-torch.exp(a), -torch.exp(b), "reverse_kl")):
        assert torch.autograd.gradcheck(fn, (t_p, t_q))
    s = torch.randn(4, 4, dtype=torch.float64, generator=gen, requires_grad=True)
    a = torch.randn(4, dtype=torch.float64, generator=gen, requires_grad=True)
    for fn in (dv.infonce_bound, dv.nwj_mi_bound, dv.dv_mi_bound, dv.js_mi_bound,
               lambda x: dv.smile_bound(x, 1.0)):
        assert torch.autograd.gradcheck(fn, (s,))
    assert torch.autograd.gradcheck(dv.tuba_bound, (s, a))
    assert torch.autograd.gradcheck(lambda x, b: dv.interpolated_bound(x, b, 0.3), (s, a))


def test_mine_step_value_and_corrected_gradient():
    gen = torch.Generator().manual_seed(1)
    s = torch.randn(5, 5, dtype=torch.float64, generator=gen, requires_grad=True)
    obj, ma = dv.mine_step(s, moving_average=2.0, decay=0.9)
    assert obj.item() == pytest.approx(dv.dv_mi_bound(s.detach()).item(), rel=1e-12)
    off = ~torch.eye(5, dtype=torch.bool)
    batch = torch.exp(s.detach()[off]).mean()
    assert ma.item() == pytest.approx(0.9 * 2.0 + 0.1 * batch.item())
    (g,) = torch.autograd.grad(obj, s)
    # d/ds of mean(diag) - mean_offdiag(e^s) / ma
    expected = torch.eye(5, dtype=torch.float64) / 5
    expected[off] = -torch.exp(s.detach()[off]) / (20 * ma)
    torch.testing.assert_close(g, expected)
    with pytest.raises(TypeError, match="torch"):
        dv.mine_step(np.zeros((3, 3)))


def test_bad_input():
    with pytest.raises(ValueError, match="square"):
        dv.infonce_bound(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="at least K = 2"):
        dv.dv_mi_bound(np.zeros((1, 1)))
    with pytest.raises(ValueError, match="t_q is empty"):
        dv.nwj_bound([1.0], [])
    with pytest.raises(ValueError, match="x_weights has negative entries"):
        dv.dv_bound([1.0], [1.0], x_weights=[-1.0])
    with pytest.raises(ValueError, match="log_baseline must have shape"):
        dv.tuba_bound(np.zeros((3, 3)), np.zeros(2))
    with pytest.raises(ValueError, match="interpolation"):
        dv.interpolated_bound(np.zeros((3, 3)), np.zeros(3), 1.5)
    with pytest.raises(ValueError, match="tau"):
        dv.smile_bound(np.zeros((3, 3)), -1.0)
    with pytest.raises(KeyError, match="known names"):
        dv.fgan_bound([1.0], [1.0], "nope")
    with pytest.raises(ValueError, match="scores contains NaN"):
        dv.infonce_bound(np.full((2, 2), np.nan))


@pytest.mark.parametrize("tau", [0.3, 1.0, 2.5, 7.0, math.inf])
def test_smile_against_a_direct_reference_at_every_tau(tau):
    # scores spread over [-20, 20]: the clip binds for every finite tau used here
    s = np.random.default_rng(11).uniform(-20, 20, size=(7, 7))
    off = ~np.eye(7, dtype=bool)
    clipped = np.clip(s, -tau, tau)
    reference = np.mean(np.diag(s)) - np.log(np.mean(np.exp(clipped[off])))
    assert float(dv.smile_bound(s, tau)) == pytest.approx(reference, rel=1e-12, abs=1e-12)
    t = torch.tensor(s)
    assert float(dv.smile_bound(t, tau)) == pytest.approx(reference, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("w", [[1e308, 1e308], [5e-324, 5e-324], [1e308, 5e-324]])
def test_weighted_means_at_extreme_weights(w):
    # weighted means depend on the weights' ratios only: weights whose sum overflows, or
    # that are subnormal, give the same value as the equivalent moderate weights
    ratio = np.asarray(w) / max(w)
    tp, tq = np.array([1.0, 2.0]), np.array([0.0, 1.5])
    for fn in (dv.nwj_bound, dv.dv_bound, dv.js_bound,
               lambda a, b, **k: dv.fgan_bound(a, b, "kl", **k)):
        for side in ("x_weights", "y_weights"):
            got = float(fn(tp, tq, **{side: w}))
            assert got == pytest.approx(float(fn(tp, tq, **{side: ratio})), rel=1e-13), (fn, side)
    assert float(dv.gan_value([0.3, 0.6], [0.2, 0.4], x_weights=w)) == pytest.approx(
        float(dv.gan_value([0.3, 0.6], [0.2, 0.4], x_weights=ratio)), rel=1e-13)
    assert float(dv.wasserstein_1d([0.0, 1.0], [0.0, 2.0, 3.0], w)) == pytest.approx(
        float(dv.wasserstein_1d([0.0, 1.0], [0.0, 2.0, 3.0], ratio)), rel=1e-13)
    assert float(dv.wasserstein_critic_objective([0.3, 0.7], [0.0], x_weights=w)) == \
        pytest.approx(float(dv.wasserstein_critic_objective([0.3, 0.7], [0.0], x_weights=ratio)))


@pytest.mark.parametrize("w, match", [([np.inf, 1.0], "infinite"), ([0.0, 0.0], "positive total"),
                                      ([np.nan, 1.0], "NaN"), ([-1.0, 2.0], "negative")])
def test_bad_weights_are_rejected_by_name(w, match):
    for call in (lambda: dv.nwj_bound([1.0, 2.0], [0.0, 1.0], y_weights=w),
                 lambda: dv.gan_value([0.3, 0.6], [0.2, 0.4], y_weights=w),
                 lambda: dv.wasserstein_1d([0.0, 1.0], [0.0, 2.0], None, w)):
        with pytest.raises(ValueError, match=match):
            call()


def test_weighted_bound_gradients_stay_exact():
    w = torch.tensor([1e308, 3e307], dtype=torch.float64, requires_grad=True)
    t = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    dv.nwj_bound(t, torch.tensor([0.0, 1.5], dtype=torch.float64), x_weights=w).backward()
    # d/dt_i of sum(w t)/sum(w) is w_i / sum(w); d/dw_i is (t_i - mean) / sum(w) (~1e-308)
    np.testing.assert_allclose(t.grad.numpy(), [1 / 1.3, 0.3 / 1.3], rtol=1e-12)
    assert torch.isfinite(w.grad).all()
    ok = lambda wp: dv.nwj_bound(torch.tensor([1.0, 2.0], dtype=torch.float64),  # noqa: E731
                                 torch.tensor([0.0, 1.5], dtype=torch.float64), x_weights=wp)
    assert torch.autograd.gradcheck(ok, (torch.tensor([0.4, 1.1], dtype=torch.float64,
                                                      requires_grad=True),))


def test_mine_step_is_finite_where_dv_is():
    # e^100 overflows float32: the moving average is updated in log space and kept in float64
    s = torch.tensor([[0.0, 100.0], [100.0, 0.0]], requires_grad=True)
    obj, ma = dv.mine_step(s)
    assert float(obj.detach()) == pytest.approx(float(dv.dv_mi_bound(s.detach())))
    assert float(obj.detach()) == -100.0 and ma.dtype == torch.float64
    assert float(ma) == pytest.approx(math.exp(100.0), rel=1e-12)
    obj.backward()
    assert torch.isfinite(s.grad).all()
    # the moving-average update against a direct float64 computation
    s64 = torch.tensor([[1.0, -0.5, 2.0], [0.3, 0.7, -1.0], [0.0, 1.5, 0.2]], dtype=torch.float64,
                       requires_grad=True)
    batch = torch.exp(s64.detach())[~torch.eye(3, dtype=torch.bool)].mean()
    _, ma2 = dv.mine_step(s64, 2.5, decay=0.9)
    assert float(ma2) == pytest.approx(0.9 * 2.5 + 0.1 * float(batch), rel=1e-12)
    # the gradient is the DV gradient with the batch mean replaced by the moving average
    obj3, _ = dv.mine_step(s64, 2.5, decay=0.9)
    obj3.backward()
    off = ~torch.eye(3, dtype=torch.bool)
    expected = torch.eye(3, dtype=torch.float64) / 3
    expected[off] = -torch.exp(s64.detach())[off] / (6 * float(ma2))
    torch.testing.assert_close(s64.grad, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("bad", [-1.0, 0.0, math.nan, math.inf])
def test_mine_step_rejects_a_bad_moving_average(bad):
    with pytest.raises(ValueError, match="moving_average must be positive and finite"):
        dv.mine_step(torch.zeros(2, 2), bad)
