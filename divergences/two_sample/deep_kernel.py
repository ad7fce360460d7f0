r"""MMD with a learned deep kernel (MMD-D, Liu et al. 2020).

The kernel

.. math::

    k_\omega(a, b) = \big[(1 - \epsilon)\,\kappa(\phi(a), \phi(b)) + \epsilon\big]\, q(a, b),

mixes a Gaussian kernel :math:`\kappa` (bandwidth :math:`\sigma_\phi`) on the features
of a network :math:`\phi` with a Gaussian kernel :math:`q` (bandwidth :math:`\sigma_q`)
on the inputs, so that it stays characteristic whatever the features.  It is trained
on one part of the data to maximise the estimated test power, and the permutation
test runs on the other part, which the kernel never saw: the test is exact.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._backend.array import namespace
from .._backend.checks import check_device, check_int, check_real, numpy_rng, torch_rng
from .._backend.progress import check_progress, progress_bar
from .._backend.samples import as_2d_samples, as_torch64, power_of_two_scale
from .._backend.training import BestParameters
from ..results import TwoSampleResult
from ._permutation import (check_alternative, check_n_permutations, labellings,
                           permutation_pvalue, statistic_out)
from .aggregated import mmd_of_labellings

_TORCH = namespace("torch")

__all__ = ["mmd_deep_test"]


class _DeepKernel:
    """The kernel's parameters and its Gram matrix on a pooled sample."""

    def __init__(self, d, hidden, features, z_train, gen, device):
        torch_gen = torch_rng(gen, "cpu")
        sizes = [d, *hidden, features]
        layers = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            # skip_init: torch's own initialisation would draw from the global generator
            lin = nn.utils.skip_init(nn.Linear, a, b, dtype=torch.float64)
            bound = 1.0 / math.sqrt(a)
            with torch.no_grad():
                lin.weight.uniform_(-bound, bound, generator=torch_gen)
                lin.bias.uniform_(-bound, bound, generator=torch_gen)
            layers.append(lin)
            if i < len(sizes) - 2:
                layers.append(nn.Softplus())
        self.net = nn.Sequential(*layers).to(device)
        with torch.no_grad():
            feats = self.net(z_train)
            # median heuristics for the initial bandwidths (squared)
            med_q = torch.median(_TORCH.sq_dists(z_train, z_train)[_off_diagonal(z_train)])
            med_f = torch.median(_TORCH.sq_dists(feats, feats)[_off_diagonal(feats)])
        self.log_sq_sigma_q = torch.log(med_q.clamp(min=1e-12)).clone().requires_grad_(True)
        self.log_sq_sigma_f = torch.log(med_f.clamp(min=1e-12)).clone().requires_grad_(True)
        self.logit_eps = torch.tensor(math.log(1e-3 / (1 - 1e-3)), dtype=torch.float64,
                                      device=device, requires_grad=True)

    def parameters(self):
        return [*self.net.parameters(), self.log_sq_sigma_q, self.log_sq_sigma_f,
                self.logit_eps]

    def gram(self, z):
        """The kernel matrix of the rows of z (one pass of the network)."""
        eps = torch.sigmoid(self.logit_eps)
        f = self.net(z)
        kf = torch.exp(-_TORCH.sq_dists(f, f) / torch.exp(self.log_sq_sigma_f))
        kq = torch.exp(-_TORCH.sq_dists(z, z) / torch.exp(self.log_sq_sigma_q))
        return ((1.0 - eps) * kf + eps) * kq

    def settings(self):
        with torch.no_grad():
            return {"sigma_q": float(torch.exp(0.5 * self.log_sq_sigma_q)),
                    "sigma_phi": float(torch.exp(0.5 * self.log_sq_sigma_f)),
                    "epsilon": float(torch.sigmoid(self.logit_eps))}


def _off_diagonal(a):
    n = a.shape[0]
    return ~torch.eye(n, dtype=torch.bool, device=a.device)


def _power_criterion(kernel, x, y, reg=1e-8):
    r"""MMD²_u over its standard deviation under H1 (n = m pairs), Liu et al. eq. (5)."""
    n = x.shape[0]
    k = kernel.gram(torch.cat([x, y]))
    kxx, kyy, kxy = k[:n, :n], k[n:, n:], k[:n, n:]
    h = kxx + kyy - kxy - kxy.T
    h = h - torch.diag(torch.diagonal(h))
    mmd2 = h.sum() / (n * (n - 1))
    row = h.sum(1) / (n - 1)
    var = 4.0 * (row.pow(2).mean() - mmd2.pow(2))
    return mmd2 / torch.sqrt(var.clamp(min=0.0) + reg), mmd2


def mmd_deep_test(x, y, *, train_fraction=0.5, n_permutations=1000, alternative="greater",
                  hidden=(50, 50), features=50, epochs=500, lr=5e-4, rng=None, device=None,
                  progress=None):
    r"""Two-sample test with a deep kernel learned on a training split (MMD-D; Liu et al. 2020).

    A ``train_fraction`` of each sample trains the kernel :math:`k_\omega` (module
    docstring) by full-batch Adam ascent on the estimated test-power criterion

    .. math::

        \hat J(\omega) = \frac{\widehat{\mathrm{MMD}}^2_u(\omega)}
        {\sqrt{\hat\sigma^2_{H_1}(\omega) + 10^{-8}}},\qquad
        \hat\sigma^2_{H_1} = \frac4n\sum_i\Big(\frac1{n-1}\sum_{j\ne i}H_{ij}\Big)^2
        - 4\,\widehat{\mathrm{MMD}}^4_u,

    with :math:`H_{ij} = k(x_i,x_j) + k(y_i,y_j) - k(x_i,y_j) - k(x_j,y_i)` on the
    training pairs.  The trained kernel's :math:`\widehat{\mathrm{MMD}}^2_u` on the
    held-out points is compared with ``n_permutations`` relabellings of the held-out
    pooled sample: p-value :math:`(1 + \#\{T_b \ge T\})/(1 + B)`, exact because the
    kernel was fitted without the held-out points.

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        Samples of shape (n, d) and (m, d) (or 1-D).
    train_fraction : float, default 0.5
        Share of each sample that trains the kernel (the rest is tested on).
    n_permutations : int, default 1000
        Relabellings of the held-out pooled sample (the kernel is not retrained).
    alternative : {"greater", "less", "two-sided"}, default "greater"
        Side of the null that counts against H0 (see the permutation engine).
    hidden : tuple of int, default (50, 50)
        Hidden widths of the feature network :math:`\phi` (Softplus activations).
    features : int, default 50
        Output width of :math:`\phi`.
    epochs : int, default 500
        Full-batch Adam steps; the parameters with the best training criterion are kept.
    lr : float, default 5e-4
    rng : None, int or numpy Generator
        Splits, initialisation and permutations.
    device : str or torch.device, optional
        Where the kernel trains and the test runs (default: the device of ``x``).
    progress : bool or None, default None

    Returns
    -------
    TwoSampleResult
        ``statistic`` = held-out :math:`\widehat{\mathrm{MMD}}^2_u`, ``pvalue``,
        ``null_distribution``; ``details``: ``criterion`` (final training
        :math:`\hat J`), the learned ``sigma_q``, ``sigma_phi``, ``epsilon``,
        ``n_train``/``n_test`` per sample, ``n_permutations``.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import mmd_deep_test
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 2))
    >>> y = rng.normal(size=(200, 2)) * np.array([1.0, 1.6])
    >>> mmd_deep_test(x, y, epochs=100, rng=0).pvalue < 0.05
    True
    """

    train_fraction = check_real("train_fraction", train_fraction, 0.0, 1.0)
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train_fraction must lie in (0, 1), got {train_fraction!r}")
    b = check_n_permutations(n_permutations)
    alternative = check_alternative(alternative)
    try:
        hidden = tuple(hidden)
    except TypeError:
        raise TypeError(f"hidden must be a sequence of layer widths, got {hidden!r}") from None
    for h in hidden:
        check_int("hidden", h, 1)
    features = check_int("features", features, 1)
    epochs = check_int("epochs", epochs, 1)
    lr = check_real("lr", lr, 0.0)
    if not (lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr must be a positive finite number, got {lr!r}")
    check_progress(progress)
    xp, xa, ya = as_2d_samples(x, y)
    if device is not None:
        device = check_device(device)
    else:
        device = xa.device if xp.name == "torch" else torch.device("cpu")
    xt, yt = as_torch64(xa, device), as_torch64(ya, device)
    scale = power_of_two_scale(xt, yt)
    centre = torch.cat([xt, yt]).mean(0)
    xt, yt = (xt - centre) / scale, (yt - centre) / scale
    n, m = xt.shape[0], yt.shape[0]
    k_tr = int(math.floor(min(n, m) * train_fraction))
    if k_tr < 2 or n - k_tr < 2 or m - k_tr < 2:
        raise ValueError(f"too few samples in x ({n}) or y ({m}) for train_fraction="
                         f"{train_fraction}: each part needs at least 2 points of each sample")
    gen = numpy_rng(rng)
    px, py = gen.permutation(n), gen.permutation(m)
    x_tr, x_te = xt[px[:k_tr]], xt[px[k_tr:]]
    y_tr, y_te = yt[py[:k_tr]], yt[py[k_tr:]]
    kernel = _DeepKernel(xt.shape[1], hidden, features, torch.cat([x_tr, y_tr]), gen, device)
    params = kernel.parameters()
    opt = torch.optim.Adam(params, lr=lr)
    best = BestParameters(params, mode="max", snapshot_now=True)
    bar = progress_bar(progress, epochs, "mmd_deep_test", unit="epoch")
    for _ in range(epochs):
        opt.zero_grad(set_to_none=True)
        crit, _ = _power_criterion(kernel, x_tr, y_tr)
        if not bool(torch.isfinite(crit)):
            bar.update(1)
            continue
        value = float(crit.detach())
        best.update(value)
        (-crit).backward()
        if all(p.grad is None or bool(torch.isfinite(p.grad).all()) for p in params):
            opt.step()
        bar.update(1, criterion=value)
    bar.close()
    best.restore()
    with torch.no_grad():
        final, _ = _power_criterion(kernel, x_tr, y_tr)
        k = kernel.gram(torch.cat([x_te, y_te]))
        k.fill_diagonal_(0.0)
        n_te, m_te = x_te.shape[0], y_te.shape[0]
        first = torch.cat([torch.ones(n_te), torch.zeros(m_te)]).to(k)[:, None]
        labels = torch.cat([first, labellings(_TORCH, n_te, n_te + m_te, b,
                                              torch_rng(gen, device), first)], 1)
        stats_ = mmd_of_labellings((labels * (k @ labels)).sum(0), k.sum(1), labels, n_te,
                                   m_te).cpu().numpy()
    observed, null = float(stats_[0]), stats_[1:]
    return TwoSampleResult(
        statistic=statistic_out(xp, observed, xa),
        pvalue=permutation_pvalue(observed, null, alternative),
        method="MMD-D (deep kernel learned on a training split)", n_x=n, n_y=m,
        null_distribution=null,
        details={"criterion": float(final), **kernel.settings(), "n_train": k_tr,
                 "n_test": (n_te, m_te), "n_permutations": b,
                 "alternative": alternative})
