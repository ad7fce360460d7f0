#!/usr/bin/env bash
# Run the speed benchmarks on two versions of the library in one sitting, alternating
# between them, so that a change's before/after ratios come from the same machine state.
#
#   benchmarks/before_after.sh REF [OUT]        (ROUNDS=3 by default)
#
# REF is a git revision (the "before"); the working tree is the "after".  Each
# benchmark runs once per side and round, with PYTHONPATH selecting the source tree
# (the editable install is shadowed); the side that runs first alternates between
# rounds.  Output goes to OUT (default before_after.log).  The hyppo comparison runs when /tmp/hyppo-venv exists (see
# bench_two_sample_speed.py for how to make it).  Figures to compare are the ratios
# each script prints against its named reference, not the absolute times; the
# benchmarks run ROUNDS times, alternating sides, and
# `python benchmarks/summarise_before_after.py OUT` prints the median ratios.
set -euo pipefail
ref=${1:?usage: before_after.sh REF [OUT]}
out=${2:-before_after.log}
root=$(git rev-parse --show-toplevel)
before=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$before" >/dev/null 2>&1 || true' EXIT
git -C "$root" worktree add --detach "$before" "$ref" >/dev/null
py=${PYTHON:-$root/.venv/bin/python}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
run() {  # label, then the benchmark command line (script relative to benchmarks/)
    local label=$1; shift
    local order="before after"
    [ $((round % 2)) = 0 ] && order="after before"   # alternate which side goes first
    for side in $order; do
        local tree=$root
        [ "$side" = before ] && tree=$before
        echo "=== $label [$side: $(git -C "$tree" rev-parse --short HEAD)$([ "$side" = after ] && ! git -C "$root" diff --quiet && echo '+dirty')]"
        (cd / && PYTHONPATH=$tree "$1" -c 'import divergences; print("    using", divergences.__file__)')
        (cd "$root" && PYTHONPATH=$tree "$@")
    done
}
for round in $(seq "${ROUNDS:-3}"); do
    echo "### round $round"
    run f_divergence "$py" benchmarks/bench_f_divergence.py
    run wasserstein "$py" benchmarks/bench_wasserstein.py --n 3000000
    run aggregated "$py" benchmarks/bench_aggregated_speed.py
    run estimators "$py" benchmarks/bench_estimators.py
    run batched "$py" benchmarks/bench_batched_trials.py --steps 300
    if [ -x /tmp/hyppo-venv/bin/python ]; then
        run kernel-vs-hyppo /tmp/hyppo-venv/bin/python benchmarks/bench_two_sample_speed.py --only kernel --repeat 3
    fi
done 2>&1 | tee "$out"
