r"""Estimators that train a critic on a variational bound and report an honest number.

The critic is trained on one part of the data and the bound is **evaluated on
held-out samples** with the trained critic, so that the reported value is not
inflated by fitting the evaluation data.  The standard error is the sampling
error of that held-out evaluation (it does not include the randomness of the
training).
"""

from __future__ import annotations

import contextvars
import math
import warnings

import numpy as np

import torch

from .._backend.deprecation import renamed_keywords, warn_user
from .._backend.array import as_numpy_or_torch, check_finite, namespace
from .._backend.checks import check_device, check_int, check_real, numpy_rng, torch_rng
from .._backend.samples import as_2d, power_of_two_at_least
from .._backend.training import BestParameters
from .._backend.progress import check_progress, progress_bar
from ..fdiv.ffunctions import get_f
from ..results import Estimate
from . import bounds as B
from .critics import (MLP, BatchedSeparableCritic, ConcatCritic, SampleCritic, SeparableCritic,
                      _BatchedMLP)

__all__ = ["Estimate", "estimate_f_divergence", "estimate_mutual_information",
           "estimate_mutual_information_batched", "MI_BOUNDS"]

#: bound names accepted by :func:`estimate_mutual_information`
MI_BOUNDS = ("nwj", "dv", "mine", "js", "infonce", "tuba", "interpolated", "smile")


# ---------------------------------------------------------------------------
# shared plumbing
# ---------------------------------------------------------------------------


def _condition(tensors):
    """Centre and rescale float64 tensors per coordinate, with one map for all of them.

    The map is x -> (x - c) / s with c the pooled per-coordinate median and s a power of
    two at least the largest |x - c| (1 where that is 0): an invertible affine map, and
    a power of two loses no digits.  Applied to both samples (f-divergences) or to each
    variable (mutual information) it leaves the estimated quantity unchanged, and the
    float32 training data then lie in about [-1, 1]: data of magnitude 1e38 neither overflow
    float32 nor make the critic's own standardisation overflow.
    """
    pooled = torch.cat([t.reshape(-1, t.shape[-1]) for t in tensors])
    pre = power_of_two_at_least(pooled.abs().amax(dim=0))   # x - c cannot overflow after it
    pooled = pooled / pre
    centre = pooled.median(dim=0).values
    scale = power_of_two_at_least((pooled - centre).abs().amax(dim=0))
    return [(t / pre - centre) / scale for t in tensors]


def _normal_scores(reference, data):
    """Per-coordinate normal scores: Phi^{-1} of the empirical CDF of ``reference``.

    The CDF interpolates linearly between the sorted reference values (placed at
    (j + 1/2) / m), so the map is strictly increasing inside the reference range and
    constant beyond it, at Phi^{-1}(1/(2m)) and Phi^{-1}(1 - 1/(2m)) (about +-3.5 for
    m = 2000).  Fitted on training data and applied to all data, it is one fixed
    coordinate-wise monotone map: mutual information (per variable) and f-divergences
    (one map for both samples) are invariant under it, while heavy tails, skew and
    outliers become Gaussian-looking marginals, and held-out points beyond the training
    range can no longer be read out where the critic never trained.
    """
    ref = reference.double().sort(dim=0).values                  # (m, d)
    m = ref.shape[0]
    v = data.double()
    out = torch.empty_like(v)
    for j in range(v.shape[1]):
        s, col = ref[:, j].contiguous(), v[:, j].contiguous()
        idx = torch.searchsorted(s, col, right=True).clamp(1, m - 1) - 1
        lo, hi = s[idx], s[idx + 1]
        frac = ((col - lo) / torch.where(hi > lo, hi - lo, 1.0)).clamp(0.0, 1.0)
        u = (idx.double() + 0.5 + frac) / m
        out[:, j] = torch.special.ndtri(u.clamp(0.5 / m, 1.0 - 0.5 / m))
    return out.to(data.dtype)


def _tensors(device, joint, **named):
    """Validated float32 tensors on ``device``, shape (n, d), conditioned by _condition.

    ``joint``: one map for all inputs (two samples of one space) or one per input
    (the two variables of an MI problem).
    """
    xp, arrays = as_numpy_or_torch(**named)
    out = []
    for name, a in zip(named, arrays):
        check_finite(xp, name, a)
        a = as_2d(name, a)
        t = a if xp.name == "torch" else torch.from_numpy(np.ascontiguousarray(a))
        out.append(t.detach().to(device=device, dtype=torch.float64))
    if joint and len({t.shape[1] for t in out}) > 1:
        raise ValueError(f"{' and '.join(named)} must have the same dimension, got "
                         f"{' and '.join(str(t.shape[1]) for t in out)}")
    out = _condition(out) if joint else [_condition([t])[0] for t in out]
    return [t.to(torch.float32) for t in out]


def _device(device, *candidates):
    if device is not None:
        return check_device(device)
    for c in candidates:
        if isinstance(c, torch.Tensor):
            return c.device
    return torch.device("cpu")


def _finite_step(opt, params, obj):
    """Back-propagate ``-obj`` and step, only if the objective and every gradient are finite.

    A step at which the bound overflows (an exponential or conjugate term at +-inf)
    would write inf/NaN into the critic for good; it is skipped instead and counted.
    Returns True if the parameters were updated.
    """
    opt.zero_grad(set_to_none=True)
    if not bool(torch.isfinite(obj)):
        return False
    (-obj).backward()
    if any(p.grad is not None and not bool(torch.isfinite(p.grad).all()) for p in params):
        opt.zero_grad(set_to_none=True)
        return False
    opt.step()
    return True


def _diverged(what, curve, skipped, hint):
    """The error raised when training never produced a finite objective or estimate."""
    finite = np.isfinite(curve)
    first = int(np.argmin(finite)) if not finite.all() else None
    return RuntimeError(
        f"training diverged: {what}; the objective was not finite at {skipped} of "
        f"{curve.size} steps" + (f" (first at step {first})" if first is not None else "")
        + f". The critic's outputs overflow the bound's exponential or conjugate terms. "
        f"Try {hint}")


def _check_transform(transform):
    if transform not in ("normal_scores", "affine"):
        raise ValueError(f"transform must be 'normal_scores' or 'affine', got {transform!r}")


def _check_training(steps, batch_size, eval_fraction, lr=1e-3):
    """Validate the settings shared by the estimators; returns (steps, batch_size)."""
    steps = check_int("steps", steps, 1)
    batch_size = check_int("batch_size", batch_size, 2)
    check_real("lr", lr, 0)
    check_real("eval_fraction", eval_fraction, 0, 1)
    return steps, batch_size


def _check_mi_options(bound, interpolation, tau):
    if bound not in MI_BOUNDS:
        raise ValueError(f"bound must be one of {', '.join(MI_BOUNDS)}, got {bound!r}")
    check_real("interpolation", interpolation, 0, 1, closed="both")
    check_real("tau", tau, 0)


def _z(confidence):
    from scipy import stats

    confidence = check_real("confidence", confidence, 0, 1)
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _split(gen_np, n, eval_fraction, name):
    n_eval = int(round(n * eval_fraction))
    if n_eval < 2 or n - n_eval < 2:
        raise ValueError(f"{name}: too few samples ({n}) for eval_fraction={eval_fraction}")
    perm = gen_np.permutation(n)
    return perm[n_eval:], perm[:n_eval]


def _mi_splits(gen_np, n, eval_fraction, batch_size):
    """Training, validation and held-out pair indices for the MI estimators.

    The validation part (at most 8 batches) selects the critic along training,
    at a few per cent of the training cost; the held-out part is untouched by
    both training and selection.
    """
    tr, ev = _split(gen_np, n, eval_fraction, "x and y")
    if ev.size < batch_size:
        raise ValueError(f"the held-out part ({ev.size} pairs) is smaller than one batch "
                         f"({batch_size}); give more samples or a larger eval_fraction")
    n_val = min(max(batch_size, tr.size // 5), 8 * batch_size)
    if tr.size - n_val < batch_size:
        raise ValueError(f"too few training pairs ({tr.size}) for batches of {batch_size} and "
                         f"a validation part")
    return tr[:-n_val], tr[-n_val:], ev


# set by the benchmark harness, which records negative estimates as values: a context
# variable, not a warnings filter, because filters are process-wide and a threaded
# executor's workers would undo each other's (warnings.catch_warnings is not thread-safe)
NEGATIVE_ESTIMATES_EXPECTED = contextvars.ContextVar("negative_estimates_expected",
                                                      default=False)


def _diagnose(value, ci, details, quantity):
    """Reasons not to believe an estimate, in ``details``; a warning if it is negative.

    Sets ``details["reliable"]`` (no reason found) and ``details["warnings"]`` (the
    reasons, as sentences).  A negative estimate of a non-negative quantity (every
    divergence and mutual information) also raises a RuntimeWarning: it says the
    critic is no better than a constant one on held-out data, which is worth knowing
    rather than averaging away.
    """
    reasons = []
    if value < 0:
        if ci[1] >= 0:
            reasons.append(f"the estimate {value:.4g} of {quantity} (never negative) is below "
                           f"zero but compatible with 0 (CI [{ci[0]:.4g}, {ci[1]:.4g}]): no "
                           f"dependence or difference was detected"
                           + (", and the interval is wide: the held-out terms are too noisy "
                              "to tell (see the other diagnostics)" if ci[1] - ci[0] > 1.0
                              else ""))
        else:
            reasons.append(f"the estimate {value:.4g} of {quantity} (never negative) is "
                           f"significantly below zero (CI [{ci[0]:.4g}, {ci[1]:.4g}]): the "
                           f"critic does worse on held-out data than a constant one, i.e. it "
                           f"overfitted or did not train; give more samples or steps, or a "
                           f"smaller network")
        if not NEGATIVE_ESTIMATES_EXPECTED.get():
            warn_user(reasons[-1], RuntimeWarning)
    clipped = details.get("clipped_fraction", 0.0)
    if clipped > 0.01:
        reasons.append(f"{100 * clipped:.1f}% of the held-out critic outputs lay outside the "
                       f"range seen in training and were clipped to it (heavy tails or too "
                       f"few samples)")
    ess = details.get("effective_sample_size")
    if ess is not None and ess < 0.1 * details.get("n_exp_terms", ess):
        reasons.append(f"the exponential terms' effective sample size is {ess:.0f} of "
                       f"{details['n_exp_terms']}: a few points dominate the estimate")
    details["reliable"] = not reasons
    details["warnings"] = reasons
    return details


def _training_range(outputs):
    """(lo, hi) of critic outputs seen on training data, finite entries only."""
    finite = outputs[outputs.isfinite()]
    if finite.numel() == 0:
        return -math.inf, math.inf
    return float(finite.min()), float(finite.max())


def _mi_estimate(values, confidence, curve, critic, method, details):
    """An Estimate from the bound's values on consecutive held-out batches."""
    z = _z(confidence)
    value = float(values.mean())
    if values.size > 1:
        se = float(values.std(ddof=1) / math.sqrt(values.size))
    else:
        se = math.inf
        details = {**details, "stderr_reason": (
            "one held-out batch: its spread cannot be estimated; give more samples, a "
            "larger eval_fraction or a smaller batch_size")}
    ci = (value - z * se, value + z * se)
    details = _diagnose(value, ci, dict(details), "a mutual information")
    return Estimate(value=value, stderr=se, ci=ci, curve=curve,
                    critic=critic, method=method, details=details, confidence=confidence)


def _finite_steps_per_trial(opt, params, obj):
    """Batched trials: ``obj`` holds one objective per trial, the parameters one model per
    trial along their first axis.  Step every trial; a trial whose objective or gradient
    is not finite keeps its parameters.  Returns the mask of skipped trials."""
    opt.zero_grad(set_to_none=True)
    finite = torch.isfinite(obj)
    # disjoint parameters: per-model gradients; a trial whose objective is not finite
    # contributes nothing, and one whose gradient is not finite is reset below
    (-torch.where(finite, obj, 0.0).sum()).backward()
    bad = ~finite
    for p in params:
        if p.grad is not None:
            bad |= ~torch.isfinite(p.grad).flatten(1).all(1)
    if bool(bad.any()):
        before = [p.detach()[bad].clone() for p in params]
        for p in params:
            if p.grad is not None:
                p.grad[bad] = 0.0
        opt.step()
        with torch.no_grad():
            for p, keep in zip(params, before):
                p[bad] = keep
    else:
        opt.step()
    return bad.cpu().numpy()


def _train_critic(objective, validate, params, modules, *, steps, lr, check_every, progress,
                  desc, trials=None):
    """The one training loop of the estimators: Adam ascent on ``objective()`` (a fresh
    mini-batch each call), non-finite steps skipped, and the parameters with the best
    ``validate()`` value (checked every ``check_every`` steps and at the end) kept.

    With ``trials=M`` the objective and the validation values hold one entry per trial
    and each trial is stepped, skipped and selected on its own.  Returns the training
    curve (steps,) or (steps, M), the skipped steps (an int, or M ints) and the best
    validation value(s).
    """
    opt = torch.optim.Adam(params, lr=lr)
    keeper = BestParameters(params, mode="max", trials=trials)
    curve = np.empty(steps if trials is None else (steps, trials))
    skipped = 0 if trials is None else np.zeros(trials, dtype=int)
    bar = progress_bar(progress, steps, desc)
    for step in range(steps):
        for module in modules:
            module.train()
        obj = objective()
        if trials is None:
            skipped += not _finite_step(opt, params, obj)
            curve[step] = obj.item()
            bar.update(1, objective=float(curve[step]))
        else:
            skipped += _finite_steps_per_trial(opt, params, obj)
            curve[step] = obj.detach().cpu().numpy()
            bar.update(1)
        if (step + 1) % check_every == 0 or step + 1 == steps:
            for module in modules:
                module.eval()
            keeper.update(validate())
    bar.close()
    keeper.restore()
    for module in modules:
        module.eval()
    return curve, skipped, keeper.value


def _batch_indices(gen, n, size, device):
    return torch.randint(0, n, (size,), generator=gen).to(device)


# ---------------------------------------------------------------------------
# f-divergences
# ---------------------------------------------------------------------------


def _held_out_terms(critic, f, bound, train, held_out):
    """The bound's two terms on the held-out points, and how many outputs were clipped.

    Held-out points far outside the training data (heavy tails) would be read out where
    the critic never trained, and an exponential or conjugate term can blow up there:
    the outputs are clipped to the range seen in training.  A clipped critic is still a
    critic, so the estimate stays a lower bound.  Returns numpy arrays ``a`` (the P
    term) and ``b`` (the Q term), the clipped fraction and the training range.
    """
    T = namespace("torch")
    with torch.no_grad():
        lo, hi = _training_range(torch.cat([critic(t) for t in train]).double())
        vp_raw, vq_raw = (critic(t).double() for t in held_out)
        outside = sum(int(((v < lo) | (v > hi)).sum()) for v in (vp_raw, vq_raw))
        clipped = outside / (vp_raw.numel() + vq_raw.numel())
        vp, vq = vp_raw.clamp(lo, hi), vq_raw.clamp(lo, hi)
        if bound == "fgan":
            a, b = f._activation(T, vp), f._conjugate_of_activation(T, vq)
        else:
            a, b = vp, (torch.exp(vq - 1.0) if bound == "nwj" else vq)
    return a.cpu().numpy(), b.cpu().numpy(), clipped, (lo, hi)


def _f_bound_value(a, b, bound):
    """The bound from its held-out terms: (value, variance of the value, effective sample
    size of the conjugate (for KL: exponential) terms)."""
    if bound == "dv":
        shift = b.max()
        eb = np.exp(b - shift)
        value = a.mean() - (np.log(eb.mean()) + shift)
        # delta method for log(mean(e^b))
        var = a.var(ddof=1) / a.size + eb.var(ddof=1) / (eb.size * eb.mean() ** 2)
        wts = eb
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            value = a.mean() - b.mean()
            var = a.var(ddof=1) / a.size + b.var(ddof=1) / b.size
        if not math.isfinite(value):            # the caller raises: no weights to read
            return float(value), var, math.nan
        wts = np.abs(b) / max(float(np.abs(b).max()), 1e-300)
    # how many held-out points carry the conjugate terms
    ess = float(wts.sum() ** 2 / (wts ** 2).sum()) if wts.any() else float(b.size)
    return float(value), var, ess




_F_BOUNDS = ("fgan", "nwj", "dv")


@renamed_keywords(x_p="x", x_q="y")
def estimate_f_divergence(x, y, f="kl", *, bound="fgan", critic=None, steps=1500,
                          batch_size=256, lr=1e-3, eval_fraction=0.3, rng=None, device=None,
                          progress=None, confidence=0.95, transform="normal_scores"):
    r"""Estimate :math:`D_f(P\|Q)` from samples by training a critic on a lower bound.

    Bounds:

    * ``"fgan"`` (any f): :math:`\mathbb{E}_P[g_f(V)] - \mathbb{E}_Q[f^*(g_f(V))]` on the
      critic's raw output V through the f-GAN activation (for ``f="kl"`` this is
      the NWJ bound);
    * ``"nwj"`` (KL only): :math:`\mathbb{E}_P[V] - \mathbb{E}_Q[e^{V-1}]`;
    * ``"dv"`` (KL only): :math:`\mathbb{E}_P[V] - \log\mathbb{E}_Q[e^{V}]` (trained and
      evaluated with DV; biased upwards by the log of a finite mean, but usually
      lower variance than NWJ).

    Every bound is below the divergence for every critic, so a badly trained
    critic under-estimates; at the optimum :math:`V^*` the bound is tight.

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        Samples of P and Q, shape (n, d) or (n,).
    f : str or FFunction, default "kl"
    bound : {"fgan", "nwj", "dv"}
    critic : torch.nn.Module, optional
        Maps a (n, d) batch to (n,) raw outputs; default a
        :class:`~divergences.critics.SampleCritic` (2 hidden layers of 64,
        inputs standardised on the training split).
    steps, batch_size, lr
        Adam training settings.
    eval_fraction : float, default 0.3
        Fraction of each sample held out for the evaluation.
    rng : None, int, numpy Generator or torch.Generator
        Controls the split, the initialisation and the mini-batches.
    device : str or torch.device, optional
    progress : bool or None, default None
        Report training progress on stderr: None shows a bar only when stderr
        is a terminal and the run takes over 2 s; True always reports (plain
        lines when stderr is not a terminal); False is silent.
    confidence : float, default 0.95
    transform : {"normal_scores", "affine"}, default "normal_scores"
        How the data are prepared for the critic.  ``"normal_scores"``: each
        coordinate is mapped through the pooled (both samples') empirical CDF on the training part and
        the standard normal quantile function, a fixed monotone map under which
        the estimated quantity is unchanged; heavy tails, skew and outliers then
        cannot make the critic's exponential or conjugate terms blow up on
        held-out points beyond the training range.  ``"affine"``: only an exact
        centring and power-of-two scaling (for data whose marginals are
        already benign, or to study the raw bound).

    Returns
    -------
    Estimate

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import estimate_f_divergence
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(size=(4000, 1)), rng.normal(1.0, 1.0, size=(4000, 1))
    >>> est = estimate_f_divergence(x, y, "kl", steps=300, rng=0)   # truth: 0.5
    >>> abs(est.value - 0.5) < 0.1
    True
    """
    f = get_f(f)
    if bound not in _F_BOUNDS:
        raise ValueError(f"bound must be one of {', '.join(_F_BOUNDS)}, got {bound!r}")
    if bound in ("nwj", "dv") and f.name != "kl":
        raise ValueError(f"bound {bound!r} bounds KL only; use bound='fgan' for {f.name!r}")
    check_progress(progress)
    _check_transform(transform)
    steps, batch_size = _check_training(steps, batch_size, eval_fraction, lr)
    z = _z(confidence)
    dev = _device(device, x, y)
    xp_t, xq_t = _tensors(dev, True, x=x, y=y)
    gen_np = numpy_rng(rng)
    tr_p, ev_p = _split(gen_np, xp_t.shape[0], eval_fraction, "x")
    tr_q, ev_q = _split(gen_np, xq_t.shape[0], eval_fraction, "y")
    gen = torch_rng(gen_np, "cpu")
    # a validation part of the training data selects the best critic along training
    tr_p, va_p = tr_p[: -max(2, tr_p.size // 5)], tr_p[-max(2, tr_p.size // 5):]
    tr_q, va_q = tr_q[: -max(2, tr_q.size // 5)], tr_q[-max(2, tr_q.size // 5):]
    if transform == "normal_scores":
        ref = torch.cat([xp_t[tr_p], xq_t[tr_q]])
        xp_t, xq_t = _normal_scores(ref, xp_t), _normal_scores(ref, xq_t)
    train_p, train_q = xp_t[tr_p], xq_t[tr_q]
    if critic is not None and not isinstance(critic, torch.nn.Module):
        raise TypeError(f"critic must be a torch.nn.Module or None (the default network), "
                        f"got {type(critic).__name__}")
    if critic is None:

        critic = SampleCritic(xp_t.shape[1], data=torch.cat([train_p, train_q]), generator=gen)
    critic = critic.to(dev)
    T = namespace("torch")

    def objective(vp, vq):
        if bound == "fgan":
            return T.mean(f._activation(T, vp)) - T.mean(f._conjugate_of_activation(T, vq))
        if bound == "nwj":
            return T.mean(vp) - T.mean(torch.exp(vq - 1.0))
        return T.mean(vp) - (torch.logsumexp(vq, 0) - math.log(vq.shape[0]))

    def batch_objective():
        ip = _batch_indices(gen, train_p.shape[0], batch_size, dev)
        iq = _batch_indices(gen, train_q.shape[0], batch_size, dev)
        return objective(critic(train_p[ip]), critic(train_q[iq]))

    def validate():
        with torch.no_grad():
            return objective(critic(xp_t[va_p]), critic(xq_t[va_q])).item()

    curve, skipped, validation_value = _train_critic(
        batch_objective, validate, list(critic.parameters()), [critic], steps=steps, lr=lr,
        check_every=max(10, steps // 30), progress=progress,
        desc=f"estimate_f_divergence ({f.name}, {bound})")
    a, b, clipped, (lo, hi) = _held_out_terms(critic, f, bound, (train_p, train_q),
                                              (xp_t[ev_p], xq_t[ev_q]))
    value, var, ess = _f_bound_value(a, b, bound)
    if not math.isfinite(value):
        raise _diverged(f"the held-out {bound} bound on {f.name} is {value}", curve, skipped,
                        "a smaller lr, more steps or samples, or another bound or f (the "
                        "conjugates of KL, Pearson and alpha far from 0.5 grow fastest)")
    se = math.sqrt(var)
    ci = (float(value) - z * se, float(value) + z * se)
    details = {"n_eval": (int(ev_p.size), int(ev_q.size)), "steps": steps,
               "batch_size": batch_size, "lr": lr, "skipped_steps": skipped,
               "validation_value": validation_value, "clipped_fraction": clipped,
               "training_range": (lo, hi)}
    details.update(effective_sample_size=ess, n_exp_terms=int(b.size))
    details = _diagnose(float(value), ci, details, f"the {f.name} divergence")
    return Estimate(value=float(value), stderr=se, ci=ci, curve=curve, critic=critic,
                    method=f"{bound} bound on {f.name}", details=details,
                    confidence=confidence)


# ---------------------------------------------------------------------------
# mutual information
# ---------------------------------------------------------------------------


def _mi_critic(critic, data, hidden, layers, embed_dim, gen):
    """The critic of the MI estimators: a module as given, or a new separable or concat
    network standardising with the training pairs ``data``."""
    if isinstance(critic, str):
        dx, dy = data[0].shape[1], data[1].shape[1]
        if critic == "separable":
            return SeparableCritic(dx, dy, hidden, layers, embed_dim, data=data, generator=gen)
        if critic == "concat":
            return ConcatCritic(dx, dy, hidden, layers, data=data, generator=gen)
        raise ValueError(f"critic must be 'separable', 'concat' or a torch.nn.Module, "
                         f"got {critic!r}")
    if not isinstance(critic, torch.nn.Module):
        raise TypeError("critic must be 'separable', 'concat' or a torch.nn.Module")
    return critic


def _mi_objectives(name, tau, interpolation):
    """(training objective, evaluation bound) as functions of (scores, log_baseline)."""
    if name == "infonce":
        return (lambda s, a: B.infonce_bound(s)), (lambda s, a: B.infonce_bound(s))
    if name == "nwj":
        return (lambda s, a: B.nwj_mi_bound(s)), (lambda s, a: B.nwj_mi_bound(s))
    if name in ("dv", "mine"):
        return (lambda s, a: B.dv_mi_bound(s)), (lambda s, a: B.dv_mi_bound(s))
    if name == "js":
        # the JS optimum is log r, NWJ's is 1 + log r (Poole et al. 2019)
        return (lambda s, a: B.js_mi_bound(s)), (lambda s, a: B.nwj_mi_bound(s + 1.0))
    if name == "smile":
        # trained with the JS objective, evaluated with the clipped DV (Song & Ermon 2020)
        return (lambda s, a: B.js_mi_bound(s)), (lambda s, a: B.smile_bound(s, tau))
    if name == "tuba":
        return (lambda s, a: B.tuba_bound(s, a)), (lambda s, a: B.tuba_bound(s, a))
    return ((lambda s, a: B.interpolated_bound(s, a, interpolation)),
            (lambda s, a: B.interpolated_bound(s, a, interpolation)))


@renamed_keywords(alpha="interpolation")
def estimate_mutual_information(x, y, *, bound="infonce", critic="separable", steps=1500,
                                batch_size=128, lr=1e-3, eval_fraction=0.3, tau=5.0,
                                interpolation=0.01, rng=None, device=None, progress=None,
                                confidence=0.95, hidden=128, layers=2, embed_dim=32,
                                transform="normal_scores"):
    r"""Estimate :math:`I(X;Y)` from joint samples with a trained critic.

    Mini-batches of K = ``batch_size`` joint pairs give a K x K score matrix
    (diagonal = joint pairs, off-diagonal = product of marginals); the critic
    maximises the chosen bound; the estimate is the bound averaged over
    held-out batches of the same size.

    ========================  =============================================  ==============================
    ``bound``                 trained with / evaluated with                   known behaviour
    ========================  =============================================  ==============================
    ``"infonce"``             :func:`~divergences.infonce_bound`              low variance, at most log K
    ``"nwj"``                 :func:`~divergences.nwj_mi_bound`               unbiased bound, variance ~ e^I
    ``"dv"``                  :func:`~divergences.dv_mi_bound`                biased for finite K, var ~ e^I
    ``"mine"``                :func:`~divergences.mine_step` / DV             DV with bias-corrected gradient
    ``"js"``                  :func:`~divergences.js_mi_bound` / NWJ(T + 1)   stable training, NWJ variance
    ``"tuba"``                :func:`~divergences.tuba_bound`                 learned baseline a(y)
    ``"interpolated"``        :func:`~divergences.interpolated_bound`         interpolation trades bias for variance
    ``"smile"``               JS / :func:`~divergences.smile_bound` (tau)     tau trades bias for variance
    ========================  =============================================  ==============================

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        Paired samples, shapes (n, d_x) and (n, d_y).
    bound : str, default "infonce"
    critic : {"separable", "concat"} or torch.nn.Module
        A module maps ``(x_batch, y_batch)`` to the K x K score matrix.
    steps, batch_size, lr
        Adam training settings (batch_size is K).
    eval_fraction : float, default 0.3
    tau : float, default 5
        SMILE's clipping.
    interpolation : float, default 0.01
        The interpolated bound's weight on InfoNCE.
    rng, device, progress, confidence
        As in :func:`estimate_f_divergence`.
    hidden, layers, embed_dim
        Size of the default critics.
    transform : {"normal_scores", "affine"}, default "normal_scores"
        How the data are prepared for the critic.  ``"normal_scores"``: each
        coordinate is mapped through its variable's empirical CDF on the training part and
        the standard normal quantile function, a fixed monotone map under which
        the estimated quantity is unchanged; heavy tails, skew and outliers then
        cannot make the critic's exponential or conjugate terms blow up on
        held-out points beyond the training range.  ``"affine"``: only an exact
        centring and power-of-two scaling (for data whose marginals are
        already benign, or to study the raw bound).

    Returns
    -------
    Estimate
        ``details["log_K"]`` holds InfoNCE's cap.

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import estimate_mutual_information, gaussian_mutual_information
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(6000, 2)); y = 0.8 * x + 0.6 * rng.normal(size=(6000, 2))
    >>> truth = float(gaussian_mutual_information(0.8, 2))          # 1.02 nats
    >>> est = estimate_mutual_information(x, y, steps=400, rng=0)
    >>> abs(est.value - truth) < 0.15
    True
    """
    _check_mi_options(bound, interpolation, tau)
    check_progress(progress)
    _check_transform(transform)
    steps, batch_size = _check_training(steps, batch_size, eval_fraction, lr)
    _z(confidence)                      # validate before training
    dev = _device(device, x, y)
    xt, yt = _tensors(dev, False, x=x, y=y)
    if xt.shape[0] != yt.shape[0]:
        raise ValueError(f"x and y must hold the same number of pairs, got {xt.shape[0]} and "
                         f"{yt.shape[0]}")
    gen_np = numpy_rng(rng)
    tr, va, ev = _mi_splits(gen_np, xt.shape[0], eval_fraction, batch_size)
    gen = torch_rng(gen_np, "cpu")
    if transform == "normal_scores":
        xt, yt = _normal_scores(xt[tr], xt), _normal_scores(yt[tr], yt)
    x_tr, y_tr = xt[tr], yt[tr]

    critic = _mi_critic(critic, (x_tr, y_tr), hidden, layers, embed_dim, gen).to(dev)
    params = list(critic.parameters())
    baseline = None
    if bound in ("tuba", "interpolated"):
        baseline = MLP(yt.shape[1], 1, hidden=64, layers=1, generator=gen).to(dev)
        params += list(baseline.parameters())
    train_obj, eval_obj = _mi_objectives(bound, tau, interpolation)

    def log_baseline(yb):
        return None if baseline is None else baseline(yb).squeeze(-1)

    clip = {"range": (-math.inf, math.inf), "out": 0, "total": 0}

    def held_out(indices):
        """The evaluation bound on consecutive batches of K pairs from ``indices``, with the
        scores clipped to ``clip["range"]`` (see below)."""
        vals = []
        lo, hi = clip["range"]
        with torch.no_grad():
            for start in range(0, indices.numel() - batch_size + 1, batch_size):
                idx = indices[start:start + batch_size]
                xb, yb = xt[idx], yt[idx]
                s = critic(xb, yb).double()
                clip["out"] += int(((s < lo) | (s > hi)).sum())
                clip["total"] += s.numel()
                a = log_baseline(yb)
                vals.append(float(eval_obj(s.clamp(lo, hi), None if a is None else a.double())))
        return np.asarray(vals)

    state = {"ema": None}

    def batch_objective():
        idx = _batch_indices(gen, x_tr.shape[0], batch_size, dev)
        xb, yb = x_tr[idx], y_tr[idx]
        scores = critic(xb, yb)
        if bound == "mine":
            obj, state["ema"] = B.mine_step(scores, state["ema"])
            return obj
        return train_obj(scores, log_baseline(yb))

    val_idx = torch.as_tensor(va, device=dev)
    curve, skipped, validation_value = _train_critic(
        batch_objective, lambda: float(held_out(val_idx).mean()), params, [critic],
        steps=steps, lr=lr, check_every=max(10, steps // 20), progress=progress,
        desc=f"estimate_mutual_information ({bound})")
    # held-out pairs far outside the training data (heavy tails) would be scored where the
    # critic never trained, and the exponential terms of NWJ/DV/JS can blow up there: the
    # scores are clipped to the range seen on (up to 8 batches of) training pairs.  A
    # clipped critic is still a critic, so the estimate stays a lower bound.
    with torch.no_grad():
        seen = [critic(x_tr[i:i + batch_size], y_tr[i:i + batch_size]).double()
                for i in range(0, min(x_tr.shape[0], 8 * batch_size), batch_size)]
    clip.update(range=_training_range(torch.cat([t.reshape(-1) for t in seen])), out=0,
                total=0)
    values = held_out(torch.as_tensor(gen_np.permutation(ev), device=dev))
    if not np.isfinite(values).all():
        raise _diverged(f"the held-out {bound} bound is not finite on "
                        f"{int((~np.isfinite(values)).sum())} of {values.size} batches",
                        curve, skipped, "a smaller lr, more steps or samples, or "
                        "bound='infonce' or 'smile' (whose terms are bounded)")
    return _mi_estimate(values, confidence, curve, critic, f"{bound} bound on I(X;Y)",
                        {"log_K": math.log(batch_size), "n_eval_batches": int(values.size),
                         "steps": steps, "batch_size": batch_size, "lr": lr,
                         "baseline": baseline, "skipped_steps": skipped,
                         "validation_value": validation_value,
                         "training_range": clip["range"],
                         "clipped_fraction": clip["out"] / max(clip["total"], 1)})


def _trial_tensors(device, **named):
    """Validated float64 tensors of shape (M, n, d) on ``device``, one conditioning map
    per trial and variable (see _condition)."""
    xp, arrays = as_numpy_or_torch(**named)
    for name, a in zip(named, arrays):
        if a.ndim != 3:
            raise ValueError(f"{name} must have shape (M, n, d), got {tuple(a.shape)}")
        check_finite(xp, name, a)
    if arrays[0].shape[:2] != arrays[1].shape[:2]:
        raise ValueError(f"x and y must have the same (M, n), got {tuple(arrays[0].shape[:2])} "
                         f"and {tuple(arrays[1].shape[:2])}")
    to_t = (lambda a: a) if xp.name == "torch" else torch.from_numpy
    return [torch.stack([_condition([t])[0] for t in to_t(a).detach().to(device, torch.float64)])
            for a in arrays]


def _trial_training_ranges(critic, x_tr, y_tr, batch_size):
    """Per trial, (lo, hi) of the finite critic scores on up to 8 batches of training
    pairs (no clipping, -inf and inf, for a trial without a finite score)."""
    with torch.no_grad():
        seen = torch.cat([critic(x_tr[:, i:i + batch_size], y_tr[:, i:i + batch_size])
                          .double().flatten(1)
                          for i in range(0, min(x_tr.shape[1], 8 * batch_size), batch_size)], 1)
        finite = seen.isfinite()
        lo = torch.where(finite, seen, math.inf).min(1).values
        hi = torch.where(finite, seen, -math.inf).max(1).values
        empty = ~finite.any(1)
        lo[empty], hi[empty] = -math.inf, math.inf
    return lo, hi


@renamed_keywords(alpha="interpolation")
def estimate_mutual_information_batched(x, y, *, bound="infonce", steps=1500, batch_size=128,
                                        lr=1e-3, eval_fraction=0.3, tau=5.0, interpolation=0.01,
                                        rng=None, device=None, confidence=0.95, hidden=128,
                                        layers=2, embed_dim=32, progress=None,
                                        transform="normal_scores"):
    r"""Run M independent :func:`estimate_mutual_information` trials as one batched network.

    ``x`` and ``y`` hold M independent data sets, shapes (M, n, d_x) and
    (M, n, d_y).  Each trial has its own separable critic (and baseline),
    mini-batches, validation-based selection and held-out evaluation, exactly
    as in the sequential estimator; only the arithmetic is batched
    (:class:`~divergences.critics.BatchedSeparableCritic`), so the M estimates
    have the same distribution as M sequential runs.  The safeguards are the
    sequential ones, per trial: the ``transform`` fitted on the trial's training
    part, steps with a non-finite objective or gradient skipped (that trial's
    parameters are left as they were), held-out scores clipped to the range seen
    on the trial's training pairs, and the same diagnostics in ``details``.

    Parameters
    ----------
    x, y : array_like, torch.Tensor or jax.Array (JAX arrays are copied to numpy)
        M independent data sets of paired samples, shapes (M, n, d_x) and (M, n, d_y).
    bound, steps, batch_size, lr, eval_fraction, tau, interpolation, confidence
        As in :func:`estimate_mutual_information`.
    rng : None, int, numpy Generator
        Seed of the splits, initialisations and mini-batches.
    device : str or torch.device, optional
        Where the batched network trains (default: the device of ``x``).
    hidden, layers, embed_dim : int
        Size of each trial's separable critic.
    progress : bool or None, default None
        As in :func:`estimate_mutual_information`.
    transform : {"normal_scores", "affine"}, default "normal_scores"
        As in :func:`estimate_mutual_information`, fitted per trial.

    Returns
    -------
    list of Estimate
        One per trial (``critic`` is the shared batched module).

    Examples
    --------
    >>> import numpy as np
    >>> from divergences import estimate_mutual_information_batched
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(4, 3000, 1)); y = 0.8 * x + 0.6 * rng.normal(size=(4, 3000, 1))
    >>> ests = estimate_mutual_information_batched(x, y, steps=200, rng=0)
    >>> len(ests), all(abs(e.value - 0.51) < 0.15 for e in ests)
    (4, True)
    """

    _check_mi_options(bound, interpolation, tau)
    check_progress(progress)
    _check_transform(transform)
    steps, batch_size = _check_training(steps, batch_size, eval_fraction, lr)
    _z(confidence)                      # validate before training
    dev = _device(device, x, y)
    xt, yt = _trial_tensors(dev, x=x, y=y)
    m, n = xt.shape[:2]
    gen_np = numpy_rng(rng)
    tr, va, ev = _mi_splits(gen_np, n, eval_fraction, batch_size)
    gen = torch_rng(gen_np, "cpu")
    if transform == "normal_scores":           # fitted on each trial's training part
        xt = torch.stack([_normal_scores(t[tr], t) for t in xt])
        yt = torch.stack([_normal_scores(t[tr], t) for t in yt])
    xt, yt = xt.to(torch.float32), yt.to(torch.float32)
    x_tr, y_tr = xt[:, tr], yt[:, tr]
    critic = BatchedSeparableCritic(m, xt.shape[2], yt.shape[2], hidden, layers, embed_dim,
                                    data=(x_tr, y_tr), generator=gen).to(dev)
    params = list(critic.parameters())
    baseline = None
    if bound in ("tuba", "interpolated"):
        baseline = _BatchedMLP(m, yt.shape[2], 1, 64, 1, gen).to(dev)
        params += list(baseline.parameters())
    train_obj, eval_obj = _mi_objectives(bound, tau, interpolation)
    rows = torch.arange(m, device=dev)[:, None]

    def log_baseline(yb):
        return None if baseline is None else baseline(yb).squeeze(-1)

    # per-trial clipping range of the held-out scores (set after training, as in
    # estimate_mutual_information), and per-trial counts of clipped scores
    clip = {"lo": None, "hi": None, "out": torch.zeros(m, device=dev), "total": 0}

    def held_out(indices):
        vals = []
        with torch.no_grad():
            for start in range(0, indices.numel() - batch_size + 1, batch_size):
                idx = indices[start:start + batch_size]
                xb, yb = xt[:, idx], yt[:, idx]
                a = log_baseline(yb)
                s = critic(xb, yb).double()
                if clip["lo"] is not None:
                    lo, hi = clip["lo"][:, None, None], clip["hi"][:, None, None]
                    clip["out"] += ((s < lo) | (s > hi)).flatten(1).sum(1)
                    clip["total"] += s[0].numel()
                    s = torch.maximum(torch.minimum(s, hi), lo)
                vals.append(eval_obj(s, None if a is None else a.double()))
        return torch.stack(vals, dim=-1)                       # (M, batches)

    state = {"ema": None}

    def batch_objective():
        idx = torch.randint(0, x_tr.shape[1], (m, batch_size), generator=gen).to(dev)
        xb, yb = x_tr[rows, idx], y_tr[rows, idx]
        scores = critic(xb, yb)
        if bound == "mine":
            obj, state["ema"] = B.mine_step(scores, state["ema"])
            return obj
        return train_obj(scores, log_baseline(yb))

    val_idx = torch.as_tensor(va, device=dev)
    curve, skipped, best = _train_critic(
        batch_objective, lambda: held_out(val_idx).mean(-1), params, [],
        steps=steps, lr=lr, check_every=max(10, steps // 20), progress=progress,
        desc=f"estimate_mutual_information_batched ({bound}, {m} trials)", trials=m)
    clip["lo"], clip["hi"] = _trial_training_ranges(critic, x_tr, y_tr, batch_size)
    values = held_out(torch.as_tensor(gen_np.permutation(ev), device=dev)).cpu().numpy()
    for i in range(m):
        if not np.isfinite(values[i]).all():
            raise _diverged(f"the held-out {bound} bound of trial {i} is not finite on "
                            f"{int((~np.isfinite(values[i])).sum())} of {values.shape[1]} "
                            f"batches", curve[:, i], int(skipped[i]),
                            "a smaller lr, more steps or samples, or bound='infonce' or "
                            "'smile' (whose terms are bounded)")
    return [_mi_estimate(values[i], confidence, curve[:, i], critic,
                         f"{bound} bound on I(X;Y) (batched trial {i})",
                         {"log_K": math.log(batch_size), "n_eval_batches": int(values.shape[1]),
                          "trial": i, "steps": steps, "batch_size": batch_size, "lr": lr,
                          "skipped_steps": int(skipped[i]), "validation_value": float(best[i]),
                          "training_range": (float(clip["lo"][i]), float(clip["hi"][i])),
                          "clipped_fraction": float(clip["out"][i]) / max(clip["total"], 1)})
            for i in range(m)]
