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
bench [--protocol poole2019] [--suite mi-beyond-normal|f-divergence] [--out DIR]
    Bias/variance study of estimators on problems with known truth (correlated
    Gaussians, or a named suite): prints a Markdown table, writes bench.csv and
    bench.png to DIR.

Errors in the arguments or the input files are reported as one line on
stderr with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from ._backend.io import load_samples
from ._demo import run_demo
from .benchmark.harness import (CLASSICAL_ESTIMATORS, ClassicalEstimator, FDivergenceEstimator,
                                MIEstimator, bias_variance)
from .benchmark.problems import mi_staircase, suite
from .estimators.estimate import MI_BOUNDS, estimate_f_divergence, estimate_mutual_information
from .fdiv.ffunctions import f_names, get_f, table_rows
from .transport.wasserstein import wasserstein_1d
from .two_sample.door import TWO_SAMPLE_METHODS, two_sample_test

__all__ = ["main"]


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit status 2
        raise _UsageError(f"{self.prog}: error: {message}")


def _int_at_least(low):
    """argparse type: an integer >= low (the message names the rule, argparse the option)."""
    def convert(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be an integer >= {low}, got {value}")
        return value
    convert.__name__ = f"integer >= {low}"
    return convert


def _float_in(low, high, *, closed_low=False, what=None):
    """argparse type: a finite float in (low, high) (or [low, high) with closed_low)."""
    def convert(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        ok = math.isfinite(value) and (value >= low if closed_low else value > low) and value < high
        if not ok:
            left = "[" if closed_low else "("
            right = "inf)" if math.isinf(high) else f"{high:g})"
            rule = what or f"a number in {left}{low:g}, {right}"
            raise argparse.ArgumentTypeError(f"must be {rule}, got {text}")
        return value
    convert.__name__ = "number"
    return convert


def _progress(args):
    """The estimators' ``progress=``: silent with --quiet, else a bar on a terminal only."""
    return False if args.quiet else None


def _dump_json(obj):

    print(json.dumps(obj, allow_nan=False))


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

    return run_demo(out=args.out, seed=args.seed, plot=not args.no_plot, quick=args.quick)


def _one_dimensional(arr, label):
    """A 1-D sample from a file: a column or a row of numbers, never a table."""
    if arr.ndim == 2 and 1 in arr.shape:
        return arr.ravel()
    if arr.ndim != 1:
        raise ValueError(f"{label} holds an array of shape {arr.shape}, but emd compares two "
                         f"1-D samples: give one column (or one row) of numbers per file, "
                         f"e.g. one column of a table, or use 'divergences test' for "
                         f"multivariate samples")
    return arr


def _cmd_emd(args):


    x, x_label = load_samples(args.x, "X", with_label=True)
    y, y_label = load_samples(args.y, "Y", with_label=True)
    x, y = _one_dimensional(x, x_label), _one_dimensional(y, y_label)
    weights = []
    for path, option, sample, label in ((args.x_weights, "--x-weights", x, x_label),
                                        (args.y_weights, "--y-weights", y, y_label)):
        if path is None:
            weights.append(None)
            continue
        w, w_label = load_samples(path, option, with_label=True)
        w = _one_dimensional(w, w_label)
        if w.size != sample.size:
            raise ValueError(f"{w_label} has {w.size} weights but {label} has {sample.size} "
                             f"samples: give one weight per sample")
        if (w < 0).any():
            raise ValueError(f"{w_label} has negative weights (first at position "
                             f"{int(np.argmax(w < 0))}); weights must be >= 0")
        if not w.sum() > 0:
            raise ValueError(f"{w_label}: the weights sum to 0; at least one must be positive")
        weights.append(w)
    value = float(wasserstein_1d(x, y, weights[0], weights[1], p=args.p))
    if args.json:
        out = {"p": args.p, "wasserstein": value, "n_x": int(x.size), "n_y": int(y.size)}
        if not math.isfinite(value):
            out["wasserstein"] = None
            out["non_finite"] = {"wasserstein": "+inf" if value > 0 else "nan"}
        _dump_json(out)
    else:
        print(f"W_{args.p:g} = {value:.12g}")
    return 0


def _load_tables(args):
    """X and Y as tables of samples, shape (n,) or (n, d), with their labels for messages."""

    x, x_label = load_samples(args.x, "X", with_label=True)
    y, y_label = load_samples(args.y, "Y", with_label=True)
    for arr, label in ((x, x_label), (y, y_label)):
        if arr.ndim > 2:
            raise ValueError(f"{label} holds an array of shape {arr.shape}; give a table of "
                             f"shape (n, d): one row per sample")
    return x, x_label, y, y_label


def _cmd_test(args):

    x, x_label, y, y_label = _load_tables(args)
    dx = 1 if x.ndim == 1 else x.shape[1]
    dy = 1 if y.ndim == 1 else y.shape[1]
    if dx != dy:
        raise ValueError(f"{x_label} has {dx} column(s) but {y_label} has {dy}: both samples "
                         f"need the same dimension")
    if args.alpha is not None:
        print("divergences: warning: --alpha is renamed --level (the significance level); "
              "--alpha will be removed in a future release", file=sys.stderr)
        args.level = args.alpha
    level = 0.05 if args.level is None else args.level
    options = {}
    if args.permutations is not None:
        options["n_permutations"] = args.permutations
        if 1.0 / (args.permutations + 1) > level:
            need = math.ceil(1.0 / level) - 1
            print(f"divergences: warning: with --permutations {args.permutations} the smallest "
                  f"possible p-value is 1/{args.permutations + 1} = "
                  f"{1 / (args.permutations + 1):.3g} > --level {level:g}, so this test can "
                  f"never reject; use --permutations >= {need}", file=sys.stderr)
    res = two_sample_test(x, y, args.method, rng=args.seed, **options)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # an unreachable level was warned above
        reject = res.reject(level)
    decision = "reject H0: P = Q" if reject else "do not reject H0: P = Q"
    if args.json:
        out = res.to_dict()
        out.update(level=level, reject=reject)
        _dump_json(out)
    else:
        print(res)
        print(f"at level {level:g}: {decision}")
    return 0


def _print_estimate(est, args, label):
    if args.json:
        out = est.to_dict()
        out["quantity"] = label
        _dump_json(out)
    else:
        print(f"{label} ~= {est}")


_F_PARAMS = {"alpha": "alpha", "weighted_jensen_shannon": "pi"}


def _cmd_estimate(args):

    params = {}
    for option in ("alpha", "pi"):
        value = getattr(args, option)
        if value is not None:
            if _F_PARAMS.get(args.divergence) != option:
                raise ValueError(f"--{option} is a parameter of "
                                 f"{'the alpha' if option == 'alpha' else 'the weighted_jensen_shannon'}"
                                 f" divergence, not of --divergence {args.divergence}")
            params[option] = value
    f = get_f(args.divergence, **params)
    x, x_label, y, y_label = _load_tables(args)
    est = estimate_f_divergence(x, y, f, bound=args.bound, steps=args.steps, rng=args.seed,
                                progress=_progress(args))
    _print_estimate(est, args, f"D_{f.name}(P||Q)")
    return 0


def _cmd_mi(args):

    xy, label = load_samples(args.xy, "XY", with_label=True)
    if xy.ndim != 2 or xy.shape[1] < 2:
        cols = "1 column" if xy.ndim == 1 else f"shape {xy.shape}"
        raise ValueError(f"{label} has {cols}; mi needs a table of joint samples with at least "
                         f"2 columns, the X columns first, then the Y columns")
    if not args.split < xy.shape[1]:
        raise ValueError(f"--split {args.split} leaves no Y columns: {label} has "
                         f"{xy.shape[1]} columns, so --split must lie between 1 and "
                         f"{xy.shape[1] - 1} (the number of X columns)")
    est = estimate_mutual_information(xy[:, :args.split], xy[:, args.split:], bound=args.bound,
                                      steps=args.steps, rng=args.seed, progress=_progress(args))
    _print_estimate(est, args, "I(X;Y)")
    return 0


def _cmd_bench(args):


    if args.protocol == "poole2019":
        # Poole et al. (2019): d = 20, MI 2..10 nats, batch 64, Adam 5e-4, 2 x 256 critic
        d, mis, batch, lr, hidden = 20, (2.0, 4.0, 6.0, 8.0, 10.0), 64, 5e-4, 256
        bounds = args.estimators or ["nwj", "tuba", "dv", "mine", "infonce", "js",
                                     "interpolated", "smile:1", "smile:5", "smile:inf"]
        steps = args.steps if args.steps is not None else 2000
        n = args.n if args.n is not None else 100_000
    else:
        d, mis, batch, lr, hidden = args.d, tuple(args.mi), 128, 1e-3, 128
        bounds = args.estimators or ["infonce", "nwj", "smile:5"]
        steps = args.steps if args.steps is not None else 1000
        n = args.n if args.n is not None else 5000

    f_suite = args.suite == "f-divergence"
    if f_suite and not args.estimators:
        bounds = ["kl", "knn_kl"]
    estimators = {}
    for spec in bounds:
        name, _, tau = spec.partition(":")
        if spec in CLASSICAL_ESTIMATORS:
            target = CLASSICAL_ESTIMATORS[spec][1]
            if (target == "kl") != f_suite:
                raise ValueError(f"--estimators: {spec!r} estimates {target}, which the "
                                 f"problems of this run do not have")
            estimators[spec] = ClassicalEstimator(spec)
            continue
        if f_suite:
            if spec not in f_names() or spec in ("alpha", "weighted_jensen_shannon"):
                raise ValueError(f"--estimators: unknown estimator {spec!r} for the f-divergence "
                                 f"suite; choose f names (kl, squared_hellinger, ...) or knn_kl")
            estimators[spec] = FDivergenceEstimator(spec, steps=steps, lr=lr)
            continue
        if name not in MI_BOUNDS or (tau and name != "smile"):
            raise ValueError(f"--estimators: unknown estimator {spec!r}; choose from "
                             f"{', '.join(MI_BOUNDS)} (smile:TAU sets SMILE's clip, e.g. smile:5) "
                             f"or the classical ksg, cca, gaussian_copula, histogram")
        options = {"hidden": hidden}
        if tau:
            try:
                options["tau"] = float(tau)
            except ValueError:
                options["tau"] = math.nan
            if not options["tau"] > 0:
                raise ValueError(f"--estimators {spec}: TAU must be a positive number or inf")
        estimators[spec] = MIEstimator(name, steps=steps, batch_size=batch, lr=lr,
                                       options=options)
    if args.suite:

        problems = suite(args.suite)
    else:
        problems = mi_staircase(d=d, mis=mis, transform=args.transform)
    executor = None
    if args.workers > 1:

        executor = ProcessPoolExecutor(max_workers=args.workers)
    try:
        res = bias_variance(estimators, problems, sample_sizes=[n], n_trials=args.trials,
                            rng=args.seed, executor=executor, progress=None)
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


_DESCRIPTION = """\
Distances between probability distributions and two-sample tests, from the shell.
Run "divergences COMMAND --help" for the options of a command.

Input files are .npy (no pickles) or .csv/.txt with one sample per row.
Errors are one line on stderr with exit status 2; Ctrl-C stops with status 130.
"""


def _build_parser():
    parser = _Parser(prog="divergences", description=_DESCRIPTION,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    p_table = sub.add_parser("table", help="print the f-function table")
    p_table.add_argument("--format", choices=("text", "tsv"), default="text")
    p_table.set_defaults(func=_cmd_table)
    p_demo = sub.add_parser("demo", help="run a tour of the library on generated data")
    p_demo.add_argument("--out", default="divergences_demo.png",
                        help="where to save the plot (PNG)")
    p_demo.add_argument("--seed", type=int, default=0)
    p_demo.add_argument("--no-plot", action="store_true", help="skip the plot")
    p_demo.add_argument("--quick", action="store_true",
                        help="a reduced tour (smaller samples, shorter training): seconds, not "
                             "minutes")
    p_demo.set_defaults(func=_cmd_demo)
    p_emd = sub.add_parser("emd", help="Wasserstein distance between two 1-D sample files")
    p_emd.add_argument("x", help="samples of P: one column or one row (.npy or .csv)")
    p_emd.add_argument("y", help="samples of Q: one column or one row (.npy or .csv)")
    p_emd.add_argument("--x-weights", help="weights of X's samples (.npy or .csv)")
    p_emd.add_argument("--y-weights", help="weights of Y's samples (.npy or .csv)")
    p_emd.add_argument("--p", type=_float_in(1.0, math.inf, closed_low=True, what="a number >= 1"),
                       default=1.0,
                       help="order p >= 1 (default 1)")
    p_emd.add_argument("--json", action="store_true", help="print a JSON object")
    p_emd.set_defaults(func=_cmd_emd)
    p_test = sub.add_parser("test", help="two-sample test between two sample files")
    p_test.add_argument("x", help="samples of P, shape (n, d) (.npy or .csv)")
    p_test.add_argument("y", help="samples of Q, shape (m, d) (.npy or .csv)")
    p_test.add_argument("--method", choices=tuple(TWO_SAMPLE_METHODS), default="mmd_agg",
                        help="the test, as two_sample_test names it (default mmd_agg, the "
                             "library's default)")
    p_test.add_argument("--level", type=_float_in(0.0, 1.0), default=None,
                        help="significance level of the test, in (0, 1) (default 0.05)")
    p_test.add_argument("--alpha", type=_float_in(0.0, 1.0), default=None,
                        help=argparse.SUPPRESS)          # the old name of --level
    p_test.add_argument("--permutations", type=_int_at_least(1), default=None,
                        help="number of relabellings the p-value is read from, for every "
                             "method (default: the method's own)")
    p_test.add_argument("--seed", type=int, default=None, help="random seed")
    p_test.add_argument("--json", action="store_true", help="print a JSON object")
    p_test.set_defaults(func=_cmd_test)
    p_est = sub.add_parser("estimate", help="variational estimate of an f-divergence")
    p_est.add_argument("x", help="samples of P (.npy or .csv)")
    p_est.add_argument("y", help="samples of Q (.npy or .csv)")
    p_est.add_argument("--divergence", default="kl",
                       help="f-function name (default kl; see 'divergences table')")
    p_est.add_argument("--alpha", type=float, default=None,
                       help="the parameter of --divergence alpha (not 0 or 1)")
    p_est.add_argument("--pi", type=float, default=None,
                       help="the weight of --divergence weighted_jensen_shannon, in (0, 1)")
    p_est.add_argument("--bound", choices=("fgan", "nwj", "dv"), default="fgan")
    p_mi = sub.add_parser("mi", help="variational estimate of mutual information")
    p_mi.add_argument("xy", help="joint samples, shape (n, d_x + d_y) (.npy or .csv)")
    p_mi.add_argument("--split", type=_int_at_least(1), required=True,
                      help="number of X columns (the first columns are X)")
    p_mi.add_argument("--bound", choices=("nwj", "dv", "mine", "js", "infonce", "tuba",
                                          "interpolated", "smile"), default="infonce")
    for p in (p_est, p_mi):
        p.add_argument("--steps", type=_int_at_least(1), default=1500,
                       help="training steps (default 1500)")
        p.add_argument("--seed", type=int, default=None, help="random seed")
        p.add_argument("--quiet", action="store_true",
                       help="no progress bar (shown only when stderr is a terminal)")
        p.add_argument("--json", action="store_true", help="print a JSON object")
    p_est.set_defaults(func=_cmd_estimate)
    p_mi.set_defaults(func=_cmd_mi)
    p_bench = sub.add_parser("bench", help="bias/variance study of estimators")
    p_bench.add_argument("--protocol", choices=("default", "poole2019"), default="default")
    p_bench.add_argument("--estimators", nargs="+", default=None,
                         help="bounds, e.g. infonce nwj smile:5 (smile:TAU sets the clip), "
                              "and classical estimators: ksg cca gaussian_copula histogram")
    p_bench.add_argument("--mi", nargs="+", type=_float_in(0.0, math.inf, what="a number > 0"),
                         default=[1.0, 2.0, 4.0],
                         help="true MI levels in nats, each > 0 (default protocol)")
    p_bench.add_argument("--d", type=_int_at_least(1), default=5,
                         help="dimension (default protocol; default 5)")
    p_bench.add_argument("--transform", choices=("cubic", "asinh"), default=None,
                         help="MI-preserving transform of y")
    p_bench.add_argument("--trials", type=_int_at_least(2), default=10,
                         help="trials per cell, >= 2 (default 10)")
    p_bench.add_argument("--steps", type=_int_at_least(1), default=None,
                         help="training steps (default 1000; 2000 for poole2019)")
    p_bench.add_argument("--n", type=_int_at_least(2), default=None,
                         help="samples per trial (default 5000; 100000 for poole2019)")
    p_bench.add_argument("--workers", type=_int_at_least(1), default=1,
                         help="processes (default 1)")
    p_bench.add_argument("--suite", choices=("mi-beyond-normal", "f-divergence"), default=None,
                         help="a named set of problems (replaces --mi, --d, --transform); "
                              "with f-divergence, --estimators takes f names and knn_kl "
                              "(default: kl knn_kl)")
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
    except KeyboardInterrupt:
        print("divergences: interrupted", file=sys.stderr)
        return 130
    except (ValueError, TypeError, KeyError, OSError, NotImplementedError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"divergences: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
