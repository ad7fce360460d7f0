"""Discrete f-divergences: references, properties, zeros, dtypes, batches, gradients, errors."""

import math

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon as scipy_js
from scipy.special import rel_entr
from scipy.stats import entropy

import divergences as dv
from conftest import F_SPECS, random_pmf, spec_id

LOG4 = math.log(4.0)


def reference(name, params, p, q):
    """Hand formulas on PMFs (independent of the library), with their limits at zeros."""
    with np.errstate(all="ignore"):
        if name == "total_variation":
            return 0.5 * np.abs(p - q).sum()
        if name == "kl":
            return rel_entr(p, q).sum()
        if name == "reverse_kl":
            return rel_entr(q, p).sum()
        if name == "pearson":
            return np.where(q > 0, (p - q) ** 2 / np.where(q > 0, q, 1),
                            np.where(p > 0, np.inf, 0)).sum()
        if name == "neyman":
            return np.where(p > 0, (p - q) ** 2 / np.where(p > 0, p, 1),
                            np.where(q > 0, np.inf, 0)).sum()
        if name == "squared_hellinger":
            return ((np.sqrt(p) - np.sqrt(q)) ** 2).sum()
        if name == "jeffreys":
            return (rel_entr(p, q) + rel_entr(q, p)).sum()
        if name == "jensen_shannon":
            return scipy_js(p, q) ** 2
        if name == "gan":
            return 2 * scipy_js(p, q) ** 2 - LOG4
        if name == "weighted_jensen_shannon":
            pi = params["pi"]
            m = pi * p + (1 - pi) * q
            return pi * rel_entr(p, m).sum() + (1 - pi) * rel_entr(q, m).sum()
        if name == "alpha":
            a = params["alpha"]
            both = (p > 0) & (q > 0)
            term = np.where(both, np.where(both, p, 1) ** a * np.where(both, q, 1) ** (1 - a), 0.0)
            if a > 1:
                term = np.where((q == 0) & (p > 0), np.inf, term)
            elif a < 0:
                term = np.where((p == 0) & (q > 0), np.inf, term)
            return (term.sum() - 1) / (a * (a - 1))
        if name == "le_cam":
            s = p + q
            return 0.5 * np.where(s > 0, (p - q) ** 2 / np.where(s > 0, s, 1), 0).sum()
    raise AssertionError(name)


@pytest.mark.parametrize("spec", F_SPECS, ids=spec_id)
@pytest.mark.parametrize("zeros", [(0, 0), (2, 0), (0, 2), (2, 2)])
def test_against_reference(spec, zeros):
    name, params = spec
    rng = np.random.default_rng(abs(hash((name, zeros))) % 2**32)
    for _ in range(5):
        p = random_pmf(rng, 8, zeros[0])
        q = random_pmf(rng, 8, zeros[1])
        got = dv.f_divergence(p, q, dv.get_f(name, **params))
        expected = reference(name, params, p, q)
        assert not np.isnan(got)
        if np.isinf(expected):
            assert got == expected
        else:
            assert got == pytest.approx(expected, rel=1e-10, abs=1e-13)


def test_named_shortcuts_match_scipy():
    rng = np.random.default_rng(1)
    p, q = random_pmf(rng, 50, 5), random_pmf(rng, 50)
    assert dv.kl_divergence(p, q) == pytest.approx(entropy(p, q), rel=1e-12)
    assert dv.jensen_shannon(p, q) == pytest.approx(scipy_js(p, q) ** 2, rel=1e-10)
    assert dv.total_variation(p, q) == pytest.approx(0.5 * np.abs(p - q).sum(), rel=1e-12)
    assert dv.squared_hellinger(p, q) == pytest.approx(
        2 * (1 - np.sqrt(p * q).sum()), rel=1e-10)


def test_kl_fast_path_and_careful_path_agree():
    rng = np.random.default_rng(2)
    p, q = random_pmf(rng, 1000), random_pmf(rng, 1000)
    fast = dv.f_divergence(p, q, "kl")
    careful = dv.f_divergence(torch.tensor(p), torch.tensor(q), "kl").item()
    assert fast == pytest.approx(careful, rel=1e-12)
    # subnormal q makes p/q overflow in the fast path: the careful path takes over
    q2 = q.copy()
    q2[0] = 5e-324
    q2 /= q2.sum()
    assert dv.f_divergence(p, q2, "kl") == pytest.approx(entropy(p, q2), rel=1e-12)


pmfs = st.integers(2, 6).flatmap(lambda n: st.tuples(
    st.lists(st.floats(0, 1), min_size=n, max_size=n),
    st.lists(st.floats(0, 1), min_size=n, max_size=n)))


def _normalise(w):
    w = np.asarray(w, dtype=np.float64)
    assume(w.sum() > 1e-3)
    return w / w.sum()


@pytest.mark.parametrize("spec", F_SPECS, ids=spec_id)
@given(pair=pmfs)
def test_properties(spec, pair):
    name, params = spec
    f = dv.get_f(name, **params)
    p, q = _normalise(pair[0]), _normalise(pair[1])
    d = dv.f_divergence(p, q, f)
    assert not np.isnan(d)
    floor = -LOG4 if name == "gan" else 0.0
    assert d >= floor - 1e-12                                     # non-negativity
    assert dv.f_divergence(p, p, f) == pytest.approx(floor, abs=1e-12)  # D(p, p) = f(1)
    back = dv.f_divergence(q, p, dv.dual(f))                       # the dual swaps
    if np.isinf(d):
        assert back == d
    else:
        assert back == pytest.approx(d, rel=1e-9, abs=1e-12)
    if name == "total_variation":
        assert d <= 1 + 1e-12
    if name == "jensen_shannon":
        assert d <= math.log(2) + 1e-12


@given(pair=st.integers(2, 6).flatmap(lambda n: st.tuples(
    st.lists(st.floats(0.01, 1), min_size=n, max_size=n),
    st.lists(st.floats(0.01, 1), min_size=n, max_size=n))))
def test_alpha_tends_to_kl_and_reverse_kl(pair):
    p, q = _normalise(pair[0]), _normalise(pair[1])
    kl = dv.kl_divergence(p, q)
    rkl = dv.kl_divergence(q, p)
    near1 = dv.f_divergence(p, q, dv.get_f("alpha", alpha=1 + 1e-6))
    near0 = dv.f_divergence(p, q, dv.get_f("alpha", alpha=1e-6))
    assert near1 == pytest.approx(kl, rel=1e-4, abs=1e-8)
    assert near0 == pytest.approx(rkl, rel=1e-4, abs=1e-8)


def test_gan_value_is_2js_minus_log4():
    rng = np.random.default_rng(3)
    p, q = random_pmf(rng, 10, 3), random_pmf(rng, 10, 3)
    assert dv.f_divergence(p, q, "gan") == pytest.approx(
        2 * dv.jensen_shannon(p, q) - LOG4, rel=1e-12)


def test_disjoint_supports():
    p, q = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    assert dv.total_variation(p, q) == 1.0
    assert dv.jensen_shannon(p, q) == pytest.approx(math.log(2))
    assert dv.squared_hellinger(p, q) == 2.0
    assert dv.kl_divergence(p, q) == math.inf
    assert dv.f_divergence(p, q, "le_cam") == pytest.approx(1.0)
    assert dv.f_divergence(p, q, "gan") == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("spec", F_SPECS, ids=spec_id)
def test_batched_equals_loop_and_axis(spec):
    f = dv.get_f(spec[0], **spec[1])
    rng = np.random.default_rng(4)
    p = np.stack([[random_pmf(rng, 6, k % 2) for k in range(4)] for _ in range(3)])
    q = np.stack([[random_pmf(rng, 6, (k + 1) % 2) for k in range(4)] for _ in range(3)])
    out = dv.f_divergence(p, q, f)
    assert out.shape == (3, 4)
    loop = np.array([[dv.f_divergence(p[i, j], q[i, j], f) for j in range(4)] for i in range(3)])
    np.testing.assert_array_equal(np.isinf(out), np.isinf(loop))
    fin = np.isfinite(loop)
    np.testing.assert_allclose(out[fin], loop[fin], rtol=1e-12, atol=1e-15)
    moved = dv.f_divergence(np.moveaxis(p, -1, 0), np.moveaxis(q, -1, 0), f, axis=0)
    np.testing.assert_allclose(moved[fin], out[fin], rtol=1e-12, atol=1e-15)
    # broadcasting: one q against many p
    b = dv.f_divergence(p, q[0, 0], f)
    assert b.shape == (3, 4)
    assert b[1, 2] == pytest.approx(dv.f_divergence(p[1, 2], q[0, 0], f), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("spec", F_SPECS, ids=spec_id)
def test_float32_and_torch(spec):
    f = dv.get_f(spec[0], **spec[1])
    rng = np.random.default_rng(5)
    p, q = random_pmf(rng, 20), random_pmf(rng, 20)
    d64 = dv.f_divergence(p, q, f)
    d32 = dv.f_divergence(p.astype(np.float32), q.astype(np.float32), f)
    assert d32.dtype == np.float32
    assert d32 == pytest.approx(d64, rel=1e-4, abs=1e-5)
    for dtype in (torch.float32, torch.float64):
        t = dv.f_divergence(torch.tensor(p, dtype=dtype), torch.tensor(q, dtype=dtype), f)
        assert isinstance(t, torch.Tensor) and t.dtype == dtype and t.device.type == "cpu"
        assert t.item() == pytest.approx(d64, rel=1e-4 if dtype == torch.float32 else 1e-12,
                                         abs=1e-5 if dtype == torch.float32 else 1e-15)
    # mixing a float32 tensor with a float64 numpy array promotes as torch would
    mixed = dv.f_divergence(torch.tensor(p, dtype=torch.float32), q, f)
    assert mixed.dtype == torch.float64


@pytest.mark.parametrize("spec", F_SPECS, ids=spec_id)
def test_gradients_match_analytic(spec):
    """d/dp_i = f'(u_i), d/dq_i = f(u_i) - u_i f'(u_i) with u = p/q (strictly positive PMFs)."""
    f = dv.get_f(spec[0], **spec[1])
    rng = np.random.default_rng(6)
    p0, q0 = random_pmf(rng, 7), random_pmf(rng, 7)
    u = p0 / q0
    if f.name == "total_variation":
        assume_ok = np.all(np.abs(u - 1) > 1e-6)
        assert assume_ok
    p = torch.tensor(p0, requires_grad=True)
    q = torch.tensor(q0, requires_grad=True)
    gp, gq = torch.autograd.grad(dv.f_divergence(p, q, f), (p, q))
    np.testing.assert_allclose(gp.numpy(), f.derivative(u), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gq.numpy(), f(u) - u * f.derivative(u), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("spec", F_SPECS, ids=spec_id)
def test_gradcheck_through_softmax(spec):
    f = dv.get_f(spec[0], **spec[1])
    gen = torch.Generator().manual_seed(7)
    a = torch.randn(2, 5, generator=gen, dtype=torch.float64, requires_grad=True)
    b = torch.randn(2, 5, generator=gen, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda x, y: dv.f_divergence(torch.softmax(x, -1), torch.softmax(y, -1), f), (a, b))


@pytest.mark.parametrize("spec", F_SPECS, ids=spec_id)
def test_gradients_at_zeros_are_never_nan(spec):
    f = dv.get_f(spec[0], **spec[1])
    p = torch.tensor([0.0, 0.5, 0.5, 0.0], dtype=torch.float64, requires_grad=True)
    q = torch.tensor([0.25, 0.25, 0.0, 0.5], dtype=torch.float64, requires_grad=True)
    val = dv.f_divergence(p, q, f)
    gp, gq = torch.autograd.grad(val, (p, q))
    assert not torch.isnan(gp).any() and not torch.isnan(gq).any()
    # at p_0 = 0 < q_0: d/dp = f'(0), d/dq = f(0) (finite whenever the value is)
    if math.isfinite(f.f_at_zero):
        assert gp[0].item() == f.derivative_at_zero
        assert gq[0].item() == pytest.approx(f.f_at_zero)
    # at q_2 = 0 < p_2: d/dp = f'(inf), d/dq = lim f(u) - u f'(u)
    if math.isfinite(f.slope_at_infinity):
        assert gp[2].item() == pytest.approx(f.slope_at_infinity)
        assert gq[2].item() == pytest.approx(f.slope_intercept_at_infinity)
    if torch.isfinite(val):
        # one-sided finite differences into the simplex agree with the gradient along q
        h = 1e-7
        direction = torch.tensor([1.0, 0.0, 0.0, -1.0], dtype=torch.float64)
        if math.isfinite(f.f_at_zero):
            fd = (dv.f_divergence(p.detach(), q.detach() + h * direction, f) - val.detach()) / h
            assert fd.item() == pytest.approx((gq[0] - gq[3]).item(), rel=1e-4, abs=1e-5)


def test_zero_with_infinite_f0_gives_inf_not_nan():
    p = torch.tensor([0.0, 1.0], dtype=torch.float64, requires_grad=True)
    q = torch.tensor([0.5, 0.5], dtype=torch.float64, requires_grad=True)
    val = dv.f_divergence(p, q, "reverse_kl")
    assert val.item() == math.inf
    gp, gq = torch.autograd.grad(val, (p, q))
    assert not torch.isnan(gp).any() and not torch.isnan(gq).any()


@pytest.mark.parametrize("p, q, exc, match", [
    ([0.5, -0.1, 0.6], [0.3, 0.3, 0.4], ValueError, "p has negative"),
    ([0.5, 0.5], [np.nan, 1.0], ValueError, "q contains NaN"),
    ([0.5, 0.6], [0.5, 0.5], ValueError, "p must sum to 1"),
    ([0.5, 0.5], [0.5, 0.5, 0.0], ValueError, "incompatible shapes"),
    (np.ones((2, 3)) / 3, np.ones((2, 1)), ValueError, "same length"),
    ([], [], ValueError, "empty"),
    (0.5, 0.5, ValueError, "at least one dimension"),
    ([0.5, 0.5], [np.inf, 0.0], ValueError, "q contains infinite"),
    ("ab", [0.5, 0.5], TypeError, "p must be"),
    ([["a", "b"]], [0.5, 0.5], TypeError, "p must be numeric"),
    (np.ones((2, 3)) / 3, np.ones((3, 3)) / 3, ValueError, "incompatible shapes"),
])
def test_bad_input(p, q, exc, match):
    with pytest.raises(exc, match=match):
        dv.f_divergence(p, q, "kl")


def test_bad_f_and_axis():
    with pytest.raises(KeyError, match="known names"):
        dv.f_divergence([0.5, 0.5], [0.5, 0.5], "nope")
    with pytest.raises(ValueError, match="axis"):
        dv.f_divergence([0.5, 0.5], [0.5, 0.5], "kl", axis=3)
    with pytest.raises(ValueError, match="q has negative"):
        dv.f_divergence(torch.tensor([0.5, 0.5]), torch.tensor([1.5, -0.5]), "kl")


def test_float32_tolerance_is_dtype_aware():
    p = np.full(1000, 1e-3, dtype=np.float32)
    # a float32 PMF from a normalisation in float32 is accepted
    p = p / p.sum()
    assert dv.f_divergence(p, p, "kl") == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ValueError, match="sum to 1"):
        dv.f_divergence(p.astype(np.float64) * (1 + 1e-6), p.astype(np.float64), "kl")


@pytest.mark.parametrize("alpha", [2.0, 3.5, 1.5])
@pytest.mark.parametrize("tiny", [1e-30, 1e-20, 1e-10])
@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_float32_alpha_divergence_where_the_value_is_representable(alpha, tiny, backend):
    # q f(p/q) is formed in log space: float32 gives the float64 value (to float32's
    # accuracy, amplified by |r| in exp(r)) wherever that value fits in float32
    p64, q64 = np.array([0.5, 0.5]), np.array([1.0 - tiny, tiny])
    f = dv.get_f("alpha", alpha=alpha)
    exact = float(dv.f_divergence(p64, q64, f))
    if backend == "numpy":
        got = float(dv.f_divergence(p64.astype(np.float32), q64.astype(np.float32), f))
    else:
        got = float(dv.f_divergence(torch.tensor(p64, dtype=torch.float32),
                                    torch.tensor(q64, dtype=torch.float32), f))
    if exact < float(np.finfo(np.float32).max):
        assert got == pytest.approx(exact, rel=3e-5)
    else:
        assert got == np.inf


@pytest.mark.parametrize("q_values", [[0.5, 0.5, 8e-323], [0.4, 0.6 - 1e-300, 1e-300]],
                         ids=["p=q", "q-differs"])
def test_gradients_at_subnormal_entries_are_the_derivative(ffun, q_values):
    # d/dp_i sum_j q_j f(p_j / q_j) = f'(p_i / q_i), finite also where p_i and q_i are
    # subnormal (1/q of a subnormal overflows: pearson, neyman, le_cam, JS, weighted JS,
    # gan and the alphas gave NaN there)
    p = torch.tensor([0.5, 0.5, 8e-323], dtype=torch.float64, requires_grad=True)
    q = torch.tensor(q_values, dtype=torch.float64)
    value = dv.f_divergence(p, q, ffun)
    value.backward()
    assert torch.isfinite(value)
    ratio = p.detach().numpy() / q.numpy()
    expected = ffun.derivative(ratio)
    grad = p.grad.numpy()
    assert np.isfinite(grad).all(), grad
    np.testing.assert_allclose(grad[:2], expected[:2], rtol=1e-9, atol=1e-12)
    # 8e-323 carries 5 significant bits: at that entry the chain rule runs through
    # subnormal intermediates, so only agreement to a few per cent can be asked for
    assert abs(grad[2] - expected[2]) <= 0.05 * max(1.0, abs(expected[2])), (grad, expected)


@pytest.mark.parametrize("shape", [(0, 3), (2, 0, 3)])
def test_an_empty_batch_gives_an_empty_result(shape):
    """Issue 26: f_divergence(np.zeros((0, 3)), ...) failed inside a reduction (numpy) or
    with a RuntimeError (torch).  An empty batch of PMFs is a valid batch: the result has
    the batch's shape, as scipy.stats.entropy's does."""
    from scipy import stats

    a = np.zeros(shape)
    assert stats.entropy(a, a, axis=-1).shape == shape[:-1]
    for f in ("kl", "jensen_shannon", "total_variation", "pearson", "neyman"):
        got = dv.f_divergence(a, a, f)
        assert isinstance(got, np.ndarray) and got.shape == shape[:-1] and got.dtype == a.dtype
        t = dv.f_divergence(torch.zeros(shape, dtype=torch.float32), torch.zeros(shape), f)
        assert torch.is_tensor(t) and tuple(t.shape) == shape[:-1]
    # an empty support is still an error
    with pytest.raises(ValueError, match="empty along axis"):
        dv.f_divergence(np.zeros((2, 0)), np.zeros((2, 0)))
