"""Least-squares GAN vs GAN on a 1-D mixture: the LSGAN generator's objective is chi^2(Q || M).

Data P: the equal mixture of N(-4, 0.3^2), N(0, 0.3^2) and N(4, 0.3^2) (as in
``gan_fgan_wgan.py``).  Both models: a 2 x 64 MLP generator from 4-D noise and a 2 x 64
MLP discriminator, Adam, one discriminator step per generator step.

* LSGAN (Mao et al. 2017) with codes (a, b, c) = (-1, 1, 0): at the optimal
  discriminator D* = (p - q)/(p + q) the generator objective over both samples,
  1/2 E_P[(D - c)^2] + 1/2 E_Q[(D - c)^2], equals chi^2(Q || M) with M = (P + Q)/2, and
  1 - (discriminator loss) is at most chi^2(Q || M), with equality at D*.
* GAN: -(discriminator loss) is at most 2 JSD(P || Q) - log 4, with equality at D*.

At each checkpoint the generator is frozen, a copy of its discriminator is refined for
``--refit`` steps (batch 2,048; training itself is not changed), and the objectives are
measured on 100,000 fresh samples of each side, with their Monte-Carlo standard errors.  The
divergences come from the library: ``f_divergence`` of binned densities (P's bins exact
from the mixture's CDF, Q's from 200,000 generated samples, bins of width 0.04 on
[-8, 8] plus two tail bins).

Run: python docs/examples/lsgan_gan.py [--steps 2000] [--checkpoints 4] [--refit 400]
     [--out ...png]
"""

import argparse
import copy
import os
import time

import numpy as np
import torch
from scipy import stats

import divergences as dv
from divergences.critics import MLP

MODES = np.array([-4.0, 0.0, 4.0])
STD = 0.3
NOISE_DIM = 4
#: Adam settings; the discriminators learn 5x faster than the generators (with equal rates
#: of 5e-4 the LSGAN generator drifted onto the outer mode and oscillated, W1 4.0-4.5)
ADAM_D = {"lr": 1e-3, "betas": (0.5, 0.9)}
ADAM_G = {"lr": 2e-4, "betas": (0.5, 0.9)}
EDGES = np.concatenate([[-np.inf], np.linspace(-8.0, 8.0, 401), [np.inf]])


def sample_data(n, rng):
    """n draws from the three-mode mixture P."""
    return MODES[rng.integers(0, 3, size=n)] + STD * rng.normal(size=n)


def data_bins():
    """P's probabilities of the bins ``EDGES``, exactly, from the mixture's CDF."""
    cdf = stats.norm.cdf(EDGES[:, None], MODES, STD).mean(1)
    return np.diff(cdf)


def _disc_loss(kind, d_real, d_fake):
    if kind == "lsgan":
        return dv.lsgan_discriminator_loss(d_real, d_fake, a=-1.0, b=1.0)
    return dv.gan_discriminator_loss(d_real, d_fake)


def _gen_loss(kind, d_fake):
    if kind == "lsgan":
        return dv.lsgan_generator_loss(d_fake, c=0.0)
    return dv.gan_generator_loss(d_fake)                   # non-saturating


def _steps(kind, G, D, opt_g, opt_d, steps, batch, gen, rng, train_generator=True):
    for _ in range(steps):
        real = torch.as_tensor(sample_data(batch, rng), dtype=torch.float32)[:, None]
        with torch.no_grad():
            fake = G(torch.randn(batch, NOISE_DIM, generator=gen))
        loss_d = _disc_loss(kind, D(real).squeeze(-1), D(fake).squeeze(-1))
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        if train_generator:
            loss_g = _gen_loss(kind, D(G(torch.randn(batch, NOISE_DIM, generator=gen)))
                               .squeeze(-1))
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()


def measure(kind, G, D, refit, seed, n=100_000):
    """Refine a copy of D against the frozen G, then the objectives and the divergence."""
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    D = copy.deepcopy(D)
    _steps(kind, G, D, None, torch.optim.Adam(D.parameters(), **ADAM_D), refit, 2048, gen, rng,
           train_generator=False)
    with torch.no_grad():
        fake = G(torch.randn(n, NOISE_DIM, generator=gen)).double()
        binned_q = np.histogram(G(torch.randn(2 * n, NOISE_DIM, generator=gen))
                                .squeeze(-1).double().numpy(), EDGES)[0] / (2.0 * n)
        real = torch.as_tensor(sample_data(n, rng))[:, None]
        d_real, d_fake = D(real.float()).double().squeeze(-1), D(fake.float()).double() \
            .squeeze(-1)
    p_bins = data_bins()
    out = {}
    if kind == "lsgan":
        # generator objective over both samples, c = 0, and its standard error
        gr, gf = 0.5 * d_real.numpy() ** 2, 0.5 * d_fake.numpy() ** 2
        out["objective"] = float(gr.mean() + gf.mean())
        out["objective_se"] = float(np.sqrt(gr.var() / n + gf.var() / n))
        lr_, lf = 0.5 * (d_real.numpy() - 1) ** 2, 0.5 * (d_fake.numpy() + 1) ** 2
        out["bound"] = float(1.0 - (lr_.mean() + lf.mean()))
        out["bound_se"] = float(np.sqrt(lr_.var() / n + lf.var() / n))
        out["divergence"] = float(dv.f_divergence(binned_q, 0.5 * (p_bins + binned_q),
                                                  "pearson"))
    else:
        sr = -torch.nn.functional.softplus(-d_real).numpy()
        sf = -torch.nn.functional.softplus(d_fake).numpy()
        out["bound"] = float(sr.mean() + sf.mean())
        out["bound_se"] = float(np.sqrt(sr.var() / n + sf.var() / n))
        out["divergence"] = float(2.0 * dv.jensen_shannon(p_bins, binned_q) - np.log(4.0))
    out["w1"] = float(dv.wasserstein_1d(fake.squeeze(-1).numpy(), real.squeeze(-1).numpy()))
    out["samples"] = fake.squeeze(-1).numpy()[:50_000]
    return out


def train(kind, steps=2000, checkpoints=4, refit=400, seed=0, batch=256):
    """Train one model; returns the measurements at ``checkpoints`` evenly spaced steps."""
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    G = MLP(NOISE_DIM, 1, hidden=64, layers=2, generator=gen)
    D = MLP(1, 1, hidden=64, layers=2, generator=gen)
    opt_g, opt_d = torch.optim.Adam(G.parameters(), **ADAM_G), torch.optim.Adam(D.parameters(),
                                                                                **ADAM_D)
    marks = np.linspace(0, steps, checkpoints + 1).astype(int)[1:]
    done, history = 0, []
    for mark in marks:
        _steps(kind, G, D, opt_g, opt_d, mark - done, batch, gen, rng)
        done = mark
        history.append({"step": int(mark), **measure(kind, G, D, refit, seed=1000 + int(mark))})
    return history


def plot(histories, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    ls, gan = histories["lsgan"], histories["gan"]
    steps = [h["step"] for h in ls]
    ax = axes[0]
    ax.errorbar(steps, [h["objective"] for h in ls], [2 * h["objective_se"] for h in ls],
                marker="o", capsize=3, label="LSGAN generator objective (D refitted)")
    ax.errorbar(steps, [h["bound"] for h in ls], [2 * h["bound_se"] for h in ls], marker="s",
                capsize=3, label="1 - discriminator loss (lower bound)")
    ax.plot(steps, [h["divergence"] for h in ls], "k--", label=r"$\chi^2(Q\|M)$ (library)")
    ax.set(xlabel="generator step", title="least-squares GAN")
    ax.legend(fontsize=8)
    ax = axes[1]
    ax.errorbar([h["step"] for h in gan], [h["bound"] for h in gan],
                [2 * h["bound_se"] for h in gan], marker="s", capsize=3,
                label="-(discriminator loss) (lower bound)")
    ax.plot([h["step"] for h in gan], [h["divergence"] for h in gan], "k--",
            label=r"$2\,\mathrm{JSD} - \log 4$ (library)")
    ax.set(xlabel="generator step", title="GAN")
    ax.legend(fontsize=8)
    ax = axes[2]
    grid = np.linspace(-6, 6, 600)
    ax.plot(grid, stats.norm.pdf(grid[:, None], MODES, STD).mean(1), "k", label="data")
    for kind, hist in histories.items():
        ax.hist(hist[-1]["samples"], bins=300, range=(-6, 6), density=True, histtype="step",
                label=f"{kind} (W1 {hist[-1]['w1']:.3f})")
    ax.set(title="final generators", xlabel="x")
    ax.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    fig.savefig(out, dpi=90)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--checkpoints", type=int, default=4)
    parser.add_argument("--refit", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("docs", "figures", "lsgan_gan.png"))
    args = parser.parse_args(argv)
    # networks this small run faster on one thread than on several (synchronisation costs
    # more than it saves, and far more on a busy machine); this script owns its process
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    histories = {kind: train(kind, args.steps, args.checkpoints, args.refit, args.seed)
                 for kind in ("lsgan", "gan")}
    print("LSGAN, codes (-1, 1, 0): generator objective at the refitted D vs chi^2(Q || M)")
    print(f"{'step':>6}{'objective':>11}{'(s.e.)':>9}{'chi2(Q||M)':>12}{'1 - D loss':>12}"
          f"{'W1':>8}")
    for h in histories["lsgan"]:
        print(f"{h['step']:>6}{h['objective']:>11.4f}{h['objective_se']:>9.4f}"
              f"{h['divergence']:>12.4f}{h['bound']:>12.4f}{h['w1']:>8.3f}")
    print("GAN: -(discriminator loss) at the refitted D vs 2 JSD - log 4")
    print(f"{'step':>6}{'-D loss':>11}{'(s.e.)':>9}{'2JSD-log4':>12}{'W1':>8}")
    for h in histories["gan"]:
        print(f"{h['step']:>6}{h['bound']:>11.4f}{h['bound_se']:>9.4f}{h['divergence']:>12.4f}"
              f"{h['w1']:>8.3f}")
    plot(histories, args.out)
    print(f"figure: {args.out}  ({time.perf_counter() - t0:.0f} s)")
    return histories


if __name__ == "__main__":
    main()
