"""Measure the test suite's strength: plant realistic bugs one at a time, see which survive.

Each mutation replaces one exact snippet of the library (an operator flip, an off-by-one,
a dropped term, swapped arguments, a wrong constant) in a scratch copy of the repository
and runs the tests named for it; a mutation the tests do not fail on *survives*.  The
list covers the categories of issue 26 (aggregated tests' level correction and p-value
rule, the bandwidths a fused test uses, the split a batched estimator is scored on) and
the core formulas.  Run from the repository root:

    .venv/bin/python benchmarks/mutants.py            # all mutations, a line each
    .venv/bin/python benchmarks/mutants.py --list     # the mutations only

It exits 1 if any mutation survives.  A snippet that no longer exists (the code moved
on) is reported as stale, not as caught.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]

#: (name, file, snippet, replacement, tests to run)
MUTATIONS = [
    ("p-value: +1 dropped from the count", "divergences/two_sample/_permutation.py",
     "p_ge, p_le = (1.0 + ge) / (1.0 + b), (1.0 + le) / (1.0 + b)",
     "p_ge, p_le = (0.0 + ge) / (1.0 + b), (1.0 + le) / (1.0 + b)",
     ["tests/test_permutation_engine.py"]),
    ("p-value: ties no longer counted", "divergences/two_sample/_permutation.py",
     'ge = np.stack([b - np.searchsorted(row, o - t, side="left")',
     'ge = np.stack([b - np.searchsorted(row, o + t, side="right")',
     ["tests/test_permutation_engine.py"]),
    ("p-value: two-sided without the factor 2", "divergences/two_sample/_permutation.py",
     '"two-sided": np.minimum(1.0, 2.0 * np.minimum(p_ge, p_le))',
     '"two-sided": np.minimum(1.0, 1.0 * np.minimum(p_ge, p_le))',
     ["tests/test_permutation_engine.py"]),
    ("MMDAgg: level correction rounds up", "divergences/two_sample/aggregated.py",
     "while k >= 0 and (1.0 + k) / (1.0 + b2) > level:",
     "while k >= 0 and (0.0 + k) / (1.0 + b2) > level:",
     ["tests/test_permutation_engine.py", "tests/test_aggregated.py"]),
    ("MMDAgg: single p-values against B1 + observed", "divergences/two_sample/aggregated.py",
     "stats[:, 1:b1 + 1])", "stats[:, 0:b1 + 1])",
     ["tests/test_permutation_engine.py", "tests/test_aggregated.py"]),
    ("MMD-FUSE: grid ends at the 90 % quantile", "divergences/two_sample/aggregated.py",
     "np.quantile(d, 0.95) * 2.0", "np.quantile(d, 0.9) * 2.0",
     ["tests/test_aggregated.py"]),
    ("MMD-FUSE: lambda from the larger sample", "divergences/two_sample/aggregated.py",
     "nn = min(n, m)", "nn = max(n, m)", ["tests/test_aggregated.py"]),
    ("MMD: unbiased denominator n^2", "divergences/two_sample/distance.py",
     "return kxx / (n * (n - 1)) + kyy / (m * (m - 1)) - 2.0 * kxy / (n * m)",
     "return kxx / (n * n) + kyy / (m * (m - 1)) - 2.0 * kxy / (n * m)",
     ["tests/test_kernel_tests.py"]),
    ("batched MI scored on training pairs", "divergences/estimators/estimate.py",
     "values = held_out(torch.as_tensor(gen_np.permutation(ev), device=dev)).cpu().numpy()",
     "values = held_out(torch.as_tensor(gen_np.permutation(tr), device=dev)).cpu().numpy()",
     ["tests/test_estimate.py"]),
    ("f-divergence estimate scored on training samples", "divergences/estimators/estimate.py",
     "(xp_t[ev_p], xq_t[ev_q]))", "(xp_t[tr_p], xq_t[tr_q]))", ["tests/test_estimate.py"]),
    ("keep-the-best keeps the worst", "divergences/_backend/training.py",
     "if v > self.best + self.min_delta:", "if v < self.best + self.min_delta:",
     ["tests/test_training.py"]),
    ("histogram MI: ties placed by first rank", "divergences/estimators/classical.py",
     "mid = np.cumsum(counts) - counts / 2.0 - 0.5", "mid = np.cumsum(counts) - counts * 1.0",
     ["tests/test_classical.py"]),
    ("histogram MI: few values binned by counts", "divergences/estimators/classical.py",
     "if values.size <= bins:", "if values.size < 0:", ["tests/test_classical.py"]),
    ("C2ST: binomial p-value off by one", "divergences/two_sample/classifier.py",
     "greater = float(stats.binom.sf(correct - 1, n_test, 0.5))",
     "greater = float(stats.binom.sf(correct, n_test, 0.5))",
     ["tests/test_permutation_engine.py", "tests/test_c2st.py"]),
    ("KL: arguments swapped in the numpy fast path", "divergences/fdiv/discrete.py",
     "def _kl_numpy_fast(p, q, axis, p_has_zeros):",
     "def _kl_numpy_fast(q, p, axis, p_has_zeros):", ["tests/test_discrete.py"]),
    ("W1: rescaling not undone", "divergences/two_sample/distance.py",
     "statistic=statistic_out(xp, observed_value * scale, x),",
     "statistic=statistic_out(xp, observed_value, x),", ["tests/test_wasserstein_test.py"]),
    ("option: MMDAgg's decreasing weights shifted", "divergences/two_sample/aggregated.py",
     "        w = 1.0 / i\n", "        w = 1.0 / (i + 1)\n",
     ["tests/test_aggregated.py", "tests/test_permutation_engine.py"]),
    ("option: Laplace kernel of MMD-FUSE without its sqrt 2",
     "divergences/two_sample/aggregated.py",
     'return (1.0 if style == "agg" else math.sqrt(2.0)) / bandwidth',
     'return (1.0 if style == "agg" else 2.0) / bandwidth', ["tests/test_aggregated.py"]),
    ("option: mmd_test's Laplacian kernel at half the rate", "divergences/two_sample/distance.py",
     "gauss, lap = max(-0.5 / bw / bw, -big), max(-1.0 / bw, -big)",
     "gauss, lap = max(-0.5 / bw / bw, -big), max(-0.5 / bw, -big)",
     ["tests/test_kernel_tests.py"]),
    ("option: C2ST-L relabelled statistic with the wrong y count",
     "divergences/two_sample/classifier.py",
     "return sums / k - (logits.sum() - sums) / (labels.size - k)",
     "return sums / k - (logits.sum() - sums) / labels.size",
     ["tests/test_permutation_engine.py", "tests/test_c2st.py"]),
    ("energy: V-statistic with n(n - 1)", "divergences/two_sample/distance.py",
     "return 2.0 * dxy / (n * m) - aka / (n * n) - dyy / (m * m)",
     "return 2.0 * dxy / (n * m) - aka / (n * (n - 1)) - dyy / (m * m)",
     ["tests/test_kernel_tests.py"]),
    ("Pearson conjugate without its -1 floor", "divergences/fdiv/ffunctions.py",
     "return xp.where(big, 0.25 * ts * ts + ts, -1.0)",
     "return 0.25 * t * t + t", ["tests/test_ffunctions.py"]),
    ("option: classical estimators' interval always at 95 %", "divergences/estimators/classical.py",
     'z = float(stats.norm.ppf(0.5 + check_real("confidence", confidence, 0, 1) / 2))\n    value',
     'z = float(stats.norm.ppf(0.975))\n    value', ["tests/test_options.py"]),
    ("option: separable MI critic ignores layers", "divergences/estimators/estimate.py",
     "return SeparableCritic(dx, dy, hidden, layers, embed_dim, data=data, generator=gen)",
     "return SeparableCritic(dx, dy, hidden, 2, embed_dim, data=data, generator=gen)",
     ["tests/test_options.py"]),
    ("option: deep-kernel split from the larger sample", "divergences/two_sample/deep_kernel.py",
     "k_tr = int(math.floor(min(n, m) * train_fraction))",
     "k_tr = int(math.floor(max(n, m) * train_fraction))", ["tests/test_options.py"]),
    ("families: Gamma KL with the rates' ratio inverted", "divergences/families/continuous.py",
     "+ kq * (xp.log(rp) - xp.log(rq)) + kp * (rq / rp - 1.0))",
     "+ kq * (xp.log(rq) - xp.log(rp)) + kp * (rq / rp - 1.0))", ["tests/test_families.py"]),
    ("families: Laplace middle piece with the wrong slope sign",
     "divergences/families/continuous.py",
     "slope = xp.where(mp <= mq, -a / bp + (1.0 - a) / bq, a / bp - (1.0 - a) / bq)",
     "slope = xp.where(mp <= mq, a / bp - (1.0 - a) / bq, a / bp - (1.0 - a) / bq)",
     ["tests/test_families.py"]),
    ("families: an InverseGamma paired with a Gamma as one family",
     "divergences/families/continuous.py", '    canonical_map = "reciprocal"\n',
     '    canonical_map = "identity"\n', ["tests/test_families.py"]),
    ("families: cross-family KL without the support check", "divergences/families/closed_forms.py",
     "    return xp.where(contained, value, INF)\n\n\ndef _has_entropy",
     "    return value\n\n\ndef _has_entropy", ["tests/test_families.py"]),
    ("linear: swap draws not counted in the null sums", "divergences/two_sample/linear.py",
     "null = torch.from_numpy(signs) @ torch.from_numpy(psi.astype(np.float32))",
     "null = torch.from_numpy(np.abs(signs)) @ torch.from_numpy(psi.astype(np.float32))",
     ["tests/test_linear.py"]),
    ("linear: MMDAggInc averaged over N pairs instead of R", "divergences/two_sample/linear.py",
     "    r = pairs * (block - 1.0)\n", "    r = float(pairs)\n", ["tests/test_linear.py"]),
    ("families: Multinomial orders above 1 finite when Q misses a category",
     "divergences/families/discrete.py", "        if a > 1.0:\n            blow",
     "        if a > 9.0:\n            blow", ["tests/test_families.py"]),
    ("families: natural-parameter domain not checked outside [0, 1]",
     "divergences/families/closed_forms.py",
     "    return xp.where(ok, val, INF)\n\n\ndef _affinity_gaussian",
     "    return val\n\n\ndef _affinity_gaussian", ["tests/test_families.py"]),

]


def _copy(dst):
    for name in ("divergences", "tests", "conftest.py", "pyproject.toml", "docs", "README.md"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dst / name, ignore=shutil.ignore_patterns("__pycache__",
                                                                            "_build"))
        elif src.exists():
            shutil.copy2(src, dst / name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--only", default=None, help="run the mutations whose name has this")
    args = parser.parse_args()
    todo = [m for m in MUTATIONS if args.only is None or args.only in m[0]]
    if args.list:
        for name, path, *_ in todo:
            print(f"{name}  ({path})")
        return 0
    survivors, stale = [], []
    with tempfile.TemporaryDirectory() as tmp:
        scratch = pathlib.Path(tmp)
        _copy(scratch)
        env = {**os.environ, "PYTHONPATH": str(scratch), "PYTHONDONTWRITEBYTECODE": "1"}
        for name, path, old, new, tests in todo:
            target = scratch / path
            text = target.read_text()
            if text.count(old) != 1:
                stale.append(name)
                print(f"STALE     {name}: the snippet is not in {path} exactly once")
                continue
            target.write_text(text.replace(old, new))
            start = time.perf_counter()
            res = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly",
                                  "-p", "no:cacheprovider", "-o", "addopts=", *tests],
                                 cwd=scratch, env=env, capture_output=True, text=True)
            target.write_text(text)
            caught = res.returncode != 0
            line = next((ln for ln in res.stdout.splitlines() if ln.startswith("FAILED")), "")
            print(f"{'caught' if caught else 'SURVIVED':<9} {name} "
                  f"({time.perf_counter() - start:.0f} s){': ' + line[7:90] if line else ''}")
            if not caught:
                survivors.append(name)
    total = len(todo) - len(stale)
    print(f"\n{total - len(survivors)} of {total} mutations caught"
          + (f"; {len(stale)} stale" if stale else ""))
    return 1 if survivors or stale else 0


if __name__ == "__main__":
    sys.exit(main())
