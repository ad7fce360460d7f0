"""Power against wall time of every two-sample test, from 500 to 10^6 points (issue 28).

Two problems: Liu et al.'s Blob (2-D, i.i.d. generator) and a d = 10 mean-and-scale
shift (Q = N(0.03 e_1, diag(1.05, 1, ..., 1)) against P = N(0, I)).  For each test and
each n on the grid, ``--reps`` data sets are tested at level 0.05; a test stops at the
first n where one call takes more than ``--budget`` seconds.  One CSV row per (problem,
test, n): mean seconds per call, power, its binomial standard error.  ``--plot`` draws
power against time (log scale) per problem from the CSV.

    .venv/bin/python benchmarks/bench_power_time.py --out docs/figures/power_time.csv
    .venv/bin/python benchmarks/bench_power_time.py --plot docs/figures/power_time.csv \
        docs/figures/power_time.png
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import divergences as dv  # noqa: E402
from problems_two_sample import blob  # noqa: E402

GRID = (500, 2000, 8000, 32_000, 128_000, 512_000, 1_000_000)

TESTS = {
    "mmd (median)": lambda x, y, r: dv.mmd_test(x, y, n_permutations=200, rng=r),
    "energy": lambda x, y, r: dv.energy_test(x, y, n_permutations=200, rng=r),
    "mmd_agg": lambda x, y, r: dv.mmd_agg_test(x, y, rng=r),
    "mmd_fuse": lambda x, y, r: dv.mmd_fuse_test(x, y, n_permutations=500, rng=r),
    "c2st (logistic)": lambda x, y, r: dv.c2st(x, y, classifier="logistic", rng=r),
    "mmd_agg_inc": lambda x, y, r: dv.mmd_agg_inc_test(x, y, rng=r),
    "mmd_rff": lambda x, y, r: dv.mmd_rff_test(x, y, rng=r),
    "mmd_nystrom": lambda x, y, r: dv.mmd_nystrom_test(x, y, rng=r),
}


def shift(gen, n):
    x = gen.normal(size=(n, 10))
    y = gen.normal(size=(n, 10))
    y[:, 0] = y[:, 0] * math.sqrt(1.05) + 0.03
    return x, y


PROBLEMS = {"blob": lambda gen, n: blob(gen, max(1, n // 9)), "shift_d10": shift}


def run(args):
    rows = []
    with open(args.out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["problem", "test", "n", "seconds", "power", "stderr", "reps"])
        for prob, make in PROBLEMS.items():
            for name, test in TESTS.items():
                if args.only and args.only not in name:
                    continue
                for n in GRID:
                    hits, secs = 0, []
                    for r in range(args.reps):
                        x, y = make(np.random.default_rng(10_000 * r + n), n)
                        start = time.perf_counter()
                        res = test(x, y, r)
                        secs.append(time.perf_counter() - start)
                        hits += res.pvalue <= 0.05
                        if secs[-1] > args.budget:
                            break
                    reps = len(secs)
                    power = hits / reps
                    row = [prob, name, n, float(np.mean(secs)), power,
                           math.sqrt(max(power * (1 - power), 1e-12) / reps), reps]
                    w.writerow(row)
                    fh.flush()
                    rows.append(row)
                    print(*row, flush=True)
                    if max(secs) > args.budget:
                        break


def plot(path, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = list(csv.DictReader(open(path)))
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, prob in zip(axes, PROBLEMS):
        for name in TESTS:
            pts = [(float(r["seconds"]), float(r["power"]), int(r["n"])) for r in data
                   if r["problem"] == prob and r["test"] == name]
            if not pts:
                continue
            t, p, n = zip(*pts)
            style = "-o" if name in ("mmd_agg_inc", "mmd_rff", "mmd_nystrom") else "--s"
            ax.plot(t, p, style, label=name, markersize=4)
        ax.set_xscale("log")
        ax.set_xlabel("seconds per test (2-core CPU)")
        ax.set_title({"blob": "Blob (Liu et al. 2020)",
                      "shift_d10": "d = 10 mean-and-scale shift"}[prob])
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("power at level 0.05")
    axes[1].legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(out, dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out")
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--only", default=None)
    parser.add_argument("--plot", nargs=2)
    args = parser.parse_args()
    if args.plot:
        plot(*args.plot)
    else:
        run(args)


if __name__ == "__main__":
    main()
