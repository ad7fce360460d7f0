"""The optimal discriminator: a trained discriminator against p/(p+q), and the GAN value.

P = N(0, 1) (label 1) and Q = N(1.5, 0.7^2) (label 0).  A small MLP trained with
the GAN discriminator loss approaches D*(x) = p(x) / (p(x) + q(x)), and its value
V(D) = E_P log D + E_Q log(1 - D) approaches 2 JSD(P||Q) - log 4 from below.

Run: python docs/examples/optimal_discriminator.py [--steps 3000] [--out ...png]
"""

import argparse
import math
import os

import numpy as np
import torch
from scipy import integrate, stats

import divergences as dv
from divergences.critics import MLP

P, Q = stats.norm(0.0, 1.0), stats.norm(1.5, 0.7)


def true_jsd():
    m = lambda t: 0.5 * (P.pdf(t) + Q.pdf(t))  # noqa: E731
    kl_pm = integrate.quad(lambda t: P.pdf(t) * math.log(P.pdf(t) / m(t)), -12, 12)[0]
    kl_qm = integrate.quad(lambda t: Q.pdf(t) * math.log(Q.pdf(t) / m(t)), -12, 12)[0]
    return 0.5 * (kl_pm + kl_qm)


def train(steps=3000, batch=256, seed=0):
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = MLP(1, 1, hidden=64, layers=2, generator=gen)
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    for _ in range(steps):
        xr = torch.as_tensor(P.rvs(batch, random_state=rng), dtype=torch.float32)[:, None]
        xf = torch.as_tensor(Q.rvs(batch, random_state=rng), dtype=torch.float32)[:, None]
        loss = dv.gan_discriminator_loss(net(xr).squeeze(-1), net(xf).squeeze(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return net


def evaluate(net, n=200_000, seed=1):
    rng = np.random.default_rng(seed)
    grid = np.linspace(-3, 4, 141)
    with torch.no_grad():
        d_grid = torch.sigmoid(net(torch.as_tensor(grid, dtype=torch.float32)[:, None])).squeeze(-1)
        xr = torch.as_tensor(P.rvs(n, random_state=rng), dtype=torch.float32)[:, None]
        xf = torch.as_tensor(Q.rvs(n, random_state=rng), dtype=torch.float32)[:, None]
        value = float(dv.gan_value(net(xr).squeeze(-1), net(xf).squeeze(-1), logits=True))
    d_star = dv.optimal_discriminator(P.pdf(grid), Q.pdf(grid))
    mask = (P.pdf(grid) + Q.pdf(grid)) > 0.05          # where there is data to learn from
    return {"grid": grid, "d": d_grid.numpy().astype(float), "d_star": d_star,
            "max_abs_error": float(np.max(np.abs(d_grid.numpy() - d_star)[mask])),
            "gan_value": value, "optimal_value": 2 * true_jsd() - math.log(4)}


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--out", default=os.path.join("docs", "figures",
                                                      "optimal_discriminator.png"))
    args = parser.parse_args(argv)
    res = evaluate(train(args.steps))
    print(f"max |D(x) - p/(p+q)| where p + q > 0.05: {res['max_abs_error']:.4f}")
    print(f"GAN value of the trained discriminator: {res['gan_value']:.4f}; "
          f"2 JSD - log 4 = {res['optimal_value']:.4f}")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.plot(res["grid"], res["d_star"], "k--", label="p / (p + q)")
    ax.plot(res["grid"], res["d"], label="trained D")
    ax.plot(res["grid"], P.pdf(res["grid"]), alpha=0.4, label="p = N(0, 1)")
    ax.plot(res["grid"], Q.pdf(res["grid"]), alpha=0.4, label="q = N(1.5, 0.7^2)")
    ax.set_xlabel("x")
    ax.set_title(f"GAN value {res['gan_value']:.4f} vs 2 JSD - log 4 = {res['optimal_value']:.4f}")
    ax.legend()
    fig.tight_layout()
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    fig.savefig(args.out, dpi=110)
    print(f"saved {args.out}")
    return res


if __name__ == "__main__":
    main()
