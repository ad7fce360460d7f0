"""Batched closed forms of divergences.families against torch.distributions (issue 27).

10^6 Gamma-pair KLs in one batch, float64 CPU tensors: divergences.families.kl_divergence
against torch.distributions.kl_divergence on the same parameters, best of 5 after a
warm-up, and the largest difference between the two.  Run from the repository root:

    .venv/bin/python benchmarks/bench_families.py [--n 1000000]
"""

from __future__ import annotations

import argparse
import time

import torch

from divergences import families as fam


def best_of(fn, repeats=15):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    gen = torch.Generator().manual_seed(0)
    k_p, r_p, k_q, r_q = (0.2 + 5 * torch.rand(args.n, generator=gen, dtype=torch.float64)
                          for _ in range(4))
    def torch_kl(validate):
        return lambda: torch.distributions.kl_divergence(
            torch.distributions.Gamma(k_p, r_p, validate_args=validate),
            torch.distributions.Gamma(k_q, r_q, validate_args=validate))

    def ours():
        return fam.kl_divergence(fam.Gamma(k_p, r_p), fam.Gamma(k_q, r_q))
    with torch.no_grad():
        # three rounds, alternating which side runs first; the best time of each side
        t = {"validated": [], "unvalidated": [], "ours": []}
        for r in range(3):
            order = [("ours", ours), ("validated", torch_kl(True)),
                     ("unvalidated", torch_kl(False))]
            for name, fn in (order if r % 2 == 0 else order[::-1]):
                sec, out = best_of(fn)
                t[name].append(sec)
                if name == "ours":
                    got = out
                else:
                    want = out
    best = {k: min(v) for k, v in t.items()}
    diff = float(((got - want).abs() / want.abs().clamp_min(1e-12)).max())
    print(f"n = {args.n} Gamma-pair KLs, float64, {torch.get_num_threads()} torch threads")
    print(f"divergences.families.kl_divergence (validates): {best['ours'] * 1e3:8.1f} ms")
    for name in ("validated", "unvalidated"):
        print(f"torch.distributions.kl_divergence, {name:>11}: {best[name] * 1e3:8.1f} ms "
              f"(ratio torch / ours = {best[name] / best['ours']:.2f})")
    print(f"max relative difference {diff:.1e}")


if __name__ == "__main__":
    main()
