"""The tour behind ``divergences demo``: every part of the library on generated data."""

from __future__ import annotations

import math
import sys
import time

import numpy as np
import torch

import divergences as dv

from .benchmark.harness import MIEstimator, bias_variance
from .benchmark.problems import mi_staircase
from .fdiv.ffunctions import table_rows


def _section(title):
    print()
    print(title)
    print("-" * len(title))


def _discrete_tour(rng, s):
    from scipy.spatial.distance import jensenshannon
    from scipy.stats import entropy


    _section(f"1. f-divergences between discrete distributions ({s['pairs']:,} pairs at once)")
    p = rng.dirichlet(np.ones(10), size=s["pairs"])
    q = rng.dirichlet(np.ones(10), size=s["pairs"])
    specs = [("kl", {}), ("reverse_kl", {}), ("jensen_shannon", {}), ("total_variation", {}),
             ("squared_hellinger", {}), ("pearson", {}), ("neyman", {}), ("jeffreys", {}),
             ("le_cam", {}), ("alpha", {"alpha": 0.5}), ("gan", {})]
    print(f"{'f':<18}{'mean':>10}{'min':>10}{'max':>10}")
    for name, params in specs:
        d = dv.f_divergence(p, q, dv.get_f(name, **params))
        print(f"{name:<18}{d.mean():>10.4f}{d.min():>10.4f}{d.max():>10.4f}")
    kl = dv.kl_divergence(p, q)
    err_kl = np.max(np.abs(kl - entropy(p, q, axis=-1)))
    err_js = np.max(np.abs(dv.jensen_shannon(p, q) - jensenshannon(p, q, axis=-1) ** 2))
    print(f"max |KL - scipy.stats.entropy| = {err_kl:.1e};  "
          f"max |JS - scipy jensenshannon^2| = {err_js:.1e}")
    gan = dv.f_divergence(p, q, "gan")
    js = dv.jensen_shannon(p, q)
    print(f"GAN value = 2 JSD - log 4 holds to {np.max(np.abs(gan - (2 * js - math.log(4)))):.1e}")

    _section("2. The variational bound E_P[T] - E_Q[f*(T)] is tight at T* = f'(p/q)")
    p1, q1 = p[0], q[0]
    print(f"{'f':<18}{'D_f':>10}{'bound(T*)':>12}{'best random T':>15}")
    for name, params in specs[:-1]:
        f = dv.get_f(name, **params)
        t_star = f.derivative(p1 / q1)
        bound = np.sum(p1 * t_star) - np.sum(q1 * f.conjugate(t_star))
        noisy = t_star + 0.3 * rng.normal(size=(200, t_star.size))
        noisy = np.minimum(noisy, f.conjugate_domain[1] - 1e-9)
        others = (noisy * p1).sum(-1) - (f.conjugate(noisy) * q1).sum(-1)
        print(f"{name:<18}{dv.f_divergence(p1, q1, f):>10.4f}{bound:>12.4f}{others.max():>15.4f}")


def _gaussian_tour(rng, s):

    _section(f"3. Closed forms between 5-D Gaussians against Monte-Carlo ({s['mc']:,} samples)")
    d = 5
    a = rng.normal(size=(d, d))
    cov_q = a @ a.T / d + 0.5 * np.eye(d)
    cov_p = 0.8 * cov_q + 0.1 * np.eye(d)
    mean_p, mean_q = 0.3 * rng.normal(size=d), np.zeros(d)
    lq_chol = np.linalg.cholesky(cov_q)
    x = mean_q + rng.normal(size=(s["mc"], d)) @ lq_chol.T

    def logpdf(x, m, c):
        l = np.linalg.cholesky(c)
        z = np.linalg.solve(l, (x - m).T)
        return -0.5 * (z * z).sum(0) - np.log(np.diag(l)).sum() - 0.5 * d * math.log(2 * math.pi)

    u = np.exp(logpdf(x, mean_p, cov_p) - logpdf(x, mean_q, cov_q))
    print(f"{'f':<20}{'closed form':>12}{'Monte-Carlo':>14}{'+- 2 s.e.':>11}")
    for name, params in [("kl", {}), ("reverse_kl", {}), ("jeffreys", {}),
                         ("squared_hellinger", {}), ("pearson", {}), ("alpha", {"alpha": 0.5})]:
        f = dv.get_f(name, **params)
        vals = f(u)
        exact = dv.gaussian_f_divergence(mean_p, cov_p, mean_q, cov_q, f)
        print(f"{name:<20}{exact:>12.5f}{vals.mean():>14.5f}"
              f"{2 * vals.std() / math.sqrt(len(vals)):>11.5f}")
    print("MI staircase (d = 20): rho for 2..10 nats =",
          ", ".join(f"{math.sqrt(1 - math.exp(-2 * i / 20)):.3f}" for i in (2, 4, 6, 8, 10)))


def _wasserstein_tour(rng, s):
    from scipy.stats import wasserstein_distance


    _section("5. Earth-Mover distance: exact, batched, and the signal on disjoint supports")
    n = s["emd"]
    x, y = rng.normal(size=n), rng.normal(0.5, 2.0, size=n)
    t0 = time.perf_counter()
    ours = float(dv.wasserstein_1d(x, y))
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = wasserstein_distance(x, y)
    t_ref = time.perf_counter() - t0
    exact = float(dv.normal_wasserstein_1d(0.0, 1.0, 0.5, 2.0))
    print(f"W1(N(0,1), N(0.5,2)) from {n:,} samples each: {ours:.5f} "
          f"(closed form {exact:.5f}); scipy agrees to {abs(ours - ref):.1e}, "
          f"{t_ref / t_ours:.0f}x slower")
    batch = rng.normal(size=(500, 4000))
    w = dv.wasserstein_1d(batch, batch[::-1] + 0.25, p=2)
    print(f"500 problems of 4,000 samples in one call: W2 of a 0.25 shift, mean {w.mean():.4f}")
    print("P = delta_0 vs Q = delta_theta:")
    for theta in (0.1, 1.0, 10.0):
        p_mass, q_mass = np.array([1.0, 0.0]), np.array([0.0, 1.0])
        print(f"  theta = {theta:>4}: KL = {dv.kl_divergence(p_mass, q_mass)}, "
              f"JS = {dv.jensen_shannon(p_mass, q_mass):.4f} (log 2), "
              f"W1 = {float(dv.wasserstein_1d([0.0], [theta])):.4f}")
    print("  only W1 tells how far apart the supports are: the WGAN argument.")
    res = dv.wasserstein_test(rng.normal(size=300), rng.standard_t(3, size=300), rng=rng)
    print(f"W1 permutation test, N(0,1) vs Student-t(3), n = 300: statistic "
          f"{res.statistic:.4f}, p-value {res.pvalue:.3f}")
    xs, ys = rng.normal(size=(2000, 5)), rng.normal(size=(2000, 5)) + 0.3
    print(f"sliced W2 in 5-D (shift 0.3 per axis, |shift|/sqrt(d) = 0.300): "
          f"{float(dv.sliced_wasserstein(xs, ys, n_projections=256, rng=rng)):.3f}")


def _tests_tour(rng, s):

    n = s["two_sample"]
    _section(f"6. Two-sample tests on N(0,1) vs Student-t(5), {n:,} samples each")
    x, y = rng.normal(size=(n, 1)), rng.standard_t(5, size=(n, 1))
    for name, fn in (("c2st (MLP)", lambda: dv.c2st(x, y, rng=rng)),
                     ("mmd_test", lambda: dv.mmd_test(x, y, rng=rng)),
                     ("energy_test", lambda: dv.energy_test(x, y, rng=rng))):
        t0 = time.perf_counter()
        res = fn()
        print(f"{name:<12} statistic {float(res.statistic):9.5f}  p-value {res.pvalue:.4f}  "
              f"({time.perf_counter() - t0:.2f} s)")
    res = dv.c2st(x, rng.normal(size=(n, 1)), rng=rng)
    print(f"c2st under H0 (N(0,1) vs N(0,1)): accuracy {res.statistic:.3f}, p-value "
          f"{res.pvalue:.3f}, JSD lower bound {res.details['jsd_lower_bound']:+.4f}")


def _estimators_tour(rng, s):

    _section("7. Variational estimators (trained critics, held-out evaluation)")
    d, mi = 5, 2.0
    rho = math.sqrt(1 - math.exp(-2 * mi / d))
    n = s["mi_pairs"]
    x = rng.normal(size=(n, d))
    y = rho * x + math.sqrt(1 - rho * rho) * rng.normal(size=(n, d))
    print(f"I(X;Y) = {mi} nats, d = {d}, {n:,} pairs:")
    for bound in ("infonce", "nwj", "smile"):
        t0 = time.perf_counter()
        est = dv.estimate_mutual_information(x, y, bound=bound, steps=s["steps"], rng=rng)
        print(f"  {bound:<8} {est.value:.3f}  95% CI [{est.ci[0]:.3f}, {est.ci[1]:.3f}]  "
              f"({time.perf_counter() - t0:.1f} s)")
    xp, xq = rng.normal(size=(s["kl_pairs"], 2)), rng.normal(size=(s["kl_pairs"], 2)) + [1.0, 0.5]
    truth = float(dv.gaussian_f_divergence(np.zeros(2), np.eye(2), [1.0, 0.5], np.eye(2), "kl"))
    est = dv.estimate_f_divergence(xp, xq, "kl", steps=s["steps"], rng=rng)
    print(f"KL between 2-D Gaussians: estimate {est.value:.3f} +- {est.stderr:.3f}, "
          f"closed form {truth:.3f}")

    _section(f"8. Bias and variance of MI estimators over {s['trials']} trials (batched critics)")

    res = bias_variance({b: MIEstimator(b, steps=s["bench_steps"]) for b in ("infonce", "nwj")},
                        mi_staircase(d=5, mis=(1.0, 3.0)), sample_sizes=[s["bench_n"]],
                        n_trials=s["trials"], rng=rng)
    print(res.to_markdown())


def _curves(thetas):
    """Divergences between N(0, 1) and N(theta, 1) as theta grows."""
    from scipy.stats import norm


    grid = np.linspace(-12, 22, 6001)
    base = norm.pdf(grid)
    base /= base.sum()
    curves = {"KL": [], "Jensen-Shannon": [], "squared Hellinger": [], "total variation": [],
              "W1 (from 20,000 samples)": []}
    gen = np.random.default_rng(123)
    z0, z1 = gen.normal(size=20_000), gen.normal(size=20_000)
    for th in thetas:
        shifted = norm.pdf(grid, loc=th)
        shifted /= shifted.sum()
        curves["KL"].append(float(dv.gaussian_f_divergence(0.0, 1.0, th, 1.0, "kl")))
        curves["Jensen-Shannon"].append(float(dv.jensen_shannon(base, shifted)))
        curves["squared Hellinger"].append(
            float(dv.gaussian_f_divergence(0.0, 1.0, th, 1.0, "squared_hellinger")))
        curves["total variation"].append(2 * norm.cdf(abs(th) / 2) - 1)
        curves["W1 (from 20,000 samples)"].append(float(dv.wasserstein_1d(z0, z1 + th)))
    return curves


def _plot(out, thetas, curves):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"\n(matplotlib is not installed, no plot: pip install 'divergences[plot]')")
        return
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for label, ys in curves.items():
        axes[0].plot(thetas, ys, label=label)
    axes[0].set_xlabel(r"mean shift $\theta$")
    axes[0].set_ylabel("divergence (nats); W1 in units of x")
    axes[0].set_title(r"$D(\mathcal{N}(0,1)\,\|\,\mathcal{N}(\theta,1))$")
    axes[0].set_ylim(0, 3.0)
    axes[0].legend()

    v = np.linspace(-6, 6, 400)
    for name in ("kl", "reverse_kl", "jensen_shannon", "gan", "squared_hellinger", "pearson"):
        f = dv.get_f(name)
        axes[1].plot(v, f.conjugate_of_activation(v), label=name)
    axes[1].set_xlabel("raw critic output v")
    axes[1].set_ylabel(r"$f^*(g_f(v))$")
    axes[1].set_title(r"$f^*(g_f(v))$: the f-GAN penalty on Q's samples")
    axes[1].set_ylim(-3, 8)
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    print(f"\nplot saved to {out}")


#: sample sizes and training budgets of the full tour and of the quick one (``--quick``)
SIZES = {
    False: dict(pairs=1000, mc=200_000, emd=2_000_000, two_sample=1000, mi_pairs=10_000,
                kl_pairs=5_000, steps=500, trials=4, bench_steps=300, bench_n=2000),
    True: dict(pairs=100, mc=20_000, emd=100_000, two_sample=200, mi_pairs=3000,
               kl_pairs=2000, steps=100, trials=2, bench_steps=50, bench_n=1000),
}


def run_demo(out="divergences_demo.png", seed=0, plot=True, quick=False) -> int:
    """Run the tour (a reduced one with ``quick=True``); returns the exit status.

    The tour trains small networks, which run fastest on one torch thread, above all
    beside other busy processes (intra-op threads wait on cores that others hold): the
    thread count is set to 1 for the tour and restored afterwards.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _tour(out, seed, plot, quick)
    finally:
        torch.set_num_threads(threads)


def _tour(out, seed, plot, quick):

    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    print("divergences: a tour on generated data (seed %d)" % seed)
    _section("0. The f-function table")
    for row in table_rows():
        print(f"  {row[0]:<32} f(u) = {row[1]}")
    s = SIZES[bool(quick)]
    _discrete_tour(rng, s)
    _gaussian_tour(rng, s)
    thetas = np.linspace(0, 6, 61)
    curves = _curves(thetas)
    _section("4. Divergences between N(0,1) and N(theta,1)")
    for th in (0.5, 2.0, 6.0):
        i = int(np.argmin(np.abs(thetas - th)))
        print(f"theta = {th:>3}: " + ", ".join(f"{k} {v[i]:.4f}" for k, v in curves.items()))
    print("JS and TV saturate as the supports separate; KL grows as theta^2 / 2, W1 as theta.")
    _wasserstein_tour(rng, s)
    _tests_tour(rng, s)
    _estimators_tour(rng, s)
    if plot:
        _plot(out, thetas, curves)
    print(f"\ndone in {time.perf_counter() - start:.1f} s")
    sys.stdout.flush()
    return 0
