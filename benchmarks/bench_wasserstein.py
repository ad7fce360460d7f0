"""Speed and memory of wasserstein_1d against scipy (and POT when installed).

Targets (issue 3), each a ratio measured in this run:
* n = m = 10^7 unweighted float64: >= 20x faster than scipy.stats.wasserstein_distance;
  also reported: the time of the two sorts alone (the floor);
* weighted, unequal sizes (10^6 vs 7 * 10^5): >= 3x faster than scipy;
* 1,000 problems of 10^4 samples in one call: >= 20x faster than looping scipy,
  and faster than POT's batched ``ot.wasserstein_1d`` when POT is installed;
* memory: peak extra allocation <= about 4 arrays of the input size.

Run: python benchmarks/bench_wasserstein.py [--n 10000000] [--torch]
"""

import argparse
import math
import tracemalloc

import numpy as np
from scipy.stats import wasserstein_distance

from _timing import best_of

import divergences as dv


def peak_bytes(fn):
    """Peak numpy allocation during fn() (numpy reports its buffers to tracemalloc)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n = args.n

    print(f"1) unweighted, n = m = {n:,} float64")
    u, v = rng.normal(size=n), rng.normal(0.5, 2.0, size=n)
    ours = best_of(lambda: dv.wasserstein_1d(u, v), args.repeat)
    sorts = best_of(lambda: (np.sort(u), np.sort(v)), args.repeat)
    scipy_t = best_of(lambda: wasserstein_distance(u, v), 1, warmup=0)
    assert math.isclose(dv.wasserstein_1d(u, v), wasserstein_distance(u, v), rel_tol=1e-9)
    print(f"   divergences {ours:7.3f} s | scipy {scipy_t:7.3f} s -> {scipy_t / ours:5.1f}x "
          f"(target >= 20x) | two sorts {sorts:7.3f} s -> ours / sorts = {ours / sorts:4.2f}")
    peak = peak_bytes(lambda: dv.wasserstein_1d(u, v))
    print(f"   peak extra memory {peak / u.nbytes:4.2f} x the size of one input (target <= ~4)")

    print("2) weighted, unequal sizes 10^6 vs 7 * 10^5")
    u, v = rng.normal(size=1_000_000), rng.normal(size=700_000)
    a, b = rng.random(u.size), rng.random(v.size)
    ours = best_of(lambda: dv.wasserstein_1d(u, v, a, b), args.repeat)
    scipy_t = best_of(lambda: wasserstein_distance(u, v, a, b), args.repeat)
    assert math.isclose(dv.wasserstein_1d(u, v, a, b), wasserstein_distance(u, v, a, b),
                        rel_tol=1e-9)
    print(f"   divergences {ours:7.3f} s | scipy {scipy_t:7.3f} s -> {scipy_t / ours:5.1f}x (target >= 3x)")
    peak = peak_bytes(lambda: dv.wasserstein_1d(u, v, a, b))
    print(f"   peak extra memory {peak / u.nbytes:4.2f} x the size of the larger input")

    print("3) 1,000 problems of 10^4 samples each")
    U, V = rng.normal(size=(1000, 10_000)), rng.normal(0.1, 1.0, size=(1000, 10_000))
    ours = best_of(lambda: dv.wasserstein_1d(U, V), args.repeat)
    loop = best_of(lambda: [wasserstein_distance(U[i], V[i]) for i in range(1000)], 1, warmup=0)
    np.testing.assert_allclose(dv.wasserstein_1d(U[:5], V[:5]),
                               [wasserstein_distance(U[i], V[i]) for i in range(5)], rtol=1e-9)
    line = (f"   divergences {ours:7.3f} s | scipy loop {loop:7.3f} s -> {loop / ours:5.1f}x "
            "(target >= 20x)")
    try:
        import ot

        # POT solves along axis 0 and returns W_p^p; p = 1 is W_1 itself
        Ut, Vt = np.ascontiguousarray(U.T), np.ascontiguousarray(V.T)
        pot = best_of(lambda: ot.wasserstein_1d(Ut, Vt, p=1), args.repeat)
        np.testing.assert_allclose(ot.wasserstein_1d(Ut, Vt, p=1)[:5], dv.wasserstein_1d(U[:5], V[:5]),
                                   rtol=1e-9)
        line += f" | POT {pot:7.3f} s -> {pot / ours:4.2f}x"
    except ImportError:
        line += " | POT not installed"
    print(line)

    try:
        import torch
    except ImportError:
        return
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for device in devices:
        size = 100_000_000 if device == "cuda" else 10_000_000
        print(f"4) torch on {device}: n = m = {size:,} float32")
        gen = torch.Generator(device=device).manual_seed(0)
        tu = torch.randn(size, generator=gen, device=device)
        tv = torch.randn(size, generator=gen, device=device) + 0.5

        def sync():
            if device == "cuda":
                torch.cuda.synchronize()

        def ours_t():
            dv.wasserstein_1d(tu, tv)
            sync()

        def sort_t():
            torch.sort(tu)
            torch.sort(tv)
            sync()

        t_ours, t_sort = best_of(ours_t, args.repeat), best_of(sort_t, args.repeat)
        print(f"   divergences {t_ours:7.3f} s | two torch.sort {t_sort:7.3f} s -> ratio "
              f"{t_ours / t_sort:4.2f} (target on CUDA <= 3)")


if __name__ == "__main__":
    main()
