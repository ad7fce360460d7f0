"""Power (and type-I error) tables for c2st, mmd_test and energy_test side by side.

Problems (DESIGN section 9): Gaussian vs Student-t (Lopez-Paz & Oquab 2017;
n = 2000 per sample, nu in {1, 2, 5, 10, 15, 20}), the Blob problem of Liu et
al. (2020), and the null N(0, I_5) vs N(0, I_5).  alpha = 0.05.

Run: python benchmarks/bench_two_sample_power.py [--trials 100] [--permutations 200]
"""

import argparse
import time

import numpy as np

from problems_two_sample import blob, gaussian_vs_student

import divergences as dv


def tests(perms):
    return {
        "c2st": lambda x, y, rng: dv.c2st(x, y, rng=rng),
        "mmd": lambda x, y, rng: dv.mmd_test(x, y, n_permutations=perms, rng=rng),
        "energy": lambda x, y, rng: dv.energy_test(x, y, n_permutations=perms, rng=rng),
    }


def rejection_rate(test, make, trials, rng, alpha=0.05):
    hits = 0
    for _ in range(trials):
        x, y = make(rng)
        hits += test(x, y, rng).pvalue <= alpha
    return hits / trials


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--permutations", type=int, default=200)
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    suite = tests(args.permutations)
    start = time.perf_counter()

    print(f"Type-I error, N(0, I_5) vs N(0, I_5), n = 200 per sample, {args.trials * 2} trials")
    for name, test in suite.items():
        rate = rejection_rate(test, lambda r: (r.normal(size=(200, 5)), r.normal(size=(200, 5))),
                              args.trials * 2, rng)
        print(f"  {name:<8} {rate:.3f}")

    print(f"\nPower, N(0,1) vs Student-t(nu), n = {args.n} per sample, {args.trials} trials")
    print("  nu   " + "".join(f"{k:>9}" for k in suite))
    for nu in (1, 2, 5, 10, 15, 20):
        rates = [rejection_rate(t, lambda r: gaussian_vs_student(r, args.n, nu), args.trials, rng)
                 for t in suite.values()]
        print(f"  {nu:<5}" + "".join(f"{r:>9.2f}" for r in rates))

    print(f"\nPower, Blob (Liu et al. 2020), {args.trials} trials")
    print("  n/blob" + "".join(f"{k:>9}" for k in suite))
    for per_blob in (10, 20, 40):
        rates = [rejection_rate(t, lambda r: blob(r, per_blob), args.trials, rng)
                 for t in suite.values()]
        print(f"  {per_blob:<6}" + "".join(f"{r:>9.2f}" for r in rates))
    rates = [rejection_rate(t, lambda r: blob(r, 20, null=True), args.trials, rng)
             for t in suite.values()]
    print("  null20" + "".join(f"{r:>9.2f}" for r in rates) + "   (type-I error on Blob)")
    print(f"\n(total {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
