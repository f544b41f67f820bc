"""Time the book's own commands: a clean `make book` (dependencies installed), a no-change rebuild, `make test`.

Usage: make bench   (or .venv/bin/python benchmarks/build_times.py)
Writes benchmarks/results/build_times.json and prints a Markdown table for the README.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def machine() -> dict:
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else ""
    )
    mem_kb = (
        next(
            (
                int(line.split()[1])
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            ),
            0,
        )
        if Path("/proc/meminfo").exists()
        else 0
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 2**20),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.machine()}",
    }


def timed(*cmd: str) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    results = {
        "clean make book (deps installed)": timed("make", "book"),
        "no-change make book": timed("make", "book"),
        "make test": timed("make", "test"),
    }
    record = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "seconds": {k: round(v, 1) for k, v in results.items()},
        "chapters": len(list((ROOT / "chapters").glob("*.ipynb"))),
    }
    out = ROOT / "benchmarks" / "results" / "build_times.json"
    out.write_text(json.dumps(record, indent=2) + "\n")
    print("| command | seconds |\n|---|---|")
    for name, seconds in record["seconds"].items():
        print(f"| {name} | {seconds} |")
    print(f"\n{record['machine']} on {record['date']}, {record['chapters']} chapter(s)")


if __name__ == "__main__":
    main()
