"""The linear-time tests at 10^6 points per sample in d = 10: time and peak memory (issue 28).

Each (test, problem) runs in a fresh interpreter so that its peak resident memory
(``ru_maxrss``, data included: two float64 arrays of 10^6 x 10 are 160 MB) is its own.
Problems: two Gaussians under H0 (``null``), a mean-and-scale shift of the first
coordinate (``shift``: mean 0.01, variance 1.02), and Liu et al.'s Blob at 10^6 points
(``blob``, 2-D).  Defaults of each test.  Run from the repository root:

    .venv/bin/python benchmarks/bench_linear_scale.py [--n 1000000] [--reps 1]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def child(test, problem, n, seed):
    sys.path.insert(0, HERE)
    import divergences as dv
    from problems_two_sample import blob

    gen = np.random.default_rng(seed)
    if problem == "blob":
        x, y = blob(gen, n // 9)
    else:
        x, y = gen.normal(size=(n, 10)), gen.normal(size=(n, 10))
        if problem == "shift":
            y[:, 0] = y[:, 0] * math.sqrt(1.02) + 0.01
    fn = {"mmd_agg_inc": dv.mmd_agg_inc_test, "mmd_rff": dv.mmd_rff_test,
          "mmd_nystrom": dv.mmd_nystrom_test}[test]
    start = time.perf_counter()
    res = fn(x, y, rng=seed)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20   # KiB -> GiB
    print(json.dumps({"test": test, "problem": problem, "n": n, "seconds": seconds,
                      "peak_gib": peak, "pvalue": res.pvalue}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--child", nargs=4)
    args = parser.parse_args()
    if args.child:
        test, problem, n, seed = args.child
        child(test, problem, int(n), int(seed))
        return
    print("| test | problem | n | seconds | peak memory | p-value |")
    print("|---|---|---|---|---|---|")
    for test in ("mmd_agg_inc", "mmd_rff", "mmd_nystrom"):
        for problem in ("null", "shift", "blob"):
            for rep in range(args.reps):
                out = subprocess.run([sys.executable, __file__, "--child", test, problem,
                                      str(args.n), str(rep)], capture_output=True, text=True,
                                     check=True)
                r = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"| {test} | {problem} | {r['n']:,} | {r['seconds']:.1f} | "
                      f"{r['peak_gib']:.2f} GiB | {r['pvalue']:.3g} |", flush=True)


if __name__ == "__main__":
    main()
