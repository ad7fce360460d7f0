"""Command-line interface: ``divergences <command>`` or ``python -m divergences <command>``.

Commands
--------
table
    Print the f-function table (name, f, conjugate, its domain, activation, f'(1)).
demo
    A tour of the library on generated data; prints results and saves a plot.
emd X Y
    The p-Wasserstein distance between two 1-D samples stored in .npy/.csv files
    (optional weight files), printed as a number.
test X Y --method c2st|mmd|energy
    A two-sample test on two files of shape (n, d); prints the decision, the
    statistic and the p-value (or a JSON object).
estimate X Y --divergence kl --bound fgan|nwj|dv
    Train a critic on samples of P (X) and Q (Y) and print the estimate of
    D_f(P||Q) with its confidence interval.
mi XY --split d --bound infonce|nwj|...
    Estimate I(X;Y) from joint samples (the first d columns are X).
bench [--protocol poole2019] [--out DIR]
    Bias/variance study of MI estimators on correlated Gaussians with known MI:
    prints a Markdown table, writes bench.csv and bench.png to DIR.

Errors in the arguments or the input files are reported as one line on
stderr with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import math
import sys

__all__ = ["main"]


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit status 2
        raise _UsageError(f"{self.prog}: error: {message}")


def _format_domain(f):
    low, high = f.conjugate_domain
    left = "(-inf" if math.isinf(low) else f"[{low:.4g}"
    right = "inf)" if math.isinf(high) else f"{high:.4g}" + ("]" if f.conjugate_domain_closed else ")")
    return f"{left}, {right}"


def table_rows():
    """Rows of the f-function table as tuples of strings (used by ``table``)."""
    from .ffunctions import f_names, get_f

    defaults = {"weighted_jensen_shannon": {"pi": 0.3}, "alpha": {"alpha": 0.5}}
    rows = []
    for name in f_names():
        params = defaults.get(name, {})
        f = get_f(name, **params)
        label = name + ("(" + ", ".join(f"{k}={v:g}" for k, v in params.items()) + ")"
                        if params else "")
        rows.append((label, f.formula, f.conjugate_formula, _format_domain(f),
                     f.activation_formula, f"{f.derivative_at_one:.6g}"))
    return rows


def _cmd_table(args):
    header = ("name", "f(u)", "f*(t)", "dom f*", "activation g(v)", "f'(1)")
    rows = table_rows()
    if args.format == "tsv":
        for row in (header, *rows):
            print("\t".join(row))
        return 0
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    line = "  ".join("{:<%d}" % w for w in widths)
    print(line.format(*header))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row))
    return 0


def _cmd_demo(args):
    from ._demo import run_demo

    return run_demo(out=args.out, seed=args.seed, plot=not args.no_plot)


def _cmd_emd(args):
    from ._io import load_samples
    from .wasserstein import wasserstein_1d

    x = load_samples(args.x, "X").ravel()
    y = load_samples(args.y, "Y").ravel()
    wx = None if args.x_weights is None else load_samples(args.x_weights, "--x-weights").ravel()
    wy = None if args.y_weights is None else load_samples(args.y_weights, "--y-weights").ravel()
    value = float(wasserstein_1d(x, y, wx, wy, p=args.p))
    if args.json:
        import json

        print(json.dumps({"p": args.p, "wasserstein": value, "n_x": x.size, "n_y": y.size}))
    else:
        print(f"W_{args.p:g} = {value:.12g}")
    return 0


def _cmd_test(args):
    from . import classifier_test, two_sample
    from ._io import load_samples

    x = load_samples(args.x, "X")
    y = load_samples(args.y, "Y")
    if not 0 < args.alpha < 1:
        raise ValueError(f"--alpha must lie in (0, 1), got {args.alpha}")
    if args.method == "c2st":
        res = classifier_test.c2st(x, y, rng=args.seed)
    elif args.method == "mmd":
        res = two_sample.mmd_test(x, y, n_permutations=args.permutations, rng=args.seed)
    else:
        res = two_sample.energy_test(x, y, n_permutations=args.permutations, rng=args.seed)
    decision = "reject H0: P = Q" if res.reject(args.alpha) else "do not reject H0: P = Q"
    if args.json:
        import json

        extra = {k: v for k, v in res.details.items() if isinstance(v, (int, float, str, tuple))}
        print(json.dumps({"method": res.method, "statistic": float(res.statistic),
                          "pvalue": res.pvalue, "alpha": args.alpha,
                          "reject": res.reject(args.alpha), "n_x": res.n_x, "n_y": res.n_y,
                          "details": extra}))
    else:
        print(f"{res.method}: statistic = {float(res.statistic):.6g}, p-value = {res.pvalue:.4g}"
              f" (n_x = {res.n_x}, n_y = {res.n_y})")
        print(f"at alpha = {args.alpha:g}: {decision}")
    return 0


def _print_estimate(est, args, label):
    if args.json:
        import json

        print(json.dumps({"estimate": est.value, "stderr": est.stderr, "ci": list(est.ci),
                          "method": est.method, "quantity": label}))
    else:
        print(f"{label} ~= {est.value:.4f}  (std. error {est.stderr:.4f}, 95% CI "
              f"[{est.ci[0]:.4f}, {est.ci[1]:.4f}]; {est.method})")


def _cmd_estimate(args):
    from ._io import load_samples
    from .estimate import estimate_f_divergence

    x = load_samples(args.x, "X")
    y = load_samples(args.y, "Y")
    est = estimate_f_divergence(x, y, args.divergence, bound=args.bound, steps=args.steps,
                                rng=args.seed, progress=not args.quiet)
    _print_estimate(est, args, f"D_{args.divergence}(P||Q)")
    return 0


def _cmd_mi(args):
    from ._io import load_samples
    from .estimate import estimate_mutual_information

    xy = load_samples(args.xy, "XY")
    if xy.ndim != 2 or not 0 < args.split < xy.shape[1]:
        raise ValueError(f"--split must lie between 1 and {max(xy.shape[-1] - 1, 1)} for joint "
                         f"samples of shape {xy.shape} (the first columns are X)")
    est = estimate_mutual_information(xy[:, :args.split], xy[:, args.split:], bound=args.bound,
                                      steps=args.steps, rng=args.seed, progress=not args.quiet)
    _print_estimate(est, args, "I(X;Y)")
    return 0


def _cmd_bench(args):
    import os

    from .bench import MIEstimator, bias_variance
    from .problems import mi_staircase

    if args.protocol == "poole2019":
        # Poole et al. (2019): d = 20, MI 2..10 nats, batch 64, Adam 5e-4, 2 x 256 critic
        d, mis, batch, lr, hidden = 20, (2.0, 4.0, 6.0, 8.0, 10.0), 64, 5e-4, 256
        bounds = args.estimators or ["nwj", "tuba", "dv", "mine", "infonce", "js",
                                     "interpolated", "smile:1", "smile:5", "smile:inf"]
        steps = args.steps or 2000
        n = args.n or 100_000
    else:
        d, mis, batch, lr, hidden = args.d, tuple(args.mi), 128, 1e-3, 128
        bounds = args.estimators or ["infonce", "nwj", "smile:5"]
        steps = args.steps or 1000
        n = args.n or 5000
    estimators = {}
    for spec in bounds:
        name, _, tau = spec.partition(":")
        options = {"hidden": hidden}
        if name == "smile" and tau:
            options["tau"] = float(tau)
        estimators[spec] = MIEstimator(name, steps=steps, batch_size=batch, lr=lr,
                                       options=options)
    problems = mi_staircase(d=d, mis=mis, transform=args.transform)
    executor = None
    if args.workers and args.workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        executor = ProcessPoolExecutor(max_workers=args.workers)
    try:
        res = bias_variance(estimators, problems, sample_sizes=[n], n_trials=args.trials,
                            rng=args.seed, executor=executor, progress=True)
    finally:
        if executor is not None:
            executor.shutdown()
    os.makedirs(args.out, exist_ok=True)
    print(res.to_markdown())
    res.to_csv(os.path.join(args.out, "bench.csv"))
    try:
        res.plot(os.path.join(args.out, "bench.png"))
        print(f"wrote {os.path.join(args.out, 'bench.csv')} and bench.png")
    except ImportError as exc:
        print(f"wrote {os.path.join(args.out, 'bench.csv')} ({exc})")
    return 0


def _build_parser():
    parser = _Parser(prog="divergences", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    p_table = sub.add_parser("table", help="print the f-function table")
    p_table.add_argument("--format", choices=("text", "tsv"), default="text")
    p_table.set_defaults(func=_cmd_table)
    p_demo = sub.add_parser("demo", help="run a tour of the library on generated data")
    p_demo.add_argument("--out", default="divergences_demo.png",
                        help="where to save the plot (PNG)")
    p_demo.add_argument("--seed", type=int, default=0)
    p_demo.add_argument("--no-plot", action="store_true", help="skip the plot")
    p_demo.set_defaults(func=_cmd_demo)
    p_emd = sub.add_parser("emd", help="Wasserstein distance between two 1-D sample files")
    p_emd.add_argument("x", help="samples of P (.npy or .csv)")
    p_emd.add_argument("y", help="samples of Q (.npy or .csv)")
    p_emd.add_argument("--x-weights", help="weights of X's samples (.npy or .csv)")
    p_emd.add_argument("--y-weights", help="weights of Y's samples (.npy or .csv)")
    p_emd.add_argument("--p", type=float, default=1.0, help="order p >= 1 (default 1)")
    p_emd.add_argument("--json", action="store_true", help="print a JSON object")
    p_emd.set_defaults(func=_cmd_emd)
    p_test = sub.add_parser("test", help="two-sample test between two sample files")
    p_test.add_argument("x", help="samples of P, shape (n, d) (.npy or .csv)")
    p_test.add_argument("y", help="samples of Q, shape (m, d) (.npy or .csv)")
    p_test.add_argument("--method", choices=("c2st", "mmd", "energy"), default="mmd")
    p_test.add_argument("--alpha", type=float, default=0.05)
    p_test.add_argument("--permutations", type=int, default=1000,
                        help="permutations for mmd and energy (default 1000)")
    p_test.add_argument("--seed", type=int, default=None, help="random seed")
    p_test.add_argument("--json", action="store_true", help="print a JSON object")
    p_test.set_defaults(func=_cmd_test)
    p_est = sub.add_parser("estimate", help="variational estimate of an f-divergence")
    p_est.add_argument("x", help="samples of P (.npy or .csv)")
    p_est.add_argument("y", help="samples of Q (.npy or .csv)")
    p_est.add_argument("--divergence", default="kl", help="f-function name (default kl)")
    p_est.add_argument("--bound", choices=("fgan", "nwj", "dv"), default="fgan")
    p_mi = sub.add_parser("mi", help="variational estimate of mutual information")
    p_mi.add_argument("xy", help="joint samples, shape (n, d_x + d_y) (.npy or .csv)")
    p_mi.add_argument("--split", type=int, required=True, help="number of X columns")
    p_mi.add_argument("--bound", choices=("nwj", "dv", "mine", "js", "infonce", "tuba",
                                          "interpolated", "smile"), default="infonce")
    for p in (p_est, p_mi):
        p.add_argument("--steps", type=int, default=1500)
        p.add_argument("--seed", type=int, default=None)
        p.add_argument("--quiet", action="store_true", help="no progress display")
        p.add_argument("--json", action="store_true", help="print a JSON object")
    p_est.set_defaults(func=_cmd_estimate)
    p_mi.set_defaults(func=_cmd_mi)
    p_bench = sub.add_parser("bench", help="bias/variance study of MI estimators")
    p_bench.add_argument("--protocol", choices=("default", "poole2019"), default="default")
    p_bench.add_argument("--estimators", nargs="+", default=None,
                         help="bounds, e.g. infonce nwj smile:5 (smile:TAU sets the clip)")
    p_bench.add_argument("--mi", nargs="+", type=float, default=[1.0, 2.0, 4.0],
                         help="true MI levels in nats (default protocol)")
    p_bench.add_argument("--d", type=int, default=5, help="dimension (default protocol)")
    p_bench.add_argument("--transform", choices=("cubic", "asinh"), default=None,
                         help="MI-preserving transform of y")
    p_bench.add_argument("--trials", type=int, default=10)
    p_bench.add_argument("--steps", type=int, default=None)
    p_bench.add_argument("--n", type=int, default=None, help="samples per trial")
    p_bench.add_argument("--workers", type=int, default=1, help="processes (default 1)")
    p_bench.add_argument("--seed", type=int, default=0)
    p_bench.add_argument("--out", default="bench_out", help="output folder")
    p_bench.set_defaults(func=_cmd_bench)
    return parser


def main(argv=None) -> int:
    """Entry point; returns the exit status."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            raise _UsageError("divergences: error: a command is required "
                              "(table, demo, emd, test, estimate, mi, bench); see 'divergences --help'")
        return args.func(args)
    except _UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (ValueError, TypeError, KeyError, OSError, NotImplementedError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"divergences: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
