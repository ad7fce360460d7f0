"""Median before/after ratios from a log of ``before_after.sh``.

Every ratio a benchmark prints against its named reference (``12.3x``, ``ratio 1.07``,
``ours / sorts = 0.69``) is collected per benchmark, line and side over the rounds of
the log, and printed as a Markdown table of medians with the change after/before.

Run: python benchmarks/summarise_before_after.py before_after.log
"""

import re
import statistics
import sys
from collections import defaultdict

RATIO = re.compile(r"(\d+(?:\.\d+)?)x\b|ratio (\d+(?:\.\d+)?)|= (\d+\.\d+)")
HEADER = re.compile(r"^=== (\S+) \[(before|after)")


def main(path):
    values = defaultdict(lambda: defaultdict(list))      # (bench, line key) -> side -> [ratio]
    bench = side = None
    for line in open(path):
        m = HEADER.match(line)
        if m:
            bench, side = m.groups()
            continue
        found = [next(g for g in t if g) for t in RATIO.findall(line)]
        if bench is None or not found:
            continue
        key = line.split("|")[1].strip() if line.startswith("|") else \
            re.sub(r"\d+(\.\d+)?", "#", line.strip())[:60]
        for i, v in enumerate(found):
            values[(bench, f"{key} [{i}]")][side].append(float(v))
    print("| benchmark | line [ratio] | before | after | after / before | rounds |")
    print("|---|---|---|---|---|---|")
    for (b, key), sides in values.items():
        if not sides["before"] or not sides["after"]:
            continue
        before, after = statistics.median(sides["before"]), statistics.median(sides["after"])
        print(f"| {b} | {key} | {before:.3g} | {after:.3g} | {after / before:.2f} | "
              f"{len(sides['before'])}/{len(sides['after'])} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "before_after.log")
