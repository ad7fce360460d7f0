"""Every public function against every kind of bad input that applies to it (issue 12).

Each case replaces one argument of a call that works by a bad value and asserts a
``ValueError`` or ``TypeError`` whose message names that argument: never a bare
``AttributeError``/``IndexError``/``ZeroDivisionError`` from inside the library,
never a silent result.  The table is built from two parts: for each public
function, one good call and the *kind* of each argument; for each kind, the bad
values a user can plausibly pass.  A second table checks that the values a user
expects to work (numpy scalars for parameters, numpy integers for counts) do.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch

import divergences as dv
from divergences.benchmark import harness as bench, problems

R = np.random.default_rng(0)
X2, Y2 = R.normal(size=(12, 2)), R.normal(size=(10, 2)) + 0.5
X1, Y1 = R.normal(size=12), R.normal(size=10)
P3, Q3 = np.array([0.2, 0.3, 0.5]), np.array([0.4, 0.4, 0.2])
S4 = R.normal(size=(4, 4))                         # a score matrix (MI bounds)
T5, U4 = R.normal(size=5), R.normal(size=4)       # critic outputs / logits
W12, W10 = np.full(12, 1.0), np.full(10, 2.0)
W5, W4 = np.full(5, 1.0), np.full(4, 1.0)
MEAN2, COV2 = np.zeros(2), np.eye(2)


def _meta(v):
    return torch.empty(np.shape(_or_ones(v)), device="meta", dtype=torch.float64)


def _or_ones(v):
    """The good value, or two ones where the good call leaves an optional array out."""
    return np.ones(2) if v is None else v


def _with(v, index, value):
    a = np.array(v, dtype=float, copy=True)
    a.flat[index] = value
    return a


# --- bad values by kind: name -> function of the good value -------------------------
ANY_ARRAY = {
    "None": lambda v: None,
    "a string": lambda v: "abc",
    "strings": lambda v: np.array(["a"] * np.size(v)).reshape(np.shape(v)),
    "a ragged list": lambda v: [[1.0, 2.0], [3.0]],
    "complex": lambda v: np.asarray(_or_ones(v)) + 1j,
    "objects": lambda v: np.array([object()] * np.size(v), dtype=object),
    "a meta tensor": _meta,
    "a dict": lambda v: {"a": 1},
}
FINITE = {
    "NaN": lambda v: _with(v, 0, np.nan),
    "+inf": lambda v: _with(v, 0, np.inf),
    "-inf": lambda v: _with(v, -1, -np.inf),
}
NO_NAN = {"NaN": lambda v: _with(v, 0, np.nan)}
EMPTY = {"empty": lambda v: np.zeros((0,) + np.shape(v)[1:])}
PROB = {"a negative entry": lambda v: _with(v, 0, -0.1), "NaN": lambda v: _with(v, 0, np.nan),
        "+inf": lambda v: _with(v, 0, np.inf), "all zero": lambda v: np.zeros_like(v),
        "empty": lambda v: np.zeros(0)}
WEIGHTS = {"a negative entry": lambda v: _with(v, 0, -1.0), "NaN": lambda v: _with(v, 0, np.nan),
           "+inf": lambda v: _with(v, 0, np.inf), "all zero": lambda v: np.zeros_like(v),
           "the wrong length": lambda v: np.ones(np.size(v) + 1),
           "two dimensions": lambda v: np.ones((np.size(v), 2)),
           "a string": lambda v: "abc", "complex": lambda v: np.asarray(_or_ones(v)) + 1j,
           "a meta tensor": _meta}
SAMPLES_2D = {"three dimensions": lambda v: np.zeros((3, 2, 2)), "a scalar": lambda v: 1.0,
              "one point": lambda v: np.zeros((1, 2))}
POS_INT = {"zero": lambda v: 0, "negative": lambda v: -1, "a float": lambda v: 2.5,
           "a string": lambda v: "10", "True": lambda v: True, "NaN": lambda v: math.nan,
           "None": lambda v: None, "a list": lambda v: [3]}
POS_REAL = {"zero": lambda v: 0.0, "negative": lambda v: -1.0, "NaN": lambda v: math.nan,
            "+inf": lambda v: math.inf, "a string": lambda v: "0.5", "True": lambda v: True,
            "complex": lambda v: 1j, "an array": lambda v: np.array([0.5, 0.5])}
UNIT = {"zero": lambda v: 0.0, "one": lambda v: 1.0, "negative": lambda v: -0.5,
        "above one": lambda v: 1.5, "NaN": lambda v: math.nan, "a string": lambda v: "0.5",
        "True": lambda v: True}
RNG = {"a string": lambda v: "seed", "negative": lambda v: -1, "a float": lambda v: 1.5,
       "an object": lambda v: object(), "True": lambda v: True}
DEVICE = {"unknown": lambda v: "no_such_device", "a number": lambda v: 3.5,
          "cuda without CUDA": lambda v: "cuda" if not torch.cuda.is_available() else "cuda:99"}
F_NAME = {"unknown": lambda v: "no_such_f", "a number": lambda v: 3, "None": lambda v: None}
PROGRESS = {"a string": lambda v: "yes", "a number": lambda v: 2}
FLAG = {"a string": lambda v: "yes", "None": lambda v: None}
CALLABLE = {"not callable": lambda v: 3, "None": lambda v: None}

SAMPLES = {**ANY_ARRAY, **FINITE, **EMPTY}
ARRAY_1D = {**ANY_ARRAY, **FINITE, **EMPTY}
SCORES = {**ANY_ARRAY, **NO_NAN, **EMPTY, "not square": lambda v: np.zeros((3, 4)),
          "one dimension": lambda v: np.zeros(4)}
LOGITS = {**ANY_ARRAY, **NO_NAN, **EMPTY}
PROBS = {**ANY_ARRAY, **PROB}
# the adversarial losses run inside training loops: NaN propagates (as in torch's
# own losses, with no device sync per step), the rest is checked
LOSS_INPUT = {"None": lambda v: None, "a string": lambda v: "abc",
              "complex": lambda v: np.asarray(v) + 1j, "a meta tensor": _meta,
              "empty": lambda v: torch.zeros(0)}


def _split(kind, *drop):
    return {k: f for k, f in kind.items() if k not in drop}


# --- the public functions: a good call and the kind of each argument ---------------
SPEC = {
    # closed forms on PMFs
    "f_divergence": (dv.f_divergence, dict(p=P3, q=Q3, f="kl"),
                     dict(p=PROBS, q=PROBS, f=F_NAME, axis={"a float": lambda v: 0.5,
                                                            "out of range": lambda v: 3})),
    "kl_divergence": (dv.kl_divergence, dict(p=P3, q=Q3), dict(p=PROBS, q=PROBS)),
    "jensen_shannon": (dv.jensen_shannon, dict(p=P3, q=Q3), dict(p=PROBS, q=PROBS)),
    "squared_hellinger": (dv.squared_hellinger, dict(p=P3, q=Q3), dict(p=PROBS, q=PROBS)),
    "total_variation": (dv.total_variation, dict(p=P3, q=Q3), dict(p=PROBS, q=PROBS)),
    # an all-zero p is valid here (D* = 0 where q > 0)
    "optimal_discriminator": (dv.optimal_discriminator, dict(p=P3, q=Q3),
                              dict(p=_split(PROBS, "all zero"), q=_split(PROBS, "all zero"))),
    "get_f": (dv.get_f, dict(name="alpha", alpha=0.5),
              dict(name=F_NAME, alpha=_split(POS_REAL, "zero", "negative"))),
    "get_f(pi)": (dv.get_f, dict(name="weighted_jensen_shannon", pi=0.3), dict(pi=UNIT)),
    "dual": (dv.dual, dict(f="kl"), dict(f=F_NAME)),
    # Gaussians
    "gaussian_f_divergence": (dv.gaussian_f_divergence,
                              dict(mean_p=MEAN2, cov_p=COV2, mean_q=MEAN2 + 1, cov_q=COV2, f="kl"),
                              dict(mean_p={**ANY_ARRAY, **FINITE}, cov_p={
                                  **ANY_ARRAY, **FINITE, "not positive definite":
                                  lambda v: -np.eye(2), "not symmetric":
                                  lambda v: np.array([[1.0, 0.5], [0.0, 1.0]]),
                                  "the wrong size": lambda v: np.eye(3)},
                                  mean_q={**_split(ANY_ARRAY, "None"), **FINITE}, f=F_NAME)),
    "renyi_divergence_gaussian": (dv.renyi_divergence_gaussian,
                                  dict(mean_p=MEAN2, cov_p=COV2, mean_q=MEAN2 + 1, cov_q=COV2,
                                       order=0.5),
                                  dict(mean_p={**ANY_ARRAY, **FINITE},
                                       order={**_split(POS_REAL, "zero", "+inf"),
                                              "None": lambda v: None})),
    "gaussian_mutual_information": (dv.gaussian_mutual_information, dict(rho=0.5, d=2),
                                    dict(rho={"above one": lambda v: 1.5,
                                              "NaN": lambda v: math.nan,
                                              "a string": lambda v: "0.5"}, d=POS_INT)),
    "normal_wasserstein_1d": (dv.normal_wasserstein_1d,
                              dict(mean_p=0.0, std_p=1.0, mean_q=1.0, std_q=2.0, p=2),
                              dict(mean_p={"NaN": lambda v: math.nan, "a string": lambda v: "0"},
                                   std_p={"negative": lambda v: -1.0, "NaN": lambda v: math.nan,
                                          "a string": lambda v: "1"},
                                   p={"zero": lambda v: 0, "a string": lambda v: "2",
                                      "NaN": lambda v: math.nan, "0.5": lambda v: 0.5})),
    # Wasserstein
    "wasserstein_1d": (dv.wasserstein_1d, dict(x=X1, y=Y1, x_weights=W12,
                                               y_weights=W10, p=1),
                       dict(x=ARRAY_1D, y=ARRAY_1D, x_weights=WEIGHTS,
                            y_weights=WEIGHTS, p={"zero": lambda v: 0, "0.5": lambda v: 0.5,
                                                  "NaN": lambda v: math.nan,
                                                  "a string": lambda v: "1",
                                                  "+inf": lambda v: math.inf})),
    "earth_movers_distance": (dv.earth_movers_distance, dict(x=X1, y=Y1),
                              dict(x=ARRAY_1D, y=ARRAY_1D)),
    "wasserstein_1d_histogram": (dv.wasserstein_1d_histogram,
                                 dict(grid=np.arange(3.0), x_weights=P3, y_weights=Q3),
                                 dict(grid={**ANY_ARRAY, **FINITE, "not increasing":
                                            lambda v: np.array([0.0, 2.0, 1.0]),
                                            "the wrong length": lambda v: np.arange(4.0)},
                                      x_weights=_split(WEIGHTS, "the wrong length",
                                                       "two dimensions"),
                                      y_weights=_split(WEIGHTS, "the wrong length",
                                                       "two dimensions"))),
    "wasserstein_1d_quantile": (dv.wasserstein_1d_quantile,
                                dict(quantile_x=lambda t: t, quantile_y=lambda t: 2 * t, p=1),
                                dict(quantile_x={**CALLABLE, "wrong shape":
                                                 lambda v: (lambda t: np.zeros(3))},
                                     quantile_y=CALLABLE,
                                     p={"zero": lambda v: 0, "a string": lambda v: "1"})),
    "sliced_wasserstein": (dv.sliced_wasserstein, dict(x=X2, y=Y2, x_weights=W12,
                                                       y_weights=W10, n_projections=8, rng=0),
                           dict(x={**SAMPLES, **SAMPLES_2D}, y={**SAMPLES, **SAMPLES_2D},
                                x_weights=WEIGHTS, y_weights=WEIGHTS, n_projections=POS_INT,
                                rng=RNG, projections={"a string": lambda v: "abc",
                                                      "the wrong width":
                                                      lambda v: np.ones((3, 5))})),
    "optimal_critic_1d": (dv.optimal_critic_1d, dict(x=X1, y=Y1),
                          dict(x=ARRAY_1D, y=ARRAY_1D, x_weights=WEIGHTS)),
    "wasserstein_critic_objective": (dv.wasserstein_critic_objective,
                                     dict(critic_p=T5, critic_q=U4, x_weights=W5, y_weights=W4),
                                     dict(critic_p={**ANY_ARRAY, **NO_NAN, **EMPTY},
                                          critic_q={**ANY_ARRAY, **NO_NAN},
                                          x_weights=WEIGHTS, y_weights=WEIGHTS)),
    "clip_weights": (dv.clip_weights, dict(module=torch.nn.Identity(), clip_value=0.01),
                     dict(module={"an array": lambda v: np.ones(3), "None": lambda v: None},
                          clip_value=_split(POS_REAL, "+inf"))),
    "gradient_penalty": (dv.gradient_penalty, dict(critic=lambda z: z.sum(1),
                                                   x=torch.tensor(X2[:10]),
                                                   y=torch.tensor(Y2), rng=0),
                         dict(critic=CALLABLE, x={"numpy": lambda v: np.asarray(v),
                                                    "a different shape":
                                                    lambda v: torch.zeros(4, 2, dtype=v.dtype)},
                              rng=RNG, target={"NaN": lambda v: math.nan,
                                               "a string": lambda v: "1"},
                              one_sided={"a string": lambda v: "yes"})),
    # variational bounds
    "fgan_bound": (dv.fgan_bound, dict(t_p=T5, t_q=U4 * 0.1, f="kl", x_weights=W5,
                                       y_weights=W4),
                   dict(t_p=LOGITS, t_q=LOGITS, f=F_NAME, x_weights=WEIGHTS, y_weights=WEIGHTS)),
    "fgan_bound_from_logits": (dv.fgan_bound_from_logits, dict(v_p=T5, v_q=U4, f="kl"),
                               dict(v_p=LOGITS, v_q=LOGITS, f=F_NAME,
                                    x_weights=WEIGHTS, y_weights=WEIGHTS)),
    "nwj_bound": (dv.nwj_bound, dict(t_p=T5, t_q=U4), dict(t_p=LOGITS, t_q=LOGITS,
                                                          x_weights=WEIGHTS, y_weights=WEIGHTS)),
    "dv_bound": (dv.dv_bound, dict(t_p=T5, t_q=U4), dict(t_p=LOGITS, t_q=LOGITS,
                                                        x_weights=WEIGHTS, y_weights=WEIGHTS)),
    "js_bound": (dv.js_bound, dict(v_p=T5, v_q=U4), dict(v_p=LOGITS, v_q=LOGITS,
                                                        x_weights=WEIGHTS, y_weights=WEIGHTS)),
    "gan_value": (dv.gan_value, dict(d_p=np.full(5, 0.6), d_q=np.full(4, 0.3)),
                  dict(d_p={**ANY_ARRAY, "NaN": lambda v: _with(v, 0, np.nan),
                            "above one": lambda v: _with(v, 0, 1.5),
                            "negative": lambda v: _with(v, 0, -0.5)},
                       d_q={**ANY_ARRAY, "NaN": lambda v: _with(v, 0, np.nan)},
                       logits=FLAG, x_weights=WEIGHTS, y_weights=WEIGHTS)),
    "jensen_shannon_from_gan_value": (dv.jensen_shannon_from_gan_value, dict(v=-1.2),
                                      dict(v={"a string": lambda v: "-1", "NaN":
                                              lambda v: math.nan, "None": lambda v: None,
                                              "above zero": lambda v: 0.5})),
    "infonce_bound": (dv.infonce_bound, dict(scores=S4), dict(scores={
        **SCORES, "+inf": lambda v: _with(v, 0, np.inf)})),
    "nwj_mi_bound": (dv.nwj_mi_bound, dict(scores=S4), dict(scores=SCORES)),
    "dv_mi_bound": (dv.dv_mi_bound, dict(scores=S4), dict(scores=SCORES)),
    "js_mi_bound": (dv.js_mi_bound, dict(scores=S4), dict(scores=SCORES)),
    "smile_bound": (dv.smile_bound, dict(scores=S4, tau=5.0),
                    dict(scores=SCORES, tau=_split(POS_REAL, "+inf"))),
    "tuba_bound": (dv.tuba_bound, dict(scores=S4, log_baseline=np.zeros(4)),
                   dict(scores=SCORES, log_baseline={"a string": lambda v: "abc",
                                                     "NaN": lambda v: _with(v, 0, np.nan),
                                                     "the wrong length":
                                                     lambda v: np.zeros(5)})),
    "interpolated_bound": (dv.interpolated_bound, dict(scores=S4, log_baseline=np.zeros(4),
                                                       interpolation=0.5),
                           dict(scores=SCORES, interpolation=_split(UNIT, "zero", "one"),
                                log_baseline={"the wrong length": lambda v: np.zeros(5)})),
    "mine_step": (dv.mine_step, dict(scores=torch.tensor(S4), moving_average=None, decay=0.9),
                  dict(scores={"numpy": lambda v: np.asarray(v), "None": lambda v: None,
                               "not square": lambda v: torch.zeros(3, 4),
                               "NaN": lambda v: torch.full((4, 4), math.nan)},
                       moving_average={"negative": lambda v: -1.0, "NaN": lambda v: math.nan,
                                       "a string": lambda v: "1"},
                       decay=_split(UNIT, "zero"))),
    # adversarial objectives
    "gan_discriminator_loss": (dv.gan_discriminator_loss,
                               dict(logits_real=torch.tensor(T5), logits_fake=torch.tensor(U4)),
                               dict(logits_real={**LOSS_INPUT,
                                                 "None": lambda v: None},
                                    logits_fake=LOSS_INPUT)),
    "gan_generator_loss": (dv.gan_generator_loss, dict(logits_fake=torch.tensor(U4)),
                           dict(logits_fake={**LOSS_INPUT,
                                             "None": lambda v: None},
                                saturating={"a string": lambda v: "yes"})),
    "fgan_discriminator_loss": (dv.fgan_discriminator_loss,
                                dict(v_real=torch.tensor(T5), v_fake=torch.tensor(U4), f="kl"),
                                dict(v_real=LOSS_INPUT, f=F_NAME)),
    "fgan_generator_loss": (dv.fgan_generator_loss, dict(v_fake=torch.tensor(U4), f="kl"),
                            dict(v_fake=LOSS_INPUT, f=F_NAME)),
    "wgan_critic_loss": (dv.wgan_critic_loss, dict(critic_real=torch.tensor(T5),
                                                   critic_fake=torch.tensor(U4)),
                         dict(critic_real=LOSS_INPUT,
                              penalty={"a string": lambda v: "abc"},
                              penalty_weight={"NaN": lambda v: math.nan,
                                              "negative": lambda v: -1.0,
                                              "a string": lambda v: "10"})),
    "wgan_generator_loss": (dv.wgan_generator_loss, dict(critic_fake=torch.tensor(U4)),
                            dict(critic_fake={**LOSS_INPUT,
                                              "None": lambda v: None})),
    "bigan_pairs": (dv.bigan_pairs, dict(x=torch.zeros(5, 2), e_x=torch.zeros(5, 3),
                                         g_z=torch.zeros(5, 2), z=torch.zeros(5, 3)),
                    dict(x={**LOSS_INPUT, "numpy": lambda v: v.numpy()},
                         e_x={"a different batch": lambda v: torch.zeros(4, 3)},
                         g_z={"a different width": lambda v: torch.zeros(5, 4)},
                         z=LOSS_INPUT)),
    "bigan_discriminator_loss": (dv.bigan_discriminator_loss,
                                 dict(logits_encoder_pairs=torch.tensor(T5),
                                      logits_generator_pairs=torch.tensor(U4)),
                                 dict(logits_encoder_pairs=LOSS_INPUT)),
    # two-sample tests
    "mmd_test": (dv.mmd_test, dict(x=X2, y=Y2, n_permutations=9, rng=0),
                 dict(x={**SAMPLES, **SAMPLES_2D}, y={**SAMPLES, "another width":
                                                      lambda v: np.zeros((10, 3))},
                      kernel={"unknown": lambda v: "no_such_kernel", "a number": lambda v: 3,
                              "wrong shape": lambda v: (lambda a, b: np.zeros(3))},
                      bandwidth=_split(POS_REAL, "an array"), n_permutations=POS_INT, rng=RNG,
                      batch_size=_split(POS_INT, "None"), progress=PROGRESS)),
    "mmd_agg_test": (dv.mmd_agg_test, dict(x=X2, y=Y2, n_permutations=19, n_permutations_single=9,
                                           rng=0),
                     dict(x={**SAMPLES, **SAMPLES_2D}, y={**SAMPLES, "another width":
                                                          lambda v: np.zeros((10, 3))},
                          kernels={"unknown": lambda v: ("no_such_kernel",),
                                   "empty": lambda v: (), "a number": lambda v: 3,
                                   "repeated": lambda v: ("gaussian", "gaussian")},
                          n_bandwidths={**POS_INT, "one": lambda v: 1},
                          kernel_weights={"unknown": lambda v: "no_such_weights"},
                          n_permutations={"a string": lambda v: "ab", "zero": lambda v: 0,
                                          "a float": lambda v: 2.5,
                                          "a triple": lambda v: (9, 9, 9),
                                          "an old pair with a zero": lambda v: (0, 9),
                                          "an old pair with a float": lambda v: (9, 2.5)},
                          n_permutations_single={"zero": lambda v: 0, "a float": lambda v: 2.5},
                          null={"unknown": lambda v: "bootstrap",
                                "wild with n != m": lambda v: "wild"},
                          level=UNIT, alternative={"less": lambda v: "less",
                                                   "unknown": lambda v: "bigger"},
                          rng=RNG, progress=PROGRESS)),
    "mmd_fuse_test": (dv.mmd_fuse_test, dict(x=X2, y=Y2, n_permutations=9, rng=0),
                      dict(x={**SAMPLES, **SAMPLES_2D}, y={**SAMPLES},
                           kernels={"unknown": lambda v: ("no_such_kernel",)},
                           n_bandwidths={**POS_INT, "one": lambda v: 1},
                           n_permutations=POS_INT,
                           null={"unknown": lambda v: "bootstrap",
                                 "wild with n != m": lambda v: "wild"},
                           rng=RNG, progress=PROGRESS)),
    "mmd_deep_test": (dv.mmd_deep_test, dict(x=X2, y=Y2, epochs=2, n_permutations=9, rng=0),
                      dict(x={**SAMPLES, **SAMPLES_2D}, y={**SAMPLES},
                           train_fraction=UNIT, n_permutations=POS_INT,
                           hidden={"zero width": lambda v: (0,), "a string": lambda v: 5},
                           features=POS_INT, epochs=POS_INT,
                           lr=_split(POS_REAL, "an array"), rng=RNG, device=DEVICE,
                           progress=PROGRESS)),
    "two_sample_test": (dv.two_sample_test, dict(x=X2, y=Y2, method="mmd", n_permutations=9,
                                                 rng=0),
                        dict(x={**SAMPLES}, method={"unknown": lambda v: "no_such_test",
                                                    "a number": lambda v: 3,
                                                    "None": lambda v: None},
                             n_permutations=_split(POS_INT, "None"), rng=RNG,
                             alternative={"unknown": lambda v: "bigger"}, progress=PROGRESS)),
    "energy_test": (dv.energy_test, dict(x=X2, y=Y2, n_permutations=9, rng=0),
                    dict(x={**SAMPLES, **SAMPLES_2D}, y={**SAMPLES},
                         n_permutations=POS_INT, rng=RNG, batch_size=_split(POS_INT, "None"),
                         progress=PROGRESS)),
    "wasserstein_test": (dv.wasserstein_test, dict(x=X1, y=Y1, n_permutations=9, rng=0),
                         dict(x=SAMPLES, y=SAMPLES, p={"zero": lambda v: 0,
                                                       "a string": lambda v: "1"},
                              n_permutations=POS_INT, rng=RNG,
                              batch_size=_split(POS_INT, "None"), progress=PROGRESS)),
    "c2st": (dv.c2st, dict(x=X2, y=Y2, classifier="logistic", rng=0,
                           training={"max_epochs": 2}),
             dict(x={**SAMPLES, **SAMPLES_2D}, y={**SAMPLES},
                  classifier={"unknown": lambda v: "forest", "a number": lambda v: 3},
                  test_fraction=UNIT, n_folds={"one": lambda v: 1, "a float": lambda v: 2.5,
                                               "a string": lambda v: "2"},
                  n_permutations={"negative": lambda v: -1, "a float": lambda v: 2.5,
                                  "a string": lambda v: "10"},
                  n_retrainings={"negative": lambda v: -1, "a float": lambda v: 2.5},
                  alternative={"unknown": lambda v: "bigger"},
                  training={"a number": lambda v: 3, "a list": lambda v: [64],
                            "an unknown setting": lambda v: {"depth": 3}},
                  rng=RNG, device=DEVICE, progress=PROGRESS,
                  statistic={"unknown": lambda v: "auc", "a number": lambda v: 1})),
    "c2st(logit)": (dv.c2st, dict(x=X2, y=Y2, classifier="logistic", statistic="logit", rng=0,
                                  training={"max_epochs": 2}),
                    dict(n_folds={"with the logit statistic": lambda v: 2})),
    # estimators
    "estimate_f_divergence": (dv.estimate_f_divergence,
                              dict(x=X2, y=Y2, f="kl", steps=2, batch_size=8, rng=0),
                              dict(x={**SAMPLES, **SAMPLES_2D}, y={**SAMPLES},
                                   f=F_NAME, bound={"unknown": lambda v: "no_such_bound",
                                                    "a number": lambda v: 3},
                                   critic={"unknown": lambda v: "no_such_critic",
                                           "a number": lambda v: 3},
                                   steps=POS_INT, batch_size=POS_INT,
                                   lr=POS_REAL, eval_fraction=UNIT, rng=RNG, device=DEVICE,
                                   progress=PROGRESS, confidence=UNIT)),
    "estimate_mutual_information": (dv.estimate_mutual_information,
                                    dict(x=X2, y=X2[:, ::-1].copy(), steps=2, batch_size=4, rng=0),
                                    dict(x={**SAMPLES, **SAMPLES_2D},
                                         y={**SAMPLES, "another length":
                                            lambda v: np.zeros((5, 2))},
                                         bound={"unknown": lambda v: "no_such_bound"},
                                         critic={"unknown": lambda v: "no_such_critic"},
                                         steps=POS_INT, batch_size=POS_INT, lr=POS_REAL,
                                         eval_fraction=UNIT, tau=_split(POS_REAL, "+inf"),
                                         interpolation=_split(UNIT, "zero", "one"), rng=RNG,
                                         device=DEVICE, confidence=UNIT)),
    "estimate_mutual_information_batched": (
        dv.estimate_mutual_information_batched,
        dict(x=X2[None], y=X2[None, :, ::-1].copy(), steps=2, batch_size=4, rng=0),
        dict(x={**_split(ANY_ARRAY, "a ragged list", "objects"), "two dimensions":
                lambda v: np.zeros((12, 2)), "NaN": lambda v: _with(v, 0, np.nan)},
             y={"another batch": lambda v: np.zeros((2, 12, 2))},
             bound={"unknown": lambda v: "no_such_bound"}, steps=POS_INT,
             batch_size=POS_INT, lr=POS_REAL, eval_fraction=UNIT, rng=RNG, device=DEVICE)),
    # classical baselines
    "ksg_mutual_information": (dv.ksg_mutual_information, dict(x=X2, y=X2[:, ::-1] + 0.1, k=2),
                               dict(x={**SAMPLES, "three dimensions": lambda v: np.zeros((12, 2, 2))},
                                    y={**SAMPLES, "another length": lambda v: np.zeros((5, 2))},
                                    k={**POS_INT, "too large": lambda v: 12},
                                    variant={"three": lambda v: 3, "a string": lambda v: "1"},
                                    metric={"unknown": lambda v: "cosine"},
                                    standardize=FLAG, confidence=UNIT)),
    "knn_kl_divergence": (dv.knn_kl_divergence, dict(x=X2, y=Y2, k=1),
                          dict(x=SAMPLES, y={**SAMPLES, "another width":
                                                 lambda v: np.zeros((10, 3))},
                               k={**POS_INT, "too large": lambda v: 50}, confidence=UNIT)),
    "gaussian_mi_estimate": (dv.gaussian_mi_estimate, dict(x=X2, y=Y2[:, :1].repeat(2, 0)[:12],
                                                           n_bootstrap=5, rng=0),
                             dict(x=SAMPLES, y={"another length": lambda v: np.zeros((5, 1))},
                                  n_bootstrap=POS_INT, rng=RNG, confidence=UNIT)),
    "gaussian_mi_estimate(transform)": (dv.gaussian_mi_estimate,
                                        dict(x=X2, y=Y2[:, :1].repeat(2, 0)[:12], n_bootstrap=5),
                                        dict(transform={"unknown": lambda v: "ranks"})),
    "knn_renyi_divergence": (dv.knn_renyi_divergence, dict(x=X2, y=Y2, order=0.5, k=1),
                             dict(x=SAMPLES, y={**SAMPLES, "another width":
                                                    lambda v: np.zeros((10, 3))},
                                  order={"one": lambda v: 1.0, "NaN": lambda v: math.nan,
                                         "+inf": lambda v: math.inf, "a string": lambda v: "2",
                                         "beyond k": lambda v: 3.0},
                                  k={**POS_INT, "too large": lambda v: 50}, confidence=UNIT)),
    "histogram_mutual_information": (dv.histogram_mutual_information,
                                     dict(x=X2, y=X2[:, ::-1] + 0.1, bins=3),
                                     dict(x=SAMPLES, y={**SAMPLES, "another length":
                                                        lambda v: np.zeros((5, 2))},
                                          bins={**_split(POS_INT, "None"), "one": lambda v: 1,
                                                "too many": lambda v: 200},
                                          binning={"unknown": lambda v: "log"},
                                          correction={"unknown": lambda v: "jackknife"},
                                          confidence=UNIT)),
    # problems and the benchmark harness
    "AdditiveUniformNoise": (problems.AdditiveUniformNoise, dict(epsilon=0.1),
                             dict(epsilon=_split(POS_REAL, "an array"))),
    "JointGaussian": (problems.JointGaussian, dict(cov=np.eye(3), dim_x=1),
                      dict(cov={"not square": lambda v: np.zeros((2, 3)),
                                "not symmetric": lambda v: np.triu(np.ones((3, 3))),
                                "singular": lambda v: np.ones((3, 3)),
                                "NaN": lambda v: _with(v, 0, np.nan)},
                           dim_x={**POS_INT, "no Y left": lambda v: 3})),
    "JointGaussian.sparse": (problems.JointGaussian.sparse,
                             dict(dim_x=2, dim_y=3, n_pairs=1, correlation=0.5),
                             dict(dim_x=POS_INT, dim_y=POS_INT,
                                  n_pairs={**POS_INT, "too many": lambda v: 3},
                                  correlation={"one": lambda v: 1.0, "NaN": lambda v: math.nan})),
    "JointGaussian.dense": (problems.JointGaussian.dense,
                            dict(dim_x=2, dim_y=3, correlation=0.5),
                            dict(dim_x=POS_INT, dim_y=POS_INT,
                                 correlation={"one": lambda v: 1.0,
                                              "not positive definite": lambda v: -0.5})),
    "GammaPair": (problems.GammaPair, dict(shape_p=2.0, rate_p=1.0, shape_q=3.0, rate_q=1.5),
                  dict(shape_p=_split(POS_REAL, "an array"), rate_p=_split(POS_REAL, "an array"),
                       shape_q=_split(POS_REAL, "an array"), rate_q=_split(POS_REAL, "an array"))),
    "BetaPair": (problems.BetaPair, dict(a_p=2.0, b_p=5.0, a_q=3.0, b_q=3.0),
                 dict(a_p=_split(POS_REAL, "an array"), b_q=_split(POS_REAL, "an array"))),
    "LaplacePair": (problems.LaplacePair, dict(loc_p=0.0, scale_p=1.0, loc_q=1.0, scale_q=1.5),
                    dict(loc_p={"NaN": lambda v: math.nan, "a string": lambda v: "0"},
                         scale_q=_split(POS_REAL, "an array"))),
    "DirichletPair": (problems.DirichletPair, dict(alpha_p=(2.0, 3.0), alpha_q=(1.0, 1.0)),
                      dict(alpha_p={"a zero": lambda v: (0.0, 1.0), "one part": lambda v: (1.0,)},
                           alpha_q={"another length": lambda v: (1.0, 1.0, 1.0),
                                    "NaN": lambda v: (math.nan, 1.0)})),
    "GaussianMixturePair": (problems.GaussianMixturePair,
                            dict(weights_p=(0.5, 0.5), means_p=(-1.0, 1.0), sds_p=(1.0, 1.0),
                                 weights_q=(1.0,), means_q=(0.0,), sds_q=(2.0,)),
                            dict(weights_p={"not summing to 1": lambda v: (0.5, 0.6),
                                            "negative": lambda v: (-0.5, 1.5)},
                                 sds_q={"zero": lambda v: (0.0,), "another length":
                                        lambda v: (1.0, 1.0)},
                                 means_p={"NaN": lambda v: (math.nan, 1.0)})),
    "ClassicalEstimator": (bench.ClassicalEstimator, dict(name="ksg"),
                           dict(name={"unknown": lambda v: "kde"},
                                options={"a list": lambda v: [1]})),
    "GaussianPair.isotropic": (problems.GaussianPair.isotropic, dict(d=2, shift=1.0),
                               dict(d=POS_INT, shift={"NaN": lambda v: math.nan,
                                                      "a string": lambda v: "1"})),
    "CorrelatedGaussians": (problems.CorrelatedGaussians, dict(d=2, rho=0.5),
                            dict(d=POS_INT, rho={"one": lambda v: 1.0, "NaN": lambda v: math.nan,
                                                 "a string": lambda v: "0.5"})),
    "CorrelatedGaussians(mi)": (problems.CorrelatedGaussians, dict(d=2, mi=0.5),
                                dict(mi={"+inf": lambda v: math.inf, "negative": lambda v: -1.0,
                                         "NaN": lambda v: math.nan,
                                         "a string": lambda v: "1"})),
    "CorrelatedStudentT": (problems.CorrelatedStudentT, dict(dof=3.0, dim_x=1, dim_y=2, rho=0.3),
                           dict(dof=_split(POS_REAL, "+inf", "an array"), dim_x=POS_INT,
                                dim_y=POS_INT, rho={"one": lambda v: 1.0,
                                                    "NaN": lambda v: math.nan})),
    "DiscretePair": (problems.DiscretePair, dict(p=P3, q=Q3), dict(p=PROB)),
    "mi_staircase": (problems.mi_staircase, dict(d=2, mis=(0.5,)),
                     dict(d=POS_INT, mis={"negative": lambda v: (-1.0,), "NaN": lambda v: (math.nan,),
                                          "a string": lambda v: "abc"})),
    "bias_variance": (bench.bias_variance,
                      dict(estimators={"e": (lambda sample, rng: 0.0, "mi")},
                           problems=problems.mi_staircase(d=2, mis=(0.5,)), sample_sizes=[20],
                           n_trials=2, rng=0),
                      dict(estimators={"empty": lambda v: {}, "a number": lambda v: 3},
                           sample_sizes={"zero": lambda v: [0], "empty": lambda v: [],
                                         "a float": lambda v: [2.5], "a string": lambda v: "20"},
                           n_trials=POS_INT, n_bootstrap=POS_INT, confidence=UNIT, rng=RNG)),
}


def _cases():
    for fname, (fn, good, kinds) in SPEC.items():
        for arg, bads in kinds.items():
            for kind in bads:
                yield pytest.param(fname, arg, kind, id=f"{fname}-{arg}-{kind}")


CASES = list(_cases())


@pytest.mark.filterwarnings("ignore:the estimate .* is .*below zero:RuntimeWarning")
def test_table_is_large_and_good_calls_work():     # 2-step estimates: negative, warned
    assert len(CASES) >= 300
    for name, (fn, good, _) in SPEC.items():
        fn(**good)


@pytest.mark.parametrize("fname, arg, kind", CASES)
def test_bad_input_raises_naming_the_argument(fname, arg, kind):
    fn, good, kinds = SPEC[fname]
    value = kinds[arg][kind](good.get(arg, None))
    with pytest.raises((ValueError, TypeError)) as err:
        fn(**{**good, arg: value})
    message = str(err.value)
    assert re.search(rf"(?<![A-Za-z0-9_]){re.escape(arg)}(?![A-Za-z0-9_])", message), (
        f"{type(err.value).__name__}: {message}")


# --- values a user expects to work: numpy scalars as parameters, numpy ints as counts ---
GOOD = {
    "get_f alpha np.float32": lambda: dv.get_f("alpha", alpha=np.float32(0.5)),
    "get_f alpha np.int64": lambda: dv.get_f("alpha", alpha=np.int64(2)),
    "get_f pi np.float64": lambda: dv.get_f("weighted_jensen_shannon", pi=np.float64(0.3)),
    "renyi order np.float32": lambda: dv.renyi_divergence_gaussian(
        MEAN2, COV2, MEAN2 + 1, COV2, order=np.float32(2.0)),
    "mmd bandwidth np.float32": lambda: dv.mmd_test(X2, Y2, bandwidth=np.float32(1.0),
                                                    n_permutations=np.int64(9), rng=np.int64(0)),
    "mmd_agg numpy settings": lambda: dv.mmd_agg_test(
        X2, Y2, n_bandwidths=np.int64(3), n_permutations=np.int64(9),
        n_permutations_single=np.int32(9), level=np.float32(0.1), rng=np.int64(0)),
    "mmd_fuse numpy settings": lambda: dv.mmd_fuse_test(
        X2, Y2, n_bandwidths=np.int64(3), n_permutations=np.int64(9), rng=np.int64(0)),
    "clip_value np.float32": lambda: dv.clip_weights(torch.nn.Identity(), np.float32(0.1)),
    "wasserstein p np.int64": lambda: dv.wasserstein_1d(X1, Y1, p=np.int64(2)),
    "smile tau np.float32": lambda: dv.smile_bound(S4, tau=np.float32(2.0)),
    "mine decay np.float64": lambda: dv.mine_step(torch.tensor(S4), decay=np.float64(0.9)),
    "c2st numpy settings": lambda: dv.c2st(X2, Y2, classifier="logistic", rng=0,
                                           test_fraction=np.float32(0.5),
                                           training={"max_epochs": np.int64(2)}),
    "estimate numpy settings": lambda: dv.estimate_f_divergence(
        X2, Y2, steps=np.int64(2), batch_size=np.int32(8), lr=np.float32(1e-3),
        eval_fraction=np.float64(0.3), rng=0),
    "sliced n_projections np.int64": lambda: dv.sliced_wasserstein(X2, Y2,
                                                                   n_projections=np.int64(4),
                                                                   rng=0),
    "problems numpy d": lambda: problems.CorrelatedGaussians(d=np.int64(2), mi=np.float32(0.5)),
    "isotropic numpy d": lambda: problems.GaussianPair.isotropic(d=np.int64(2),
                                                                 shift=np.float32(1.0)),
}


@pytest.mark.filterwarnings("ignore:the estimate .* is .*below zero:RuntimeWarning")
@pytest.mark.parametrize("name", list(GOOD))
def test_numpy_scalars_are_accepted(name):
    GOOD[name]()
