"""A progress display for long command-line runs: one line on the terminal naming the current step, shown only
after a second has passed, and never when the output is not a terminal or when CI is set (CI logs stay clean); and
the estimate of a run's work said before it starts (estimate(), from the benchmarks' measured costs)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


def interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def steps(total: int, enabled: bool | None = None, delay: float = 1.0) -> Iterator[Callable[[str], None]]:
    """`with steps(4) as step: step("reading"); ...`: each call names the step now running."""
    enabled = interactive() if enabled is None else enabled
    with tqdm(
        total=total,
        file=sys.stderr,
        disable=not enabled,
        leave=False,
        delay=delay,
        bar_format="{desc} [{n}/{total}, {elapsed}]",
    ) as bar:

        def step(label: str) -> None:
            bar.update(1)
            bar.set_description_str(label)  # refreshes the line at once (update alone waits for mininterval)

        yield step


# ---- Estimates of work, said before a long run starts
#
# Seconds per simulated campaign on the machine of the benchmarks (README, Benchmarks), from benchmarks/results/:
# `allocate` across the evidence's worlds (allocate_draws.json, across_worlds: 200 worlds x 40 campaigns x 8
# strategies at each budget; above a million the creator supply caps the work, so the last holds), and `simulate`
# (analyze_scaling.json: ten million campaigns simulated and written in 57 s). tests/test_bounds.py checks them
# against those files. An estimate is only that: another machine, or a loaded one, takes longer.
ALLOCATE_SECONDS = ((10_000, 2.66e-6), (100_000, 1.27e-5), (1_000_000, 5.83e-5))  # (budget, seconds per campaign)
SIMULATE_SECONDS = 5.73e-6  # per simulated row (a campaign; a post is counted alike)


def allocate_seconds(budget: float) -> float:
    """Seconds per simulated campaign at `budget`: log-log between the measured budgets, the ends held beyond."""
    import math

    points = ALLOCATE_SECONDS
    if budget <= points[0][0]:
        return points[0][1]
    for (b0, s0), (b1, s1) in zip(points, points[1:]):
        if budget <= b1:
            t = (math.log(budget) - math.log(b0)) / (math.log(b1) - math.log(b0))
            return math.exp(math.log(s0) + t * (math.log(s1) - math.log(s0)))
    return points[-1][1]


def duration(seconds: float) -> str:
    """12.3 -> '12 s', 0.2 -> 'under a second', 600 -> '10 min', 7200 -> '2.0 h': a duration as a person says it."""
    if seconds < 1:
        return "under a second"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def estimate(units: int, what: str, how: str, seconds: float) -> str:
    """'about 144,000 simulated campaigns (8 strategies x 18,000); roughly 2 s on the benchmarks' machine'."""
    return f"about {units:,} {what} ({how}); roughly {duration(seconds)} on the benchmarks' machine"
