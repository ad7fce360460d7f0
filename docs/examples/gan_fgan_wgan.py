"""GAN vs f-GAN vs WGAN-GP on a 1-D mixture of Gaussians: mode covering and mode seeking.

Data P: the equal mixture of N(-4, 0.3^2), N(0, 0.3^2) and N(4, 0.3^2).

Part 1 (theory).  A Gaussian generator Q = N(mu, sigma^2) is fitted to P with the
f-GAN objectives of :mod:`divergences.adversarial` (a 2 x 64 MLP critic) for KL,
reverse KL, Jensen-Shannon and squared Hellinger, and each fit is compared with the
exact minimiser of D_f(P || N(mu, sigma^2)) found by quadrature and Nelder-Mead from
several starts.  KL(P||Q) is infinite unless Q puts mass on every mode, so its
minimiser covers all three (moment matching: sigma = 3.28); reverse KL(Q||P) is
infinite if Q puts mass where P has none, so its minimisers sit on a single mode.

Part 2 (practice).  Flexible generators (2 x 64 MLPs from 4-D noise) trained with the
GAN, the four f-GANs and WGAN with the gradient penalty, the usual two-sided one
(Gulrajani et al. 2017) and the one-sided one (Petzka et al. 2018), over several seeds:
W1 to the data and the number of modes covered.

Run: python docs/examples/gan_fgan_wgan.py [--steps 1000] [--seeds 3] [--out ...png]
"""

import argparse
import os
import time

import numpy as np
import torch
from scipy import optimize, special, stats

import divergences as dv
from divergences.critics import MLP

MODES = np.array([-4.0, 0.0, 4.0])
STD = 0.3
F_NAMES = ["kl", "reverse_kl", "jensen_shannon", "squared_hellinger"]
KINDS = ["gan"] + F_NAMES + ["wgan-gp", "wgan-gp one-sided"]
NOISE_DIM = 4
ADAM = {"lr": 5e-4, "betas": (0.5, 0.9)}

# quadrature grid for the exact divergences
_GRID = np.linspace(-20.0, 20.0, 40_001)
_LOGP = special.logsumexp(stats.norm.logpdf(_GRID[:, None], MODES, STD), axis=1) - np.log(3)


def sample_data(n, rng):
    """n draws from the three-mode mixture P."""
    return MODES[rng.integers(0, 3, size=n)] + STD * rng.normal(size=n)


def modes_covered(x, min_fraction=0.05):
    """Number of modes with at least ``min_fraction`` of the samples within 3 std of the centre.

    This counts coverage, not quality: mass smeared uniformly over [-5, 5] puts 18 % of
    the samples near each centre and covers all three.  W1 measures the fit.
    """
    near = np.abs(np.asarray(x)[:, None] - MODES[None, :]) < 3 * STD
    return int(np.sum(near.mean(0) >= min_fraction))


def divergence_to_gaussian(f, mu, sigma):
    """D_f(P || N(mu, sigma^2)) by quadrature on a grid of step 1e-3 over [-20, 20]."""
    logq = stats.norm.logpdf(_GRID, mu, sigma)
    if f == "reverse_kl":
        # p underflows to 0 in the tails where q does not: integrate q (log q - log p) in logs
        return float(np.sum(np.exp(logq) * (logq - _LOGP)) * (_GRID[1] - _GRID[0]))
    p, q = np.exp(_LOGP), np.exp(logq)
    return float(dv.f_divergence(p / p.sum(), q / q.sum(), f))


def exact_gaussian_fits(f, starts=((-4, 0.3), (0, 0.3), (4, 0.3), (0, 3.0), (1, 1.0))):
    """Local minimisers (mu, sigma, D_f) of D_f(P || N(mu, sigma^2)) from several starts, best first."""
    found = {}
    for mu0, s0 in starts:
        if not np.isfinite(divergence_to_gaussian(f, mu0, s0)):
            continue                     # e.g. KL from a one-mode start: infinite
        res = optimize.minimize(lambda t: divergence_to_gaussian(f, t[0], np.exp(t[1])),
                                [mu0, np.log(s0)], method="Nelder-Mead",
                                options={"xatol": 1e-6, "fatol": 1e-10})
        if np.isfinite(res.fun):
            key = (round(float(res.x[0]), 2), round(float(np.exp(res.x[1])), 2))
            found[key] = float(res.fun)
    return sorted(((m, s, v) for (m, s), v in found.items()), key=lambda t: t[2])


def fit_gaussian(f, steps=1000, seed=0, batch=512, mu0=1.0, sigma0=0.5, n_critic=2):
    """Fit N(mu, sigma^2) to P with the f-GAN saddle-point objective; returns (mu, sigma)."""
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    theta = torch.tensor([mu0, np.log(sigma0)], requires_grad=True)
    critic = MLP(1, 1, hidden=64, layers=2, generator=gen)
    opt_d = torch.optim.Adam(critic.parameters(), lr=1e-3, betas=(0.5, 0.9))
    opt_g = torch.optim.Adam([theta], lr=1e-2, betas=(0.5, 0.9))

    def fake():
        return theta[0] + theta[1].exp() * torch.randn(batch, 1, generator=gen)

    for _ in range(steps):
        for _ in range(n_critic):
            real = torch.as_tensor(sample_data(batch, rng), dtype=torch.float32)[:, None]
            loss_d = dv.fgan_discriminator_loss(critic(real).squeeze(-1),
                                                critic(fake().detach()).squeeze(-1), f)
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
        loss_g = dv.fgan_generator_loss(critic(fake()).squeeze(-1), f)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    mu, log_sigma = theta.detach().tolist()
    return mu, float(np.exp(log_sigma))


def _discriminator_loss(kind, critic, real, fake, gen):
    d_real, d_fake = critic(real).squeeze(-1), critic(fake).squeeze(-1)
    if kind == "gan":
        return dv.gan_discriminator_loss(d_real, d_fake)
    if kind.startswith("wgan"):
        gp = dv.gradient_penalty(lambda t: critic(t).squeeze(-1), real, fake, rng=gen,
                                 one_sided=kind.endswith("one-sided"))
        return dv.wgan_critic_loss(d_real, d_fake, gp)
    return dv.fgan_discriminator_loss(d_real, d_fake, kind)


def _generator_loss(kind, d_fake):
    if kind == "gan":
        return dv.gan_generator_loss(d_fake)                 # non-saturating
    if kind.startswith("wgan"):
        return dv.wgan_generator_loss(d_fake)
    return dv.fgan_generator_loss(d_fake, kind)              # saddle point


def train(kind, steps=1000, seed=0, batch=256):
    """Train a 2 x 64 MLP generator with one of ``KINDS``; WGANs take 5 critic steps per step."""
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    G = MLP(NOISE_DIM, 1, hidden=64, layers=2, generator=gen)
    D = MLP(1, 1, hidden=64, layers=2, generator=gen)
    opt_g = torch.optim.Adam(G.parameters(), **ADAM)
    opt_d = torch.optim.Adam(D.parameters(), **ADAM)
    n_critic = 5 if kind.startswith("wgan") else 1
    for _ in range(steps):
        for _ in range(n_critic):
            real = torch.as_tensor(sample_data(batch, rng), dtype=torch.float32)[:, None]
            fake = G(torch.randn(batch, NOISE_DIM, generator=gen)).detach()
            loss_d = _discriminator_loss(kind, D, real, fake, gen)
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
        loss_g = _generator_loss(kind, D(G(torch.randn(batch, NOISE_DIM, generator=gen)))
                                 .squeeze(-1))
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    return G


def critic_alone(one_sided, steps=2000, seed=0, batch=256):
    """E_P f - E_Q f of a WGAN critic trained alone against fixed Q = N(0, 0.5^2).

    Returns (the critic's estimate on 20,000 fresh samples of each, the true W1).  The
    optimal critic is |x|; with the two-sided penalty the critic stays monotone.
    """
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    critic = MLP(1, 1, hidden=64, layers=2, generator=gen)
    opt = torch.optim.Adam(critic.parameters(), lr=1e-3, betas=(0.5, 0.9))
    kind = "wgan-gp one-sided" if one_sided else "wgan-gp"

    def draw(n):
        return (torch.as_tensor(sample_data(n, rng), dtype=torch.float32)[:, None],
                torch.as_tensor(0.5 * rng.normal(size=(n, 1)), dtype=torch.float32))

    for _ in range(steps):
        loss = _discriminator_loss(kind, critic, *draw(batch), gen)
        opt.zero_grad()
        loss.backward()
        opt.step()
    real, fake = draw(20_000)
    with torch.no_grad():
        estimate = float(critic(real).mean() - critic(fake).mean())
    return estimate, float(dv.wasserstein_1d(real.squeeze(-1).double(), fake.squeeze(-1).double()))


def evaluate(G, n=20_000, seed=123):
    """W1 between n generated samples and n fresh data samples, and the modes covered."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        x = G(torch.randn(n, NOISE_DIM, generator=gen)).squeeze(-1).double().numpy()
    if not np.all(np.isfinite(x)):        # a diverged generator: W1 is infinite
        x = x[np.isfinite(x)]
        return {"w1": float("inf"), "modes": modes_covered(x) if x.size else 0, "samples": x}
    w1 = float(dv.wasserstein_1d(x, sample_data(n, np.random.default_rng(seed))))
    return {"w1": w1, "modes": modes_covered(x), "samples": x}


def part1(steps):
    rows = {}
    print("Part 1: Gaussian N(mu, sigma^2) fitted by each f-GAN (start mu = 1, sigma = 0.5)")
    print(f"{'f':<19}{'f-GAN mu':>9}{'sigma':>7}{'D_f there':>11}{'modes':>7}   "
          f"exact local minima over Gaussians: one mode / covering (sigma, D_f)")
    for f in F_NAMES:
        mu, sigma = fit_gaussian(f, steps)
        minima = exact_gaussian_fits(f)
        x = stats.norm(mu, sigma).rvs(20_000, random_state=0)
        rows[f] = {"mu": mu, "sigma": sigma, "value": divergence_to_gaussian(f, mu, sigma),
                   "modes": modes_covered(x), "minima": minima}
        one = [(s, v) for _, s, v in minima if s < 1]
        cover = [(s, v) for _, s, v in minima if s >= 1]
        listed = " / ".join(f"({best[0][0]:.2f}, {best[0][1]:.4f})" if best else "none"
                            for best in (one, cover))
        print(f"{f:<19}{mu:>9.3f}{sigma:>7.3f}{rows[f]['value']:>11.4f}{rows[f]['modes']:>7d}   "
              f"{listed}")
    return rows


def part2(steps, seeds):
    rows = {}
    print(f"\nPart 2: MLP generators, {steps} steps, seeds 0..{seeds - 1}: W1 to the data "
          "and modes covered (of 3)")
    print(f"{'model':<20}{'W1 mean':>9}{'W1 sd':>8}{'modes per seed':>18}")
    for kind in KINDS:
        runs = [evaluate(train(kind, steps, seed)) for seed in range(seeds)]
        w1 = np.array([r["w1"] for r in runs])
        rows[kind] = {"w1": w1, "modes": [r["modes"] for r in runs],
                      "samples": runs[0]["samples"]}
        sd = float(np.std(w1, ddof=1)) if seeds > 1 else float("nan")
        print(f"{kind:<20}{np.mean(w1):>9.3f}{sd:>8.3f}"
              f"{' '.join(str(m) for m in rows[kind]['modes']):>18}")
    for one_sided in (False, True):
        estimate, w1 = critic_alone(one_sided)
        print(f"critic alone vs N(0, 0.5^2), {'one' if one_sided else 'two'}-sided penalty: "
              f"E_P f - E_Q f = {estimate:.3f} (W1 = {w1:.3f})")
    return rows


def plot(gauss, flex, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = np.linspace(-8, 8, 800)
    density = np.exp(special.logsumexp(stats.norm.logpdf(grid[:, None], MODES, STD), axis=1)
                     - np.log(3))
    fig, axes = plt.subplots(3, 4, figsize=(15, 9.5))
    for ax, f in zip(axes[0], F_NAMES):
        r = gauss[f]
        m, s, _ = r["minima"][0]
        ax.fill_between(grid, density, color="0.85", label="data P")
        ax.plot(grid, stats.norm.pdf(grid, r["mu"], r["sigma"]), "C0", lw=2, label="f-GAN fit")
        ax.plot(grid, stats.norm.pdf(grid, m, s), "C3--", lw=1.5, label="exact best Gaussian")
        ax.set_ylim(0, 1.5)
        ax.set_title(f"{f}: mu {r['mu']:.2f}, sigma {r['sigma']:.2f}", fontsize=10)
    axes[0, 0].legend(fontsize=8, loc="upper left")
    for ax, kind in zip(axes[1:].ravel(), KINDS):
        r = flex[kind]
        ax.fill_between(grid, density, color="0.85")
        ax.hist(np.clip(r["samples"], -8, 8), bins=200, range=(-8, 8), density=True,
                color="C0", alpha=0.7)
        ax.set_xlim(-8, 8)
        ax.set_ylim(0, 1.5)
        ax.set_title(f"{kind}: W1 {r['w1'][0]:.2f}, modes {r['modes'][0]}/3", fontsize=10)
    ax = axes[2, 3]
    means = [np.mean(flex[k]["w1"]) for k in KINDS]
    ax.barh(range(len(KINDS)), np.minimum(means, 5.0), color="C0")
    ax.set_yticks(range(len(KINDS)), KINDS, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("mean W1 over seeds (clipped at 5)")
    fig.suptitle("Row 1: Gaussian generators fitted by f-GANs.  Rows 2-3: MLP generators "
                 "(seed 0) and mean W1 over seeds", fontsize=11)
    fig.tight_layout()
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    fig.savefig(out, dpi=90)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out", default=os.path.join("docs", "figures", "gan_fgan_wgan.png"))
    args = parser.parse_args(argv)
    start = time.perf_counter()
    gauss = part1(args.steps)
    flex = part2(args.steps, args.seeds)
    plot(gauss, flex, args.out)
    print(f"saved {args.out} ({time.perf_counter() - start:.0f} s)")
    return gauss, flex


if __name__ == "__main__":
    main()
