r"""Classifier two-sample tests (C2ST; Lopez-Paz & Oquab 2017).

Label the samples of P with 1 and those of Q with 0, train a classifier on
part of them and measure it on the rest.  Under :math:`H_0: P = Q` no
classifier can beat chance on held-out data, so its held-out accuracy is a
test statistic; its held-out cross-entropy CE gives the lower bound
:math:`\mathrm{JSD}(P\|Q) \ge \log 2 - \mathrm{CE}` (balanced classes).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

from ._array import as_numpy_or_torch, check_finite
from ._checks import check_device, is_real, numpy_rng
from ._progress import check_progress, progress_bar
from .results import TwoSampleResult

__all__ = ["c2st"]

_LOG2 = math.log(2.0)


# ---------------------------------------------------------------------------
# torch classifiers with early stopping
# ---------------------------------------------------------------------------


def _make_network(kind, d, hidden, gen, device):
    import torch

    from .critics import linear

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
    import torch
    import torch.nn.functional as F

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
    best, best_state, bad = math.inf, None, 0
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
        if val < best - 1e-5:
            best, bad = val, 0
            best_state = [p.detach().clone() for p in net.parameters()]
        else:
            bad += 1
            if bad >= patience:
                break
    if best_state is not None:
        with torch.no_grad():
            for p, b in zip(net.parameters(), best_state):
                p.copy_(b)
    net.eval()
    return net


def _fit_logistic(x_tr, l_tr, gen, *, weight_decay, max_iter=200, **_):
    """Class-balanced L2-regularised logistic regression by full-batch L-BFGS (convex)."""
    import torch
    import torch.nn.functional as F

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
        import torch

        # standardise in float64 after an exact power-of-two rescaling per coordinate, then
        # train in float32: data at 1e-300 or 1e300 would underflow to 0 or overflow to inf
        # in float32 (or in the float64 variance) before the standardisation
        x_tr, x_te = np.asarray(x_tr, dtype=np.float64), np.asarray(x_te, dtype=np.float64)
        _, expo = np.frexp(np.abs(x_tr).max(0))
        x_tr, x_te = np.ldexp(x_tr, -expo), np.ldexp(x_te, -expo)
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
        import copy

        est = copy.deepcopy(self.estimator)
        est.fit(np.asarray(x_tr), np.asarray(l_tr).astype(int))
        proba = np.asarray(est.predict_proba(np.asarray(x_te)))
        p1 = proba[:, 1] if proba.ndim == 2 else proba
        p1 = np.clip(p1.astype(np.float64), 1e-15, 1 - 1e-15)
        return special.logit(p1)


# ---------------------------------------------------------------------------
# the test
# ---------------------------------------------------------------------------


def _as_2d(name, a):
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"{name} must have shape (n,) or (n, d), got {a.shape}")
    if a.shape[0] == 0:
        raise ValueError(f"{name} is empty")
    return a


def _auc(scores, labels):
    """Area under the ROC curve via the Mann-Whitney statistic (ties count 1/2)."""
    ranks = stats.rankdata(scores)
    n1 = labels.sum()
    n0 = labels.size - n1
    return float((ranks[labels == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def _summaries(logits, labels):
    """Accuracy, balanced accuracy, AUC, log-loss (+ per-sample losses) from held-out logits."""
    pred = logits > 0
    correct = pred == (labels == 1)
    bal = 0.5 * (correct[labels == 1].mean() + correct[labels == 0].mean())
    losses = np.where(labels == 1, np.logaddexp(0, -logits), np.logaddexp(0, logits))
    return {"correct": int(correct.sum()), "accuracy": float(correct.mean()),
            "balanced_accuracy": float(bal), "auc": _auc(logits, labels),
            "losses": losses}


def _resolve_classifier(classifier, gen, device, options):
    if isinstance(classifier, str):
        if classifier not in ("mlp", "logistic"):
            raise ValueError(f"classifier must be 'mlp', 'logistic' or an object with "
                             f"fit/predict_proba, got {classifier!r}")
        return _TorchClassifier(classifier, gen, device, **options)
    if hasattr(classifier, "fit") and hasattr(classifier, "predict_proba"):
        return _ExternalClassifier(classifier)
    raise TypeError("classifier must be 'mlp', 'logistic' or an object with fit and "
                    "predict_proba methods")


def _balanced_split(rng, n, m, test_fraction):
    """Indices of a held-out set with equally many points of each sample."""
    k = int(math.floor(min(n, m) * test_fraction))
    px, py = rng.permutation(n), rng.permutation(m)
    return px[:k], px[k:], py[:k], py[k:]


def c2st(x, y, *, classifier="mlp", test_fraction=0.5, n_folds=None, n_permutations=0,
         rng=None, device=None, hidden=(64, 64), max_epochs=300, batch_size=256, lr=3e-3,
         weight_decay=0.0, patience=20, confidence=0.95, progress=None, statistic="accuracy"):
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
    Given the trained classifier, the held-out labels are exchangeable under
    :math:`H_0`, so relabelling the held-out points (``n_permutations`` times, 1,000 if
    0; no retraining) gives the exact p-value :math:`(1 + \#\{T_b \ge T\})/(1 + B)`.

    With ``n_folds=k`` every sample is held out once (stratified k-fold
    cross-fitting); the statistic is then the balanced accuracy over all points
    and the p-value needs a permutation null (``n_permutations`` retrainings on
    relabelled data, p-value :math:`(1 + \#\{T_b \ge T\})/(1 + B)`).

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        Samples of shape (n, d) or (n,).
    classifier : {"mlp", "logistic"} or object, default "mlp"
        ``"mlp"``: a torch MLP (``hidden`` layers, ReLU) trained with Adam and
        stopped early on a stratified 20 % validation part of the training
        split; ``"logistic"``: L2-regularised logistic regression fitted by
        full-batch L-BFGS.  Both standardise features with the training split's
        mean and standard deviation and weight the two classes equally.  Any object with
        ``fit(X, y)`` and ``predict_proba(X)`` (e.g. a scikit-learn classifier)
        works too; it is deep-copied for every fit.
    test_fraction : float, default 0.5
    n_folds : int, optional
        Cross-fitting folds (>= 2); requires ``n_permutations >= 1``.
    n_permutations : int, default 0
        Permutation null by retraining (also allowed with a single split).
    rng : None, int, numpy Generator or torch.Generator
        Controls the splits, the initialisation and the mini-batches.
    device : str or torch.device, optional
        Where the torch classifiers train (default: the device of ``x`` if it is
        a tensor, else CPU).
    hidden, max_epochs, batch_size, lr, weight_decay, patience
        Training settings of the torch classifiers; defaults (64, 64), 300, 256,
        3e-3, 0, 20, from a measured sweep (``benchmarks/bench_c2st_defaults.py``):
        the earlier patience 5 and 100 epochs stopped training almost at once
        (power 0.04 on Blob at N = 720, now 0.40, at 0.37 s instead of 0.08 s per
        call on one thread); wider networks, smaller batches or other learning
        rates changed power by less than its standard error (0.07).
    confidence : float, default 0.95
        Level of the confidence interval of the JSD lower bound.
    progress : bool or None, default None
        Report the permutation retrainings on stderr: None shows a bar only
        when stderr is a terminal and they take over 2 s; True always reports;
        False is silent.
    statistic : {"accuracy", "logit"}, default "accuracy"
        The held-out accuracy with its binomial p-value, or C2ST-L's mean logit
        difference with a held-out permutation p-value (single split only).

    Returns
    -------
    TwoSampleResult
        ``statistic`` (held-out accuracy, balanced accuracy with ``n_folds``, or
        the mean logit difference with ``statistic="logit"``; the latter is always
        in ``details["logit_difference"]``),
        ``pvalue``; ``details`` holds ``auc``, ``log_loss`` (nats),
        ``jsd_lower_bound`` = log 2 - log_loss with ``jsd_lower_bound_ci``,
        ``n_test`` and (with permutations) the null distribution.

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
    if not (is_real(test_fraction) and 0.0 < test_fraction < 1.0):
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction!r}")
    if not (is_real(confidence) and 0.0 < confidence < 1.0):
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}")
    for name, value, low in (("max_epochs", max_epochs, 1), ("batch_size", batch_size, 1),
                             ("patience", patience, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    if not (is_real(lr) and 0 < lr < math.inf):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if not (is_real(weight_decay) and 0 <= weight_decay < math.inf):
        raise ValueError(f"weight_decay must be a non-negative number, got {weight_decay!r}")
    try:
        hidden = tuple(hidden)
    except TypeError:
        raise TypeError(f"hidden must be a sequence of layer widths, got {hidden!r}") from None
    if not all(isinstance(h, (int, np.integer)) and not isinstance(h, bool) and h >= 1
               for h in hidden):
        raise ValueError(f"hidden must hold positive integer layer widths, got {hidden!r}")
    if device is not None:
        device = check_device(device)
    check_progress(progress)
    if statistic not in ("accuracy", "logit"):
        raise ValueError(f"statistic must be 'accuracy' or 'logit', got {statistic!r}")
    stat_kind = statistic
    if stat_kind == "logit" and n_folds is not None:
        raise ValueError("statistic='logit' (C2ST-L) uses one held-out split: leave n_folds "
                         "as None")
    if isinstance(n_permutations, bool) or not isinstance(n_permutations, (int, np.integer)) \
            or n_permutations < 0:
        raise ValueError(f"n_permutations must be a non-negative int, got {n_permutations!r}")
    if n_folds is not None:
        if isinstance(n_folds, bool) or not isinstance(n_folds, (int, np.integer)) or n_folds < 2:
            raise ValueError(f"n_folds must be an int >= 2, got {n_folds!r}")
        if n_permutations < 1:
            raise ValueError("cross-fitting (n_folds) needs a permutation p-value: "
                             "set n_permutations >= 1")
    xp, (xa, ya) = as_numpy_or_torch(x=x, y=y)
    check_finite(xp, "x", xa)
    check_finite(xp, "y", ya)
    if device is None:
        device = xa.device if xp.name == "torch" else "cpu"
    to_np = (lambda a: a.detach().cpu().numpy()) if xp.name == "torch" else (lambda a: a)
    xa, ya = _as_2d("x", to_np(xa)), _as_2d("y", to_np(ya))
    if xa.shape[1] != ya.shape[1]:
        raise ValueError(f"x and y must have the same dimension, got {xa.shape[1]} and "
                         f"{ya.shape[1]}")
    n, m = xa.shape[0], ya.shape[0]
    gen_np = numpy_rng(rng)
    import torch

    gen_t = torch.Generator()
    gen_t.manual_seed(int(gen_np.integers(0, 2**62)))
    options = dict(hidden=tuple(hidden), max_epochs=int(max_epochs), batch_size=int(batch_size),
                   lr=float(lr), patience=int(patience), weight_decay=float(weight_decay))
    clf = _resolve_classifier(classifier, gen_t, device, options)
    z = np.concatenate([xa, ya])
    labels = np.concatenate([np.ones(n), np.zeros(m)])

    if n_folds is None:
        k = int(math.floor(min(n, m) * test_fraction))
        if k < 2 or n - k < 2 or m - k < 2:
            raise ValueError(
                f"too few samples in x ({n}) or y ({m}) for a held-out split with "
                f"test_fraction={test_fraction}: each side needs at least 2 training and "
                f"2 test samples")
        ix_te, ix_tr, iy_te, iy_tr = _balanced_split(gen_np, n, m, test_fraction)
        test = np.concatenate([ix_te, n + iy_te])
        train = np.concatenate([ix_tr, n + iy_tr])

        def run(lab):
            logits = clf.fit_logits(z[train], lab[train], z[test])
            return logits, _summaries(logits, lab[test])

        logits, summ = run(labels)
        statistic = summ["accuracy"]
        n_te = test.size
        pvalue = float(stats.binom.sf(summ["correct"] - 1, n_te, 0.5))
        test_labels = labels[test]
    else:
        if min(n, m) < n_folds:
            raise ValueError(f"too few samples for {n_folds} folds: n_x={n}, n_y={m}")
        folds = np.empty(n + m, dtype=int)
        folds[:n] = gen_np.permutation(n) % n_folds
        folds[n:] = gen_np.permutation(m) % n_folds

        def run(lab):
            logits = np.empty(n + m)
            for f in range(n_folds):
                te = folds == f
                logits[te] = clf.fit_logits(z[~te], lab[~te], z[te])
            return logits, _summaries(logits, lab)

        logits, summ = run(labels)
        statistic = summ["balanced_accuracy"]
        n_te = n + m
        pvalue = None
        test_labels = labels
    is_x = test_labels == 1
    logit_diff = float(logits[is_x].mean() - logits[~is_x].mean()) if n_folds is None else \
        float(logits[labels == 1].mean() - logits[labels == 0].mean())
    null = None
    if stat_kind == "logit":
        # held-out relabellings of the fixed classifier's logits, all at once
        b = int(n_permutations) if n_permutations else 1000
        k_x = int(is_x.sum())
        keys = gen_np.random((b, logits.size))
        chosen = np.argsort(keys, axis=1)[:, :k_x]
        sums = logits[chosen].sum(1)
        null = sums / k_x - (logits.sum() - sums) / (logits.size - k_x)
        statistic = logit_diff
        tol = 1e-12 * max(1.0, abs(statistic))
        pvalue = (1.0 + float(np.sum(null >= statistic - tol))) / (1.0 + b)
        details_perm = {"permutation_pvalue": pvalue, "n_permutations": b}
    elif n_permutations:
        key = "accuracy" if n_folds is None else "balanced_accuracy"
        null = np.empty(n_permutations)
        bar = progress_bar(progress, n_permutations, "c2st", unit="perm")
        for b in range(n_permutations):
            perm_labels = labels.copy()
            if n_folds is None:
                # relabel within the training and the held-out parts, keeping both balanced
                perm_labels[train] = gen_np.permutation(labels[train])
                perm_labels[test] = gen_np.permutation(labels[test])
            else:
                perm_labels = gen_np.permutation(labels)
            null[b] = run(perm_labels)[1][key]
            bar.update(1)
        bar.close()
        perm_p = (1.0 + float(np.sum(null >= statistic - 1e-12))) / (1.0 + n_permutations)
        pvalue = perm_p if pvalue is None else pvalue
        details_perm = {"permutation_pvalue": perm_p}
    else:
        details_perm = {}
    losses = summ["losses"]
    # balanced log-loss: each class weighs one half
    ce = 0.5 * (losses[test_labels == 1].mean() + losses[test_labels == 0].mean())
    se = math.sqrt(0.25 * (losses[test_labels == 1].var(ddof=1) / max((test_labels == 1).sum(), 2)
                           + losses[test_labels == 0].var(ddof=1) / max((test_labels == 0).sum(), 2)))
    zq = stats.norm.ppf(0.5 + confidence / 2)
    details = {
        "auc": summ["auc"],
        "log_loss": float(ce),
        "jsd_lower_bound": float(_LOG2 - ce),
        "jsd_lower_bound_ci": (float(_LOG2 - ce - zq * se), float(_LOG2 - ce + zq * se)),
        "n_test": int(n_te),
        "accuracy": summ["accuracy"],
        "balanced_accuracy": summ["balanced_accuracy"],
        "classifier": classifier if isinstance(classifier, str) else type(classifier).__name__,
        "logit_difference": logit_diff,
        **details_perm,
    }
    method = "classifier two-sample test" + (f" ({n_folds}-fold cross-fitting)" if n_folds else
                                             " (C2ST-L, logit statistic)" if
                                             stat_kind == "logit" else "")
    return TwoSampleResult(statistic=float(statistic), pvalue=float(pvalue), method=method,
                           n_x=int(n), n_y=int(m), null_distribution=null, details=details)
