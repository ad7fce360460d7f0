"""Throughput of batched trials against trials run one after another.

Target (issue 6): 20 trials of estimate_mutual_information (d = 20, batch 64,
separable 2 x 256 critic, 2,000 steps) trained as one batched network: at least 8x
the throughput of running them sequentially, on CPU (and on CUDA when available).

Run: python benchmarks/bench_batched_trials.py [--steps 2000] [--trials 20]
"""

import argparse
import math
import time

import numpy as np
import torch

import divergences as dv


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--sequential-trials", type=int, default=4,
                        help="sequential runs actually timed (scaled to --trials)")
    args = parser.parse_args()
    d, k, mi, n = 20, 64, 4.0, 20_000
    rng = np.random.default_rng(0)
    rho = math.sqrt(1 - math.exp(-2 * mi / d))
    x = rng.normal(size=(args.trials, n, d)).astype(np.float32)
    y = (rho * x + math.sqrt(1 - rho ** 2) * rng.normal(size=x.shape)).astype(np.float32)
    opts = dict(bound="infonce", steps=args.steps, batch_size=k, lr=5e-4, hidden=256,
                layers=2, embed_dim=32)
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for device in devices:
        t0 = time.perf_counter()
        batched = dv.estimate_mutual_information_batched(x, y, rng=0, device=device, **opts)
        t_batched = time.perf_counter() - t0
        t0 = time.perf_counter()
        seq = [dv.estimate_mutual_information(x[i], y[i], rng=i, device=device, **opts)
               for i in range(args.sequential_trials)]
        t_seq = (time.perf_counter() - t0) / args.sequential_trials * args.trials
        print(f"{device}: {args.trials} trials x {args.steps} steps (d = {d}, K = {k}, 2x256)")
        print(f"  batched:    {t_batched:7.1f} s  (mean estimate "
              f"{np.mean([e.value for e in batched]):.3f})")
        print(f"  sequential: {t_seq:7.1f} s  (from {args.sequential_trials} timed runs; mean "
              f"{np.mean([e.value for e in seq]):.3f})")
        print(f"  throughput ratio {t_seq / t_batched:.1f}x (target >= 8x)")


if __name__ == "__main__":
    main()
