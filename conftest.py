"""Fixtures for every test of the repository: tests/ and the doctests in divergences/."""

import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Every test runs with one torch thread, restored afterwards.

    Training results then do not depend on the machine's core count, on
    OMP_NUM_THREADS or on pytest-xdist (the order of float reductions is fixed),
    and parallel workers do not oversubscribe the cores.  The library itself
    never changes torch's thread settings; only the tests do, here.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
