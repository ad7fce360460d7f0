"""JAX in, JAX out: the closed-form core on JAX arrays (issue 14).

Every case runs the same function three ways on the same float64 data:

* numpy: the reference value (the library's numpy path, itself tested elsewhere);
* torch: value and autograd gradient of ``sum(output)`` with respect to each input;
* JAX: the value must be a ``jax.Array`` equal to numpy's, ``jax.grad`` must equal
  torch's gradient, and ``jax.jit`` of the function must give the eager value.

float32 JAX input must give float32 output.  The module is skipped without JAX.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import jax  # noqa: E402  (the [test] extra installs it: a missing one fails loudly)
import jax.numpy as jnp  # noqa: E402
jax.config.update("jax_enable_x64", True)
# compile time dominates these small cases: XLA without most optimisations compiles faster
jax.config.update("jax_disable_most_optimizations", True)

import divergences as dv  # noqa: E402

RNG = np.random.default_rng(20261122)


def _pmf(n, zeros=()):
    p = RNG.random(n) + 0.05
    p[list(zeros)] = 0.0
    return p / p.sum()


def _spd(d):
    a = RNG.normal(size=(d, d))
    return a @ a.T + d * np.eye(d)


P, Q = _pmf(6), _pmf(6)
PZ, QZ = _pmf(6, zeros=[1]), _pmf(6, zeros=[4])
U, V = RNG.normal(size=40), RNG.normal(1.0, 2.0, size=30)
WU, WV = RNG.random(40) + 0.1, RNG.random(30) + 0.1
S = RNG.normal(size=(7, 7)) + 2.0 * np.eye(7)
LOGITS_P, LOGITS_Q = RNG.normal(1.0, 1.0, size=25), RNG.normal(-1.0, 1.0, size=20)
M0, M1 = RNG.normal(size=3), RNG.normal(size=3)
C0, C1 = _spd(3), _spd(3)
X2, Y2 = RNG.normal(size=(12, 3)), RNG.normal(0.5, 1.0, size=(15, 3))
THETA = RNG.normal(size=(5, 3))
PROB_P, PROB_Q = RNG.uniform(0.05, 0.95, 25), RNG.uniform(0.05, 0.95, 20)
MEAN, LOGVAR = RNG.normal(size=(6, 2)), RNG.normal(0.0, 0.5, size=(6, 2))
XDATA, DECODED = RNG.normal(size=(6, 4)), RNG.normal(size=(6, 4))
BITS = (RNG.random((6, 4)) < 0.5).astype(float)

# (id, function of the array arguments, the array arguments, differentiable?)
CASES = [
    ("f_divergence-" + name, lambda p, q, name=name: dv.f_divergence(p, q, name), (P, Q), True)
    for name in dv.f_names() if name not in ("alpha", "weighted_jensen_shannon")
] + [
    ("f_divergence-alpha", lambda p, q: dv.f_divergence(p, q, dv.get_f("alpha", alpha=0.3)),
     (P, Q), True),
    ("f_divergence-wjs", lambda p, q: dv.f_divergence(
        p, q, dv.get_f("weighted_jensen_shannon", pi=0.3)), (P, Q), True),
    ("f_divergence-zeros-kl", lambda p, q: dv.f_divergence(p, q, "kl"), (PZ, Q), True),
    ("f_divergence-zeros-tv", lambda p, q: dv.f_divergence(p, q, "total_variation"), (PZ, QZ),
     True),
    ("f_divergence-zeros-js", lambda p, q: dv.f_divergence(p, q, "jensen_shannon"), (PZ, QZ),
     True),
    ("f_divergence-batched", lambda p, q: dv.f_divergence(p, q, "squared_hellinger"),
     (np.stack([P, Q, PZ]), Q), True),
    ("kl_divergence", dv.kl_divergence, (P, Q), True),
    ("jensen_shannon", dv.jensen_shannon, (P, QZ), True),
    ("squared_hellinger", dv.squared_hellinger, (P, Q), True),
    ("total_variation", dv.total_variation, (P, Q), True),
] + [
    ("gaussian-" + name, lambda m0, c0, m1, c1, name=name: dv.gaussian_f_divergence(
        m0, c0, m1, c1, name), (M0, C0, M1, C1), True)
    for name in ("kl", "reverse_kl", "jeffreys", "squared_hellinger", "pearson", "neyman")
] + [
    ("gaussian-alpha", lambda m0, c0, m1, c1: dv.gaussian_f_divergence(
        m0, c0, m1, c1, dv.get_f("alpha", alpha=0.4)), (M0, C0, M1, C1), True),
    ("gaussian-diagonal-kl", lambda m0, v0, m1, v1: dv.gaussian_f_divergence(m0, v0, m1, v1),
     (M0, np.diag(C0), M1, np.diag(C1)), True),
    ("renyi_gaussian", lambda m0, c0, m1, c1: dv.renyi_divergence_gaussian(
        m0, c0, m1, c1, order=0.7), (M0, C0, M1, C1), True),
    ("gaussian_mutual_information", lambda r: dv.gaussian_mutual_information(r, d=4),
     (np.array([0.1, -0.5, 0.9]),), True),
    ("wasserstein_1d-p1", dv.wasserstein_1d, (U, V), True),
    ("wasserstein_1d-p2-weighted", lambda u, v, wu, wv: dv.wasserstein_1d(u, v, wu, wv, p=2),
     (U, V, WU, WV), True),
    ("wasserstein_1d-p3-batched", lambda u, v: dv.wasserstein_1d(u, v, p=3),
     (np.stack([U, -U]), V[:40] if V.size >= 40 else np.concatenate([V, V])[:40]), True),
    ("wasserstein_1d_histogram", lambda g, a, b: dv.wasserstein_1d_histogram(g, a, b, p=2),
     (np.linspace(0.0, 1.0, 6), P, Q), True),
    ("earth_movers_distance", dv.earth_movers_distance, (U, V), True),
    ("normal_wasserstein_1d", lambda m, s, n, t: dv.normal_wasserstein_1d(m, s, n, t, p=2),
     (np.array([0.0, 1.0]), np.array([1.0, 2.0]), np.array([0.5, 0.5]), np.array([3.0, 1.0])),
     True),
    ("sliced_wasserstein", lambda x, y, th: dv.sliced_wasserstein(x, y, projections=th),
     (X2, Y2, THETA), True),
    ("wasserstein_critic_objective", dv.wasserstein_critic_objective, (U, V), True),
] + [
    ("fgan_bound-" + name, lambda a, b, name=name: dv.fgan_bound(a, b, name),
     (LOGITS_P * 0.2 + 1.2, LOGITS_Q * 0.2 + 1.1), True)
    for name in ("kl", "reverse_kl", "pearson", "squared_hellinger")
] + [
    ("fgan_bound_from_logits-" + name, lambda a, b, name=name: dv.fgan_bound_from_logits(
        a, b, name), (LOGITS_P, LOGITS_Q), True)
    for name in dv.f_names() if name not in ("alpha", "weighted_jensen_shannon")
] + [
    ("nwj_bound", dv.nwj_bound, (LOGITS_P, LOGITS_Q), True),
    ("dv_bound-weighted", lambda a, b, w: dv.dv_bound(a, b, y_weights=w),
     (LOGITS_P, LOGITS_Q, WV[:20]), True),
    ("js_bound", dv.js_bound, (LOGITS_P, LOGITS_Q), True),
    ("infonce_bound", dv.infonce_bound, (S,), True),
    ("nwj_mi_bound", dv.nwj_mi_bound, (S,), True),
    ("dv_mi_bound", dv.dv_mi_bound, (S,), True),
    ("js_mi_bound", dv.js_mi_bound, (S,), True),
    ("smile_bound-tau1", lambda s: dv.smile_bound(s, tau=1.0), (S,), True),
    ("smile_bound-inf", lambda s: dv.smile_bound(s, tau=np.inf), (S,), True),
    ("tuba_bound", dv.tuba_bound, (S, RNG.normal(size=7)), True),
    ("interpolated_bound", lambda s, a: dv.interpolated_bound(s, a, interpolation=0.3),
     (S, RNG.normal(size=7)), True),
    ("gan_discriminator_loss", dv.gan_discriminator_loss, (LOGITS_P, LOGITS_Q), True),
    ("gan_generator_loss", dv.gan_generator_loss, (LOGITS_Q,), True),
    ("fgan_discriminator_loss", lambda a, b: dv.fgan_discriminator_loss(a, b, "jensen_shannon"),
     (LOGITS_P, LOGITS_Q), True),
    ("fgan_generator_loss", lambda b: dv.fgan_generator_loss(b, "kl"), (LOGITS_Q,), True),
    ("wgan_critic_loss", dv.wgan_critic_loss, (LOGITS_P, LOGITS_Q), True),
    ("wgan_generator_loss", dv.wgan_generator_loss, (LOGITS_Q,), True),
    ("bigan_discriminator_loss", dv.bigan_discriminator_loss, (LOGITS_P, LOGITS_Q), True),
    ("bigan_generator_encoder_loss", dv.bigan_generator_encoder_loss, (LOGITS_P, LOGITS_Q),
     True),
    ("optimal_discriminator", dv.optimal_discriminator, (PZ, QZ), False),
    ("gan_value", dv.gan_value, (PROB_P, PROB_Q), True),
    ("gan_value-logits", lambda a, b: dv.gan_value(a, b, logits=True), (LOGITS_P, LOGITS_Q),
     True),
    ("jensen_shannon_from_gan_value", dv.jensen_shannon_from_gan_value,
     (np.array([-1.2, -0.7]),), True),
    ("lsgan_discriminator_loss", dv.lsgan_discriminator_loss, (LOGITS_P, LOGITS_Q), True),
    ("lsgan_generator_loss", lambda b, a: dv.lsgan_generator_loss(b, d_real=a, c=0.5),
     (LOGITS_Q, LOGITS_P), True),
    ("lsgan_optimal_discriminator", dv.lsgan_optimal_discriminator, (P, QZ), True),
    ("diagonal_gaussian_kl", dv.diagonal_gaussian_kl, (MEAN, LOGVAR), True),
    ("diagonal_gaussian_kl-prior", lambda m, s, pm, ps: dv.diagonal_gaussian_kl(m, s, pm, ps),
     (MEAN, LOGVAR, MEAN[::-1], LOGVAR[::-1]), True),
    ("gaussian_log_likelihood", dv.gaussian_log_likelihood, (XDATA, DECODED, LOGVAR[:, :1]),
     True),
    ("bernoulli_log_likelihood", dv.bernoulli_log_likelihood, (BITS, DECODED), True),
    ("elbo", lambda x, d, m, s: dv.elbo(x, d, m, s, beta=2.0), (XDATA, DECODED, MEAN, LOGVAR),
     True),
    ("vae_loss-bernoulli", lambda x, d, m, s: dv.vae_loss(x, d, m, s, likelihood="bernoulli",
                                                          reduction="sum"),
     (BITS, DECODED, MEAN, LOGVAR), True),
]
IDS = [c[0] for c in CASES]


def _close(a, b, what, rtol=1e-10, atol=1e-12):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, f"{what}: shapes {a.shape} and {b.shape}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=what)


def _torch_value_and_grads(fn, args):
    ts = [torch.tensor(np.ascontiguousarray(a), dtype=torch.float64, requires_grad=True)
          for a in args]
    out = fn(*ts)
    grads = torch.autograd.grad(out.sum(), ts, allow_unused=True)
    return out.detach().numpy(), [np.zeros_like(a) if g is None else g.numpy()
                                  for a, g in zip(args, grads)]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_jax_in_jax_out(case):
    """The JAX value equals numpy's, jax.grad equals torch autograd, jit equals eager.

    One test per case (not three): JAX compiles each operation on first use per
    process, so the three checks share that cost.
    """
    name, fn, args, differentiable = case
    js = [jnp.asarray(a) for a in args]
    out = fn(*js)
    assert isinstance(out, jax.Array)
    assert out.dtype == jnp.float64
    _close(out, fn(*args), "JAX value against numpy")
    if differentiable:          # one traced program: the value under jit and the gradients

        def total(*a):
            value = fn(*a)
            return jnp.sum(value), value

        (_, jitted), grads = jax.jit(jax.value_and_grad(
            total, argnums=tuple(range(len(js))), has_aux=True))(*js)
        _, torch_grads = _torch_value_and_grads(fn, args)
        for i, (g, ref) in enumerate(zip(grads, torch_grads)):
            assert np.all(np.isfinite(np.asarray(g)) == np.isfinite(ref)), f"argument {i}"
            _close(g, ref, f"gradient of argument {i}", rtol=1e-9, atol=1e-11)
    else:
        jitted = jax.jit(fn)(*js)
    _close(jitted, out, "jit against eager")
    if IDS.index(name) % 4 == 0:
        out32 = jax.jit(fn)(*[jnp.asarray(a, dtype=jnp.float32) for a in args])
        assert out32.dtype == jnp.float32
        _close(out32, out, "float32 against float64", rtol=2e-4, atol=1e-5)


def test_jax_grad_at_zero_mass_matches_torch_one_sided_slopes():
    """KL at p_i = 0 has slope log 0 = -inf on the side of p: both libraries say -inf."""
    fn = lambda p, q: dv.f_divergence(p, q, "kl")  # noqa: E731
    _, ref = _torch_value_and_grads(fn, (PZ, Q))
    g = jax.grad(fn)(jnp.asarray(PZ), jnp.asarray(Q))
    assert ref[0][1] == -np.inf and float(g[1]) == -np.inf
    np.testing.assert_allclose(np.delete(np.asarray(g), 1), np.delete(ref[0], 1), rtol=1e-12)


def test_jax_value_checks_raise_eagerly_and_are_skipped_under_jit():
    bad = jnp.asarray([0.5, np.nan, 0.5])
    with pytest.raises(ValueError, match="NaN"):
        dv.f_divergence(bad, jnp.asarray(Q[:3] / Q[:3].sum()), "kl")
    with pytest.raises(ValueError, match="sum to 1"):
        dv.kl_divergence(jnp.asarray([0.5, 0.6]), jnp.asarray([0.5, 0.5]))
    # under jit the values are abstract: the checks are skipped (documented), no error
    out = jax.jit(dv.kl_divergence)(jnp.asarray([0.5, 0.6]), jnp.asarray([0.5, 0.5]))
    assert isinstance(out, jax.Array)


def test_mixing_jax_and_torch_is_refused():
    with pytest.raises(TypeError, match="mix torch tensors and JAX arrays"):
        dv.kl_divergence(jnp.asarray(P), torch.tensor(Q))


def test_jax_with_numpy_and_python_inputs_promotes_like_jax():
    out = dv.wasserstein_1d(jnp.asarray(U, dtype=jnp.float32), V.tolist())
    assert isinstance(out, jax.Array) and out.dtype == jnp.float32
    out = dv.wasserstein_1d(jnp.asarray(U, dtype=jnp.float32), V)   # a float64 numpy array
    assert out.dtype == jnp.float64


def test_jax_ffunction_methods_match_torch():
    for name in dv.f_names():
        f = dv.get_f(name, **({"alpha": 0.3} if name == "alpha" else
                              {"pi": 0.3} if name == "weighted_jensen_shannon" else {}))
        u = np.linspace(0.2, 3.0, 9)
        t = np.asarray(f.derivative(u))          # inside the conjugate's domain
        v = np.linspace(-3.0, 3.0, 9)
        for method, arg in (("__call__", u), ("derivative", u), ("conjugate", t),
                            ("activation", v), ("conjugate_of_activation", v)):
            fn = getattr(f, method)
            out = fn(jnp.asarray(arg))
            assert isinstance(out, jax.Array), (name, method)
            _close(out, fn(arg), f"{name}.{method}")
            _, (ref,) = _torch_value_and_grads(fn, (arg,))
            g = jax.grad(lambda a: jnp.sum(fn(a)))(jnp.asarray(arg))
            _close(g, ref, f"gradient of {name}.{method}", rtol=1e-9, atol=1e-11)


def test_jax_maps_in_cycle_consistency_get_jax_gradients():
    w = jnp.asarray(RNG.normal(size=(3, 3)))

    def loss(w):
        return dv.cycle_consistency_loss(jnp.asarray(X2), jnp.asarray(Y2), lambda a: a @ w,
                                         lambda b: b @ w.T, p=2)

    def loss_torch(w):
        return dv.cycle_consistency_loss(torch.tensor(X2), torch.tensor(Y2), lambda a: a @ w,
                                         lambda b: b @ w.T, p=2)

    wt = torch.tensor(np.asarray(w), requires_grad=True)
    (ref,) = torch.autograd.grad(loss_torch(wt), wt)
    _close(jax.grad(loss)(w), ref.numpy(), "cycle loss gradient")
    _close(jax.jit(loss)(w), loss(w), "cycle loss under jit")


def test_jax_reparameterize_and_bigan_pairs():
    z = dv.reparameterize(jnp.asarray(MEAN), jnp.asarray(LOGVAR), rng=3)
    assert isinstance(z, jax.Array)
    _close(z, dv.reparameterize(MEAN, LOGVAR, rng=3), "same draws as numpy for the same seed")
    a, b = dv.bigan_pairs(jnp.ones((4, 2)), jnp.zeros((4, 3)), jnp.ones((4, 2)),
                          jnp.zeros((4, 3)))
    assert isinstance(a, jax.Array) and a.shape == (4, 5) and b.shape == (4, 5)


def test_functions_that_compute_with_numpy_or_torch_accept_jax_input():
    """Permutation tests, C2ST and trained estimators convert JAX input to numpy."""
    x, y = RNG.normal(size=(60, 2)), RNG.normal(0.3, 1.0, size=(50, 2))
    for test in (dv.mmd_test, dv.energy_test):
        ref = test(x, y, n_permutations=199, rng=5)
        got = test(jnp.asarray(x), jnp.asarray(y), n_permutations=199, rng=5)
        assert got.pvalue == ref.pvalue and got.statistic == pytest.approx(ref.statistic)
    ref = dv.ksg_mutual_information(x[:50], y)
    assert dv.ksg_mutual_information(jnp.asarray(x[:50]), jnp.asarray(y)) == pytest.approx(ref)
    res = dv.c2st(jnp.asarray(x), jnp.asarray(y), rng=0, training={"max_epochs": 3})
    ref = dv.c2st(x, y, rng=0, training={"max_epochs": 3})     # the same test on numpy
    assert res.pvalue == ref.pvalue and res.statistic == ref.statistic
    assert type(res.statistic) is float


def test_jax_float32_near_its_limits_is_exact():
    """XLA divides by multiplying with the reciprocal and flushes subnormals: the power-of-two
    rescaling of the Wasserstein distances must keep 1/scale normal (2^127 would give 0)."""
    u = np.array([3e38, -3e38], np.float32)
    v = np.array([0.0], np.float32)
    got = dv.wasserstein_1d(jnp.asarray(u), jnp.asarray(v))
    assert got.dtype == jnp.float32 and float(got) == pytest.approx(3e38, rel=1e-6)
    x = np.array([[3e38, 0.0], [-3e38, 1.0]], np.float32)
    y = np.zeros((1, 2), np.float32)
    th = np.array([[1.0, 0.0]], np.float32)
    got = dv.sliced_wasserstein(jnp.asarray(x), jnp.asarray(y), projections=jnp.asarray(th))
    assert float(got) == pytest.approx(float(dv.sliced_wasserstein(x, y, projections=th)),
                                       rel=1e-6)
    assert float(got) > 1e38
