"""Critic networks (torch) for the variational estimators, with seeded initialisation.

All modules initialise their weights from an explicit ``torch.Generator`` (never
the global RNG) with PyTorch's default uniform fan-in scheme.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["MLP", "SampleCritic", "SeparableCritic", "ConcatCritic", "BatchedSeparableCritic",
           "init_linear_"]


def init_linear_(module: nn.Module, generator: torch.Generator | None = None) -> nn.Module:
    """Re-initialise every ``nn.Linear`` in ``module`` from ``generator``, in place.

    Weights and biases are drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

    Examples
    --------
    >>> import torch
    >>> from divergences.critics import init_linear_
    >>> def fresh():  # an uninitialised layer: skip_init draws nothing
    ...     return torch.nn.utils.skip_init(torch.nn.Linear, 4, 2)
    >>> a = init_linear_(fresh(), torch.Generator().manual_seed(0))
    >>> b = init_linear_(fresh(), torch.Generator().manual_seed(0))
    >>> bool(torch.equal(a.weight, b.weight)), bool(a.weight.abs().max() <= 0.5)
    (True, True)
    """
    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, nn.Linear):
                bound = 1.0 / math.sqrt(layer.in_features)
                layer.weight.uniform_(-bound, bound, generator=generator)
                if layer.bias is not None:
                    layer.bias.uniform_(-bound, bound, generator=generator)
    return module


def linear(in_dim: int, out_dim: int, generator: torch.Generator | None = None) -> nn.Linear:
    """An ``nn.Linear`` initialised from ``generator`` without touching torch's global RNG.

    With a generator the layer is created uninitialised (``skip_init``) and then
    filled by :func:`init_linear_`, so building it leaves the global RNG state
    as it was; without one it is an ordinary ``nn.Linear`` (global RNG).

    Parameters
    ----------
    in_dim, out_dim : int
    generator : torch.Generator, optional

    Returns
    -------
    torch.nn.Linear

    Examples
    --------
    >>> import torch
    >>> from divergences.critics import linear
    >>> before = torch.random.get_rng_state()
    >>> layer = linear(3, 2, torch.Generator().manual_seed(0))
    >>> bool(torch.equal(before, torch.random.get_rng_state())), tuple(layer.weight.shape)
    (True, (2, 3))
    """
    if generator is None:
        return nn.Linear(in_dim, out_dim)
    layer = torch.nn.utils.skip_init(nn.Linear, in_dim, out_dim)
    return init_linear_(layer, generator)


class MLP(nn.Sequential):
    """``in_dim -> hidden -> ... -> out_dim`` with ReLU between the linear layers.

    Parameters
    ----------
    in_dim, out_dim : int
    hidden : int, default 256
    layers : int, default 2
        Number of hidden layers.
    generator : torch.Generator, optional
        Source of the initial weights.

    Examples
    --------
    >>> import torch
    >>> from divergences.critics import MLP
    >>> net = MLP(3, 1, hidden=8, layers=2, generator=torch.Generator().manual_seed(0))
    >>> net(torch.zeros(5, 3)).shape
    torch.Size([5, 1])
    """

    def __init__(self, in_dim, out_dim, hidden=256, layers=2, generator=None):
        if min(in_dim, out_dim, hidden) < 1 or layers < 0:
            raise ValueError("MLP dimensions must be positive and layers >= 0")
        sizes = [in_dim] + [hidden] * layers
        modules = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            modules += [linear(a, b, generator), nn.ReLU()]
        modules.append(linear(sizes[-1], out_dim, generator))
        super().__init__(*modules)


class _Standardise(nn.Module):
    """Fixed affine standardisation (buffers, not parameters)."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)

    def forward(self, x):
        return (x - self.mean) / self.std


def _standardiser(data, dim):
    if data is None:
        return _Standardise(torch.zeros(dim), torch.ones(dim))
    mean = data.mean(0)
    std = data.std(0).clamp_min(1e-8) if data.shape[0] > 1 else torch.ones_like(mean)
    return _Standardise(mean.detach(), std.detach())


class SampleCritic(nn.Module):
    """A critic T(x) on samples: standardisation (fitted on given data) and an MLP.

    ``forward(x)`` maps (n, d) to (n,).

    Examples
    --------
    >>> import torch
    >>> from divergences.critics import SampleCritic
    >>> gen = torch.Generator().manual_seed(0)
    >>> c = SampleCritic(3, hidden=8, data=torch.randn(20, 3, generator=gen), generator=gen)
    >>> c(torch.zeros(5, 3)).shape
    torch.Size([5])
    """

    def __init__(self, dim, hidden=64, layers=2, data=None, generator=None):
        super().__init__()
        self.standardise = _standardiser(data, dim)
        self.net = MLP(dim, 1, hidden, layers, generator)

    def forward(self, x):
        return self.net(self.standardise(x)).squeeze(-1)


class SeparableCritic(nn.Module):
    r"""Separable critic :math:`T(x, y) = g(x)^\top h(y)` (Poole et al. 2019).

    ``forward(x, y)`` returns the K x K score matrix ``scores[i, j] = T(x_i, y_j)``
    with one pass of each network over the batch.

    Examples
    --------
    >>> import torch
    >>> from divergences.critics import SeparableCritic
    >>> c = SeparableCritic(2, 3, hidden=16, embed_dim=4, generator=torch.Generator().manual_seed(0))
    >>> c(torch.zeros(5, 2), torch.zeros(5, 3)).shape
    torch.Size([5, 5])
    """

    def __init__(self, x_dim, y_dim, hidden=256, layers=2, embed_dim=32, data=None,
                 generator=None):
        super().__init__()
        x_data, y_data = data if data is not None else (None, None)
        self.standardise_x = _standardiser(x_data, x_dim)
        self.standardise_y = _standardiser(y_data, y_dim)
        self.g = MLP(x_dim, embed_dim, hidden, layers, generator)
        self.h = MLP(y_dim, embed_dim, hidden, layers, generator)

    def forward(self, x, y):
        return self.g(self.standardise_x(x)) @ self.h(self.standardise_y(y)).T


class ConcatCritic(nn.Module):
    r"""Concatenated critic :math:`T(x, y) = f([x, y])` evaluated on all K x K pairs.

    Costs K² network evaluations per batch (the separable critic costs 2K).

    Examples
    --------
    >>> import torch
    >>> from divergences.critics import ConcatCritic
    >>> c = ConcatCritic(2, 3, hidden=8, generator=torch.Generator().manual_seed(0))
    >>> c(torch.zeros(4, 2), torch.zeros(4, 3)).shape
    torch.Size([4, 4])
    """

    def __init__(self, x_dim, y_dim, hidden=256, layers=2, data=None, generator=None):
        super().__init__()
        x_data, y_data = data if data is not None else (None, None)
        self.standardise_x = _standardiser(x_data, x_dim)
        self.standardise_y = _standardiser(y_data, y_dim)
        self.f = MLP(x_dim + y_dim, 1, hidden, layers, generator)

    def forward(self, x, y):
        x, y = self.standardise_x(x), self.standardise_y(y)
        k = x.shape[0]
        pairs = torch.cat([x[:, None, :].expand(k, y.shape[0], x.shape[1]),
                           y[None, :, :].expand(k, y.shape[0], y.shape[1])], dim=-1)
        return self.f(pairs).squeeze(-1)


class _BatchedLinear(nn.Module):
    """M independent linear layers applied to M batches at once (one batched matmul)."""

    def __init__(self, m, in_dim, out_dim, generator=None):
        super().__init__()
        bound = 1.0 / math.sqrt(in_dim)
        self.weight = nn.Parameter(torch.empty(m, in_dim, out_dim).uniform_(
            -bound, bound, generator=generator))
        self.bias = nn.Parameter(torch.empty(m, 1, out_dim).uniform_(
            -bound, bound, generator=generator))

    def forward(self, x):                      # (M, n, in) -> (M, n, out)
        return torch.baddbmm(self.bias, x, self.weight)


class _BatchedMLP(nn.Sequential):
    def __init__(self, m, in_dim, out_dim, hidden, layers, generator=None):
        sizes = [in_dim] + [hidden] * layers
        modules = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            modules += [_BatchedLinear(m, a, b, generator), nn.ReLU()]
        modules.append(_BatchedLinear(m, sizes[-1], out_dim, generator))
        super().__init__(*modules)


class BatchedSeparableCritic(nn.Module):
    r"""M independent separable critics :math:`g_m(x)^\top h_m(y)` evaluated together.

    Used to train the critics of repeated trials as one network: every layer
    is a batched matrix product over the M models, so the parameters (and
    Adam's element-wise state) of different models never interact.
    ``forward(x, y)`` maps (M, K, d_x) and (M, K, d_y) to (M, K, K) scores.

    Parameters
    ----------
    m : int
        Number of independent critics.
    x_dim, y_dim, hidden, layers, embed_dim : int
    data : tuple of tensors, optional
        ``(x, y)`` of shape (M, n, d) to fit each model's standardisation.
    generator : torch.Generator, optional

    Examples
    --------
    >>> import torch
    >>> from divergences.critics import BatchedSeparableCritic
    >>> c = BatchedSeparableCritic(3, 2, 2, hidden=8, embed_dim=4,
    ...                            generator=torch.Generator().manual_seed(0))
    >>> c(torch.zeros(3, 5, 2), torch.zeros(3, 5, 2)).shape
    torch.Size([3, 5, 5])
    """

    def __init__(self, m, x_dim, y_dim, hidden=256, layers=2, embed_dim=32, data=None,
                 generator=None):
        super().__init__()
        if data is not None:
            x, y = data
            self.register_buffer("x_mean", x.mean(1, keepdim=True))
            self.register_buffer("x_std", x.std(1, keepdim=True).clamp_min(1e-8))
            self.register_buffer("y_mean", y.mean(1, keepdim=True))
            self.register_buffer("y_std", y.std(1, keepdim=True).clamp_min(1e-8))
        else:
            for name, dim in (("x", x_dim), ("y", y_dim)):
                self.register_buffer(f"{name}_mean", torch.zeros(m, 1, dim))
                self.register_buffer(f"{name}_std", torch.ones(m, 1, dim))
        self.g = _BatchedMLP(m, x_dim, embed_dim, hidden, layers, generator)
        self.h = _BatchedMLP(m, y_dim, embed_dim, hidden, layers, generator)

    def forward(self, x, y):
        gx = self.g((x - self.x_mean) / self.x_std)
        hy = self.h((y - self.y_mean) / self.y_std)
        return gx @ hy.transpose(-1, -2)
