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


def best_of(fn, repeats=5):
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
    with torch.no_grad():
        t_torch, want = best_of(lambda: torch.distributions.kl_divergence(
            torch.distributions.Gamma(k_p, r_p, validate_args=False),
            torch.distributions.Gamma(k_q, r_q, validate_args=False)))
        t_ours, got = best_of(lambda: fam.kl_divergence(fam.Gamma(k_p, r_p),
                                                        fam.Gamma(k_q, r_q)))
    diff = float(((got - want).abs() / want.abs().clamp_min(1e-12)).max())
    print(f"n = {args.n} Gamma-pair KLs, float64, {torch.get_num_threads()} torch threads")
    print(f"torch.distributions.kl_divergence: {t_torch * 1e3:8.1f} ms")
    print(f"divergences.families.kl_divergence: {t_ours * 1e3:8.1f} ms "
          f"(ratio torch / ours = {t_torch / t_ours:.2f}; max relative difference {diff:.1e})")


if __name__ == "__main__":
    main()
