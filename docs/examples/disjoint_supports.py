"""Disjoint supports: KL, JS and W1 between P = delta_0 and Q = delta_theta (and narrow Gaussians).

When the supports do not overlap, KL is infinite and JS sits at log 2 whatever theta is,
so neither tells a generator which way to move; W1 = |theta| does (Arjovsky et al. 2017).
Prints the values and saves a figure.

Run: python docs/examples/disjoint_supports.py [--out docs/figures/disjoint_supports.png]
"""

import argparse
import os

import numpy as np

import divergences as dv


def curves(thetas, sigma=0.05, n_grid=4001):
    """KL, JS, W1 for point masses and for N(0, sigma^2) vs N(theta, sigma^2) on a grid."""
    out = {"KL (points)": [], "JS (points)": [], "W1 (points)": [],
           "KL (Gaussians)": [], "JS (Gaussians)": [], "W1 (Gaussians)": []}
    grid = np.linspace(-1.0, max(thetas) + 1.0, n_grid)
    for th in thetas:
        p, q = np.array([1.0, 0.0]), np.array([0.0, 1.0])
        if th == 0:
            p = q = np.array([1.0, 0.0])
        out["KL (points)"].append(float(dv.kl_divergence(p, q)))
        out["JS (points)"].append(float(dv.jensen_shannon(p, q)))
        out["W1 (points)"].append(float(dv.wasserstein_1d([0.0], [th])))
        out["KL (Gaussians)"].append(float(dv.gaussian_f_divergence(0.0, sigma ** 2, th,
                                                                    sigma ** 2, "kl")))
        hp = np.exp(-0.5 * (grid / sigma) ** 2)
        hq = np.exp(-0.5 * ((grid - th) / sigma) ** 2)
        out["JS (Gaussians)"].append(float(dv.jensen_shannon(hp / hp.sum(), hq / hq.sum())))
        out["W1 (Gaussians)"].append(float(dv.normal_wasserstein_1d(0.0, sigma, th, sigma)))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join("docs", "figures", "disjoint_supports.png"))
    args = parser.parse_args(argv)
    thetas = np.linspace(0.0, 2.0, 41)
    res = curves(thetas)
    for th in (0.0, 0.5, 1.0, 2.0):
        i = int(np.argmin(np.abs(thetas - th)))
        print(f"theta = {th:3.1f}: " + ", ".join(f"{k} = {v[i]:.4g}" for k, v in res.items()))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for ax, kind in zip(axes, ("points", "Gaussians")):
        for name in ("KL", "JS", "W1"):
            ys = np.minimum(res[f"{name} ({kind})"], 3.0)
            ax.plot(thetas, ys, label=name + (" (clipped at 3)" if name == "KL" else ""))
        ax.set_xlabel(r"$\theta$")
        ax.set_title(r"$\delta_0$ vs $\delta_\theta$" if kind == "points"
                     else r"$N(0, 0.05^2)$ vs $N(\theta, 0.05^2)$")
        ax.legend()
    fig.tight_layout()
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    fig.savefig(args.out, dpi=110)
    print(f"saved {args.out}")
    return res


if __name__ == "__main__":
    main()
