"""1-D Wasserstein distances: scipy cross-checks, invariants, batches, torch, gradients, errors."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from scipy.stats import wasserstein_distance

import divergences as dv


def reference_wp(u, v, a=None, b=None, p=1):
    """W_p by brute force on the quantile functions (independent of the library).

    Evaluates both empirical quantile functions at the midpoints of every
    interval between the merged cumulative weights.
    """
    a = np.ones(len(u)) if a is None else np.asarray(a, float)
    b = np.ones(len(v)) if b is None else np.asarray(b, float)
    ou, ov = np.argsort(u, kind="stable"), np.argsort(v, kind="stable")
    us, vs = np.asarray(u)[ou], np.asarray(v)[ov]
    cu, cv = np.cumsum(a[ou]) / a.sum(), np.cumsum(b[ov]) / b.sum()
    knots = np.unique(np.concatenate([[0.0], cu, cv, [1.0]]))
    total = 0.0
    for lo, hi in zip(knots[:-1], knots[1:]):
        if hi - lo <= 0:
            continue
        mid = 0.5 * (lo + hi)
        qu = us[min(np.searchsorted(cu, mid), len(us) - 1)]
        qv = vs[min(np.searchsorted(cv, mid), len(vs) - 1)]
        total += (hi - lo) * abs(qu - qv) ** p
    return total ** (1 / p)


@pytest.mark.parametrize("seed", range(8))
def test_against_scipy_with_weights_ties_and_zero_weights(seed):
    rng = np.random.default_rng(seed)
    n, m = rng.integers(1, 30, size=2)
    u = np.round(rng.normal(size=n), 1)           # rounding creates ties
    v = np.round(rng.normal(0.5, 2, size=m), 1)
    a = rng.random(n) * (rng.random(n) > 0.3)     # some zero weights
    b = rng.random(m)
    a[0] = max(a[0], 0.1)
    assert dv.wasserstein_1d(u, v) == pytest.approx(wasserstein_distance(u, v), rel=1e-12, abs=1e-15)
    assert dv.wasserstein_1d(u, v, a, b) == pytest.approx(wasserstein_distance(u, v, a, b),
                                                         rel=1e-12, abs=1e-15)
    assert dv.earth_movers_distance(u, v, a, b) == dv.wasserstein_1d(u, v, a, b)
    m2 = min(n, m)
    assert dv.wasserstein_1d(u[:m2], v[:m2]) == pytest.approx(
        wasserstein_distance(u[:m2], v[:m2]), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 3.0])
@pytest.mark.parametrize("seed", range(4))
def test_general_p_against_brute_force(p, seed):
    rng = np.random.default_rng(100 + seed)
    n, m = rng.integers(1, 20, size=2)
    u, v = rng.normal(size=n), rng.exponential(size=m)
    a, b = rng.random(n) + 0.01, rng.random(m) + 0.01
    assert dv.wasserstein_1d(u, v, p=p) == pytest.approx(reference_wp(u, v, p=p), rel=1e-11)
    assert dv.wasserstein_1d(u, v, a, b, p=p) == pytest.approx(reference_wp(u, v, a, b, p=p),
                                                              rel=1e-11)
    k = min(n, m)
    assert dv.wasserstein_1d(u[:k], v[:k], p=p) == pytest.approx(
        reference_wp(u[:k], v[:k], p=p), rel=1e-11)


def test_p2_equal_sizes_is_rms_of_sorted_differences():
    rng = np.random.default_rng(3)
    u, v = rng.normal(size=50), rng.normal(size=50)
    assert dv.wasserstein_1d(u, v, p=2) == pytest.approx(
        math.sqrt(np.mean((np.sort(u) - np.sort(v)) ** 2)), rel=1e-13)


samples = st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=12)


@given(u=samples, v=samples, w=samples, c=st.floats(-100, 100), s=st.floats(-10, 10),
       p=st.sampled_from([1, 2, 3]))
def test_invariants(u, v, w, c, s, p):
    u, v, w = np.array(u), np.array(v), np.array(w)
    d = dv.wasserstein_1d(u, v, p=p)
    tol = 1e-9 * (1 + np.abs(np.concatenate([u, v, w])).max())
    assert dv.wasserstein_1d(u, u, p=p) == pytest.approx(0.0, abs=tol)           # W(u, u) = 0
    assert dv.wasserstein_1d(v, u, p=p) == pytest.approx(d, abs=tol)             # symmetry
    assert dv.wasserstein_1d(u, u + c, p=p) == pytest.approx(abs(c), abs=tol + 1e-9 * abs(c))
    assert dv.wasserstein_1d(s * u, s * v, p=p) == pytest.approx(abs(s) * d, abs=tol * (1 + abs(s)))
    assert d <= dv.wasserstein_1d(u, w, p=p) + dv.wasserstein_1d(w, v, p=p) + tol  # triangle


@given(u=samples, v=samples, reps=st.lists(st.integers(0, 4), min_size=12, max_size=12))
def test_integer_weights_equal_repetition(u, v, reps):
    u, v = np.array(u), np.array(v)
    k = np.array(reps[:len(u)])
    if k.sum() == 0:
        k[0] = 1
    repeated = np.repeat(u, k)
    for p in (1, 2):
        assert dv.wasserstein_1d(u, v, k, p=p) == pytest.approx(
            dv.wasserstein_1d(repeated, v, p=p), rel=1e-10, abs=1e-9)


def test_batched_equals_loop_and_broadcasting():
    rng = np.random.default_rng(4)
    u = rng.normal(size=(3, 4, 10))
    v = rng.normal(1, 2, size=(3, 4, 7))
    a = rng.random((3, 4, 10))
    for p in (1, 2):
        out = dv.wasserstein_1d(u, v, a, p=p)
        assert out.shape == (3, 4)
        loop = np.array([[dv.wasserstein_1d(u[i, j], v[i, j], a[i, j], p=p) for j in range(4)]
                         for i in range(3)])
        np.testing.assert_allclose(out, loop, rtol=1e-13)
    # samples along axis 0
    np.testing.assert_allclose(dv.wasserstein_1d(np.moveaxis(u, -1, 0), np.moveaxis(v, -1, 0),
                                                 axis=0), dv.wasserstein_1d(u, v), rtol=1e-13)
    # one v against a batch of u; shared 1-D weights
    one = dv.wasserstein_1d(u, v[0, 0], a[0, 0])
    assert one.shape == (3, 4)
    assert one[2, 1] == pytest.approx(dv.wasserstein_1d(u[2, 1], v[0, 0], a[0, 0]), rel=1e-13)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_torch_matches_numpy(dtype):
    rng = np.random.default_rng(5)
    u, v = rng.normal(size=(5, 20)), rng.normal(size=(5, 13))
    a, b = rng.random((5, 20)), rng.random((5, 13))
    for p in (1, 2.5):
        ref = dv.wasserstein_1d(u, v, a, b, p=p)
        out = dv.wasserstein_1d(torch.tensor(u, dtype=dtype), torch.tensor(v, dtype=dtype),
                                torch.tensor(a, dtype=dtype), torch.tensor(b, dtype=dtype), p=p)
        assert isinstance(out, torch.Tensor) and out.dtype == dtype
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-5 if dtype == torch.float32 else 1e-12)
    f32 = dv.wasserstein_1d(u.astype(np.float32), v.astype(np.float32))
    assert f32.dtype == np.float32
    np.testing.assert_allclose(f32, dv.wasserstein_1d(u, v), rtol=1e-5)


def test_gradcheck_values_and_weights():
    gen = torch.Generator().manual_seed(0)
    u = torch.randn(2, 6, generator=gen, dtype=torch.float64, requires_grad=True)
    v = torch.randn(2, 4, generator=gen, dtype=torch.float64, requires_grad=True)
    a = (torch.rand(2, 6, generator=gen, dtype=torch.float64) + 0.1).requires_grad_(True)
    b = (torch.rand(2, 4, generator=gen, dtype=torch.float64) + 0.1).requires_grad_(True)
    for p in (1, 2, 3):
        assert torch.autograd.gradcheck(lambda *t: dv.wasserstein_1d(*t, p=p), (u, v, a, b))
        assert torch.autograd.gradcheck(lambda x, y: dv.wasserstein_1d(x, y, p=p), (u, v[:, :4]))


def test_gradient_at_zero_distance_is_finite():
    u = torch.tensor([0.0, 1.0, 2.0], dtype=torch.float64, requires_grad=True)
    for p in (1, 2):
        (g,) = torch.autograd.grad(dv.wasserstein_1d(u, u.detach().clone(), p=p), u)
        assert torch.isfinite(g).all()


def test_shift_gradient_is_sign():
    u = torch.tensor([0.0, 1.0, 2.0], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(dv.wasserstein_1d(u, torch.tensor([5.0, 6.0, 7.0],
                                                                 dtype=torch.float64)), u)
    np.testing.assert_allclose(g.numpy(), [-1 / 3] * 3)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(x=[1.0, 2.0], y=[1.0], x_weights=[1.0, -1.0]), ValueError, "x_weights has negative"),
    (dict(x=[1.0, 2.0], y=[1.0], x_weights=[0.0, 0.0]), ValueError, "positive total"),
    (dict(x=[1.0, np.nan], y=[1.0]), ValueError, "x contains NaN"),
    (dict(x=[1.0], y=[np.inf]), ValueError, "y contains infinite"),
    (dict(x=[], y=[1.0]), ValueError, "x is empty"),
    (dict(x=[1.0, 2.0], y=[1.0], x_weights=[1.0, 2.0, 3.0]), ValueError, "x_weights of shape"),
    (dict(x=[1.0], y=[1.0], p=0.5), ValueError, "p must be"),
    (dict(x=[1.0], y=[1.0], p="2"), TypeError, "p must be"),
    (dict(x=np.ones((2, 3)), y=np.ones((3, 3))), ValueError, "do not broadcast"),
    (dict(x=1.0, y=[1.0]), ValueError, "at least one dimension"),
    (dict(x=[1.0], y=[1.0], y_weights=[np.nan]), ValueError, "y_weights contains NaN"),
])
def test_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        dv.wasserstein_1d(**kwargs)


def test_histogram_form():
    rng = np.random.default_rng(6)
    grid = np.sort(rng.normal(size=30))
    a, b = rng.random(30), rng.random(30)
    a[3] = 0
    for p in (1, 2):
        assert dv.wasserstein_1d_histogram(grid, a, b, p=p) == pytest.approx(
            dv.wasserstein_1d(grid, grid, a, b, p=p), rel=1e-12)
    assert dv.wasserstein_1d_histogram(grid, a, b) == pytest.approx(
        wasserstein_distance(grid, grid, a, b), rel=1e-12)
    batch = dv.wasserstein_1d_histogram(grid, np.stack([a, b]), np.stack([b, b]))
    np.testing.assert_allclose(batch, [dv.wasserstein_1d_histogram(grid, a, b), 0.0], atol=1e-15)
    with pytest.raises(ValueError, match="sorted"):
        dv.wasserstein_1d_histogram(grid[::-1], a, b)


def test_quantile_form_and_normal_closed_forms():
    cases = [(0.0, 1.0, 2.0, 1.0), (0.0, 1.0, 0.5, 2.0), (1.0, 0.3, -1.0, 1.7), (0.0, 1.0, 0.0, 3.0)]
    for m0, s0, m1, s1 in cases:
        for p in (1, 2):
            q = dv.wasserstein_1d_quantile(stats.norm(m0, s0).ppf, stats.norm(m1, s1).ppf, p=p)
            closed = float(dv.normal_wasserstein_1d(m0, s0, m1, s1, p=p))
            assert closed == pytest.approx(q, rel=1e-8)
    # the design-notes formula for W1 with a = |Delta|, b = |s0 - s1|
    a, b = 0.5, 1.0
    expected = b * math.sqrt(2 / math.pi) * math.exp(-a * a / (2 * b * b)) + a * (
        1 - 2 * stats.norm.cdf(-a / b))
    assert float(dv.normal_wasserstein_1d(0.0, 1.0, 0.5, 2.0)) == pytest.approx(expected, rel=1e-14)
    # samples converge to the closed form
    rng = np.random.default_rng(7)
    x, y = rng.normal(0, 1, 200_000), rng.normal(0.5, 2, 200_000)
    assert float(dv.wasserstein_1d(x, y)) == pytest.approx(expected, abs=0.02)
    with pytest.raises(ValueError, match="p = 1 and p = 2"):
        dv.normal_wasserstein_1d(0, 1, 0, 1, p=3)
    with pytest.raises(TypeError, match="must be callable"):
        dv.wasserstein_1d_quantile(1.0, stats.norm.ppf)


@pytest.mark.parametrize("seed", range(5))
def test_kantorovich_dual_at_optimal_critic_equals_w1(seed):
    rng = np.random.default_rng(seed)
    u, v = rng.normal(size=rng.integers(1, 40)), rng.normal(0.3, 1.5, size=rng.integers(1, 40))
    a, b = rng.random(u.size) + 0.05, rng.random(v.size) + 0.05
    f = dv.optimal_critic_1d(u, v, a, b)
    dual = dv.wasserstein_critic_objective(f(u), f(v), a, b)
    assert dual == pytest.approx(float(dv.wasserstein_1d(u, v, a, b)), rel=1e-12, abs=1e-14)
    # f is 1-Lipschitz
    grid = np.sort(np.concatenate([u, v]))
    slopes = np.diff(f(grid)) / np.maximum(np.diff(grid), 1e-300)
    assert np.all(np.abs(slopes[np.diff(grid) > 0]) <= 1 + 1e-12)
    # any other 1-Lipschitz critic gives no more
    for _ in range(20):
        k = rng.normal()
        g = lambda x: np.clip(k, -1, 1) * np.sin(x)  # noqa: E731  (|g'| <= 1)
        assert dv.wasserstein_critic_objective(g(u), g(v), a, b) <= dual + 1e-12


def test_gradient_penalty_linear_critic_and_reproducibility():
    w = torch.tensor([3.0, 4.0], dtype=torch.float64, requires_grad=True)
    critic = lambda x: x @ w  # noqa: E731  gradient norm 5 everywhere
    g = torch.Generator().manual_seed(0)
    x = torch.randn(16, 2, dtype=torch.float64, generator=g)
    y = torch.randn(16, 2, dtype=torch.float64, generator=g)
    gp = dv.gradient_penalty(critic, x, y, rng=1)
    assert gp.item() == pytest.approx(16.0)
    (g,) = torch.autograd.grad(gp, w)                   # d/dw (|w| - 1)^2 = 2 (|w| - 1) w / |w|
    np.testing.assert_allclose(g.numpy(), 2 * 4 * np.array([3.0, 4.0]) / 5)
    assert dv.gradient_penalty(critic, x, y, rng=1, target=5.0).item() == pytest.approx(0.0)
    assert dv.gradient_penalty(lambda x: 0.5 * x.sum(1), x, y, one_sided=True).item() == 0.0
    # interpolation points are reproducible for a fixed rng and lie between the pairs
    seen = []
    dv.gradient_penalty(lambda z: seen.append(z.detach()) or z.sum(1), x, y, rng=7)
    dv.gradient_penalty(lambda z: seen.append(z.detach()) or z.sum(1), x, y, rng=7)
    torch.testing.assert_close(seen[0], seen[1])
    with pytest.raises(ValueError, match="same shape"):
        dv.gradient_penalty(critic, x, y[:3])
    with pytest.raises(TypeError, match="torch tensors"):
        dv.gradient_penalty(critic, x.numpy(), y.numpy())


def test_gradient_penalty_at_zero_gradient_is_not_nan():
    x = torch.zeros(4, 2, requires_grad=True)
    gp = dv.gradient_penalty(lambda z: (z * 0).sum(1), x, x.detach() + 1)
    assert gp.item() == 1.0
    assert torch.isfinite(torch.autograd.grad(gp, x, allow_unused=True)[0] if
                          gp.requires_grad else torch.zeros(1)).all()


def test_clip_weights():
    from divergences.critics import linear

    layer = linear(4, 3, torch.Generator().manual_seed(0))
    with torch.no_grad():
        layer.weight.mul_(100)
    dv.clip_weights(layer, 0.05)
    assert layer.weight.abs().max().item() <= 0.05 + 1e-7 and layer.bias.abs().max().item() <= 0.05 + 1e-7
    with pytest.raises(ValueError, match="clip_value"):
        dv.clip_weights(layer, -1)


def test_sliced_wasserstein():
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=(200, 3)), rng.normal(size=(150, 3)) + np.array([1.0, 0, 0])
    theta = rng.normal(size=(16, 3))
    sw = dv.sliced_wasserstein(x, y, projections=theta, p=2)
    unit = theta / np.linalg.norm(theta, axis=1, keepdims=True)
    loop = np.mean([dv.wasserstein_1d(x @ t, y @ t, p=2) ** 2 for t in unit]) ** 0.5
    assert sw == pytest.approx(loop, rel=1e-12)
    # reproducible with a seed, torch matches numpy with the same directions
    assert dv.sliced_wasserstein(x, y, rng=3) == dv.sliced_wasserstein(x, y, rng=3)
    t = dv.sliced_wasserstein(torch.tensor(x), torch.tensor(y), projections=torch.tensor(theta))
    assert t.item() == pytest.approx(sw, rel=1e-12)
    # a pure shift by c in d dims: SW_2^2 = E[(theta . c)^2] = |c|^2 / d
    big = dv.sliced_wasserstein(x, x + np.array([3.0, 0, 0]), n_projections=20_000, rng=0)
    assert big == pytest.approx(3.0 / math.sqrt(3), rel=0.02)
    # batched problems and weights
    xb, yb = np.stack([x[:100], x[100:]]), np.stack([y[:100], y[50:]])
    out = dv.sliced_wasserstein(xb, yb, np.ones((2, 100)), projections=theta)
    assert out.shape == (2,)
    assert out[1] == pytest.approx(float(dv.sliced_wasserstein(x[100:], y[50:], projections=theta)),
                                   rel=1e-12)
    with pytest.raises(ValueError, match="same dimension"):
        dv.sliced_wasserstein(x, y[:, :2])
    with pytest.raises(ValueError, match="shape"):
        dv.sliced_wasserstein(x[:, 0], y[:, 0])


def test_more_bad_input():
    with pytest.raises(ValueError, match="std_p and std_q must be non-negative"):
        dv.normal_wasserstein_1d(0.0, -1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="mean_q contains NaN"):
        dv.normal_wasserstein_1d(0.0, 1.0, np.nan, 1.0)
    with pytest.raises(ValueError, match="1-D numpy samples"):
        dv.optimal_critic_1d(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="critic_q is empty"):
        dv.wasserstein_critic_objective([1.0], [])
    with pytest.raises(ValueError, match="x_weights has negative"):
        dv.wasserstein_critic_objective([1.0], [1.0], x_weights=[-1.0])
    with pytest.raises(ValueError, match="projections must be non-zero"):
        dv.sliced_wasserstein(np.ones((3, 2)), np.ones((3, 2)), projections=[[0.0, 0.0]])
    with pytest.raises(ValueError, match="n_projections"):
        dv.sliced_wasserstein(np.ones((3, 2)), np.ones((3, 2)), n_projections=0)
    with pytest.raises(TypeError, match="torch.nn.Module"):
        dv.clip_weights(object(), 0.1)


@pytest.mark.parametrize("p", [1, 2, 3.5, 20])
@pytest.mark.parametrize("scale", [1e-300, 1e-200, 1e-16, 1e16, 1e155, 1e300])
def test_homogeneous_at_extreme_magnitudes(p, scale):
    # W_p(c u, c v) = c W_p(u, v): exact (to rounding) at any magnitude where the value is
    # representable, equal sizes or not, weighted or not (|u - v|^p of the raw data
    # would overflow to inf or underflow to 0 here)
    rng = np.random.default_rng(7)
    u, v, w = rng.normal(size=40), rng.normal(1.0, 2.0, size=25), rng.random(40)
    for a, b, wa in ((u, v, None), (u, v, w), (u, u[::-1] + 0.5, None)):
        unit = float(dv.wasserstein_1d(a, b, wa, p=p))
        big = float(dv.wasserstein_1d(a * scale, b * scale, wa, p=p))
        assert big == pytest.approx(unit * scale, rel=1e-12)
    x = rng.normal(size=(30, 3))
    unit = float(dv.sliced_wasserstein(x, x + 1.0, p=p, rng=0))
    assert float(dv.sliced_wasserstein(x * scale, (x + 1.0) * scale, p=p, rng=0)) == \
        pytest.approx(unit * scale, rel=1e-12)


def test_huge_values_from_the_issue():
    assert float(dv.wasserstein_1d([0.0, 1e155], [0.0, 1e155, 2e155], p=2)) == \
        pytest.approx(math.sqrt(0.5) * 1e155, rel=1e-14)
    assert float(dv.wasserstein_1d([0.0, 1e16], [1e16, 2e16], p=20)) == pytest.approx(1e16)
    t = torch.tensor([0.0, 1e155], dtype=torch.float64, requires_grad=True)
    w = dv.wasserstein_1d(t, torch.tensor([1e155, 3e155], dtype=torch.float64), p=2)
    w.backward()
    assert float(w.detach()) == pytest.approx(math.sqrt(2.5) * 1e155)
    np.testing.assert_allclose(t.grad.numpy(), [-1 / (2 * math.sqrt(2.5)), -2 / (2 * math.sqrt(2.5))])


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("p", [1, 2, 3])
@pytest.mark.parametrize("scale", [1e-35, 1e-20, 1e20, 1e36])
def test_float32_homogeneous_near_its_limits(backend, p, scale):
    # float32's range ends at 3.4e38: |u - v|^p of data near 1e36 overflows and of data
    # near 1e-35 underflows unless the data are rescaled first (the threshold depends on
    # the dtype, not float64's)
    rng = np.random.default_rng(3)
    u, v = rng.normal(size=30), rng.normal(0.5, 2.0, size=20)
    unit = float(dv.wasserstein_1d(u, v, p=p))
    a, b = (u * scale).astype(np.float32), (v * scale).astype(np.float32)
    if backend == "torch":
        a, b = torch.from_numpy(a), torch.from_numpy(b)
    got = float(dv.wasserstein_1d(a, b, p=p))
    assert got == pytest.approx(unit * scale, rel=2e-5)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_sliced_wasserstein_names_a_non_finite_projection(bad):
    """Issue 26: an infinite projection was reported as 'x contains NaN' (after a
    RuntimeWarning from the normalisation)."""
    x = np.random.default_rng(0).normal(size=(10, 2))
    for lib in (np.asarray, torch.tensor):
        with pytest.raises(ValueError, match="projections contains"):
            dv.sliced_wasserstein(lib(x), lib(x + 1.0), projections=lib(np.array([[bad, 1.0]])))


def test_gradient_penalty_on_integer_batches_and_constant_critics():
    """Issue 26: integer inputs and a critic that ignores its input raised raw torch
    errors.  Integers become the default float dtype (the library's rule); a critic that
    does not depend on its input has gradient 0, so the penalty is target^2."""
    lin = lambda z: 3.0 * z.sum(dim=1)                    # noqa: E731  (|grad| = 3 sqrt 2)
    xi, yi = torch.zeros(4, 2, dtype=torch.int64), torch.ones(4, 2, dtype=torch.int64)
    got = dv.gradient_penalty(lin, xi, yi, rng=0)
    assert got.dtype == torch.get_default_dtype()
    assert float(got) == pytest.approx((3 * math.sqrt(2) - 1) ** 2, rel=1e-6)
    x, y = torch.zeros(4, 2), torch.ones(4, 2)
    w = torch.nn.Parameter(torch.tensor(2.0))
    for critic in (lambda z: torch.ones(4), lambda z: w * torch.ones(4)):
        for target in (1.0, 0.5):
            assert float(dv.gradient_penalty(critic, x, y, rng=0, target=target)) == target ** 2
        assert float(dv.gradient_penalty(critic, x, y, rng=0, one_sided=True)) == 0.0
    with pytest.raises(TypeError, match="critic must return a torch.Tensor"):
        dv.gradient_penalty(lambda z: 3.0, x, y, rng=0)
    with pytest.raises(TypeError, match="must be real"):
        dv.gradient_penalty(lin, x.to(torch.complex64), y.to(torch.complex64), rng=0)


def test_histogram_weights_summing_past_the_float_maximum():
    """Issue 26: finite weights whose sum overflows gave NaN; W1 depends on the weights'
    ratios only, so the result is that of the scaled weights."""
    g = np.array([0.0, 1.0, 2.0])
    w, v = np.array([1e308, 1e308, 1e308]), np.array([1e308, 0.0, 1e308])
    want = float(dv.wasserstein_1d_histogram(g, w / 1e308, v / 1e308))
    assert want == pytest.approx(1 / 3)
    for lib in (np.asarray, torch.tensor):
        assert float(dv.wasserstein_1d_histogram(lib(g), lib(w), lib(v))) == pytest.approx(want)
    # subnormal weights, likewise
    sub = np.array([5e-324, 5e-324, 1e-323])
    assert float(dv.wasserstein_1d_histogram(g, sub, v)) == pytest.approx(
        float(dv.wasserstein_1d_histogram(g, np.array([1.0, 1.0, 2.0]), v)))
