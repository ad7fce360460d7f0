"""Extreme but valid inputs over every family (issue 12, item 2b).

Hypothesis draws magnitudes from 1e-320 to 1e300 (subnormals included), ties,
huge ratios, float32 near its limits and logits up to +-1e4.  Each test asserts
what the exact value allows: finite and close to a 400-digit mpmath (or
float64) reference where the exact value is a finite float, +-inf where it
exceeds the range, never NaN, and finite gradients wherever the value and the
exact gradient are finite.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import divergences as dv
from conftest import F_SPECS, spec_id
from test_ffunctions import _mp_reference

import mpmath as mp  # noqa: E402  (declared in the test extra: a missing one fails loudly)
MAX64, TINY64 = np.finfo(np.float64).max, np.finfo(np.float64).tiny
MAX32 = float(np.finfo(np.float32).max)
EPS64 = float(np.finfo(np.float64).eps)

#: positive magnitudes over the whole float64 range, subnormals and exact ties included
positive = st.one_of(
    st.builds(lambda m, e: m * 10.0 ** e, st.floats(1.0, 9.99), st.integers(-300, 300)),
    st.sampled_from([5e-324, 1e-320, 1e-310, TINY64, 1.0, 1.0, 0.5]),
)
#: logits from -1e4 to 1e4, with the float32/float64 overflow edges
logits = st.one_of(st.floats(-1e4, 1e4),
                   st.sampled_from([-1e4, -800.0, -710.0, -89.0, -1.0, 0.0, 1.0, 89.0, 710.0,
                                    800.0, 1e4]))


def _expect(got, ref, rtol, big=MAX64, atol=0.0):
    """got is +-inf where |ref| exceeds ``big``, else finite and within rtol/atol of ref."""
    got = float(got.detach()) if isinstance(got, torch.Tensor) else float(got)
    assert not math.isnan(got), ref
    if abs(ref) > big:
        assert got == (math.inf if ref > 0 else -math.inf), (got, mp.nstr(ref, 8))
    else:
        assert math.isfinite(got), (got, mp.nstr(ref, 8))
        assert abs(mp.mpf(got) - ref) <= rtol * abs(ref) + atol + 1e-300, (got, mp.nstr(ref, 12))


def _grads_finite_where_value_is(value, *inputs):
    if not torch.isfinite(value):
        return
    grads = torch.autograd.grad(value, inputs, allow_unused=True)
    for g in grads:
        assert g is None or torch.isfinite(g).all(), grads


# --- f-divergences of PMFs --------------------------------------------------------

def _pmf(raw):
    a = np.array(raw, dtype=np.float64)
    return a / a.sum()


@pytest.mark.parametrize("spec", F_SPECS, ids=spec_id)
@settings(max_examples=40)
@given(p=st.lists(positive, min_size=3, max_size=3), q=st.lists(positive, min_size=3, max_size=3))
def test_f_divergence_and_its_gradient_against_mpmath(spec, p, q):
    mp.mp.dps = 400
    name, params = spec
    f = dv.get_f(name, **params)
    p, q = _pmf(p), _pmf(q)
    assume(np.all(p > 0) and np.all(q > 0))      # zeros: the limits are tested elsewhere
    pt = torch.tensor(p, requires_grad=True)
    qt = torch.tensor(q, requires_grad=True)
    value = dv.f_divergence(pt, qt, f)
    us = [mp.mpf(float(a)) / mp.mpf(float(b)) for a, b in zip(p, q)]
    refs = [_mp_reference(name, params, u) for u in us]
    ref = sum(mp.mpf(float(b)) * fu for b, (fu, _) in zip(q, refs))
    # rounding error: relative 1e-9 of the terms, plus a few ulps of each term's
    # sensitivity to its own rounded inputs (u f'(u) and f(u), scaled by q)
    sens = [1 + abs(fu) + abs(u * dfu) for u, (fu, dfu) in zip(us, refs)]
    slack = sum(abs(mp.mpf(float(b)) * fu) for b, (fu, _) in zip(q, refs)) * mp.mpf("1e-9") \
        + 64 * EPS64 * sum(mp.mpf(float(b)) * c for b, c in zip(q, sens))
    _expect(value, ref, slack / abs(ref) if ref else 0, atol=slack)
    _expect(dv.f_divergence(p, q, f), ref, slack / abs(ref) if ref else 0, atol=slack)  # numpy
    if not torch.isfinite(value):
        return
    gp, gq = torch.autograd.grad(value, (pt, qt))
    for i, (u, (fu, dfu)) in enumerate(zip(us, refs)):
        # d/dp q f(p/q) = f'(u);  d/dq q f(p/q) = f(u) - u f'(u).  A subnormal entry has
        # few digits, and so has any product of it with a constant (p * pi rounds to the
        # subnormal grid): there the gradient is finite and right to about one unit
        sub = min(p[i], q[i]) < TINY64
        rtol, atol = (1e-2, 1.0) if sub else (1e-7, 64 * EPS64 * sens[i])
        _expect(gp[i], dfu, rtol, atol=atol)
        _expect(gq[i], fu - u * dfu, rtol, atol=atol)


@pytest.mark.parametrize("spec", F_SPECS, ids=spec_id)
@settings(max_examples=30)
@given(p=st.lists(positive, min_size=3, max_size=3), q=st.lists(positive, min_size=3, max_size=3))
def test_float32_f_divergence_follows_float64(spec, p, q):
    # float32 entries (a subnormal float64 becomes 0 in float32): the float32 value is
    # finite wherever the float64 value of the same float32 numbers is below float32's max
    name, params = spec
    f = dv.get_f(name, **params)
    p32, q32 = _pmf(p).astype(np.float32), _pmf(q).astype(np.float32)
    p32, q32 = p32 / p32.sum(), q32 / q32.sum()
    v32 = float(dv.f_divergence(p32, q32, f))
    p64, q64 = p32.astype(np.float64), q32.astype(np.float64)
    v64 = float(dv.f_divergence(p64 / p64.sum(), q64 / q64.sum(), f))
    assert not math.isnan(v32)
    if abs(v64) < MAX32 / 2:
        assert v32 == pytest.approx(v64, rel=2e-4, abs=1e-6)
    elif math.isinf(v64):
        assert v32 == v64


# --- variational bounds from logits and MI bounds on scores --------------------------

@pytest.mark.parametrize("spec", F_SPECS, ids=spec_id)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@settings(max_examples=40)
@given(vp=st.lists(logits, min_size=1, max_size=4), vq=st.lists(logits, min_size=1, max_size=4))
def test_fgan_bound_from_logits_never_nan(spec, dtype, vp, vq):
    name, params = spec
    f = dv.get_f(name, **params)
    a = torch.tensor(vp, dtype=dtype, requires_grad=True)
    b = torch.tensor(vq, dtype=dtype, requires_grad=True)
    value = dv.fgan_bound_from_logits(a, b, f)
    assert not torch.isnan(value), (vp, vq)
    _grads_finite_where_value_is(value, a, b)
    reference = dv.fgan_bound_from_logits(a.detach().double(), b.detach().double(), f)
    if torch.isfinite(reference) and abs(reference) < torch.finfo(dtype).max / 4:
        assert torch.isfinite(value)
        rel = 1e-3 if dtype == torch.float32 else 1e-12
        assert float(value.detach()) == pytest.approx(float(reference), rel=rel, abs=1e-3)


scores = st.lists(st.lists(logits, min_size=3, max_size=3), min_size=3, max_size=3)
MI_BOUNDS = {
    "infonce": dv.infonce_bound, "nwj": dv.nwj_mi_bound, "dv": dv.dv_mi_bound,
    "js": dv.js_mi_bound, "smile tau 1": lambda s: dv.smile_bound(s, tau=1.0),
    "smile tau 20": lambda s: dv.smile_bound(s, tau=20.0),
    "tuba": lambda s: dv.tuba_bound(s, torch.zeros(3, dtype=s.dtype)),
    "interpolated": lambda s: dv.interpolated_bound(s, torch.zeros(3, dtype=s.dtype), 0.5),
}


@pytest.mark.parametrize("bound", list(MI_BOUNDS))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@settings(max_examples=40)
@given(s=scores)
def test_mi_bounds_on_extreme_scores(bound, dtype, s):
    t = torch.tensor(s, dtype=dtype, requires_grad=True)
    value = MI_BOUNDS[bound](t)
    assert not torch.isnan(value), s
    _grads_finite_where_value_is(value, t)
    reference = MI_BOUNDS[bound](t.detach().double())
    if torch.isfinite(reference) and abs(reference) < torch.finfo(dtype).max / 4:
        assert float(value.detach()) == pytest.approx(float(reference), rel=1e-4, abs=1e-3)
    elif torch.isinf(reference):
        assert float(value.detach()) == float(reference)


@settings(max_examples=40)
@given(vr=st.lists(logits, min_size=1, max_size=4), vf=st.lists(logits, min_size=1, max_size=4))
def test_adversarial_losses_at_logits_of_1e4_in_float32(vr, vf):
    a = torch.tensor(vr, dtype=torch.float32, requires_grad=True)
    b = torch.tensor(vf, dtype=torch.float32, requires_grad=True)
    for loss in (dv.gan_discriminator_loss(a, b), dv.gan_generator_loss(b),
                 dv.gan_generator_loss(b, saturating=True), dv.wgan_critic_loss(a, b),
                 dv.bigan_generator_encoder_loss(a, b), dv.js_bound(a, b),
                 dv.fgan_discriminator_loss(a, b, "jensen_shannon"),
                 dv.fgan_generator_loss(b, "reverse_kl")):
        assert torch.isfinite(loss), (vr, vf)          # at most ~1e4: always representable
        grads = torch.autograd.grad(loss, (a, b), allow_unused=True)
        assert all(g is None or torch.isfinite(g).all() for g in grads)


# --- Wasserstein ------------------------------------------------------------------

def _mp_wasserstein(u, v, wu, wv, p):
    """W_p by the quantile coupling, in mpmath."""
    def cdf_steps(x, w):
        order = sorted(range(len(x)), key=lambda i: x[i])
        total = sum(mp.mpf(float(w[i])) for i in order)
        return [mp.mpf(float(x[i])) for i in order], [mp.mpf(float(w[i])) / total for i in order]

    xu, pu = cdf_steps(u, wu)
    xv, pv = cdf_steps(v, wv)
    i = j = 0
    ru, rv = pu[0], pv[0]
    acc = mp.mpf(0)
    while i < len(xu) and j < len(xv):
        step = min(ru, rv)
        acc += step * abs(xu[i] - xv[j]) ** p
        ru, rv = ru - step, rv - step
        if ru <= 0:
            i += 1
            ru = pu[i] if i < len(xu) else 0
        if rv <= 0:
            j += 1
            rv = pv[j] if j < len(xv) else 0
    return acc ** (1 / mp.mpf(p))


signed = st.builds(lambda m, s: s * m, positive, st.sampled_from([-1.0, 1.0]))


@pytest.mark.parametrize("p", [1, 2, 3.5])
@settings(max_examples=40)
@given(u=st.lists(signed, min_size=1, max_size=4), v=st.lists(signed, min_size=1, max_size=4),
       wu=st.lists(positive, min_size=4, max_size=4), wv=st.lists(positive, min_size=4,
                                                                 max_size=4))
def test_wasserstein_1d_against_mpmath_with_gradients(p, u, v, wu, wv):
    mp.mp.dps = 400
    wu, wv = wu[:len(u)], wv[:len(v)]
    ut, vt = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (u, v))
    wut, wvt = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (wu, wv))
    value = dv.wasserstein_1d(ut, vt, wut, wvt, p=p)
    assert not torch.isnan(value)
    # the cumulative sums resolve masses to about eps of the total (documented): a weight
    # below 1e-6 of the largest carries a relative error up to eps / weight, so the value
    # lies between W with those weights dropped and W with them inflated by 8 eps, up to
    # rounding of the CDF differences (eps * spread)
    def unsure(w):
        return [x < 1e-6 * max(w) for x in w]

    full = _mp_wasserstein(u, v, wu, wv, p)
    dropped = _mp_wasserstein(u, v, [0.0 if s else w for w, s in zip(wu, unsure(wu))],
                              [0.0 if s else w for w, s in zip(wv, unsure(wv))], p)
    inflated = _mp_wasserstein(u, v, [w + 8 * EPS64 * max(wu) if s else w
                                      for w, s in zip(wu, unsure(wu))],
                               [w + 8 * EPS64 * max(wv) if s else w
                                for w, s in zip(wv, unsure(wv))], p)
    lo, hi = min(full, dropped, inflated), max(full, dropped, inflated)
    spread = max(abs(x) for x in u + v)
    slack = 64 * EPS64 * spread + mp.mpf("1e-9") * hi
    got = float(value.detach())
    if hi - slack > MAX64:
        assert got == math.inf
    else:
        assert math.isfinite(got) and lo - slack <= got <= hi + slack, (got, mp.nstr(lo, 12),
                                                                         mp.nstr(hi, 12))
    # gradients: finite wherever the exact ones are surely in range (weights within 1e15 of
    # each other: d/dw of normalised weights scales like 1/w)
    if (min(wu) >= 1e-15 * max(wu) and min(wv) >= 1e-15 * max(wv) and spread < 1e290
            and min(max(wu), max(wv)) > 1e-290):
        _grads_finite_where_value_is(value, ut, vt, wut, wvt)


@pytest.mark.parametrize("p", [1, 2])
@settings(max_examples=30)
@given(e=st.integers(-120, 120), u=st.lists(st.floats(-1, 1), min_size=1, max_size=5),
       v=st.lists(st.floats(-1, 1), min_size=1, max_size=5))
def test_float32_wasserstein_is_homogeneous_near_the_limits(p, e, u, v):
    scale = 2.0 ** e                        # exact in float32: scaled data are the same numbers
    u32, v32 = np.float32(u), np.float32(v)
    base = float(dv.wasserstein_1d(u32.astype(np.float64), v32.astype(np.float64), p=p))
    got = dv.wasserstein_1d(u32 * np.float32(scale), v32 * np.float32(scale), p=p)
    assert not np.isnan(got)
    data = np.abs(np.concatenate([u32, v32]).astype(np.float64)) * scale
    normal = np.all((data == 0) | (data >= np.finfo(np.float32).tiny))
    if normal and base * scale < MAX32 / 2:
        assert float(got) == pytest.approx(base * scale, rel=1e-5, abs=0)


# --- Gaussian closed forms and two-sample tests: scale invariance ----------------------

@pytest.mark.parametrize("f", ["kl", "reverse_kl", "jeffreys", "squared_hellinger", "pearson",
                               "jensen_shannon"])
@settings(max_examples=25)
@given(k=st.integers(-480, 480), shift=st.floats(-3, 3), var=st.floats(0.2, 5.0),
       rho=st.floats(-0.9, 0.9))
def test_gaussian_divergences_are_scale_invariant(f, k, shift, var, rho):
    c = 2.0 ** k                                   # exact scaling: same numbers, new exponents
    mean_p, mean_q = np.zeros(2), np.array([shift, 0.0])
    cov_p, cov_q = np.eye(2), np.array([[var, rho * math.sqrt(var)], [rho * math.sqrt(var), 1.0]])
    if f == "jensen_shannon":                      # no closed form: said so, at every scale
        for s in (1.0, c):
            with pytest.raises(NotImplementedError, match="no closed form for the "
                                                          "'jensen_shannon' divergence"):
                dv.gaussian_f_divergence(s * mean_p, s * s * cov_p, s * mean_q, s * s * cov_q, f)
        return
    base = float(dv.gaussian_f_divergence(mean_p, cov_p, mean_q, cov_q, f))
    got = float(dv.gaussian_f_divergence(c * mean_p, c * c * cov_p, c * mean_q, c * c * cov_q, f))
    assert got == pytest.approx(base, rel=1e-9, abs=1e-12), (k, base, got)


@pytest.mark.parametrize("test", ["energy", "mmd", "wasserstein"])
@settings(max_examples=8)
@given(k=st.integers(-1000, 1000), seed=st.integers(0, 2**16))
def test_two_sample_tests_are_scale_equivariant(test, k, seed):
    gen = np.random.default_rng(seed)
    x, y = gen.normal(size=(12, 2)), gen.normal(size=(10, 2)) + 0.7
    if test == "wasserstein":
        x, y = x[:, 0], y[:, 0]
    c = 2.0 ** k
    run = {"energy": dv.energy_test, "mmd": dv.mmd_test, "wasserstein": dv.wasserstein_test}[test]
    base = run(x, y, n_permutations=19, rng=1)
    got = run(x * c, y * c, n_permutations=19, rng=1)
    assert got.pvalue == base.pvalue
    degree = 0 if test == "mmd" else 1          # MMD with the median bandwidth: invariant
    expected = float(base.statistic) * c ** degree
    if expected == 0 or not math.isfinite(expected) or abs(expected) < 1e-300:
        assert not math.isnan(float(got.statistic))
    else:
        assert float(got.statistic) == pytest.approx(expected, rel=1e-9)


@settings(max_examples=25)
@given(k=st.integers(-1000, 1000), m=st.floats(-2, 2), s0=st.floats(0.1, 3), s1=st.floats(0.1, 3))
def test_normal_wasserstein_is_homogeneous(k, m, s0, s1):
    c = 2.0 ** k
    for p in (1, 2):
        base = float(dv.normal_wasserstein_1d(0.0, s0, m, s1, p=p))
        got = float(dv.normal_wasserstein_1d(0.0, c * s0, c * m, c * s1, p=p))
        if base * c < MAX64 / 4 and base * c > 1e-300:
            assert got == pytest.approx(base * c, rel=1e-12)
        assert not math.isnan(got)


@pytest.mark.parametrize("scale", [1e-300, 1e-38, 1e38, 1e300])
def test_estimators_are_invariant_to_the_data_scale(scale):
    # both samples (f-divergence) or each variable (MI) are centred and divided by a power
    # of two before float32 training: at 1e38 training used to overflow (NaN +- NaN)
    gen = np.random.default_rng(0)
    x, y = gen.normal(size=(2, 300, 2))
    kw = dict(steps=40, batch_size=32, rng=0)
    base = dv.estimate_f_divergence(x, y + 1, **kw).value
    got = dv.estimate_f_divergence(x * scale, (y + 1) * scale, **kw).value
    assert math.isfinite(got) and got == pytest.approx(base, rel=1e-3, abs=1e-3)
    base = dv.estimate_mutual_information(x, x + y, **kw).value
    got = dv.estimate_mutual_information(x * scale, (x + y) * scale, **kw).value
    assert math.isfinite(got) and got == pytest.approx(base, rel=1e-3, abs=1e-3)
