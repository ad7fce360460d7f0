"""No public function changes torch's or numpy's global RNG, the default dtype or the
thread count: results depend on ``rng=`` only (issue 12, item 11)."""

import warnings

import numpy as np
import pytest
import torch

import divergences as dv
from divergences.benchmark.harness import MIEstimator, bias_variance
from divergences.benchmark.problems import mi_staircase

RNG = np.random.default_rng(0)
X, Y = RNG.normal(size=(300, 2)), RNG.normal(size=(300, 2))

CALLS = {
    "c2st logistic": lambda: dv.c2st(X, Y, classifier="logistic", rng=0),
    "c2st mlp": lambda: dv.c2st(X, Y, rng=0, training={"max_epochs": 3}),
    "c2st folds": lambda: dv.c2st(X, Y, classifier="logistic", n_folds=2, n_retrainings=2,
                                  rng=0),
    "estimate_f_divergence": lambda: dv.estimate_f_divergence(X, Y, steps=5, rng=0),
    "estimate_mutual_information": lambda: dv.estimate_mutual_information(
        X, Y, steps=5, batch_size=32, rng=0),
    "estimate_mutual_information concat": lambda: dv.estimate_mutual_information(
        X, Y, critic="concat", steps=5, batch_size=32, rng=0),
    "estimate_mutual_information tuba": lambda: dv.estimate_mutual_information(
        X, Y, bound="tuba", steps=5, batch_size=32, rng=0),
    "estimate_mutual_information_batched": lambda: dv.estimate_mutual_information_batched(
        X[None], Y[None], bound="interpolated", steps=5, batch_size=32, rng=0),
    "bias_variance": lambda: bias_variance({"i": MIEstimator("infonce", steps=3, batch_size=32)},
                                           mi_staircase(d=2, mis=(0.5,)), sample_sizes=[400],
                                           n_trials=2, rng=0),
    "mmd_test torch": lambda: dv.mmd_test(torch.tensor(X), torch.tensor(Y),
                                          n_permutations=10, rng=0),
    "energy_test": lambda: dv.energy_test(X, Y, n_permutations=10, rng=0),
    "wasserstein_test torch": lambda: dv.wasserstein_test(torch.tensor(X[:, 0]),
                                                          torch.tensor(Y[:, 0]),
                                                          n_permutations=10, rng=0),
    "sliced_wasserstein torch": lambda: dv.sliced_wasserstein(torch.tensor(X), torch.tensor(Y),
                                                              rng=0),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_global_state_is_untouched(name):
    # the seeds make the comparison meaningful; fork_rng and the saved numpy state
    # put both global generators back afterwards for the suite-wide check in conftest
    saved = np.random.get_state()
    with torch.random.fork_rng(), warnings.catch_warnings():
        # a few training steps give negative estimates, reported with a warning: not the point
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            _check_untouched(name)
        finally:
            np.random.set_state(saved)


def _check_untouched(name):
    torch.manual_seed(1234)
    np.random.seed(1234)
    torch_state = torch.random.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()
    dtype, threads = torch.get_default_dtype(), torch.get_num_threads()
    CALLS[name]()
    assert torch.equal(torch.random.get_rng_state(), torch_state), "torch's global RNG moved"
    assert np.array_equal(np.random.get_state()[1], numpy_state), "numpy's global RNG moved"
    assert torch.get_default_dtype() == dtype and torch.get_num_threads() == threads
