"""Small timing helpers shared by the benchmark scripts (not part of the package)."""

import time


def best_of(fn, repeat=5, warmup=1):
    """Best wall time of ``repeat`` calls after ``warmup`` calls, in seconds."""
    for _ in range(warmup):
        fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best
