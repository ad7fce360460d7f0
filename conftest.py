"""Fixtures for every test of the repository: tests/ and the doctests in divergences/."""

import pathlib

import numpy as np
import pytest
import torch


def _global_state():
    return (torch.random.get_rng_state(), np.random.get_state()[1].copy(),
            np.random.get_state()[2], torch.get_default_dtype(), torch.get_num_threads())


@pytest.fixture(autouse=True)
def one_torch_thread_and_untouched_global_state(request):
    """Every test runs with one torch thread and must leave global state alone.

    One thread: training results then do not depend on the machine's core count,
    on OMP_NUM_THREADS or on pytest-xdist (the order of float reductions is
    fixed), and parallel workers do not oversubscribe the cores.  The library
    itself never changes torch's thread settings; only the tests do, here.

    Global state: the test fails if it (the library, or the test's own code)
    moved torch's or numpy's global RNG, or changed the default dtype or the
    thread count (issue 12: results depend on ``rng=`` only).  A test that
    means to use the global RNG draws inside ``torch.random.fork_rng()`` or
    uses a local generator.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    state = _global_state()
    try:
        yield
        after = _global_state()
        moved = [name for name, a, b in zip(
            ("torch's global RNG", "numpy's global RNG", "numpy's global RNG position",
             "the default dtype", "the thread count"), state, after)
            if not (torch.equal(a, b) if isinstance(a, torch.Tensor)
                    else np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b)]
        if moved:
            pytest.fail(f"{request.node.nodeid} changed {', '.join(moved)}", pytrace=False)
    finally:
        torch.set_num_threads(before)
        torch.set_default_dtype(state[3])


# the module paths of earlier releases are aliases that warn and stand for their new
# homes (divergences/_backend/deprecation.py): their doctests are collected there, not twice
collect_ignore = [str(p) for p in pathlib.Path(__file__).parent.joinpath("divergences").glob("*.py")
                  if "moved(__name__" in p.read_text()]
