r"""Classifier two-sample tests (C2ST; Lopez-Paz & Oquab 2017).

Label the samples of P with 1 and those of Q with 0, train a classifier on
part of them and measure it on the rest.  Under :math:`H_0: P = Q` no
classifier can beat chance on held-out data, so its held-out accuracy is a
test statistic; its held-out cross-entropy CE gives the lower bound
:math:`\mathrm{JSD}(P\|Q) \ge \log 2 - \mathrm{CE}` (balanced classes).
"""

from __future__ import annotations

import copy
import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from scipy import special, stats

from .._backend.array import namespace
from .._backend.deprecation import warn_user
from .._backend.checks import check_device, is_real, numpy_rng, torch_rng
from .._backend.progress import check_progress, progress_bar
from .._backend.samples import as_2d_samples, power_of_two_at_least
from .._backend.training import BestParameters
from ..estimators.critics import linear
from ..results import TwoSampleResult
from ._permutation import (check_alternative, check_n_permutations, labellings,
                           permutation_pvalue, statistic_out)

__all__ = ["c2st", "TrainingSettings"]


_LOG2 = math.log(2.0)


# ---------------------------------------------------------------------------
# torch classifiers with early stopping
# ---------------------------------------------------------------------------


def _make_network(kind, d, hidden, gen, device):
    # seeded initialisation: the layers never draw from (or advance) the global RNG
    if kind == "logistic":
        layers = [linear(d, 1, gen)]
    else:
        sizes = (d,) + tuple(hidden)
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [linear(a, b, gen), torch.nn.ReLU()]
        layers.append(linear(sizes[-1], 1, gen))
    net = torch.nn.Sequential(*layers)
    return net.to(device=device, dtype=torch.float32)


def _train(kind, x_tr, l_tr, x_val, l_val, gen, *, hidden, max_epochs, batch_size, lr,
           patience, weight_decay):
    """Train with Adam on class-balanced logistic loss; keep the best validation weights."""
    device = x_tr.device
    n = x_tr.shape[0]
    # at least ~8 steps per epoch, so that patience counts real training on small data
    batch_size = max(1, min(batch_size, max(8, n // 8)))
    net = _make_network(kind, x_tr.shape[1], hidden, gen, device)
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=weight_decay)
    pos_frac = float(l_tr.mean())
    # class-balanced weights: each class carries half of the loss
    w_tr = torch.where(l_tr > 0.5, 0.5 / pos_frac, 0.5 / (1 - pos_frac))
    pos_val = float(l_val.mean()) if len(l_val) else 0.5
    w_val = torch.where(l_val > 0.5, 0.5 / max(pos_val, 1e-12), 0.5 / max(1 - pos_val, 1e-12))
    best, bad = BestParameters(net.parameters(), mode="min", min_delta=1e-5), 0
    for _ in range(max_epochs):
        net.train()
        order = torch.randperm(n, generator=gen, device="cpu").to(device)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            logits = net(x_tr[idx]).squeeze(-1)
            loss = F.binary_cross_entropy_with_logits(logits, l_tr[idx], weight=w_tr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        if len(l_val) == 0:
            continue
        net.eval()
        with torch.no_grad():
            val = float(F.binary_cross_entropy_with_logits(net(x_val).squeeze(-1), l_val,
                                                           weight=w_val))
        if best.update(val):
            bad = 0
        else:
            bad += 1
            if bad >= patience:
                break
    best.restore()
    net.eval()
    return net


def _fit_logistic(x_tr, l_tr, gen, *, weight_decay, max_iter=200, **_):
    """Class-balanced L2-regularised logistic regression by full-batch L-BFGS (convex)."""
    net = _make_network("logistic", x_tr.shape[1], (), gen, x_tr.device)
    pos_frac = float(l_tr.mean())
    w = torch.where(l_tr > 0.5, 0.5 / pos_frac, 0.5 / (1 - pos_frac))
    opt = torch.optim.LBFGS(net.parameters(), lr=1.0, max_iter=max_iter,
                            line_search_fn="strong_wolfe", tolerance_grad=1e-9,
                            tolerance_change=1e-12)
    penalty = max(weight_decay, 1e-6)

    def closure():
        opt.zero_grad(set_to_none=True)
        loss = F.binary_cross_entropy_with_logits(net(x_tr).squeeze(-1), l_tr, weight=w)
        loss = loss + 0.5 * penalty * (net[0].weight ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    net.eval()
    return net


class _TorchClassifier:
    """Standardise on the training data, train an MLP/logistic model, return logits."""

    validation_fraction = 0.2

    def __init__(self, kind, gen, device, **options):
        self.kind, self.gen, self.device, self.options = kind, gen, device, options

    def fit_logits(self, x_tr, l_tr, x_te):
        # standardise in float64 after an exact power-of-two rescaling per coordinate, then
        # train in float32: data at 1e-300 or 1e300 would underflow to 0 or overflow to inf
        # in float32 (or in the float64 variance) before the standardisation
        x_tr, x_te = np.asarray(x_tr, dtype=np.float64), np.asarray(x_te, dtype=np.float64)
        scale = power_of_two_at_least(np.abs(x_tr).max(0))
        x_tr, x_te = x_tr / scale, x_te / scale
        mean, std = x_tr.mean(0), x_tr.std(0, ddof=1)
        std = np.where(std > 1e-12, std, 1.0)
        x_tr = torch.as_tensor((x_tr - mean) / std, dtype=torch.float32, device=self.device)
        x_te = torch.as_tensor((x_te - mean) / std, dtype=torch.float32, device=self.device)
        l_tr = torch.as_tensor(l_tr, dtype=torch.float32, device=self.device)
        if self.kind == "logistic":
            net = _fit_logistic(x_tr, l_tr, self.gen, **self.options)
            with torch.no_grad():
                return net(x_te).squeeze(-1).double().cpu().numpy()
        # stratified validation part of the training split for early stopping
        perm = torch.randperm(len(l_tr), generator=self.gen).to(self.device)
        is_val = torch.zeros(len(l_tr), dtype=torch.bool, device=self.device)
        for cls in (0.0, 1.0):
            members = perm[l_tr[perm] == cls]
            is_val[members[:int(round(self.validation_fraction * len(members)))]] = True
        net = _train(self.kind, x_tr[~is_val], l_tr[~is_val], x_tr[is_val], l_tr[is_val],
                     self.gen, **self.options)
        with torch.no_grad():
            return net(x_te).squeeze(-1).double().cpu().numpy()


class _ExternalClassifier:
    """Any object with ``fit(X, y)`` and ``predict_proba(X)`` (scikit-learn style)."""

    def __init__(self, estimator):
        self.estimator = estimator

    def fit_logits(self, x_tr, l_tr, x_te):
        est = copy.deepcopy(self.estimator)
        est.fit(np.asarray(x_tr), np.asarray(l_tr).astype(int))
        proba = np.asarray(est.predict_proba(np.asarray(x_te)))
        p1 = proba[:, 1] if proba.ndim == 2 else proba
        p1 = np.clip(p1.astype(np.float64), 1e-15, 1 - 1e-15)
        return special.logit(p1)


# ---------------------------------------------------------------------------
# the test
# ---------------------------------------------------------------------------


def _auc(scores, labels):
    """Area under the ROC curve via the Mann-Whitney statistic (ties count 1/2)."""
    ranks = stats.rankdata(scores)
    n1 = labels.sum()
    n0 = labels.size - n1
    return float((ranks[labels == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def _resolve_classifier(classifier, gen, device, settings):
    if isinstance(classifier, str):
        if classifier not in ("mlp", "logistic"):
            raise ValueError(f"classifier must be 'mlp', 'logistic' or an object with "
                             f"fit/predict_proba, got {classifier!r}")
        return _TorchClassifier(classifier, gen, device, **dataclasses.asdict(settings))
    if hasattr(classifier, "fit") and hasattr(classifier, "predict_proba"):
        return _ExternalClassifier(classifier)
    raise TypeError("classifier must be 'mlp', 'logistic' or an object with fit and "
                    "predict_proba methods")


@dataclass(frozen=True)
class TrainingSettings:
    """Training settings of the built-in torch classifiers of :func:`c2st`.

    Defaults from a measured sweep (``benchmarks/bench_c2st_defaults.py``): the
    earlier patience 5 and 100 epochs stopped training almost at once (power 0.04 on
    Blob at N = 720, now 0.40, at 0.37 s instead of 0.08 s per call on one thread);
    wider networks, smaller batches or other learning rates changed power by less than
    its standard error (0.07).

    Attributes
    ----------
    hidden : tuple of int, default (64, 64)
        Hidden widths of the MLP (ReLU).
    max_epochs : int, default 300
    batch_size : int, default 256
    lr : float, default 3e-3
        Adam's learning rate.
    weight_decay : float, default 0.0
        L2 penalty (Adam's weight decay; the logistic model's penalty is at least 1e-6).
    patience : int, default 20
        Epochs without improvement of the validation loss before training stops.

    Examples
    --------
    >>> from divergences.two_sample import TrainingSettings
    >>> TrainingSettings(hidden=(32,), max_epochs=50)
    TrainingSettings(hidden=(32,), max_epochs=50, batch_size=256, lr=0.003, weight_decay=0.0, patience=20)
    """

    hidden: tuple = (64, 64)
    max_epochs: int = 300
    batch_size: int = 256
    lr: float = 3e-3
    weight_decay: float = 0.0
    patience: int = 20

    def __post_init__(self):
        try:
            hidden = tuple(self.hidden)
        except TypeError:
            raise TypeError(f"hidden must be a sequence of layer widths, got "
                            f"{self.hidden!r}") from None
        if not all(isinstance(h, (int, np.integer)) and not isinstance(h, bool) and h >= 1
                   for h in hidden):
            raise ValueError(f"hidden must hold positive integer layer widths, got {hidden!r}")
        object.__setattr__(self, "hidden", tuple(int(h) for h in hidden))
        for name in ("max_epochs", "batch_size", "patience"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
            object.__setattr__(self, name, int(value))
        if not (is_real(self.lr) and 0 < self.lr < math.inf):
            raise ValueError(f"lr must be a positive number, got {self.lr!r}")
        if not (is_real(self.weight_decay) and 0 <= self.weight_decay < math.inf):
            raise ValueError(f"weight_decay must be a non-negative number, got "
                             f"{self.weight_decay!r}")
        object.__setattr__(self, "lr", float(self.lr))
        object.__setattr__(self, "weight_decay", float(self.weight_decay))


_TRAINING_FIELDS = ("hidden", "max_epochs", "batch_size", "lr", "weight_decay", "patience")


def _training(training, legacy):
    """The TrainingSettings from ``training=`` (settings, dict or None) and the deprecated
    separate keywords."""
    unknown = sorted(set(legacy) - set(_TRAINING_FIELDS))
    if unknown:
        raise TypeError(f"c2st() got unexpected keyword arguments {', '.join(unknown)}")
    if legacy:
        warn_user(f"c2st(): pass the training settings as training=TrainingSettings("
                  f"{', '.join(f'{k}=...' for k in legacy)}) (or a dict); the separate "
                  f"keywords will be removed in a future release", DeprecationWarning)
    if training is None:
        training = {}
    if isinstance(training, dict):
        unknown = sorted(set(training) - set(_TRAINING_FIELDS))
        if unknown:
            raise TypeError(f"training has unknown settings {', '.join(map(repr, unknown))}; "
                            f"the settings are {', '.join(_TRAINING_FIELDS)}")
        return TrainingSettings(**{**training, **legacy})
    if isinstance(training, TrainingSettings):
        return dataclasses.replace(training, **legacy) if legacy else training
    raise TypeError(f"training must be a TrainingSettings, a dict or None, got "
                    f"{type(training).__name__}")


def _nulls(statistic, n_folds, n_permutations, n_retrainings):
    """(relabellings B or 0, retrainings R or 0): which null the p-value comes from."""
    if n_retrainings is None:
        n_retrainings = 0
    if isinstance(n_retrainings, bool) or not isinstance(n_retrainings, (int, np.integer)) \
            or n_retrainings < 0:
        raise ValueError(f"n_retrainings must be a non-negative int, got {n_retrainings!r}")
    if n_permutations in (None, 0):
        n_permutations = 0
    else:
        n_permutations = check_n_permutations(n_permutations)
    if n_folds is not None and n_permutations and not n_retrainings:
        # earlier releases: n_permutations counted retrainings, the only valid null here
        warn_user("c2st(n_folds=..., n_permutations=B): cross-fitted logits have no "
                      "relabelling null, and n_permutations now counts relabellings "
                      "without retraining; pass n_retrainings=B (taken as that now)", DeprecationWarning)
        n_permutations, n_retrainings = 0, n_permutations
    if n_permutations and n_retrainings:
        raise ValueError("give n_permutations (relabellings of the held-out set) or "
                         "n_retrainings (retraining on relabelled data), not both")
    if n_folds is not None and not n_retrainings:
        raise ValueError("cross-fitting (n_folds) needs a permutation p-value by "
                         "retraining: set n_retrainings >= 1")
    if statistic == "logit" and not n_retrainings and not n_permutations:
        n_permutations = 1000
    return int(n_permutations), int(n_retrainings)


def _statistic(kind, logits, labels):
    """The test statistic of held-out logits and 0/1 labels."""
    if kind == "logit":
        return float(logits[labels == 1].mean() - logits[labels == 0].mean())
    correct = (logits > 0) == (labels == 1)
    if kind == "balanced_accuracy":
        return float(0.5 * (correct[labels == 1].mean() + correct[labels == 0].mean()))
    return float(correct.mean())


def _relabelled_statistics(kind, logits, labels, count, gen):
    """The statistic on ``count`` relabellings of the held-out points (fixed classifier)."""
    k = int(labels.sum())
    lab = labellings(namespace("numpy"), k, labels.size, count, gen, logits)   # (n_te, B)
    if kind == "logit":
        sums = logits @ lab
        return sums / k - (logits.sum() - sums) / (labels.size - k)
    pred = (logits > 0).astype(np.float64)
    return ((1.0 - pred).sum() + (2.0 * pred - 1.0) @ lab) / labels.size


def _binomial_pvalue(correct, n_test, alternative):
    greater = float(stats.binom.sf(correct - 1, n_test, 0.5))
    less = float(stats.binom.cdf(correct, n_test, 0.5))
    return {"greater": greater, "less": less,
            "two-sided": min(1.0, 2.0 * min(greater, less))}[alternative]


def _jsd_details(logits, labels, confidence):
    """Held-out AUC, balanced log-loss and the JSD lower bound log 2 - CE with its CI."""
    losses = np.where(labels == 1, np.logaddexp(0, -logits), np.logaddexp(0, logits))
    pos, neg = losses[labels == 1], losses[labels == 0]
    ce = 0.5 * (pos.mean() + neg.mean())          # balanced: each class weighs one half
    se = math.sqrt(0.25 * (pos.var(ddof=1) / max(pos.size, 2) + neg.var(ddof=1) /
                           max(neg.size, 2)))
    zq = stats.norm.ppf(0.5 + confidence / 2)
    return {"auc": _auc(logits, labels), "log_loss": float(ce),
            "jsd_lower_bound": float(_LOG2 - ce),
            "jsd_lower_bound_ci": (float(_LOG2 - ce - zq * se), float(_LOG2 - ce + zq * se))}


class _Design:
    """Where each point is trained and tested: one balanced held-out split, or k folds."""

    def __init__(self, n, m, test_fraction, n_folds, gen):
        self.n, self.m, self.n_folds = n, m, n_folds
        if n_folds is None:
            k = int(math.floor(min(n, m) * test_fraction))
            if k < 2 or n - k < 2 or m - k < 2:
                raise ValueError(
                    f"too few samples in x ({n}) or y ({m}) for a held-out split with "
                    f"test_fraction={test_fraction}: each side needs at least 2 training and "
                    f"2 test samples")
            px, py = gen.permutation(n), gen.permutation(m)
            self.test = np.concatenate([px[:k], n + py[:k]])
            self.train = np.concatenate([px[k:], n + py[k:]])
        else:
            if min(n, m) < n_folds:
                raise ValueError(f"too few samples for {n_folds} folds: n_x={n}, n_y={m}")
            self.folds = np.empty(n + m, dtype=int)
            self.folds[:n] = gen.permutation(n) % n_folds
            self.folds[n:] = gen.permutation(m) % n_folds
            self.test = np.arange(n + m)

    def logits(self, clf, z, labels):
        """Held-out logits of the points of ``self.test`` for the given labels."""
        if self.n_folds is None:
            return clf.fit_logits(z[self.train], labels[self.train], z[self.test])
        out = np.empty(z.shape[0])
        for f in range(self.n_folds):
            te = self.folds == f
            out[te] = clf.fit_logits(z[~te], labels[~te], z[te])
        return out

    def relabel(self, labels, gen):
        """A relabelling that keeps the training and test parts balanced as they are."""
        if self.n_folds is not None:
            return gen.permutation(labels)
        out = labels.copy()
        out[self.train] = gen.permutation(labels[self.train])
        out[self.test] = gen.permutation(labels[self.test])
        return out


def c2st(x, y, *, classifier="mlp", statistic="accuracy", test_fraction=0.5, n_folds=None,
         n_permutations=None, n_retrainings=0, alternative="greater", training=None,
         confidence=0.95, rng=None, device=None, progress=None, **legacy):
    r"""Classifier two-sample test of :math:`H_0: P = Q` (Lopez-Paz & Oquab 2017).

    Samples of P (``x``) are labelled 1 and samples of Q (``y``) 0.  With a single
    split (default) a held-out set with **equally many** points of each sample is
    drawn (``floor(min(n_x, n_y) * test_fraction)`` of each; the rest trains the
    classifier with class-balanced loss).  The statistic is the held-out accuracy
    :math:`\hat a`; under :math:`H_0` the predictions are independent of the
    labels, so :math:`n_{te}\hat a` is at most as spread as
    :math:`\mathrm{Binomial}(n_{te}, \tfrac12)` and the exact one-sided binomial
    p-value :math:`P(\mathrm{Bin}(n_{te}, \tfrac12) \ge n_{te}\hat a)` is valid for
    any sample sizes.

    With ``statistic="logit"`` (C2ST-L, Liu et al. 2020) the statistic is the mean
    held-out logit of the x-points minus that of the y-points,

    .. math::

        T = \frac1{k}\sum_{i \in \mathrm{te}_x} f(x_i) - \frac1{k}\sum_{j \in
        \mathrm{te}_y} f(y_j),

    which uses the classifier's confidence rather than only the sign of its output.

    Three nulls, as the library's vocabulary names them:

    * ``n_permutations`` **relabellings** of the held-out points (no retraining): given
      the trained classifier the held-out labels are exchangeable under :math:`H_0`, so
      the permutation engine's p-value :math:`(1 + \#\{T_b \ge T\})/(1 + B)` is exact;
      cheap, for either statistic (C2ST-L uses 1,000 when no null is chosen);
    * ``n_retrainings`` **retrainings** on relabelled data (training and held-out parts
      relabelled separately, each kept balanced); slow, and the only valid null with
      ``n_folds``;
    * neither, with the accuracy: the exact binomial p-value above.

    With ``n_folds=k`` every sample is held out once (stratified k-fold
    cross-fitting); the statistic is then the balanced accuracy over all points.

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        Samples of shape (n, d) or (n,).
    classifier : {"mlp", "logistic"} or object, default "mlp"
        ``"mlp"``: a torch MLP trained with Adam and stopped early on a stratified
        20 % validation part of the training split; ``"logistic"``: L2-regularised
        logistic regression fitted by full-batch L-BFGS.  Both standardise features
        with the training split's mean and standard deviation and weight the two
        classes equally.  Any object with ``fit(X, y)`` and ``predict_proba(X)`` (e.g.
        a scikit-learn classifier) works too; it is deep-copied for every fit.
    statistic : {"accuracy", "logit"}, default "accuracy"
        The held-out accuracy, or C2ST-L's mean logit difference (single split only).
    test_fraction : float, default 0.5
    n_folds : int, optional
        Cross-fitting folds (>= 2); requires ``n_retrainings >= 1``.
    n_permutations : int, optional
        Relabellings of the held-out set (see above); None or 0: none (1,000 for
        C2ST-L).  In releases before 0.2 this counted retrainings: with ``n_folds`` it is
        still read that way, with a ``DeprecationWarning``.
    n_retrainings : int, default 0
        Retrainings on relabelled data for a permutation null (see above).
    alternative : {"greater", "less", "two-sided"}, default "greater"
        "greater": a classifier better than chance speaks against H0.
    training : TrainingSettings or dict, optional
        Settings of the built-in classifiers (``hidden``, ``max_epochs``,
        ``batch_size``, ``lr``, ``weight_decay``, ``patience``; see
        :class:`~divergences.two_sample.TrainingSettings`).  Passing them as separate
        keywords still works, with a ``DeprecationWarning``.
    confidence : float, default 0.95
        Level of the confidence interval of the JSD lower bound.
    rng : None, int, numpy Generator or torch.Generator
        Controls the splits, the initialisation, the mini-batches and the nulls.
    device : str or torch.device, optional
        Where the torch classifiers train (default: the device of ``x`` if it is
        a tensor, else CPU).
    progress : bool or None, default None
        Report the retrainings on stderr: None shows a bar only when stderr is a
        terminal and they take over 2 s; True always reports; False is silent.

    Returns
    -------
    TwoSampleResult
        ``statistic`` (held-out accuracy, balanced accuracy with ``n_folds``, or the
        mean logit difference), ``pvalue``, ``null_distribution`` (with a permutation
        null); ``details`` holds ``auc``, ``log_loss`` (nats), ``jsd_lower_bound`` =
        log 2 - log_loss with ``jsd_lower_bound_ci``, ``n_test``, ``accuracy``,
        ``balanced_accuracy``, ``logit_difference``, ``binomial_pvalue`` (single split),
        ``n_permutations``, ``n_retrainings`` and ``alternative``.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import c2st
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(400, 2)); y = rng.normal(size=(400, 2)) + [1.0, 0.0]
    >>> res = c2st(x, y, classifier="logistic", rng=0)
    >>> res.statistic > 0.6 and res.pvalue < 1e-6
    True
    >>> c2st(x, y, classifier="logistic", statistic="logit", rng=0).pvalue < 0.01
    True
    """
    settings = _training(training, legacy)
    if not (is_real(test_fraction) and 0.0 < test_fraction < 1.0):
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction!r}")
    if not (is_real(confidence) and 0.0 < confidence < 1.0):
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}")
    if statistic not in ("accuracy", "logit"):
        raise ValueError(f"statistic must be 'accuracy' or 'logit', got {statistic!r}")
    if n_folds is not None:
        if isinstance(n_folds, bool) or not isinstance(n_folds, (int, np.integer)) or n_folds < 2:
            raise ValueError(f"n_folds must be an int >= 2, got {n_folds!r}")
        if statistic == "logit":
            raise ValueError("statistic='logit' (C2ST-L) uses one held-out split: leave "
                             "n_folds as None")
    n_permutations, n_retrainings = _nulls(statistic, n_folds, n_permutations, n_retrainings)
    alternative = check_alternative(alternative)
    device = check_device(device) if device is not None else None
    check_progress(progress)
    xp, xa, ya = as_2d_samples(x, y, min_size=1)
    device = device or (xa.device if xp.name == "torch" else "cpu")
    to_np = (lambda a: a.detach().cpu().numpy()) if xp.name == "torch" else (lambda a: a)
    z = np.concatenate([to_np(xa), to_np(ya)]).astype(np.float64)
    n, m = xa.shape[0], ya.shape[0]
    labels = np.concatenate([np.ones(n), np.zeros(m)])
    gen = numpy_rng(rng)
    clf = _resolve_classifier(classifier, torch_rng(gen, "cpu"), device, settings)
    design = _Design(n, m, test_fraction, n_folds, gen)
    kind = statistic if n_folds is None else "balanced_accuracy"
    logits = design.logits(clf, z, labels)
    test_labels = labels[design.test]
    observed = _statistic(kind, logits, test_labels)
    details = {"n_test": int(design.test.size),
               "accuracy": _statistic("accuracy", logits, test_labels),
               "balanced_accuracy": _statistic("balanced_accuracy", logits, test_labels),
               "logit_difference": _statistic("logit", logits, test_labels),
               **_jsd_details(logits, test_labels, confidence),
               "classifier": classifier if isinstance(classifier, str) else
               type(classifier).__name__,
               "n_permutations": n_permutations, "n_retrainings": n_retrainings,
               "alternative": alternative}
    null = None
    if n_retrainings:
        null = np.empty(n_retrainings)
        bar = progress_bar(progress, n_retrainings, "c2st", unit="retraining")
        for b in range(n_retrainings):
            relabelled = design.relabel(labels, gen)
            null[b] = _statistic(kind, design.logits(clf, z, relabelled),
                                 relabelled[design.test])
            bar.update(1)
        bar.close()
    elif n_permutations:
        null = _relabelled_statistics(kind, logits, test_labels, n_permutations, gen)
    if n_folds is None and kind == "accuracy":
        details["binomial_pvalue"] = _binomial_pvalue(
            int(round(observed * design.test.size)), design.test.size, alternative)
    if null is None:
        pvalue = details["binomial_pvalue"]
    else:
        pvalue = details["permutation_pvalue"] = permutation_pvalue(observed, null, alternative)
    method = "classifier two-sample test" + (f" ({n_folds}-fold cross-fitting)" if n_folds else
                                             " (C2ST-L, logit statistic)" if
                                             statistic == "logit" else "")
    return TwoSampleResult(statistic=statistic_out(xp, observed, xa), pvalue=float(pvalue),
                           method=method, n_x=int(n), n_y=int(m), null_distribution=null,
                           details=details)
