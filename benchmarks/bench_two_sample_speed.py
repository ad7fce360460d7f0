"""Speed of the two-sample tests against the common recipes, ratios in one run.

Targets (issue 4):
* c2st with the default MLP at n = 20,000 per sample, d = 10, CPU: >= 5x faster than
  z-scoring + sklearn MLPClassifier((10d, 10d), early_stopping=True) with 5-fold
  cross-validated accuracy; rejection power no lower on a 0.2-sigma shift of one coordinate;
* mmd_test and energy_test at n = 2,000 per sample, d = 5, 1,000 permutations: >= 10x
  faster than hyppo's MMD().test / Energy().test (workers=1), p-values agreeing within
  Monte-Carlo error.
Needs scikit-learn and hyppo for the comparisons (skipped with a note otherwise): in
a separate virtual environment, never as project dependencies,

    python3 -m venv /tmp/hyppo-venv
    /tmp/hyppo-venv/bin/pip install hyppo scikit-learn
    /tmp/hyppo-venv/bin/pip install -c constraints.txt -e .

Run (one BLAS thread on both sides, as issue 13 measures hyppo with workers=1):
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
        /tmp/hyppo-venv/bin/python benchmarks/bench_two_sample_speed.py \
        [--power-trials 5] [--only kernel] [--repeat 3]
Times are the best of ``--repeat`` calls for each side.
"""

import argparse
import os
import time

import numpy as np
from scipy import stats

import divergences as dv


def sklearn_recipe(x, y, d, seed):
    from sklearn.model_selection import cross_val_score
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    z = np.concatenate([x, y])
    labels = np.concatenate([np.ones(len(x)), np.zeros(len(y))])
    clf = make_pipeline(StandardScaler(), MLPClassifier((10 * d, 10 * d), early_stopping=True,
                                                        random_state=seed, max_iter=200))
    acc = cross_val_score(clf, z, labels, cv=5).mean()
    # the common recipe's p-value: accuracy over all 2n points against Binomial(2n, 1/2)
    n_te = len(z)
    return acc, stats.binom.sf(round(acc * n_te) - 1, n_te, 0.5)


def _best(call, repeat):
    """Best wall time of ``repeat`` calls, and the last result."""
    best = float("inf")
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        out = call()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--power-trials", type=int, default=5)
    parser.add_argument("--only", choices=["all", "c2st", "kernel"], default="all")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if args.only != "kernel":
        c2st_speed(args)
    if args.only != "c2st":
        kernel_speed(args)


def c2st_speed(args):
    rng = np.random.default_rng(0)
    d, n = 10, 20_000
    shift = np.zeros(d)
    shift[0] = 0.2
    print(f"c2st, n = {n:,} per sample, d = {d}, 0.2-sigma shift in one coordinate")
    ours_t, ref_t, ours_rej, ref_rej = [], [], 0, 0
    try:
        import sklearn  # noqa: F401
        have_sklearn = True
    except ImportError:
        have_sklearn = False
    for trial in range(args.power_trials):
        x, y = rng.normal(size=(n, d)), rng.normal(size=(n, d)) + shift
        t0 = time.perf_counter()
        res = dv.c2st(x, y, rng=trial)
        ours_t.append(time.perf_counter() - t0)
        ours_rej += res.pvalue <= 0.05
        if have_sklearn:
            t0 = time.perf_counter()
            _, p = sklearn_recipe(x, y, d, trial)
            ref_t.append(time.perf_counter() - t0)
            ref_rej += p <= 0.05
    line = f"  divergences.c2st: {np.median(ours_t):6.2f} s/test, power {ours_rej}/{args.power_trials}"
    if have_sklearn:
        line += (f" | sklearn recipe: {np.median(ref_t):6.2f} s/test, power {ref_rej}/{args.power_trials}"
                 f" -> speed-up {np.median(ref_t) / np.median(ours_t):.1f}x (target >= 5x)")
    else:
        line += " | scikit-learn not installed"
    print(line)


def kernel_speed(args):
    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", torch.get_num_threads())))
    rng = np.random.default_rng(1)
    print("\nmmd_test / energy_test, n = 2,000 per sample, d = 5, 1,000 permutations")
    try:
        from hyppo.ksample import MMD, Energy
    except ImportError:
        MMD = Energy = None
    x, y = rng.normal(size=(2000, 5)), rng.normal(size=(2000, 5)) + 0.05
    for name, ours, ref in (("mmd", dv.mmd_test, MMD), ("energy", dv.energy_test, Energy)):
        t_ours, res = _best(lambda: ours(x, y, n_permutations=1000, rng=0), args.repeat)
        line = f"  {name:<7} divergences {t_ours:6.2f} s (p = {res.pvalue:.3f})"
        if ref is not None:
            t_ref, out = _best(lambda: ref().test(x, y, reps=1000, workers=1, random_state=0),
                               args.repeat)
            mc = 2 * np.sqrt(max(res.pvalue * (1 - res.pvalue), 1e-3) / 1000)
            line += (f" | hyppo {t_ref:6.2f} s (p = {float(out.pvalue):.3f}) -> {t_ref / t_ours:5.1f}x"
                     f" (target >= 10x); |dp| = {abs(res.pvalue - float(out.pvalue)):.3f}"
                     f" vs 2 MC s.e. {mc:.3f}")
        else:
            line += " | hyppo not installed"
        print(line)


if __name__ == "__main__":
    main()
