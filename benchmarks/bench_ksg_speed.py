"""KSG mutual information against scikit-learn's estimator on the same data (issue 28).

scikit-learn's ``mutual_info_regression`` computes the KSG estimate of each feature by
``sklearn.feature_selection._mutual_info._compute_mi_cc`` (k-th neighbour by a
Chebyshev KD-tree, then radius counts); that function is timed on the same standardised
1-D pairs as ``divergences.ksg_mutual_information(x, y, k=3)`` (variant 1, max-norm).
scikit-learn is never a project dependency: the two sides run in separate
interpreters, the peer in its own virtual environment::

    /tmp/hyppo-venv/bin/python benchmarks/bench_ksg_speed.py --side sklearn --out S.json
    .venv/bin/python benchmarks/bench_ksg_speed.py --side ours --out O.json
    .venv/bin/python benchmarks/bench_ksg_speed.py --table S.json O.json

Each side: best of 7 calls after a warm-up, at n = 2*10^4 and 10^6 pairs, y = 0.8 x +
0.6 e (I = -log 0.6 = 0.511 nats); the values must agree (same estimator).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

SIZES = (20_000, 1_000_000)


def data(n):
    gen = np.random.default_rng(n)
    x = gen.standard_normal(n)
    y = 0.8 * x + 0.6 * gen.standard_normal(n)
    return (x - x.mean()) / x.std(), (y - y.mean()) / y.std()


def best_of(fn, repeats=7):
    out = fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, float(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=["sklearn", "ours"])
    parser.add_argument("--out")
    parser.add_argument("--table", nargs=2)
    args = parser.parse_args()
    if args.table:
        sk, ours = (json.load(open(p)) for p in args.table)
        print("| n | scikit-learn _compute_mi_cc | divergences KSG | speed-up | values |")
        print("|---|---|---|---|---|")
        for n in map(str, SIZES):
            print(f"| {int(n):,} | {sk[n]['seconds']:.3f} s | {ours[n]['seconds']:.3f} s | "
                  f"{sk[n]['seconds'] / ours[n]['seconds']:.1f}x | {sk[n]['value']:.6f} / "
                  f"{ours[n]['value']:.6f} |")
        return
    out = {}
    for n in SIZES:
        x, y = data(n)
        if args.side == "sklearn":
            from sklearn.feature_selection._mutual_info import _compute_mi_cc
            fn = lambda: _compute_mi_cc(x, y, 3)  # noqa: E731
        else:
            import divergences as dv
            fn = lambda: dv.ksg_mutual_information(x, y, k=3, standardize=False).value  # noqa
        seconds, value = best_of(fn, 7 if n < 10 ** 6 else 3)
        out[n] = {"seconds": seconds, "value": value}
        print(args.side, n, f"{seconds:.4f} s", value)
    json.dump(out, open(args.out, "w"))


if __name__ == "__main__":
    main()
