"""Discriminator identities: D* = p/(p+q), V(D*) = 2 JSD - log 4, V(D) <= V(D*)."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import divergences as dv
from conftest import random_pmf


def test_value_at_optimal_discriminator_is_2js_minus_log4():
    rng = np.random.default_rng(0)
    for zeros in (0, 2):
        p, q = random_pmf(rng, 10, zeros), random_pmf(rng, 10)
        d = dv.optimal_discriminator(p, q)
        v = dv.gan_value(d, d, x_weights=p, y_weights=q)
        assert v == pytest.approx(2 * dv.jensen_shannon(p, q) - math.log(4), rel=1e-12)
        assert dv.jensen_shannon_from_gan_value(v) == pytest.approx(dv.jensen_shannon(p, q),
                                                                     rel=1e-12)
        # the same through logits
        logits = np.log(p + 1e-300) - np.log(q)
        v2 = dv.gan_value(logits, logits, logits=True, x_weights=p, y_weights=q)
        assert v2 == pytest.approx(v, rel=1e-9)


@given(st.lists(st.floats(0.001, 0.999), min_size=6, max_size=6), st.integers(0, 10_000))
def test_any_other_discriminator_gives_less(d_other, seed):
    rng = np.random.default_rng(seed)
    p, q = random_pmf(rng, 6), random_pmf(rng, 6)
    best = dv.gan_value(dv.optimal_discriminator(p, q), dv.optimal_discriminator(p, q),
                        x_weights=p, y_weights=q)
    d = np.array(d_other)
    assert dv.gan_value(d, d, x_weights=p, y_weights=q) <= best + 1e-12


def test_optimal_discriminator_against_density_ratio():
    from scipy import stats

    x = np.linspace(-3, 3, 13)
    p, q = stats.norm.pdf(x, 0.5), stats.norm.pdf(x)
    np.testing.assert_allclose(dv.optimal_discriminator(p, q), 1 / (1 + q / p), rtol=1e-13)
    t = dv.optimal_discriminator(torch.tensor(p), torch.tensor(q))
    assert isinstance(t, torch.Tensor)


def test_gan_value_logits_stable_and_differentiable():
    v = torch.tensor([-100.0, 0.0, 100.0], dtype=torch.float32, requires_grad=True)
    val = dv.gan_value(v, v, logits=True)
    assert torch.isfinite(val)
    (g,) = torch.autograd.grad(val, v)
    assert torch.isfinite(g).all()
    w = torch.tensor([-2.0, 0.3, 1.5], dtype=torch.float64, requires_grad=True)
    w2 = torch.tensor([0.7, -1.1], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: dv.gan_value(a, b, logits=True), (w, w2))
    # probabilities: confident mistakes give -inf, not NaN
    assert dv.gan_value([0.0], [0.5]) == -math.inf


def test_bad_input():
    with pytest.raises(ValueError, match="probabilities"):
        dv.gan_value([1.5], [0.5])
    with pytest.raises(ValueError, match="d_q is empty"):
        dv.gan_value([0.5], [])
    with pytest.raises(ValueError, match="p has negative"):
        dv.optimal_discriminator([-1.0], [1.0])
    with pytest.raises(ValueError, match="x_weights has negative"):
        dv.gan_value([0.5], [0.5], x_weights=[-1.0])
