"""Power and type-I error of every two-sample test, side by side, with time per test.

Issue 13.  Problems (alpha = 0.05, fresh data per repetition):

* ``blob``: the Blob problem of Liu et al. (2020) as their code draws it (i.i.d. blob
  assignment; ``problems_two_sample.blob``), N = 9 * per_blob points per sample;
* ``blob-stratified``: the stratified Blob generator this repository used before
  (exactly N/9 points per blob), on which the figures quoted in issue 13 were measured;
* ``student``: N(0, 1) against Student-t(nu) in 1-D (Lopez-Paz & Oquab 2017);
* ``hdgm``: Liu et al.'s high-dimensional Gaussian mixture (d = 10, two components,
  Q's covariances with +-0.5 correlation between the first two coordinates);
* the nulls ``null-gaussian`` (N(0, I_5), n = 200), ``null-blob`` (Blob, both samples
  from P, N = 180) and ``null-student`` (Student-t(3) in 5-D, n = 200), whose
  rejection rates are compared with the binomial 99 % band and whose p-values are
  KS-tested for uniformity (the permutation tests).

Run (each block is one call; ``--tests`` picks a subset of ``all_tests``, default every
test but ``c2st_logit`` and ``mmd_deep``; one thread unless ``--threads``):

    .venv/bin/python benchmarks/bench_two_sample_power.py --problem blob --sizes 90 180 360 720 \\
        --trials 100 --tests c2st c2st_logit mmd energy mmd_agg mmd_fuse \\
        --figure docs/figures/power_blob.png
    .venv/bin/python benchmarks/bench_two_sample_power.py --problem null-blob --trials 200
    .venv/bin/python benchmarks/bench_two_sample_power.py --problem student --sizes 5 10 15 20 \\
        --n 2000 --trials 50

Cells: rejection rate (and its Monte-Carlo standard error), then the mean seconds
per test.  The MMDAgg figures of the issue (reference numpy code, B1 = B2 = 500) are
printed beside the Blob table for comparison.
"""

import argparse
import math
import time

import numpy as np
import torch
from scipy import stats

from problems_two_sample import blob, blob_stratified, gaussian_vs_student

import divergences as dv

MMDAGG_REFERENCE = {90: 0.18, 180: 0.39, 360: 0.94, 720: 1.00, 1440: 1.00}


def all_tests(perms):
    return {
        "c2st": lambda x, y, r: dv.c2st(x, y, rng=r),
        "mmd": lambda x, y, r: dv.mmd_test(x, y, n_permutations=perms, rng=r),
        "energy": lambda x, y, r: dv.energy_test(x, y, n_permutations=perms, rng=r),
        "mmd_agg": lambda x, y, r: dv.mmd_agg_test(x, y, n_permutations=500, n_permutations_single=500, rng=r),
        "mmd_fuse": lambda x, y, r: dv.mmd_fuse_test(x, y, n_permutations=perms, rng=r),
        "c2st_logit": lambda x, y, r: dv.c2st(x, y, statistic="logit", n_permutations=perms,
                                              rng=r),
        "mmd_deep": lambda x, y, r: dv.mmd_deep_test(x, y, n_permutations=perms, rng=r),
    }


#: the tests run unless --tests names others (mmd_deep trains for 20-170 s per test)
DEFAULT_TESTS = ["c2st", "mmd", "energy", "mmd_agg", "mmd_fuse"]


def hdgm(rng, n, d=10, null=False):
    """Liu et al. (2020) HDGM as their code draws it: n/2 points from each of two Gaussians.

    Means 0 and 0.5 * 1_d; P's covariances are the identity; Q's have correlation 0.5
    (first component) and -0.5 (second) between the first two coordinates
    (``Deep_Kernel_HDGM.py`` draws exactly n/2 points per component).
    """
    half = n // 2
    means = (np.zeros(d), np.full(d, 0.5))

    def draw(corrs):
        out = []
        for mean, corr in zip(means, corrs):
            cov = np.eye(d)
            cov[0, 1] = cov[1, 0] = corr
            out.append(rng.multivariate_normal(mean, cov, size=half))
        return np.concatenate(out)

    return draw((0.0, 0.0)), draw((0.0, 0.0) if null else (0.5, -0.5))


def problem(name, size, n):
    if name == "blob":
        return lambda r: blob(r, size // 9)
    if name == "blob-stratified":
        return lambda r: blob_stratified(r, size // 9)
    if name == "student":
        return lambda r: gaussian_vs_student(r, n, size)
    if name == "hdgm":
        return lambda r: hdgm(r, size)
    if name == "null-gaussian":
        return lambda r: (r.normal(size=(200, 5)), r.normal(size=(200, 5)))
    if name == "null-blob":
        return lambda r: blob(r, 20, null=True)
    if name == "null-student":
        return lambda r: (r.standard_t(3, size=(200, 5)), r.standard_t(3, size=(200, 5)))
    raise ValueError(name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--problem", required=True,
                        choices=["blob", "blob-stratified", "student", "hdgm", "null-gaussian",
                                 "null-blob", "null-student"])
    parser.add_argument("--sizes", type=int, nargs="*", default=[0],
                        help="N per sample (blob, hdgm) or nu (student)")
    parser.add_argument("--n", type=int, default=2000, help="n per sample for student")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--permutations", type=int, default=500)
    parser.add_argument("--tests", nargs="*", default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--figure", default=None,
                        help="save a power-versus-size figure of this run (PNG path)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    suite = all_tests(args.permutations)
    suite = {k: suite[k] for k in (args.tests or DEFAULT_TESTS)}
    is_null = args.problem.startswith("null")
    print(f"{args.problem}: {args.trials} repetitions, alpha = 0.05, permutations "
          f"{args.permutations} (mmd_agg: B1 = B2 = 500); cells: rejection rate (s.e.), "
          f"seconds per test")
    head = "size" if args.problem != "student" else "nu"
    print(f"| {head} | " + " | ".join(suite) + (" | MMDAgg (issue) |" if "blob" in args.problem
                                                else " |"))
    print("|---|" + "---|" * (len(suite) + ("blob" in args.problem)))
    rates = {name: [] for name in suite}
    for size in args.sizes:
        make = problem(args.problem, size, args.n)
        cells, pvals = [], {}
        for name, test in suite.items():
            # the same data sets for every test: one generator per (problem, size)
            rng = np.random.default_rng([args.seed, size])
            p, secs = [], 0.0
            for rep in range(args.trials):
                x, y = make(rng)
                t0 = time.perf_counter()
                p.append(float(test(x, y, rep).pvalue))
                secs += time.perf_counter() - t0
            p = np.array(p)
            rate = float(np.mean(p <= 0.05))
            se = math.sqrt(max(rate * (1 - rate), 1e-12) / args.trials)
            cells.append(f"{rate:.2f} ({se:.2f}), {secs / args.trials:.2f} s")
            rates[name].append((rate, se))
            pvals[name] = p
        extra = (f" | {MMDAGG_REFERENCE.get(size, float('nan')):.2f}" if "blob" in args.problem
                 else "")
        print(f"| {size} | " + " | ".join(cells) + extra + " |", flush=True)
        if is_null:
            lo, hi = stats.binom.ppf([0.005, 0.995], args.trials, 0.05) / args.trials
            print(f"\nbinomial 99 % band of the rejection rate at 0.05: [{lo:.3f}, {hi:.3f}]")
            for name, p in pvals.items():
                if name != "c2st":
                    print(f"  {name}: KS p-value of uniformity {stats.kstest(p, 'uniform').pvalue:.3f}")
    if args.figure:
        power_figure(args, rates)


def power_figure(args, rates):
    """Rejection rate (with 2 standard errors) against the size, one line per test."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for name, cells in rates.items():
        rate, se = np.array(cells).T
        ax.errorbar(args.sizes, rate, 2 * se, marker="o", capsize=3, label=name)
    if "blob" in args.problem:
        ax.plot(args.sizes, [MMDAGG_REFERENCE.get(s, np.nan) for s in args.sizes], "k--",
                label="MMDAgg reference (issue 13)")
    ax.axhline(0.05, color="grey", lw=0.8)
    ax.set(xlabel="N per sample" if args.problem != "student" else "nu",
           ylabel="rejection rate at alpha = 0.05",
           title=f"{args.problem}, {args.trials} repetitions")
    if args.problem != "student":
        ax.set_xscale("log")
        ax.minorticks_off()
        ax.set_xticks(args.sizes, [str(s) for s in args.sizes])
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.figure, dpi=90)


if __name__ == "__main__":
    main()
