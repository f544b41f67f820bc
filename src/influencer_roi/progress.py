"""A progress display for long command-line runs: one line on the terminal naming the current step, shown only
after a second has passed, and never when the output is not a terminal or when CI is set (CI logs stay clean); and
the estimate of a run's work said before it starts (estimate(), from the benchmarks' measured costs)."""

from __future__ import annotations

import math
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


def interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def steps(total: int, enabled: bool | None = None, delay: float = 1.0) -> Iterator[Callable[[str], None]]:
    """`with steps(4) as step: step("reading"); ...`: each call names the step now running.

    The line appears once `delay` seconds have passed, drawn by a timer even in the middle of a long step (tqdm's own
    `delay` is checked only when the count advances, and a step's label refresh ignored it). The terminal's size is
    given to tqdm: a terminal that reports none (0 x 0, as some pseudo-terminals do) made tqdm draw nothing at all."""
    enabled = interactive() if enabled is None else enabled
    size = shutil.get_terminal_size()  # 80 x 24 when the terminal does not say
    with tqdm(
        total=total,
        file=sys.stderr,
        disable=not enabled,
        leave=False,
        ncols=size.columns,
        nrows=size.lines,
        mininterval=0,
        bar_format="{desc} [{n}/{total}, {elapsed}]",
    ) as bar:
        shown = threading.Event()
        start = time.monotonic()

        def show() -> None:
            shown.set()
            bar.refresh()

        timer = threading.Timer(delay, show)
        timer.daemon = True
        if enabled:
            timer.start()

        def step(label: str) -> None:
            bar.set_description_str(label, refresh=False)
            bar.n += 1
            if shown.is_set() or time.monotonic() - start >= delay:
                show()

        try:
            yield step
        finally:
            timer.cancel()


# ---- Estimates of work, said before a long run starts
#
# A run's time is a fixed part (starting Python, importing the libraries, drawing the evidence's worlds, setting up the
# market) plus a cost per simulated campaign. From benchmarks/results/ (README, Benchmarks), on the benchmarks'
# machine: the cost per campaign of `allocate` across the evidence's worlds (allocate_draws.json, across_worlds: 200
# worlds x 40 campaigns x 8 strategies at each budget; above a million the creator supply caps the work, so the last
# holds) and of `simulate` (analyze_scaling.json: ten million campaigns simulated and written in 57 s); the fixed
# part is the whole command's measured time less its campaigns' cost (allocate_draws.json, command: the default
# run; analyze_scaling.json, the smallest simulate). Leaving the fixed part out made the estimate of an `allocate`
# run 2 to 6 times too low. tests/test_bounds.py checks every constant against those files. An estimate is only
# that: another machine, or a loaded one, takes longer.
ALLOCATE_SECONDS = ((10_000, 2.66e-6), (100_000, 1.27e-5), (1_000_000, 5.83e-5))  # (budget, seconds per campaign)
ALLOCATE_START = ((10_000, 2.91), (100_000, 4.19), (1_000_000, 5.72))  # (budget, fixed seconds of a default run)
SIMULATE_SECONDS = 5.73e-6  # per simulated row (a campaign; a post is counted alike)
SIMULATE_START = 0.31  # fixed seconds of `simulate`


def _by_budget(points: tuple[tuple[int, float], ...], budget: float) -> float:
    """Log-log between the measured budgets, the ends held beyond."""
    if budget <= points[0][0]:
        return points[0][1]
    for (b0, s0), (b1, s1) in zip(points, points[1:]):
        if budget <= b1:
            t = (math.log(budget) - math.log(b0)) / (math.log(b1) - math.log(b0))
            return math.exp(math.log(s0) + t * (math.log(s1) - math.log(s0)))
    return points[-1][1]


def allocate_seconds(budget: float) -> float:
    """Seconds per simulated campaign at `budget`."""
    return _by_budget(ALLOCATE_SECONDS, budget)


def allocate_run_seconds(units: int, budget: float) -> float:
    """The whole `allocate` run: its fixed part at `budget` plus `units` simulated campaigns."""
    return _by_budget(ALLOCATE_START, budget) + units * allocate_seconds(budget)


def simulate_run_seconds(rows: int) -> float:
    """The whole `simulate` run: its fixed part plus `rows` simulated and written rows."""
    return SIMULATE_START + rows * SIMULATE_SECONDS


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
