"""GAN-family objectives: values at the optimum, relations to the bounds, stability, errors."""

import math

import numpy as np
import pytest
import torch

import divergences as dv
from conftest import F_SPECS, random_pmf, spec_id


def test_gan_discriminator_loss_at_optimum_is_log4_minus_2jsd():
    rng = np.random.default_rng(0)
    p, q = random_pmf(rng, 6), random_pmf(rng, 6)
    v = np.log(p / q)                                 # logit of D* = p / (p + q)
    # exact expectations: weight each point's loss by its probability
    loss = (p * np.logaddexp(0, -v)).sum() + (q * np.logaddexp(0, v)).sum()
    assert loss == pytest.approx(math.log(4) - 2 * dv.jensen_shannon(p, q), rel=1e-12)
    # the library loss on samples is the same average
    assert dv.gan_discriminator_loss(v, v) == pytest.approx(
        np.logaddexp(0, -v).mean() + np.logaddexp(0, v).mean())
    assert dv.gan_discriminator_loss(v, v) == pytest.approx(-float(dv.gan_value(v, v, logits=True)))


@pytest.mark.parametrize("spec", F_SPECS, ids=spec_id)
def test_fgan_losses_are_minus_the_bound(spec):
    f = dv.get_f(spec[0], **spec[1])
    vr, vf = np.linspace(-3, 3, 7), np.linspace(-2, 4, 5)
    assert dv.fgan_discriminator_loss(vr, vf, f) == pytest.approx(
        -dv.fgan_bound_from_logits(vr, vf, f), rel=1e-12, abs=1e-12)
    assert dv.fgan_generator_loss(vf, f) == pytest.approx(
        -np.mean(f.conjugate_of_activation(vf)), rel=1e-12, abs=1e-12)


def test_fgan_generator_loss_for_the_gan_f_is_the_saturating_gan_loss():
    # f*(g_f(v)) = softplus(v) for the GAN f, so the saddle-point f-GAN generator loss is
    # E_Q[-softplus(v)] = the minimax (saturating) GAN generator loss
    v = np.linspace(-30.0, 30.0, 13)
    assert dv.fgan_generator_loss(v, "gan") == pytest.approx(
        dv.gan_generator_loss(v, saturating=True), rel=1e-12)
    assert dv.gan_generator_loss(v, saturating=True) == pytest.approx(-np.logaddexp(0, v).mean())


def test_generator_losses_and_saturation():
    v = torch.tensor([-20.0, -10.0], requires_grad=True)     # the discriminator rejects fakes
    (g_ns,) = torch.autograd.grad(dv.gan_generator_loss(v), v)
    (g_s,) = torch.autograd.grad(dv.gan_generator_loss(v, saturating=True), v)
    assert g_ns.abs().min() > 0.4                     # non-saturating keeps a gradient
    assert g_s.abs().max() < 1e-4                     # the minimax form saturates


def test_wgan_losses_and_dual():
    rng = np.random.default_rng(1)
    u, v = rng.normal(size=200), rng.normal(1.0, 1.0, size=150)
    f = dv.optimal_critic_1d(u, v)
    assert -dv.wgan_critic_loss(f(u), f(v)) == pytest.approx(float(dv.wasserstein_1d(u, v)))
    assert dv.wgan_generator_loss(f(v)) == pytest.approx(-f(v).mean())
    g = torch.Generator().manual_seed(0)
    critic = dv.critics.linear(1, 1, g)
    xr, xf = torch.randn(8, 1, generator=g), torch.randn(8, 1, generator=g)
    gp = dv.gradient_penalty(lambda x: critic(x).squeeze(-1), xr, xf, rng=0)
    loss = dv.wgan_critic_loss(critic(xr).squeeze(-1), critic(xf).squeeze(-1), gp)
    loss.backward()
    assert critic.weight.grad is not None and torch.isfinite(critic.weight.grad).all()


def test_bigan_pairs_and_losses():
    g = torch.Generator().manual_seed(0)
    x, ex, gz, z = (torch.randn(5, k, generator=g) for k in (2, 3, 2, 3))
    enc, gen = dv.bigan_pairs(x, ex, gz, z)
    torch.testing.assert_close(enc[:, :2], x)
    torch.testing.assert_close(gen[:, 2:], z)
    a, b = torch.randn(5, generator=g), torch.randn(5, generator=g)
    assert dv.bigan_discriminator_loss(a, b).item() == pytest.approx(
        dv.gan_discriminator_loss(a, b).item())
    # the generator/encoder loss is the discriminator loss with the labels swapped
    assert dv.bigan_generator_encoder_loss(a, b).item() == pytest.approx(
        dv.gan_discriminator_loss(b, a).item())
    with pytest.raises(ValueError, match="feature size"):
        dv.bigan_pairs(x, ex, torch.zeros(5, 4), z)
    with pytest.raises(TypeError, match="torch"):
        dv.bigan_pairs(x.numpy(), ex, gz, z)


def test_stability_and_gradcheck():
    big = torch.tensor([100.0, -100.0], dtype=torch.float32, requires_grad=True)
    for loss in (dv.gan_discriminator_loss(big, big), dv.gan_generator_loss(big),
                 dv.gan_generator_loss(big, saturating=True),
                 dv.fgan_discriminator_loss(big, big, "jensen_shannon"),
                 dv.bigan_generator_encoder_loss(big, big)):
        (g,) = torch.autograd.grad(loss, big)
        assert torch.isfinite(loss) and torch.isfinite(g).all()
    g = torch.Generator().manual_seed(0)
    a = torch.randn(4, dtype=torch.float64, generator=g).requires_grad_()
    b = torch.randn(3, dtype=torch.float64, generator=g).requires_grad_()
    for fn in (dv.gan_discriminator_loss, dv.bigan_generator_encoder_loss,
               lambda x, y: dv.fgan_discriminator_loss(x, y, "squared_hellinger"),
               lambda x, y: dv.wgan_critic_loss(x, y)):
        assert torch.autograd.gradcheck(fn, (a, b))


def test_bad_input():
    with pytest.raises(ValueError, match="logits_fake is empty"):
        dv.gan_discriminator_loss([0.0], [])
    with pytest.raises(ValueError, match="v_real contains NaN"):
        dv.fgan_discriminator_loss([np.nan], [0.0], "kl")
    with pytest.raises(KeyError, match="known names"):
        dv.fgan_generator_loss([0.0], "nope")
