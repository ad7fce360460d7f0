"""Pieces of torch training shared by every trained test and estimator."""

from __future__ import annotations

import math

import torch

__all__ = ["BestParameters"]


class BestParameters:
    """Keep a copy of some parameters at the best value of a criterion seen so far.

    ``update(value)`` snapshots the parameters when ``value`` improves on the best by
    more than ``min_delta`` (larger for ``mode="max"``, smaller for ``"min"``) and
    returns whether it did; ``restore()`` copies the snapshot back (a no-op when no
    snapshot was taken).  With ``snapshot_now`` the starting parameters are the first
    snapshot, so that ``restore`` always has something to restore.

    With ``trials=M`` the parameters hold M independent models along their first axis
    (batched trials): ``update`` takes M values and keeps each model's best rows.
    """

    def __init__(self, parameters, *, mode="max", min_delta=0.0, snapshot_now=False,
                 trials=None):
        if mode not in ("max", "min"):
            raise ValueError(f"mode must be 'max' or 'min', got {mode!r}")
        self.parameters = list(parameters)
        self.sign = 1.0 if mode == "max" else -1.0
        self.min_delta = float(min_delta)
        self.trials = trials
        if trials is None:
            self.best = -math.inf               # in "max" orientation
            self.state = self._copy() if snapshot_now else None
        else:                                   # one best per trial; rows start as they are
            device = self.parameters[0].device
            self.best = torch.full((trials,), -math.inf, dtype=torch.float64, device=device)
            self.state = self._copy()

    @property
    def value(self):
        """The best value seen (±inf before any); a tensor of M values with ``trials``."""
        return self.sign * self.best

    def _copy(self):
        return [p.detach().clone() for p in self.parameters]

    def update(self, value):
        if self.trials is not None:
            v = self.sign * value.to(self.best)
            better = v > self.best + self.min_delta
            self.best = torch.where(better, v, self.best)
            with torch.no_grad():
                for p, keep in zip(self.parameters, self.state):
                    keep[better] = p.detach()[better]
            return better
        v = self.sign * float(value)
        if v > self.best + self.min_delta:
            self.best = v
            self.state = self._copy()
            return True
        return False

    def restore(self):
        if self.state is not None:
            with torch.no_grad():
                for p, keep in zip(self.parameters, self.state):
                    p.copy_(keep)
