"""Reproduce the MI staircase of Poole et al. (2019) and the SMILE comparison of Song &
Ermon (2020), and a sample-size sweep of the f-GAN bound between Gaussians.

Protocol (DESIGN section 9): d = 20, MI in {2, 4, 6, 8, 10} nats, batch 64, Adam 5e-4,
separable critic 2 x 256 (embedding 32).  Poole et al. train for 20,000 steps on fresh
batches; here every trial trains for --steps steps on n = 100,000 pairs (defaults keep
the run to some minutes on 2 CPU cores).  Writes docs/figures/*.png and prints tables.

Run: python benchmarks/reproduce_poole2019.py [--steps 1000] [--trials 4] [--out docs/figures]
     [--parts staircase cubic fgan]
"""

import argparse
import os

import numpy as np

from divergences.benchmark.harness import FDivergenceEstimator, MIEstimator, bias_variance
from divergences.benchmark.problems import GaussianPair, mi_staircase

BOUNDS = ["nwj", "tuba", "dv", "mine", "infonce", "js", "interpolated", "smile:1", "smile:5",
          "smile:inf"]


def estimators(steps, names):
    out = {}
    for spec in names:
        name, _, tau = spec.partition(":")
        options = {"hidden": 256, "layers": 2, "embed_dim": 32}
        if tau:
            options["tau"] = float(tau)
        out[spec] = MIEstimator(name, steps=steps, batch_size=64, lr=5e-4, options=options)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--trials", type=int, default=4)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--out", default=os.path.join("docs", "figures"))
    parser.add_argument("--parts", nargs="+", choices=("staircase", "cubic", "fgan"),
                        default=["staircase", "cubic", "fgan"])
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if "staircase" in args.parts:
        staircase(args)
    if "cubic" in args.parts:
        cubic(args)
    if "fgan" in args.parts:
        fgan_sweep(args)


def staircase(args):
    print("## MI staircase (Poole et al. 2019)\n")
    res = bias_variance(estimators(args.steps, BOUNDS), mi_staircase(), sample_sizes=[args.n],
                        n_trials=args.trials, rng=0, progress=True)
    print(res.to_markdown())
    res.to_csv(os.path.join(args.out, "poole2019_staircase.csv"))
    res.plot(os.path.join(args.out, "poole2019_staircase.png"))


def cubic(args):
    print("\n## Cubic transform y -> y^3 (MI unchanged)\n")
    res = bias_variance(estimators(args.steps, ["infonce", "nwj", "smile:5"]),
                          mi_staircase(mis=(2.0, 6.0), transform="cubic"),
                          sample_sizes=[args.n], n_trials=args.trials, rng=0, progress=True)
    print(res.to_markdown())
    res.to_csv(os.path.join(args.out, "poole2019_cubic.csv"))


def fgan_sweep(args):
    print("\n## f-GAN bound between Gaussians, sample-size sweep\n")
    prob = GaussianPair.isotropic(d=2, shift=1.5)
    fg = bias_variance({f: FDivergenceEstimator(f, steps=args.steps)
                        for f in ("kl", "squared_hellinger")} |
                       {"jensen_shannon": FDivergenceEstimator("jensen_shannon", steps=args.steps,
                                                               target="js")},
                       _with_js(prob), sample_sizes=[500, 2000, 8000], n_trials=args.trials,
                       rng=0, progress=True)
    print(fg.to_markdown())
    fg.to_csv(os.path.join(args.out, "fgan_sweep.csv"))
    _plot_sweep(fg, os.path.join(args.out, "fgan_sweep.png"))


def _with_js(prob):
    """Add the Jensen-Shannon divergence (1-D quadrature along the shift) to the truths."""
    from scipy import integrate, stats

    shift = float(np.linalg.norm(prob.mean_q - prob.mean_p))
    p, q = stats.norm(0, 1), stats.norm(shift, 1)

    def kl_to_m(a):
        return integrate.quad(lambda t: a.pdf(t) * np.log(a.pdf(t) / (0.5 * p.pdf(t) + 0.5 * q.pdf(t))),
                              -20, 20 + shift)[0]

    prob.truth["js"] = 0.5 * kl_to_m(p) + 0.5 * kl_to_m(q)
    return prob


def _plot_sweep(res, path):
    """Relative error (median, trials, outliers marked) and robust spread against n."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from divergences.benchmark.harness import _clip_outliers, _robust_band, _robust_spread

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    bands = []
    ns = sorted({r["n"] for r in res.rows})
    for name in dict.fromkeys(r["estimator"] for r in res.rows):
        rows = sorted((r for r in res.rows if r["estimator"] == name), key=lambda r: r["n"])
        x = [r["n"] for r in rows]
        bands.append(_robust_band(axes[0], x, [(r["values"] - r["truth"]) / r["truth"]
                                               for r in rows], name))
        axes[1].plot(x, [_robust_spread(r["values"]) for r in rows], marker="o", label=name)
    axes[0].axhline(0, color="k", lw=1)
    _clip_outliers(axes[0], bands, include=[0.0])
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xticks(ns, [f"{n:,}" for n in ns])
        ax.minorticks_off()
        ax.set_xlabel("samples per distribution")
    axes[0].set_ylabel("relative error (estimate - truth) / truth")
    axes[0].set_title("median, trials (dots) and outliers (marked)", fontsize=9)
    axes[1].set_yscale("log")
    axes[1].set_ylabel("robust sd of the estimates (1.4826 MAD)")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
