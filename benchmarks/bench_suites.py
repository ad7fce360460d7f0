"""The two named ground-truth suites through the bias/variance harness (issue 16).

Runs ``problems.suite("mi-beyond-normal")`` (MI estimators: InfoNCE, NWJ, KSG, the
Gaussian-copula and CCA estimates, the histogram plug-in) and
``problems.suite("f-divergence")`` (the f-GAN KL bound and the k-NN KL estimator;
the f-GAN squared-Hellinger bound) and writes, for each, a Markdown table and a
figure (the harness's ``BenchResult.plot``):

    .venv/bin/python benchmarks/bench_suites.py --n 2000 --trials 5 \\
        --out-table benchmarks/results/suites.md --out-figures docs/figures

The same runs from the shell: ``divergences bench --suite mi-beyond-normal
--estimators infonce nwj ksg gaussian_copula cca histogram``, and ``--suite
f-divergence``.
"""

import argparse
import os
import time

from divergences.benchmark.harness import (ClassicalEstimator, FDivergenceEstimator, MIEstimator,
                               bias_variance)
from divergences.benchmark.problems import suite


def _error_plot(res, name, path):
    """Estimate minus truth per problem (rows) and estimator (colours): every trial a dot,
    the median a bar; errors beyond +-1 are drawn at the edge with their value."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    problems = list(dict.fromkeys(r["problem"] for r in res.rows))
    estimators = list(dict.fromkeys(r["estimator"] for r in res.rows))
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(problems) + 1.5))
    width = 0.8 / len(estimators)
    for j, est in enumerate(estimators):
        colour = f"C{j}"
        for i, prob in enumerate(problems):
            row = next(r for r in res.rows if r["estimator"] == est and r["problem"] == prob)
            err = np.asarray(row["values"], dtype=float) - row["truth"]
            y = i + (j - (len(estimators) - 1) / 2) * width
            shown = np.clip(err, -1.0, 1.0)
            ax.plot(shown, np.full(err.size, y), ".", color=colour, alpha=0.6, ms=4)
            ax.plot([np.median(err)] * 2, [y - width / 2, y + width / 2], color=colour, lw=2,
                    label=est if i == 0 else None)
            for e in err[np.abs(err) > 1.0]:
                ax.annotate(f"{e:+.2g}", (np.sign(e), y), fontsize=6, color=colour,
                            ha="right" if e > 0 else "left", va="center")
    ax.axvline(0.0, color="k", lw=0.8)
    ax.set_yticks(range(len(problems)), problems, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel("estimate - truth (nats); dots: trials, bars: medians")
    ax.set_title(f"suite('{name}'), n = {res.rows[0]['n']}")
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out-table", required=True)
    parser.add_argument("--out-figures", required=True)
    args = parser.parse_args()
    runs = {
        "mi-beyond-normal": {
            "infonce": MIEstimator("infonce", steps=args.steps),
            "nwj": MIEstimator("nwj", steps=args.steps),
            "ksg": ClassicalEstimator("ksg", options={"k": 5}),
            "gaussian_copula": ClassicalEstimator("gaussian_copula"),
            "cca": ClassicalEstimator("cca"),
            "histogram": ClassicalEstimator("histogram"),
        },
        "f-divergence": {
            "kl (f-GAN)": FDivergenceEstimator("kl", steps=args.steps),
            "knn_kl": ClassicalEstimator("knn_kl", options={"k": 5}),
            "squared_hellinger (f-GAN)": FDivergenceEstimator("squared_hellinger",
                                                              steps=args.steps),
        },
    }
    lines = [f"# The named suites through `bias_variance` (n = {args.n}, {args.trials} trials, "
             f"{args.steps} training steps, seed {args.seed})", "",
             "Written by `benchmarks/bench_suites.py`.", ""]
    for name, ests in runs.items():
        t0 = time.perf_counter()
        res = bias_variance(ests, suite(name), sample_sizes=[args.n], n_trials=args.trials,
                            rng=args.seed, progress=True)
        secs = time.perf_counter() - t0
        fig = os.path.join(args.out_figures, f"suite_{name.replace('-', '_')}.png")
        _error_plot(res, name, fig)
        lines += [f"## {name} ({secs:.0f} s on this machine)", "", res.to_markdown(), ""]
        print(res.to_markdown(), flush=True)
    with open(args.out_table, "w") as fh:
        fh.write("\n".join(lines))
    print(f"wrote {args.out_table}")


if __name__ == "__main__":
    main()
