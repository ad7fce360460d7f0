"""A small VAE on 2-D data: the ELBO, its closed-form KL term, and posterior collapse at large beta.

Data: the equal mixture of 8 Gaussians N(mu_j, 0.15^2 I) with centres mu_j on the circle
of radius 2.  Model: a 2-D standard-normal latent, encoder and decoder 2 x 64 MLPs, a
Gaussian likelihood with a learned (scalar) log-variance; Adam 1e-3, batch 256, trained
on :func:`divergences.vae_loss` with beta in {1, 4, 16} (beta-VAE).

Reported on 2,000 held-out points:

* the ELBO (beta = 1 in the evaluation, whatever the training beta) during training, and
  an importance-weighted estimate of log p(x) (256 samples of q per point), which the
  ELBO lower-bounds;
* the KL term two ways: closed form (:func:`divergences.diagonal_gaussian_kl`) and the
  Monte-Carlo average of log q(z|x) - log p(z) over 64 draws per point, with its
  standard error;
* the KL per latent dimension: with a large beta the posterior collapses onto the prior
  (KL near 0 in every dimension) and the decoder outputs the data mean.

Run: python docs/examples/vae_toy.py [--steps 2000] [--out ...png]
"""

import argparse
import math
import os
import time

import numpy as np
import torch

import divergences as dv
from divergences.critics import MLP

BETAS = (1.0, 4.0, 16.0)
CENTRES = 2.0 * np.stack([np.cos(np.arange(8) * np.pi / 4), np.sin(np.arange(8) * np.pi / 4)], 1)


def sample_data(n, rng):
    return CENTRES[rng.integers(0, 8, n)] + 0.15 * rng.normal(size=(n, 2))


class VAE(torch.nn.Module):
    def __init__(self, gen, latent=2):
        super().__init__()
        self.encoder = MLP(2, 2 * latent, hidden=64, layers=2, generator=gen)
        self.decoder = MLP(latent, 2, hidden=64, layers=2, generator=gen)
        self.log_var = torch.nn.Parameter(torch.zeros(()))       # the likelihood's

    def encode(self, x):
        mean, log_var = self.encoder(x).chunk(2, dim=-1)
        return mean, log_var


def elbo_terms(model, x, rng, beta=1.0):
    mean, log_var = model.encode(x)
    z = dv.reparameterize(mean, log_var, rng=rng)
    return dv.elbo(x, model.decoder(z), mean, log_var, decoder_log_var=model.log_var,
                   beta=beta, reduction="none"), mean, log_var


def train(beta, steps=2000, seed=0, batch=256, every=250):
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = VAE(gen)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    held_out = torch.as_tensor(sample_data(2000, np.random.default_rng(999)),
                               dtype=torch.float32)
    curve = []
    for step in range(steps + 1):
        if step % every == 0:
            with torch.no_grad():
                value = float(elbo_terms(model, held_out, gen)[0].mean())
            curve.append((step, value))
        if step == steps:
            break
        x = torch.as_tensor(sample_data(batch, rng), dtype=torch.float32)
        loss = dv.vae_loss(x, model.decoder(dv.reparameterize(*model.encode(x), rng=gen)),
                           *model.encode(x), decoder_log_var=model.log_var, beta=beta)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model, curve


def evaluate(model, n=2000, draws=64, iw=256, seed=7):
    """ELBO, importance-weighted log p(x), and the KL term in closed form and by Monte Carlo."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.as_tensor(sample_data(n, np.random.default_rng(seed)), dtype=torch.float64)
    model = model.double()
    with torch.no_grad():
        mean, log_var = model.encode(x)
        kl = dv.diagonal_gaussian_kl(mean, log_var)                     # (n,)
        kl_dims = 0.5 * (mean ** 2 + torch.exp(log_var) - 1 - log_var).mean(0)
        # Monte Carlo: log q(z|x) - log p(z) for draws z ~ q(z|x)
        z = dv.reparameterize(mean, log_var, rng=gen, n_samples=draws)  # (draws, n, k)
        log_q = dv.gaussian_log_likelihood(z.reshape(-1, 2), mean.repeat(draws, 1),
                                           log_var.repeat(draws, 1)).reshape(draws, n)
        log_prior = dv.gaussian_log_likelihood(z.reshape(-1, 2), torch.zeros_like(
            z.reshape(-1, 2))).reshape(draws, n)
        mc = (log_q - log_prior).mean(0)                                # per point
        elbo = dv.elbo(x, model.decoder(z[0]), mean, log_var, decoder_log_var=model.log_var,
                       reduction="none")
        # importance-weighted bound with iw samples: log mean_k p(x, z_k) / q(z_k | x)
        zi = dv.reparameterize(mean, log_var, rng=gen, n_samples=iw)
        flat = zi.reshape(-1, 2)
        log_px_z = dv.gaussian_log_likelihood(x.repeat(iw, 1), model.decoder(flat),
                                              model.log_var).reshape(iw, n)
        log_w = log_px_z + dv.gaussian_log_likelihood(flat, torch.zeros_like(flat)).reshape(
            iw, n) - dv.gaussian_log_likelihood(flat, mean.repeat(iw, 1),
                                                log_var.repeat(iw, 1)).reshape(iw, n)
        log_px = torch.logsumexp(log_w, 0) - math.log(iw)
        recon = model.decoder(mean)
    model.float()
    return {"elbo": float(elbo.mean()), "elbo_se": float(elbo.std() / math.sqrt(n)),
            "log_px": float(log_px.mean()), "kl": float(kl.mean()), "kl_mc": float(mc.mean()),
            "kl_mc_se": float((mc - kl).std() / math.sqrt(n)),
            "kl_dims": kl_dims.tolist(), "recon_spread": float(recon.std(0).mean()),
            "decoder_sd": float(torch.exp(0.5 * model.log_var.detach())),
            "recon": recon.numpy(), "x": x.numpy()}


def plot(runs, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    ax = axes[0]
    for beta, (curve, res) in runs.items():
        steps, vals = zip(*curve)
        ax.plot(steps, vals, label=f"beta = {beta:g} (log p(x) ~ {res['log_px']:.3f})")
    ax.set(xlabel="step", ylabel="held-out ELBO (beta = 1)", title="ELBO during training",
           ylim=(min(c[-1][1] for c, _ in runs.values()) - 2, None))
    ax.legend(fontsize=8)
    ax = axes[1]
    betas = list(runs)
    width = 0.35
    for j in range(2):
        ax.bar(np.arange(len(betas)) + (j - 0.5) * width,
               [runs[b][1]["kl_dims"][j] for b in betas], width, label=f"latent dim {j + 1}")
    ax.set_xticks(range(len(betas)), [f"beta = {b:g}" for b in betas])
    ax.set(ylabel="mean KL per dimension (nats)", title="posterior collapse")
    ax.legend(fontsize=8)
    ax = axes[2]
    first = runs[betas[0]][1]
    ax.scatter(*first["x"][:1000].T, s=3, c="lightgrey", label="data")
    for b in (betas[0], betas[-1]):
        ax.scatter(*runs[b][1]["recon"][:1000].T, s=3, label=f"decoder(mean), beta = {b:g}")
    ax.set(aspect="equal", title="reconstructions")
    ax.legend(fontsize=8, markerscale=3)
    fig.tight_layout()
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    fig.savefig(out, dpi=90)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("docs", "figures", "vae_toy.png"))
    args = parser.parse_args(argv)
    # networks this small run faster on one thread than on several (synchronisation costs
    # more than it saves, and far more on a busy machine); this script owns its process
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    runs = {}
    for beta in BETAS:
        model, curve = train(beta, args.steps, args.seed)
        runs[beta] = (curve, evaluate(model))
    print(f"{'beta':>5}{'ELBO':>9}{'(s.e.)':>8}{'IW log p(x)':>13}{'KL closed':>11}"
          f"{'KL MC':>9}{'(s.e.)':>8}{'KL per dim':>16}{'decoder sd':>12}")
    for beta, (_, r) in runs.items():
        dims = " ".join(f"{v:.2f}" for v in r["kl_dims"])
        print(f"{beta:>5g}{r['elbo']:>9.3f}{r['elbo_se']:>8.3f}{r['log_px']:>13.3f}"
              f"{r['kl']:>11.3f}{r['kl_mc']:>9.3f}{r['kl_mc_se']:>8.3f}{dims:>16}"
              f"{r['decoder_sd']:>12.3f}")
    plot(runs, args.out)
    print(f"figure: {args.out}  ({time.perf_counter() - t0:.0f} s)")
    return runs


if __name__ == "__main__":
    main()
