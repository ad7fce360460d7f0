"""Training overhead of estimate_mutual_information against a minimal hand-written loop.

Target (issue 5): one training step of estimate_mutual_information within 1.3x of a
minimal PyTorch loop with the same critic, batch and optimizer, measured in one run.
Protocol: d = 20, batch 64, separable critic 2 x 256 (embedding 32), Adam lr 5e-4,
InfoNCE (Poole et al. 2019).  The library's time includes its validation checks and
the held-out evaluation, divided by the number of steps.

Run: python benchmarks/bench_estimators.py [--steps 1000]
"""

import argparse
import math
import time

import numpy as np
import torch

import divergences as dv
from divergences.critics import SeparableCritic


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1000)
    args = parser.parse_args()
    d, k, mi = 20, 64, 4.0
    rng = np.random.default_rng(0)
    rho = math.sqrt(1 - math.exp(-2 * mi / d))
    x = rng.normal(size=(20_000, d)).astype(np.float32)
    y = (rho * x + math.sqrt(1 - rho ** 2) * rng.normal(size=(20_000, d))).astype(np.float32)

    def library():
        return dv.estimate_mutual_information(x, y, bound="infonce", steps=args.steps,
                                              batch_size=k, lr=5e-4, hidden=256, layers=2,
                                              embed_dim=32, rng=0)

    def hand_written():
        gen = torch.Generator().manual_seed(0)
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
        critic = SeparableCritic(d, d, 256, 2, 32, generator=gen)
        opt = torch.optim.Adam(critic.parameters(), lr=5e-4)
        for _ in range(args.steps):
            idx = torch.randint(0, xt.shape[0], (k,), generator=gen)
            scores = critic(xt[idx], yt[idx])
            loss = -(math.log(k) + (scores.diag() - scores.logsumexp(0)).mean())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        return critic

    hand_written()  # warm-up
    times = {"library": [], "hand": []}
    for _ in range(3):
        t0 = time.perf_counter()
        est = library()
        times["library"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        hand_written()
        times["hand"].append(time.perf_counter() - t0)
    lib, hand = min(times["library"]), min(times["hand"])
    print(f"d = {d}, K = {k}, {args.steps} steps, separable 2x256 critic, Adam 5e-4")
    print(f"  estimate_mutual_information: {lib / args.steps * 1e3:.3f} ms/step "
          f"(estimate {est.value:.2f} nats, truth {mi}, log K = {math.log(k):.2f})")
    print(f"  hand-written loop:           {hand / args.steps * 1e3:.3f} ms/step")
    print(f"  ratio {lib / hand:.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()
