"""One vocabulary across the library (issue 25, docs/conventions.rst): one name per meaning.

The public functions are read with ``inspect``: no parameter carries a retired name,
every count of relabellings is an integer ``n_permutations``, and every retired
keyword still works for a release, with a DeprecationWarning naming the new one and
the same result.
"""

import inspect
import math

import numpy as np
import pytest
import torch

import divergences as dv

#: retired parameter names -> what replaced them
RETIRED = {"u_values": "x", "v_values": "y", "u_weights": "x_weights", "v_weights": "y_weights",
           "x_p": "x", "x_q": "y", "weights_p": "x_weights", "weights_q": "y_weights",
           "weights_x": "x_weights", "weights_y": "y_weights", "quantile_u": "quantile_x",
           "quantile_v": "quantile_y"}


def _public_functions():
    for name in dv.__all__:
        obj = getattr(dv, name)
        if inspect.isfunction(obj):
            yield name, obj


def test_no_public_function_uses_a_retired_name():
    bad = [(name, p) for name, fn in _public_functions()
           for p in inspect.signature(fn).parameters if p in RETIRED]
    assert not bad, bad


def test_alpha_means_one_thing_only():
    """alpha is the alpha-divergence's parameter (get_f("alpha", alpha=...)); a significance
    level is ``level``, a Renyi order ``order``, the interpolated bound's weight
    ``interpolation``."""
    users = [name for name, fn in _public_functions() if "alpha" in inspect.signature(fn).parameters]
    assert users == [], users
    assert dv.get_f("alpha", alpha=0.5).params == {"alpha": 0.5}
    for name in ("mmd_agg_test",):
        assert "level" in inspect.signature(getattr(dv, name)).parameters
    assert "level" in inspect.signature(dv.TwoSampleResult.reject).parameters
    for name in ("renyi_divergence_gaussian", "knn_renyi_divergence"):
        assert "order" in inspect.signature(getattr(dv, name)).parameters
    for name in ("interpolated_bound", "estimate_mutual_information",
                 "estimate_mutual_information_batched"):
        assert "interpolation" in inspect.signature(getattr(dv, name)).parameters


def test_sample_and_weight_names():
    """Samples of P and Q are x and y, their weights x_weights and y_weights."""
    for name, fn in _public_functions():
        params = inspect.signature(fn).parameters
        weights = [p for p in params if "weights" in p]
        # kernel_weights: MMDAgg's weights of its bandwidths, not of samples
        assert all(p in ("x_weights", "y_weights", "kernel_weights") for p in weights), (
            name, weights)
        assert "weights" not in params, name


def test_every_n_permutations_is_an_integer_count():
    for name, fn in _public_functions():
        p = inspect.signature(fn).parameters.get("n_permutations")
        if p is None:
            continue
        assert p.default is None or (isinstance(p.default, int) and p.default >= 1), name
        assert "alternative" in inspect.signature(fn).parameters, name


X1, Y1 = np.array([0.0, 1.0, 3.0]), np.array([0.5, 2.0])
W1, V1 = np.array([1.0, 2.0, 1.0]), np.array([1.0, 1.0])
T4 = np.array([0.1, -0.2, 0.3, 0.0])
WT = np.array([1.0, 2.0, 3.0, 4.0])
S = np.random.default_rng(0).normal(size=(4, 4))

#: (function, old keywords, the same call with the new keywords)
CALLS = [
    (dv.wasserstein_1d, dict(u_values=X1, v_values=Y1, u_weights=W1, v_weights=V1),
     dict(x=X1, y=Y1, x_weights=W1, y_weights=V1)),
    (dv.earth_movers_distance, dict(u_values=X1, v_values=Y1), dict(x=X1, y=Y1)),
    (dv.wasserstein_1d_histogram, dict(grid=X1, u_weights=W1, v_weights=W1[::-1]),
     dict(grid=X1, x_weights=W1, y_weights=W1[::-1])),
    (dv.wasserstein_critic_objective, dict(critic_p=T4, critic_q=T4[::-1], weights_p=WT),
     dict(critic_p=T4, critic_q=T4[::-1], x_weights=WT)),
    (dv.fgan_bound, dict(t_p=T4, t_q=T4, f="kl", weights_p=WT, weights_q=WT[::-1]),
     dict(t_p=T4, t_q=T4, f="kl", x_weights=WT, y_weights=WT[::-1])),
    (dv.nwj_bound, dict(t_p=T4, t_q=T4, weights_q=WT), dict(t_p=T4, t_q=T4, y_weights=WT)),
    (dv.dv_bound, dict(t_p=T4, t_q=T4, weights_p=WT), dict(t_p=T4, t_q=T4, x_weights=WT)),
    (dv.js_bound, dict(v_p=T4, v_q=T4, weights_p=WT), dict(v_p=T4, v_q=T4, x_weights=WT)),
    (dv.gan_value, dict(d_p=T4, d_q=T4, logits=True, weights_p=WT),
     dict(d_p=T4, d_q=T4, logits=True, x_weights=WT)),
    (dv.lsgan_discriminator_loss, dict(d_real=T4, d_fake=T4, weights_q=WT),
     dict(d_real=T4, d_fake=T4, y_weights=WT)),
    (dv.interpolated_bound, dict(scores=S, log_baseline=np.zeros(4), alpha=0.3),
     dict(scores=S, log_baseline=np.zeros(4), interpolation=0.3)),
    (dv.renyi_divergence_gaussian, dict(mean_p=0.0, cov_p=1.0, mean_q=1.0, cov_q=2.0, alpha=0.7),
     dict(mean_p=0.0, cov_p=1.0, mean_q=1.0, cov_q=2.0, order=0.7)),
    (dv.knn_renyi_divergence, dict(x_p=S, x_q=S + 1.0, alpha=0.5, k=1),
     dict(x=S, y=S + 1.0, order=0.5, k=1)),
    (dv.knn_kl_divergence, dict(x_p=S, x_q=S + 1.0), dict(x=S, y=S + 1.0)),
]


def _value(res):
    if hasattr(res, "value"):
        return res.value
    return float(res)


@pytest.mark.parametrize("fn, old, new", CALLS, ids=[c[0].__name__ for c in CALLS])
def test_retired_keywords_warn_and_give_the_same_result(fn, old, new):
    renamed = [k for k in old if k not in new]
    with pytest.warns(DeprecationWarning, match=f"keyword {renamed[0]}= is renamed"):
        got = fn(**old)
    assert _value(got) == _value(fn(**new))
    with pytest.raises(TypeError, match="got both"):
        fn(**{**new, **old})


def test_gradient_penalty_and_cycle_losses_take_the_new_names():
    critic = lambda z: 3.0 * z.sum(dim=1)             # noqa: E731
    x, y = torch.zeros(4, 2), torch.ones(4, 2)
    with pytest.warns(DeprecationWarning, match="x_p= is renamed x="):
        old = dv.gradient_penalty(critic, x_p=x, x_q=y, rng=0)
    assert float(old) == pytest.approx((3 * math.sqrt(2) - 1) ** 2)
    g = f = lambda a: a                                 # noqa: E731
    w = np.array([1.0, 3.0])
    a, b = np.zeros((2, 2)), np.ones((2, 2))
    with pytest.warns(DeprecationWarning, match="weights_x= is renamed x_weights="):
        old = dv.cycle_consistency_loss(a, b, g, f, weights_x=w)
    assert float(old) == float(dv.cycle_consistency_loss(a, b, g, f, x_weights=w))


def test_warnings_point_at_the_users_call():
    """Warnings raised deep in the library (behind the renaming decorator too) are
    attributed to the caller's line, so that filters by module and the printed location
    are the user's."""
    import warnings

    res = dv.energy_test(np.zeros((5, 1)), np.ones((5, 1)), n_permutations=4, rng=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res.reject(0.05)                                   # 1/5 > 0.05: can never reject
        dv.wasserstein_1d(X1, Y1, u_weights=W1)            # a retired keyword
        tied = np.repeat(np.arange(10.0), 3)[:, None]
        dv.ksg_mutual_information(tied, tied + np.arange(30.0)[:, None] % 2, k=1)   # ties
    assert len(caught) == 3
    for w in caught:
        assert w.filename == __file__, (str(w.message)[:60], w.filename)
