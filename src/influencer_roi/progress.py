"""A progress display for long command-line runs: one line on the terminal naming the current step, shown only
after a second has passed, and never when the output is not a terminal or when CI is set (CI logs stay clean)."""

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
