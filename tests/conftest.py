"""Shared fixtures and helpers for the test suite."""

import os

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, settings

import divergences as dv

settings.register_profile(
    "default", deadline=None, max_examples=60,
    suppress_health_check=[HealthCheck.too_slow], derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

#: every generator of the table, parametrised ones at several parameter values
F_SPECS = [
    ("total_variation", {}),
    ("kl", {}),
    ("reverse_kl", {}),
    ("pearson", {}),
    ("neyman", {}),
    ("squared_hellinger", {}),
    ("jeffreys", {}),
    ("jensen_shannon", {}),
    ("gan", {}),
    ("weighted_jensen_shannon", {"pi": 0.3}),
    ("weighted_jensen_shannon", {"pi": 0.8}),
    ("alpha", {"alpha": -0.5}),
    ("alpha", {"alpha": 0.3}),
    ("alpha", {"alpha": 2.0}),
    ("alpha", {"alpha": 3.5}),
    ("le_cam", {}),
]


def spec_id(spec):
    name, params = spec
    return name + "".join(f"-{k}{v}" for k, v in params.items())


@pytest.fixture(params=F_SPECS, ids=spec_id)
def ffun(request):
    name, params = request.param
    return dv.get_f(name, **params)


def random_pmf(rng, n, zeros=0):
    """A PMF of length n with ``zeros`` entries set to exactly 0."""
    p = rng.dirichlet(np.ones(n))
    if zeros:
        p[rng.choice(n, size=zeros, replace=False)] = 0.0
        p /= p.sum()
    return p
