"""Sweep of the C2ST classifier's training settings: the measured basis of ``c2st``'s defaults.

Issue 13: the default C2ST stopped training almost at once (0.06 s per call on Blob)
and had almost no power where kernel tests reach 1.  This script measures, on the
problems of the power benchmark, the rejection rate at alpha = 0.05 and the seconds
per call of each setting, one setting changed at a time from a base.  The test's
level does not depend on the training (the held-out accuracy's binomial p-value is
exact for any classifier), so only power and time are compared.

Run:  .venv/bin/python benchmarks/bench_c2st_defaults.py [--trials 50] [--threads 1]
"""

import argparse
import math
import time

import numpy as np
import torch

from bench_two_sample_power import hdgm
from problems_two_sample import blob, gaussian_vs_student

import divergences as dv

SETTINGS = {
    "old default (patience 5, 100 epochs)": dict(patience=5, max_epochs=100),
    "patience 20, 300 epochs": dict(patience=20, max_epochs=300),
    "  + lr 1e-2": dict(patience=20, max_epochs=300, lr=1e-2),
    "  + lr 1e-3": dict(patience=20, max_epochs=300, lr=1e-3),
    "  + hidden (128, 128)": dict(patience=20, max_epochs=300, hidden=(128, 128)),
    "  + hidden (32, 32)": dict(patience=20, max_epochs=300, hidden=(32, 32)),
    "  + batch 64": dict(patience=20, max_epochs=300, batch_size=64),
    "  + test_fraction 0.3": dict(patience=20, max_epochs=300, test_fraction=0.3),
    "patience 50, 500 epochs": dict(patience=50, max_epochs=500),
}

PROBLEMS = {
    "Blob N=720": lambda r: blob(r, 80),
    "HDGM N=1000": lambda r: hdgm(r, 1000),
    "Student nu=10 n=2000": lambda r: gaussian_vs_student(r, 2000, 10),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"c2st (accuracy statistic), alpha = 0.05, {args.trials} repetitions, "
          f"{args.threads} thread(s); cells: power (s.e.), seconds per call")
    print("| setting | " + " | ".join(PROBLEMS) + " |")
    print("|---|" + "---|" * len(PROBLEMS))
    for label, kw in SETTINGS.items():
        cells = []
        for pname, make in PROBLEMS.items():
            rng = np.random.default_rng(sum(map(ord, pname)))     # same data per setting
            hits, secs = 0, 0.0
            for rep in range(args.trials):
                x, y = make(rng)
                t0 = time.perf_counter()
                split = {k: v for k, v in kw.items() if k == "test_fraction"}
                training = {k: v for k, v in kw.items() if k != "test_fraction"}
                hits += dv.c2st(x, y, rng=rep, training=training, **split).pvalue <= 0.05
                secs += time.perf_counter() - t0
            rate = hits / args.trials
            se = math.sqrt(max(rate * (1 - rate), 1e-12) / args.trials)
            cells.append(f"{rate:.2f} ({se:.2f}), {secs / args.trials:.2f} s")
        print(f"| {label.strip()} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
