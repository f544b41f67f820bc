"""Time 10,000 Monte Carlo draws of each strategy of `influencer_roi.allocate` at three budgets (the issue's target:
within seconds), best of three runs each, in this process after a warm-up (imports excluded).

Usage: .venv/bin/python benchmarks/allocate_draws.py
Writes benchmarks/results/allocate_draws.json and prints a Markdown table for the README.
"""

from __future__ import annotations

import json
import platform
import resource
import time
from pathlib import Path

from influencer_roi import allocate

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
    record = {"date": time.strftime("%Y-%m-%d"), "python": platform.python_version(),
              "machine": f"{platform.system()} {platform.machine()}", "draws": DRAWS, "rows": rows,
              "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    (ROOT / "benchmarks" / "results" / "allocate_draws.json").write_text(json.dumps(record, indent=2) + "\n")
    names = list(named)
    print("| strategy | " + " | ".join(f"${b:,}" for b in BUDGETS) + " |")
    print("|---|" + "---|" * len(BUDGETS))
    for name in names:
        cells = [next(r["seconds"] for r in rows if r["strategy"] == name and r["budget"] == b) for b in BUDGETS]
        print(f"| {name} | " + " | ".join(f"{c:.2f}" for c in cells) + " |")
    print(f"peak memory {record['peak_rss_mib']} MiB")


if __name__ == "__main__":
    main()
