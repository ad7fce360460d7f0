"""Arrays from other libraries: anything numpy can read (__array__) or DLPack offers."""

import numpy as np
import pytest
import torch

import divergences as dv


class ArrayLike:
    """Like a JAX or xarray array on the CPU: numpy reads it through __array__."""

    def __init__(self, a):
        self._a = np.asarray(a)

    def __array__(self, dtype=None, copy=None):
        return self._a if dtype is None else self._a.astype(dtype)


class DLPackOnly:
    """Like a GPU array of another library: it offers DLPack and nothing else."""

    def __init__(self, a):
        self._a = np.ascontiguousarray(a)

    def __dlpack__(self, **kwargs):
        return self._a.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._a.__dlpack_device__()


P, Q = np.array([0.2, 0.3, 0.5]), np.array([0.4, 0.4, 0.2])
X, Y = np.random.default_rng(0).normal(size=(2, 30, 2))


@pytest.mark.parametrize("wrap, kind", [(ArrayLike, np.floating), (DLPackOnly, torch.Tensor)])
def test_foreign_arrays_are_accepted_and_the_return_type_is_documented(wrap, kind):
    ref = dv.kl_divergence(P, Q)
    got = dv.kl_divergence(wrap(P), wrap(Q))
    assert isinstance(got, kind) and float(got) == pytest.approx(float(ref), rel=1e-14)
    got = dv.wasserstein_1d(wrap(X[:, 0]), wrap(Y[:, 0]))
    assert float(got) == pytest.approx(float(dv.wasserstein_1d(X[:, 0], Y[:, 0])), rel=1e-14)
    assert dv.ksg_mutual_information(wrap(X), wrap(Y)).value == pytest.approx(
        dv.ksg_mutual_information(X, Y).value, abs=1e-12)
    # permutations come from numpy's or torch's generator, as for the converted input
    native = (lambda a: a) if wrap is ArrayLike else torch.from_numpy
    res = dv.energy_test(wrap(X), wrap(Y), n_permutations=19, rng=0)
    ref = dv.energy_test(native(X), native(Y), n_permutations=19, rng=0)
    assert res.pvalue == ref.pvalue and float(res.statistic) == float(ref.statistic)


def test_objects_without_either_protocol_are_refused_by_name():
    with pytest.raises(TypeError, match=r"p must be .*__array__ or __dlpack__"):
        dv.kl_divergence(object(), Q)
