"""Time 10,000 Monte Carlo draws of each strategy of `influencer_roi.allocate` at three budgets (the issue's target:
within seconds), best of three runs each, in this process after a warm-up (imports excluded); then every strategy
across the evidence's worlds, as `influencer-roi allocate` runs them by default (cli.WORLDS worlds x cli.INNER
campaigns, allocate.compare_worlds), and the whole command, start to finish (median of three).

Usage: .venv/bin/python benchmarks/allocate_draws.py
Writes benchmarks/results/allocate_draws.json and prints a Markdown table for the README.
"""

from __future__ import annotations

import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from influencer_roi import allocate, cli, worlds

ROOT = Path(__file__).resolve().parents[1]
DRAWS = 10_000
BUDGETS = (10_000, 100_000, 1_000_000)


def main() -> None:
    market = allocate.Market.calibrated()
    named = allocate.strategies(market)
    allocate.run(market, 10_000, named["all micro"], draws=100)  # warm-up
    rows = []
    for budget in BUDGETS:
        for name, strategy in named.items():
            times = []
            for repeat in range(3):
                start = time.perf_counter()
                allocate.run(market, budget, strategy, draws=DRAWS, seed=repeat)
                times.append(time.perf_counter() - start)
            rows.append({"budget": budget, "strategy": name, "seconds": round(min(times), 3)})
            print(rows[-1], flush=True)
    world_table = worlds.draws(cli.WORLDS, seed=0)
    across = []
    for budget in BUDGETS:
        start = time.perf_counter()
        allocate.compare_worlds(market, [budget], named, world_table, inner=cli.INNER, seed=0)
        across.append({"budget": budget, "seconds": round(time.perf_counter() - start, 2)})
        print(across[-1], flush=True)
    command = str(Path(sys.executable).with_name("influencer-roi"))
    whole = []
    for budget in BUDGETS:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(
                [command, "allocate", "--budget", str(budget)],
                check=True,
                capture_output=True,
                env={"CI": "1", "PATH": ""},
            )
            times.append(time.perf_counter() - start)
        whole.append({"budget": budget, "seconds": round(statistics.median(times), 2)})
        print(whole[-1], flush=True)
    record = {
        "date": time.strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}",
        "draws": DRAWS,
        "rows": rows,
        "worlds": cli.WORLDS,
        "inner": cli.INNER,
        "across_worlds": across,
        "command": whole,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    (ROOT / "benchmarks" / "results" / "allocate_draws.json").write_text(json.dumps(record, indent=2) + "\n")
    names = list(named)
    print("| strategy | " + " | ".join(f"${b:,}" for b in BUDGETS) + " |")
    print("|---|" + "---|" * len(BUDGETS))
    for name in names:
        cells = [next(r["seconds"] for r in rows if r["strategy"] == name and r["budget"] == b) for b in BUDGETS]
        print(f"| {name} | " + " | ".join(f"{c:.2f}" for c in cells) + " |")
    print(f"peak memory {record['peak_rss_mib']} MiB")
    print("| budget | every strategy across the worlds (s) | the command, start to finish (s) |")
    print("|---|---|---|")
    for a, w in zip(across, whole):
        print(f"| ${a['budget']:,} | {a['seconds']:.1f} | {w['seconds']:.1f} |")


if __name__ == "__main__":
    main()
