"""simulate + analyze at 10^3 to 10^7 campaigns: wall time and peak memory, beside the floor a user would write
by hand (read the CSV, one statsmodels OLS of log ROAS on log followers with HC3 errors); and `engagement` on post
files of about the same numbers of rows (accounts of about five posts each).

Usage: .venv/bin/python benchmarks/analyze_scaling.py [--sizes 1000 100000 1000000 10000000] [--repeat 3]
Writes benchmarks/results/analyze_scaling.json and prints Markdown tables for the README.
Each step runs in its own process, which reports its own peak resident memory (ru_maxrss) when it ends. Each
timing is the median of --repeat runs (the machine is shared: single runs vary by a second), the floor and
analyze run one after the other in each round so that both see the same load; peak memory is the largest of the
runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FLOOR = """
import sys, numpy as np, pandas as pd, statsmodels.formula.api as smf
d = pd.read_csv(sys.argv[1], usecols=["followers", "cost", "revenue"])
d = d[d.revenue > 0]
smf.ols("np.log(revenue / cost) ~ np.log(followers)", d).fit(cov_type="HC3")
"""


# Runs a command line of the package (or a script) in this process, then writes its own peak RSS (KiB) to a file.
WRAPPER = """
import resource, sys
report, mode, *argv = sys.argv[1:]
try:
    if mode == "cli":
        from influencer_roi.cli import main
        code = main(argv)
    else:
        sys.argv = ["floor", *argv]
        exec(compile(mode, "floor", "exec"), {"__name__": "__main__"})
        code = 0
finally:
    open(report, "w").write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
sys.exit(code)
"""


def measure(mode: str, args: list[str], tmp: str) -> tuple[float, float]:
    """Wall seconds and the child's own peak RSS (MiB). mode: "cli" (influencer-roi ARGS) or Python source."""
    report = Path(tmp) / "maxrss"
    start = time.perf_counter()
    child = subprocess.run(
        [str(BIN / "python"), "-c", WRAPPER, str(report), mode, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "CI": "1"},
    )
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        raise RuntimeError(f"{args} failed: {child.stderr.decode()[-2000:]}")
    return seconds, int(report.read_text()) / 1024


def repeated(runs: list[tuple[float, float]]) -> tuple[float, float, list[float]]:
    """(median seconds, largest peak MiB, every run's seconds)."""
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs), [round(r[0], 2) for r in runs]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000, 1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    sizes = sorted(options.sizes)
    rows, post_rows = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            csv = Path(tmp) / f"campaigns_{n}.csv"
            sim_s, _ = measure("cli", ["simulate", "--n", str(n), "--seed", "1", "--out", str(csv)], tmp)
            floors, analyses = [], []
            for round_ in range(options.repeat):
                floors.append(measure(FLOOR, [str(csv)], tmp))
                analyses.append(
                    measure("cli", ["analyze", str(csv), "--out", str(Path(tmp) / f"out_{n}_{round_}")], tmp)
                )
            floor_s, floor_mb, floor_runs = repeated(floors)
            analyze_s, analyze_mb, analyze_runs = repeated(analyses)
            rows.append(
                {
                    "campaigns": n,
                    "simulate_s": round(sim_s, 2),
                    "floor_s": round(floor_s, 2),
                    "analyze_s": round(analyze_s, 2),
                    "analyze_over_floor": round(analyze_s / floor_s, 2),
                    "floor_peak_mib": round(floor_mb),
                    "analyze_peak_mib": round(analyze_mb),
                    "floor_runs_s": floor_runs,
                    "analyze_runs_s": analyze_runs,
                }
            )
            print(rows[-1], flush=True)
            csv.unlink()
            posts = Path(tmp) / f"posts_{n}.csv"
            measure("cli", ["simulate", "--posts", "--n", str(max(n // 5, 3)), "--seed", "1", "--out", str(posts)], tmp)
            with posts.open() as handle:
                n_posts = sum(1 for _ in handle) - 1
            runs = [
                measure("cli", ["engagement", str(posts), "--out", str(Path(tmp) / f"eng_{n}_{round_}")], tmp)
                for round_ in range(options.repeat)
            ]
            post_s, post_mb, post_runs = repeated(runs)
            post_rows.append(
                {
                    "posts": n_posts,
                    "engagement_s": round(post_s, 2),
                    "engagement_peak_mib": round(post_mb),
                    "engagement_runs_s": post_runs,
                }
            )
            print(post_rows[-1], flush=True)
            posts.unlink()
    record = {
        "date": time.strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}",
        "repeat": options.repeat,
        "rows": rows,
        "post_rows": post_rows,
        "note": "seconds include starting Python and importing the libraries, median of the runs; peak memory "
        "is each process's own, the largest of the runs",
    }
    (ROOT / "benchmarks" / "results" / "analyze_scaling.json").write_text(json.dumps(record, indent=2) + "\n")
    print(
        "| campaigns | simulate (s) | floor (s) | analyze (s) | analyze ÷ floor | floor peak (MiB) "
        "| analyze peak (MiB) |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['campaigns']:,} | {r['simulate_s']} | {r['floor_s']} | {r['analyze_s']} "
            f"| {r['analyze_over_floor']} | {r['floor_peak_mib']} | {r['analyze_peak_mib']} |"
        )

    print()
    print("| posts | engagement (s) | engagement peak (MiB) |")
    print("|---|---|---|")
    for r in post_rows:
        print(f"| {r['posts']:,} | {r['engagement_s']} | {r['engagement_peak_mib']} |")


if __name__ == "__main__":
    main()
