"""Least-squares GAN, CycleGAN and VAE objectives (issue 15): the identities that tie
them to divergences, checks against independent references (scipy, torch.distributions,
a linear-Gaussian model with a known likelihood), properties, gradients and bad inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

import divergences as dv


def _pmf(seed, k=6, zeros=False):
    gen = np.random.default_rng(seed)
    p = gen.dirichlet(np.ones(k))
    if zeros:
        p[gen.integers(0, k)] = 0.0
        p /= p.sum()
    return p


# ---------------------------------------------------------------------------
# least-squares GAN
# ---------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(2, 9), zeros=st.booleans(),
       a=st.floats(-3, 3), width=st.floats(0.1, 4))
def test_lsgan_generator_objective_at_the_optimum_is_chi2_to_the_mixture(seed, k, zeros, a, width):
    # codes with c = (a + b)/2: the generator objective over both samples at D* equals
    # ((b - a)/2)^2 chi2(Q || M), M = (P + Q)/2, which is Le Cam's divergence
    p, q = _pmf(seed, k, zeros), _pmf(seed + 1, k)
    b = a + width
    c = 0.5 * (a + b)
    d = dv.lsgan_optimal_discriminator(p, q, a=a, b=b)
    value = dv.lsgan_generator_loss(d, c=c, d_real=d, x_weights=p, y_weights=q)
    m = 0.5 * (p + q)
    chi2 = float(dv.f_divergence(q, m, "pearson"))
    assert value == pytest.approx((width / 2) ** 2 * chi2, rel=1e-10, abs=1e-14)
    assert chi2 == pytest.approx(float(dv.f_divergence(p, q, "le_cam")), rel=1e-10, abs=1e-14)
    # the discriminator's minimum: (b - a)^2 / 4 * (1 - chi2(Q || M))
    dmin = dv.lsgan_discriminator_loss(d, d, a=a, b=b, x_weights=p, y_weights=q)
    assert dmin == pytest.approx(width ** 2 / 4 * (1 - chi2), rel=1e-10, abs=1e-14)


def test_lsgan_paper_codes_give_half_pearson_of_p_plus_q_to_2q():
    # Mao et al.'s form: (a, b, c) = (-1, 1, 0) gives (1/2) chi2_Pearson(P + Q || 2Q) with
    # chi2_Pearson(A || B) = int (B - A)^2 / A... written out from the paper's eq. (9)
    p, q = _pmf(11), _pmf(12)
    d = dv.lsgan_optimal_discriminator(p, q)
    value = dv.lsgan_generator_loss(d, d_real=d, x_weights=p, y_weights=q)
    paper = 0.5 * np.sum((2 * q - (p + q)) ** 2 / (p + q))
    assert value == pytest.approx(paper, rel=1e-12)


def test_lsgan_optimal_discriminator_minimises_the_discriminator_loss_numerically():
    p, q = _pmf(3, 5), _pmf(4, 5)
    for a, b in ((-1.0, 1.0), (0.0, 1.0), (2.0, -3.0)):
        loss = lambda d: float(dv.lsgan_discriminator_loss(d, d, a=a, b=b, x_weights=p,  # noqa: E731
                                                           y_weights=q))
        best = optimize.minimize(loss, np.zeros(5), method="BFGS", options={"gtol": 1e-12})
        np.testing.assert_allclose(best.x, dv.lsgan_optimal_discriminator(p, q, a=a, b=b),
                                   atol=1e-6)


def test_lsgan_losses_from_their_definitions_numpy_and_torch():
    gen = np.random.default_rng(5)
    dr, df = gen.normal(size=7), gen.normal(size=4)
    wr, wf = gen.uniform(0.1, 2, 7), gen.uniform(0.1, 2, 4)
    want = 0.5 * np.average((dr - 0.7) ** 2, weights=wr) + 0.5 * np.average((df + 0.2) ** 2,
                                                                            weights=wf)
    got = dv.lsgan_discriminator_loss(dr, df, a=-0.2, b=0.7, x_weights=wr, y_weights=wf)
    assert isinstance(got, np.floating) and got == pytest.approx(want, rel=1e-13)
    tt = dv.lsgan_discriminator_loss(torch.tensor(dr), torch.tensor(df), a=-0.2, b=0.7,
                                     x_weights=torch.tensor(wr), y_weights=torch.tensor(wf))
    assert isinstance(tt, torch.Tensor) and float(tt) == pytest.approx(want, rel=1e-13)
    assert dv.lsgan_generator_loss(df, c=0.3) == pytest.approx(0.5 * np.mean((df - 0.3) ** 2))
    assert dv.lsgan_generator_loss(df, c=0.3, y_weights=wf) == pytest.approx(
        0.5 * np.average((df - 0.3) ** 2, weights=wf))


def test_lsgan_gradcheck():
    gen = torch.Generator().manual_seed(0)
    dr = torch.randn(5, dtype=torch.float64, generator=gen, requires_grad=True)
    df = torch.randn(3, dtype=torch.float64, generator=gen, requires_grad=True)
    w = torch.rand(5, dtype=torch.float64, generator=gen) + 0.1
    assert torch.autograd.gradcheck(
        lambda u, v: dv.lsgan_discriminator_loss(u, v, a=-1.0, b=1.0, x_weights=w), (dr, df))
    assert torch.autograd.gradcheck(lambda u, v: dv.lsgan_generator_loss(v, c=0.5, d_real=u),
                                    (dr, df))


def test_lsgan_optimal_discriminator_edges():
    got = dv.lsgan_optimal_discriminator([0.0, 0.5, 0.0], [0.0, 0.0, 0.5], a=0.0, b=1.0)
    np.testing.assert_array_equal(got, [0.5, 1.0, 0.0])
    with pytest.raises(ValueError, match="p has negative"):
        dv.lsgan_optimal_discriminator([-0.1, 1.0], [0.5, 0.5])


@pytest.mark.parametrize("call, error, match", [
    (lambda: dv.lsgan_discriminator_loss([], [1.0]), ValueError, "d_real is empty"),
    (lambda: dv.lsgan_discriminator_loss([1.0], [np.nan]), ValueError, "d_fake contains NaN"),
    (lambda: dv.lsgan_discriminator_loss([1.0], [1.0], a="x"), TypeError, "a must"),
    (lambda: dv.lsgan_discriminator_loss([1.0], [1.0], x_weights=[1.0, 2.0]), ValueError,
     "x_weights"),
    (lambda: dv.lsgan_generator_loss([1.0], x_weights=[1.0]), ValueError, "x_weights"),
    (lambda: dv.lsgan_generator_loss([1.0], y_weights=[-1.0]), ValueError, "y_weights"),
    (lambda: dv.lsgan_generator_loss([], c=1.0), ValueError, "d_fake is empty"),
    (lambda: dv.lsgan_generator_loss([1.0], c=math.inf), ValueError, "c must"),
])
def test_lsgan_bad_inputs_name_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ---------------------------------------------------------------------------
# CycleGAN
# ---------------------------------------------------------------------------

def _reference_distance(u, v, p, reduction):
    diff = np.abs(np.asarray(u) - np.asarray(v)).reshape(len(u), -1)
    if reduction == "mean":
        return (diff ** p).mean(1)
    if reduction == "sum":
        return (diff ** p).sum(1)
    return (diff ** p).sum(1) ** (1 / p)


@pytest.mark.parametrize("p", [1, 2, 3.5])
@pytest.mark.parametrize("reduction", ["mean", "sum", "norm"])
def test_cycle_and_identity_losses_from_their_definitions(p, reduction):
    gen = np.random.default_rng(7)
    x, y = gen.normal(size=(6, 2, 3)), gen.normal(size=(5, 2, 3))
    a, b = gen.normal(size=(3, 3)), gen.normal(size=(3, 3))
    g, f = (lambda t: t @ a), (lambda t: np.tanh(t @ b))
    wx, wy = gen.uniform(0.1, 1, 6), gen.uniform(0.1, 1, 5)
    want = (np.average(_reference_distance(x, f(g(x)), p, reduction), weights=wx)
            + np.average(_reference_distance(y, g(f(y)), p, reduction), weights=wy))
    got = dv.cycle_consistency_loss(x, y, g, f, p=p, reduction=reduction, x_weights=wx,
                                    y_weights=wy)
    assert got == pytest.approx(want, rel=1e-12)
    want_id = (_reference_distance(y, g(y), p, reduction).mean()
               + _reference_distance(x, f(x), p, reduction).mean())
    assert dv.identity_loss(x, y, g, f, p=p, reduction=reduction) == pytest.approx(want_id,
                                                                                    rel=1e-12)


def test_cycle_loss_is_zero_for_inverse_maps_and_positive_otherwise():
    gen = np.random.default_rng(8)
    x, y = gen.normal(size=(10, 3)), gen.normal(size=(9, 3))
    assert dv.cycle_consistency_loss(x, y, lambda t: 2 * t + 1, lambda t: (t - 1) / 2) == \
        pytest.approx(0.0, abs=1e-15)
    assert dv.cycle_consistency_loss(x, y, lambda t: 2 * t, lambda t: t) > 0


def test_norm_reduction_neither_overflows_nor_underflows():
    x = np.full((2, 4), 1e300)
    got = dv.cycle_consistency_loss(x, x, lambda t: 0.0 * t, lambda t: t, p=2, reduction="norm")
    assert got == pytest.approx(4e300, rel=1e-12)     # |x|_2 = 2e300 per sample, x and y
    tiny = np.full((2, 4), 1e-300)
    got = dv.cycle_consistency_loss(tiny, tiny, lambda t: 0.0 * t, lambda t: t, p=2,
                                    reduction="norm")
    assert got == pytest.approx(4e-300, rel=1e-12)


def _torch_maps(dtype=torch.float64):
    gen = torch.Generator().manual_seed(3)
    wg = torch.randn(2, 2, dtype=dtype, generator=gen, requires_grad=True)
    wf = torch.randn(2, 2, dtype=dtype, generator=gen, requires_grad=True)
    vx = torch.randn(2, dtype=dtype, generator=gen, requires_grad=True)
    vy = torch.randn(2, dtype=dtype, generator=gen, requires_grad=True)
    return (wg, wf, vx, vy), (lambda t: t @ wg), (lambda t: torch.tanh(t @ wf)), \
        (lambda t: t @ vx), (lambda t: t @ vy)


@pytest.mark.parametrize("adversarial", ["lsgan", "gan", "wgan"])
def test_cyclegan_generator_objective_is_the_weighted_sum_of_its_parts(adversarial):
    params, g, f, d_x, d_y = _torch_maps()
    gen = torch.Generator().manual_seed(4)
    x = torch.randn(7, 2, dtype=torch.float64, generator=gen)
    y = torch.randn(6, 2, dtype=torch.float64, generator=gen) + 1.0
    out = dv.cyclegan_generator_loss(x, y, g, f, d_x, d_y, adversarial=adversarial,
                                     lambda_cyc=10.0)
    adv = {"lsgan": lambda v: dv.lsgan_generator_loss(v, c=1.0),
           "gan": dv.gan_generator_loss, "wgan": dv.wgan_generator_loss}[adversarial]
    want_adv = adv(d_y(g(x))) + adv(d_x(f(y)))
    cyc = dv.cycle_consistency_loss(x, y, g, f)
    idt = dv.identity_loss(x, y, g, f)
    torch.testing.assert_close(out.adversarial, want_adv)
    torch.testing.assert_close(out.cycle, cyc)
    torch.testing.assert_close(out.identity, idt)
    torch.testing.assert_close(out.total, want_adv + 10.0 * cyc + 5.0 * idt)   # lambda_id 0.5*10
    no_id = dv.cyclegan_generator_loss(x, y, g, f, d_x, d_y, adversarial=adversarial,
                                       lambda_cyc=2.0, lambda_id=0.0)
    torch.testing.assert_close(no_id.total, want_adv + 2.0 * cyc)
    out.total.backward()
    assert all(p.grad is not None for p in params)


def test_cyclegan_gradcheck():
    params, g, f, d_x, d_y = _torch_maps()
    gen = torch.Generator().manual_seed(5)
    x = torch.randn(5, 2, dtype=torch.float64, generator=gen)
    y = torch.randn(4, 2, dtype=torch.float64, generator=gen)

    def total(*ps):
        wg, wf, vx, vy = ps
        return dv.cyclegan_generator_loss(x, y, lambda t: t @ wg, lambda t: torch.tanh(t @ wf),
                                          lambda t: t @ vx, lambda t: t @ vy, p=2).total

    assert torch.autograd.gradcheck(total, params)


def test_cyclegan_discriminator_loss_detaches_the_generators():
    params, g, f, d_x, d_y = _torch_maps()
    gen = torch.Generator().manual_seed(6)
    x = torch.randn(7, 2, dtype=torch.float64, generator=gen)
    y = torch.randn(6, 2, dtype=torch.float64, generator=gen)
    for adversarial in ("lsgan", "gan", "wgan"):
        for p in params:
            p.grad = None
        loss = dv.cyclegan_discriminator_loss(x, y, g, f, d_x, d_y, adversarial=adversarial)
        with torch.no_grad():
            fy, fx = g(x), f(y)
        want = {"lsgan": lambda r, k: dv.lsgan_discriminator_loss(r, k, a=0.0, b=1.0),
                "gan": dv.gan_discriminator_loss,
                "wgan": dv.wgan_critic_loss}[adversarial]
        torch.testing.assert_close(loss, want(d_y(y), d_y(fy)) + want(d_x(x), d_x(fx)))
        loss.backward()
        wg, wf, vx, vy = params
        assert wg.grad is None and wf.grad is None
        assert vx.grad is not None and vy.grad is not None


def test_cyclegan_numpy_maps():
    x, y = np.zeros((3, 2)), np.ones((4, 2))
    out = dv.cyclegan_generator_loss(x, y, lambda a: a + 1.0, lambda b: b - 1.0,
                                     lambda a: np.ones(len(a)), lambda a: np.ones(len(a)))
    assert out.total == pytest.approx(0.0 + 10.0 * 0.0 + 5.0 * 2.0)
    assert dv.cyclegan_discriminator_loss(x, y, lambda a: a + 1.0, lambda b: b - 1.0,
                                          lambda a: np.ones(len(a)),
                                          lambda a: np.ones(len(a))) == pytest.approx(1.0)


@pytest.mark.parametrize("call, error, match", [
    (lambda x, y: dv.cycle_consistency_loss(x, y, "g", lambda t: t), TypeError, "g must be"),
    (lambda x, y: dv.cycle_consistency_loss(x, y, lambda t: t[:, :1], lambda t: t), ValueError,
     "preserve the shape"),
    (lambda x, y: dv.cycle_consistency_loss(x, y, lambda t: t, lambda t: t, p=0.5), ValueError,
     "p must"),
    (lambda x, y: dv.cycle_consistency_loss(x, y, lambda t: t, lambda t: t, reduction="max"),
     ValueError, "reduction"),
    (lambda x, y: dv.cycle_consistency_loss(x[:0], y, lambda t: t, lambda t: t), ValueError,
     "empty"),
    (lambda x, y: dv.cycle_consistency_loss(x, y, lambda t: t, lambda t: t,
                                            x_weights=np.ones(2)), ValueError, "x_weights"),
    (lambda x, y: dv.cyclegan_generator_loss(x, y, lambda t: t, lambda t: t, lambda t: t,
                                             lambda t: t[:, 0], adversarial="hinge"),
     ValueError, "adversarial"),
    (lambda x, y: dv.cyclegan_generator_loss(x, y, lambda t: t, lambda t: t, lambda t: t,
                                             lambda t: t[:, 0]), ValueError, "d_x must return"),
    (lambda x, y: dv.cyclegan_generator_loss(x, y, lambda t: t, lambda t: t, lambda t: t[:, 0],
                                             lambda t: t[:, 0], lambda_cyc=-1), ValueError,
     "lambda_cyc"),
    (lambda x, y: dv.cyclegan_discriminator_loss(x, y, lambda t: t, lambda t: t,
                                                 lambda t: t[:, 0], lambda t: t[:, 0],
                                                 lsgan_codes=(0, 1)), TypeError, "lsgan_codes"),
])
def test_cyclegan_bad_inputs_name_the_argument(call, error, match):
    x, y = np.zeros((3, 2)), np.ones((4, 2))
    with pytest.raises(error, match=match):
        call(x, y)


# ---------------------------------------------------------------------------
# VAE
# ---------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 5))
def test_diagonal_gaussian_kl_against_gaussian_closed_form_and_torch(seed, k):
    gen = np.random.default_rng(seed)
    m, s = gen.normal(size=(3, k)), gen.normal(size=(3, k))
    m0, s0 = gen.normal(size=k), gen.normal(size=k)
    got = dv.diagonal_gaussian_kl(m, s, m0, s0)
    ref = [float(dv.gaussian_f_divergence(m[i], np.exp(s[i]), m0, np.exp(s0), "kl"))
           for i in range(3)]
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-13)
    tq = torch.distributions.Normal(torch.tensor(m), torch.tensor(np.exp(0.5 * s)))
    tp = torch.distributions.Normal(torch.tensor(m0), torch.tensor(np.exp(0.5 * s0)))
    np.testing.assert_allclose(got, torch.distributions.kl_divergence(tq, tp).sum(-1).numpy(),
                               rtol=1e-9, atol=1e-13)
    assert np.all(got >= 0)
    np.testing.assert_allclose(dv.diagonal_gaussian_kl(m0[None], s0[None], m0, s0), 0.0,
                               atol=1e-15)


def test_diagonal_gaussian_kl_edges():
    # nearly equal variances: 1/2 (expm1(d) - d) = d^2/4 + d^3/12 to full relative precision
    d = 1e-8
    assert float(dv.diagonal_gaussian_kl([0.0], [d])) == pytest.approx(d * d / 4 + d ** 3 / 12,
                                                                         rel=1e-7)
    # a huge posterior variance is an infinite (not NaN) divergence; float32 stays float32
    assert float(dv.diagonal_gaussian_kl([0.0], [800.0])) == math.inf
    out = dv.diagonal_gaussian_kl(torch.zeros(2, 3, dtype=torch.float32),
                                  torch.zeros(2, 3, dtype=torch.float32))
    assert out.dtype == torch.float32 and out.shape == (2,)


def test_reparameterize_is_seeded_differentiable_and_has_the_right_law():
    mean = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    log_var = torch.tensor([0.0, math.log(9.0)], dtype=torch.float64, requires_grad=True)
    z = dv.reparameterize(mean, log_var, rng=0, n_samples=20_000)
    torch.testing.assert_close(z, dv.reparameterize(mean, log_var, rng=0, n_samples=20_000))
    se = 3.0 / math.sqrt(20_000)
    zd = z.detach()
    assert abs(float(zd[:, 1].mean()) + 2.0) < 4 * se
    assert abs(float(zd[:, 1].std()) - 3.0) < 4 * 3.0 / math.sqrt(2 * 20_000)
    z.sum().backward()
    torch.testing.assert_close(mean.grad, torch.full((2,), 20_000.0, dtype=torch.float64))
    eps = (z.detach() - mean.detach()) / torch.exp(0.5 * log_var.detach())
    torch.testing.assert_close(log_var.grad, (0.5 * torch.exp(0.5 * log_var.detach()) * eps)
                               .sum(0))
    zn = dv.reparameterize(np.zeros((4, 2)), np.zeros((4, 2)), rng=np.random.default_rng(1))
    assert zn.shape == (4, 2) and isinstance(zn, np.ndarray)


def test_log_likelihoods_against_scipy():
    gen = np.random.default_rng(9)
    x, mu, s = gen.normal(size=(4, 2, 3)), gen.normal(size=(4, 2, 3)), gen.normal(size=(4, 2, 3))
    want = stats.norm.logpdf(x, mu, np.exp(0.5 * s)).reshape(4, -1).sum(1)
    np.testing.assert_allclose(dv.gaussian_log_likelihood(x, mu, s), want, rtol=1e-12)
    np.testing.assert_allclose(dv.gaussian_log_likelihood(x, mu, 0.3),
                               stats.norm.logpdf(x, mu, math.exp(0.15)).reshape(4, -1).sum(1),
                               rtol=1e-12)
    xb = gen.uniform(size=(5, 3))
    v = gen.normal(size=(5, 3)) * 3
    sig = 1 / (1 + np.exp(-v))
    np.testing.assert_allclose(dv.bernoulli_log_likelihood(xb, v),
                               (xb * np.log(sig) + (1 - xb) * np.log1p(-sig)).sum(1), rtol=1e-12)
    # logits of any magnitude: the right (finite or -inf-free) values
    np.testing.assert_allclose(dv.bernoulli_log_likelihood([[1.0, 0.0]], [[1000.0, -1000.0]]),
                               [0.0], atol=1e-300)
    assert float(dv.bernoulli_log_likelihood([[0.0]], [[1000.0]])[0]) == pytest.approx(-1000.0)


def _linear_gaussian(seed, d=4, k=2, sigma=0.5):
    """z ~ N(0, I_k), x | z ~ N(W z + b, sigma^2 I_d) with orthogonal columns of W (so the
    exact posterior is a diagonal Gaussian); log p(x) = log N(x; b, W W' + sigma^2 I)."""
    gen = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(gen.normal(size=(d, k)))
    lam = np.array([1.5, 0.7])[:k]
    w, b = basis * lam, gen.normal(size=d)
    x = gen.normal(size=d) * 1.3 + b
    log_px = stats.multivariate_normal(b, w @ w.T + sigma ** 2 * np.eye(d)).logpdf(x)
    post_var = 1.0 / (1.0 + lam ** 2 / sigma ** 2)
    post_mean = post_var * (w.T @ (x - b)) / sigma ** 2
    return w, b, x, sigma, log_px, post_mean, np.log(post_var)


@pytest.mark.parametrize("posterior", ["exact", "other"])
def test_elbo_on_a_linear_gaussian_model_with_known_likelihood(posterior):
    w, b, x, sigma, log_px, pm, plv = _linear_gaussian(0)
    if posterior == "exact":
        mean, log_var = pm, plv
    else:
        mean, log_var = pm + np.array([0.4, -0.3]), plv + np.array([0.5, -0.7])
    draws = 40_000
    z = dv.reparameterize(np.tile(mean, (draws, 1)), np.tile(log_var, (draws, 1)), rng=1)
    per = dv.elbo(np.tile(x, (draws, 1)), z @ w.T + b, np.tile(mean, (draws, 1)),
                  np.tile(log_var, (draws, 1)), decoder_log_var=2 * math.log(sigma),
                  reduction="none")
    est, se = per.mean(), per.std() / math.sqrt(draws)
    # E[ELBO] = log p(x) - KL(q || exact posterior); the KL from the Gaussian closed form
    gap = float(dv.gaussian_f_divergence(mean, np.exp(log_var), pm, np.exp(plv), "kl"))
    assert (gap == pytest.approx(0.0, abs=1e-12)) == (posterior == "exact")
    assert abs(est - (log_px - gap)) < 4 * se, (est, log_px, gap, se)
    if posterior == "other":
        assert gap > 20 * se                                  # a gap the test can see


def test_elbo_beta_reductions_and_vae_loss():
    gen = np.random.default_rng(10)
    x, dec = gen.uniform(size=(5, 3)), gen.normal(size=(5, 3))
    m, s = gen.normal(size=(5, 2)), gen.normal(size=(5, 2))
    rec = dv.bernoulli_log_likelihood(x, dec)
    kl = dv.diagonal_gaussian_kl(m, s)
    per = dv.elbo(x, dec, m, s, likelihood="bernoulli", beta=4.0, reduction="none")
    np.testing.assert_allclose(per, rec - 4.0 * kl, rtol=1e-13)
    assert dv.elbo(x, dec, m, s, likelihood="bernoulli", beta=4.0) == pytest.approx(per.mean())
    assert dv.elbo(x, dec, m, s, likelihood="bernoulli", beta=4.0, reduction="sum") == \
        pytest.approx(per.sum())
    assert dv.vae_loss(x, dec, m, s, likelihood="bernoulli") == pytest.approx(
        -(rec - kl).mean())
    # a non-standard prior enters through the KL term only
    np.testing.assert_allclose(
        dv.elbo(x, dec, m, s, likelihood="bernoulli", prior_mean=1.0, prior_log_var=0.5,
                reduction="none"), rec - dv.diagonal_gaussian_kl(m, s, 1.0, 0.5), rtol=1e-13)


def test_elbo_gradcheck_through_the_reparameterised_sample():
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(3, 2, dtype=torch.float64, generator=gen)
    w = torch.randn(2, 2, dtype=torch.float64, generator=gen)

    def objective(mean, log_var, dec_log_var):
        z = dv.reparameterize(mean, log_var, rng=7)
        return dv.elbo(x, z @ w, mean, log_var, decoder_log_var=dec_log_var)

    args = (torch.randn(3, 2, dtype=torch.float64, generator=gen, requires_grad=True),
            torch.randn(3, 2, dtype=torch.float64, generator=gen, requires_grad=True),
            torch.randn(2, dtype=torch.float64, generator=gen, requires_grad=True))
    assert torch.autograd.gradcheck(objective, args)
    assert torch.autograd.gradcheck(
        lambda v: dv.bernoulli_log_likelihood(torch.rand(3, 2, dtype=torch.float64,
                                                         generator=torch.Generator()
                                                         .manual_seed(0)), v).sum(),
        (torch.randn(3, 2, dtype=torch.float64, generator=gen, requires_grad=True),))


@pytest.mark.parametrize("call, error, match", [
    (lambda: dv.diagonal_gaussian_kl(np.zeros((2, 3)), np.zeros((2, 2))), ValueError, "log_var"),
    (lambda: dv.diagonal_gaussian_kl(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros(2)),
     ValueError, "prior_mean"),
    (lambda: dv.diagonal_gaussian_kl([np.nan], [0.0]), ValueError, "mean"),
    (lambda: dv.reparameterize(np.zeros(2), np.zeros(3)), ValueError, "log_var"),
    (lambda: dv.reparameterize(np.zeros(2), np.zeros(2), n_samples=0), ValueError, "n_samples"),
    (lambda: dv.gaussian_log_likelihood(np.zeros((2, 3)), np.zeros((2, 2))), ValueError,
     "mean"),
    (lambda: dv.bernoulli_log_likelihood([[2.0]], [[0.0]]), ValueError, r"\[0, 1\]"),
    (lambda: dv.bernoulli_log_likelihood([[1.0]], [[np.nan]]), ValueError, "logits"),
    (lambda: dv.elbo(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 1)), np.zeros((2, 1)),
                     likelihood="poisson"), ValueError, "likelihood"),
    (lambda: dv.elbo(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 1)), np.zeros((2, 1)),
                     beta=-1.0), ValueError, "beta"),
    (lambda: dv.elbo(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((3, 1)), np.zeros((3, 1))),
     ValueError, "samples"),
    (lambda: dv.elbo(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 1)), np.zeros((2, 1)),
                     reduction="max"), ValueError, "reduction"),
])
def test_vae_bad_inputs_name_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_extreme_magnitudes_are_exact_or_infinite_never_nan():
    # overflow is the right answer (+inf, no warning: the suite turns warnings into errors)
    assert dv.lsgan_discriminator_loss([1e300], [1e300]) == math.inf
    assert dv.lsgan_discriminator_loss(np.float32([3e38]), np.float32([0.0])) == math.inf
    assert dv.lsgan_discriminator_loss([1e-300], [5e-324]) == pytest.approx(1.0)
    assert dv.cycle_consistency_loss(np.full((2, 2), 1e300), np.zeros((2, 2)), lambda a: -a,
                                     lambda b: b, p=2, reduction="sum") == math.inf
    # a zero difference times an overflowing precision is 0, not 0 * inf = NaN
    assert float(dv.diagonal_gaussian_kl([[0.0]], [[-800.0]], 0.0, -800.0)[0]) == 0.0
    assert float(dv.diagonal_gaussian_kl([[1.0]], [[-800.0]], 0.0, -800.0)[0]) == math.inf
    assert float(dv.gaussian_log_likelihood([[0.0]], [[0.0]], -800.0)[0]) == pytest.approx(
        -0.5 * (math.log(2 * math.pi) - 800.0))
    assert float(dv.gaussian_log_likelihood([[1e300]], [[-1e300]])[0]) == -math.inf
    # certain predictions: logits of +-inf on the matching label give log 1 = 0, on the
    # wrong one -inf, for numpy and torch
    np.testing.assert_array_equal(dv.bernoulli_log_likelihood([[1.0, 0.0]],
                                                              [[np.inf, -np.inf]]), [0.0])
    assert float(dv.bernoulli_log_likelihood([[0.0, 1.0]], [[np.inf, -np.inf]])[0]) == -math.inf
    out = dv.bernoulli_log_likelihood(torch.tensor([[1.0, 0.0]]),
                                      torch.tensor([[math.inf, -math.inf]]))
    assert float(out[0]) == 0.0
    # heavy tails (Student-t, 1 degree of freedom): finite values
    t1 = np.random.default_rng(0).standard_t(1, size=(200, 2))
    assert math.isfinite(dv.cycle_consistency_loss(t1, t1[::-1], lambda a: 2 * a,
                                                   lambda b: b / 3, p=2, reduction="norm"))
    assert math.isfinite(dv.elbo(t1, np.zeros_like(t1), np.zeros((200, 1)), np.zeros((200, 1))))
